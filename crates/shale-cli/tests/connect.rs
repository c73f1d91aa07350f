//! The `shale` binary connecting as psql does (libpq strings, the PG* environment,
//! timeouts, redaction) and behaving as a command-line tool should (closed stdout,
//! completions, man page). TLS itself is tested in `crates/shale-connect/tests/tls.rs`.

mod common;

use common::{both, code, expect_error, shale, stderr, stdout, Scratch};
use shale_testkit::TestDb;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// host, port and user of the test server, from its URL.
fn server(db: &TestDb) -> (String, String, String) {
    let info = shale_connect::ConnInfo::parse_with_env(db.url(), &|_| None).unwrap();
    (
        info.get("host").unwrap_or("127.0.0.1").to_string(),
        info.get("port").unwrap_or("5432").to_string(),
        info.get("user").unwrap_or("postgres").to_string(),
    )
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shale"));
    c.env_remove("DATABASE_URL");
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn keyword_value_strings_and_the_pg_environment() {
    let db = TestDb::new("cli_conninfo");
    db.execute("CREATE TABLE from_env (id int);");
    let (host, port, user) = server(&db);
    // A libpq keyword=value string is a database source, not a file path.
    let kv = format!("host={host} port={port} user={user} dbname={}", db.name());
    let o = shale(&["inspect", &kv]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("from_env"), "{}", both(&o));
    // Everything from PG* variables: an empty URI, and DATABASE_URL-less plan --from.
    let o = bin()
        .args(["inspect", "postgresql://"])
        .env("PGHOST", &host)
        .env("PGPORT", &port)
        .env("PGUSER", &user)
        .env("PGDATABASE", db.name())
        .output()
        .unwrap();
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("from_env"), "{}", both(&o));
    // PGSSLMODE is read: verify-full without a root certificate fails and says why.
    let o = bin()
        .args(["inspect", "postgresql://"])
        .env("PGHOST", &host)
        .env("PGPORT", &port)
        .env("PGUSER", &user)
        .env("PGDATABASE", db.name())
        .env("PGSSLMODE", "verify-full")
        .env("PGSSLROOTCERT", "/nonexistent/root.crt")
        .output()
        .unwrap();
    expect_error(
        &o,
        &["root certificate file \"/nonexistent/root.crt\" does not exist"],
    );
}

#[test]
fn the_server_says_why() {
    let db = TestDb::new("cli_why");
    let (host, port, user) = server(&db);
    let s = Scratch::new(&[("a.sql", "CREATE TABLE t (a int);")]);
    let o = shale(&[
        "plan",
        "--from",
        &format!("host={host} port={port} user={user} dbname=no_such_database_here"),
        "--to",
        &s.path("a.sql"),
    ]);
    expect_error(
        &o,
        &["database \"no_such_database_here\" does not exist", "3D000"],
    );
}

#[test]
fn no_password_in_any_form_is_printed() {
    let s = Scratch::new(&[("a.sql", "CREATE TABLE t (a int);")]);
    let secret = "Hunter2-CLI-secret";
    for from in [
        format!("postgresql://someone:{secret}@127.0.0.1:1/nowhere"),
        format!("postgresql://someone@127.0.0.1:1/nowhere?password={secret}"),
        format!("host=127.0.0.1 port=1 user=someone password={secret} dbname=nowhere"),
        format!("host=127.0.0.1 port=1 user=someone password='{secret}' dbname=nowhere"),
        // Malformed after the password: still hidden.
        format!("host=127.0.0.1 password={secret} bogus_option=1"),
        format!("postgresql://someone:{secret}@127.0.0.1:1/nowhere?bogus=1"),
    ] {
        for args in [
            vec!["plan", "--from", &from, "--to", &s.path("a.sql")],
            vec!["inspect", &from],
            vec!["apply", "--db", &from, "--to", &s.path("a.sql"), "--yes"],
            vec![
                "plan",
                "--from",
                "empty",
                "--to",
                &s.path("a.sql"),
                "--dev-url",
                &from,
            ],
        ] {
            let o = shale(&args);
            let all = both(&o);
            assert_eq!(code(&o), Some(1), "{args:?}: {all}");
            assert!(!all.contains(secret), "{args:?}: {all}");
            assert!(!all.contains("panicked"), "{args:?}: {all}");
        }
    }
}

#[test]
fn connect_timeout_bounds_a_silent_server() {
    // Accepted by the kernel, never answered.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let start = Instant::now();
    let o = shale(&[
        "inspect",
        &format!("host=127.0.0.1 port={port} user=u dbname=d connect_timeout=2"),
    ]);
    let took = start.elapsed();
    expect_error(&o, &["timeout expired after 2 s"]);
    assert!(took < Duration::from_secs(8), "{took:?}");
    drop(l);
}

#[test]
fn introspection_has_a_statement_timeout() {
    let db = TestDb::new("cli_stmt_timeout");
    let o = bin()
        .args(["inspect", db.url()])
        .env("SHALE_STATEMENT_TIMEOUT", "bogus")
        .output()
        .unwrap();
    expect_error(&o, &["invalid value for parameter \"statement_timeout\""]);
    let o = bin()
        .args(["inspect", db.url()])
        .env("SHALE_STATEMENT_TIMEOUT", "1ms")
        .output()
        .unwrap();
    expect_error(
        &o,
        &[
            "canceling statement due to statement timeout",
            "SHALE_STATEMENT_TIMEOUT",
        ],
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let big: String = (0..3000)
        .map(|i| format!("CREATE TABLE t{i} (id int, name text);\n"))
        .collect();
    let s = Scratch::new(&[("big.sql", &big)]);
    let mut child = bin()
        .args(["plan", "--from", "empty", "--to", &s.path("big.sql")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe, as `| head -c1` does.
    {
        use std::io::Read;
        let mut out = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        out.read_exact(&mut one).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(code(&o), Some(141), "{err}");
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let o = shale(&["completions", shell]);
        assert_eq!(code(&o), Some(0), "{}", both(&o));
        let text = stdout(&o);
        assert!(
            text.contains("shale") && text.contains("--from"),
            "{shell}: {text}"
        );
    }
    let o = shale(&["man"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(
        stdout(&o).starts_with(".ie") || stdout(&o).contains(".TH shale"),
        "{}",
        stdout(&o)
    );
    let s = Scratch::new(&[]);
    let dir = s.path("man");
    let o = shale(&["man", "--out-dir", &dir]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    for page in [
        "shale.1",
        "shale-plan.1",
        "shale-apply.1",
        "shale-inspect.1",
    ] {
        let text = std::fs::read_to_string(s.0.join("man").join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
    }
}

#[test]
fn special_paths() {
    // /dev/null is an empty schema.
    let o = shale(&["plan", "--from", "empty", "--to", "/dev/null"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("No changes"), "{}", both(&o));
    // A directory that contains itself.
    let s = Scratch::new(&[("a.sql", "CREATE TABLE a ();")]);
    std::os::unix::fs::symlink(".", s.0.join("self")).unwrap();
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.0.display().to_string(),
    ]);
    expect_error(&o, &["directory loop"]);
}

#[test]
fn error_snippets_never_echo_passwords() {
    let s = Scratch::new(&[
        (
            "um.sql",
            "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'bob', password 'Hunter2-um') oops;\n",
        ),
        ("role.sql", "ALTER ROLE app PASSWORD 'Hunter2-role' oops;\n"),
        (
            "sub.sql",
            "CREATE SUBSCRIPTION s CONNECTION 'host=h password=Hunter2-sub' PUBLICATION p oops;\n",
        ),
    ]);
    for f in ["um.sql", "role.sql", "sub.sql"] {
        let o = shale(&["plan", "--from", "empty", "--to", &s.path(f)]);
        let all = both(&o);
        assert_eq!(code(&o), Some(1), "{all}");
        assert!(!all.contains("Hunter2"), "{all}");
        assert!(all.contains("***") && all.contains(f), "{all}");
    }
}
