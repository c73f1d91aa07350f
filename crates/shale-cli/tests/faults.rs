//! Fault tests of `shale apply` on a real server: a killed shale, a terminated backend,
//! drift, two applies at once, a tampered plan file, index builds of other sessions, lock
//! timeouts. Every test seeds rows and checks that none is lost (count and checksum).
//!
//! Deterministic: the test pauses an apply at a known step by holding a lock (or an old
//! snapshot) itself, and waits for the server to report the apply waiting there (polling
//! `pg_stat_activity`, `pg_locks`, `pg_stat_progress_create_index` until a condition holds),
//! never for a guessed amount of time.

mod common;

use common::*;
use shale_testkit::TestDb;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SEED: &str = "CREATE TABLE items (id bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 2000) g;";

/// Adds a column, a table and an index built CONCURRENTLY on `items`.
const WANT: &str = "CREATE TABLE items (id bigint PRIMARY KEY, v text NOT NULL, note text);
CREATE INDEX items_v_idx ON items (v);
CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);
";

/// Row count and checksum of `items`.
fn rows(db: &TestDb) -> (i64, String) {
    let r = db
        .client()
        .query_one(
            "SELECT count(*), md5(string_agg(id::text || ':' || v, ',' ORDER BY id)) FROM items",
            &[],
        )
        .unwrap();
    (r.get(0), r.get(1))
}

/// `shale` with no terminal on stdin and both streams piped.
fn spawn(dir: &Scratch, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_shale"))
        .args(args)
        .current_dir(&dir.0)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shale")
}

/// Polls `sql` (one bool) on `db` until it is true; panics after a minute.
fn wait_until(db: &TestDb, sql: &str, what: &str) {
    let mut c = db.client();
    let start = Instant::now();
    loop {
        let ok: bool = c
            .query_one(sql, &[&db.name()])
            .map(|r| r.get(0))
            .unwrap_or(false);
        if ok {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Some backend of the database waits for a lock while running `like`.
fn wait_for_lock_wait(db: &TestDb, like: &str) -> i32 {
    let sql = format!(
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE '{like}'"
    );
    wait_until(
        db,
        &sql,
        &format!("a session waiting for a lock in `{like}`"),
    );
    db.client()
        .query_one(
            &format!(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '{like}' LIMIT 1"
            ),
            &[],
        )
        .unwrap()
        .get(0)
}

fn plan_is_empty(db: &TestDb, s: &Scratch) {
    let o = s.run(&["plan", "--from", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(0), "re-plan must be empty:\n{}", both(&o));
}

fn output(child: Child) -> std::process::Output {
    child.wait_with_output().expect("wait for shale")
}

fn column_exists(db: &TestDb, table: &str, column: &str) -> bool {
    column_names(db, table).iter().any(|c| c == column)
}

/// A database seeded with `items`, the rows' count and checksum, and a folder holding
/// want.sql ([`WANT`]).
fn seeded(name: &str) -> (TestDb, (i64, String), Scratch) {
    let db = TestDb::new(name);
    db.execute(SEED);
    let before = rows(&db);
    (db, before, Scratch::new(&[("want.sql", WANT)]))
}

/// `shale plan … --out p.json` from the database to want.sql, which must plan changes.
fn plan_file(db: &TestDb, s: &Scratch) {
    let o = s.run(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        "want.sql",
        "--out",
        "p.json",
    ]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
}

/// `shale apply --yes --no-prove` to want.sql, with `more` arguments, in the background.
fn spawn_apply(s: &Scratch, db: &TestDb, more: &[&str]) -> Child {
    let mut args = vec![
        "apply",
        "--yes",
        "--no-prove",
        "--db",
        db.url(),
        "--to",
        "want.sql",
    ];
    args.extend_from_slice(more);
    spawn(s, &args)
}

/// A session holding ACCESS SHARE on `items` in an open transaction, so an apply's
/// `ALTER TABLE items` waits for it; `COMMIT` on it releases the lock. With the session's
/// backend pid; its last statement is the `LOCK TABLE`.
fn hold_items_lock(db: &TestDb) -> (postgres::Client, i32) {
    let mut holder = db.client();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    holder
        .batch_execute("BEGIN; LOCK TABLE items IN ACCESS SHARE MODE")
        .unwrap();
    (holder, pid)
}

#[test]
fn drift_between_plan_and_apply_is_refused_naming_the_object() {
    let (db, before, s) = seeded("fault_drift");
    plan_file(&db, &s);
    // Someone adds an index by hand between review and deploy.
    db.execute("CREATE INDEX by_hand ON items (id, v)");
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    expect_error(
        &o,
        &[
            "no longer matches the state p.json was planned from",
            "index public.by_hand: appeared since the plan was made",
            "nothing was changed",
        ],
    );
    assert!(!column_exists(&db, "items", "note"), "nothing may run");
    let n: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'by_hand'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the hand-made index is kept");
    assert_eq!(rows(&db), before);

    // Without the drift the same file runs, unattended (no terminal, no --yes), and
    // reaches the desired state.
    db.execute("DROP INDEX by_hand");
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("now matches"), "{}", both(&o));
    assert!(
        stderr(&o).contains("[3/3]"),
        "progress on stderr:\n{}",
        both(&o)
    );
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}

#[test]
fn a_tampered_plan_file_is_refused() {
    let db = TestDb::new("fault_tamper");
    db.execute(SEED);
    db.execute("ALTER TABLE items ADD COLUMN legacy int");
    let before = rows(&db);
    let s = Scratch::new(&[("want.sql", WANT)]);
    plan_file(&db, &s);
    // The High drop is refused until approved...
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    expect_error(&o, &["refusing to apply", "drop:public.items.legacy"]);
    let o = s.run(&["approve", "p.json", "drop:public.items.nope"]);
    expect_error(
        &o,
        &["`drop:public.items.nope`", "drop:public.items.legacy"],
    );
    let o = s.run(&["approve", "p.json", "drop:public.items.legacy"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    let approved = std::fs::read_to_string(s.0.join("p.json")).unwrap();

    // ...and an approved file whose statement is edited is refused.
    let edited = approved.replace("ADD COLUMN note text", "ADD COLUMN note text DEFAULT 'x'");
    assert_ne!(edited, approved);
    std::fs::write(s.0.join("p.json"), &edited).unwrap();
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    expect_error(&o, &["edited after shale wrote it", "nothing was changed"]);

    // Also when the editor recomputes the digest: the approval names the old one.
    let mut v: serde_json::Value = serde_json::from_str(&edited).unwrap();
    v["digest"] = serde_json::Value::String(shale_apply::planfile::digest_of(v.clone()));
    std::fs::write(s.0.join("p.json"), v.to_string()).unwrap();
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    expect_error(
        &o,
        &["approval of `drop:public.items.legacy` was given for other content"],
    );
    assert!(column_exists(&db, "items", "legacy"));
    assert!(!column_exists(&db, "items", "note"));

    // The file as approved runs without --approve.
    std::fs::write(s.0.join("p.json"), &approved).unwrap();
    let o = s.run(&["apply", "--db", db.url(), "--plan", "p.json"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(!column_exists(&db, "items", "legacy"));
    plan_is_empty(&db, &s);
    let after = rows(&db);
    assert_eq!(after, before);
}

#[test]
fn two_applies_at_once_never_both_run() {
    let (db, before, s) = seeded("fault_two");
    // Pause the first apply at its first step: ALTER TABLE items waits for this lock.
    let (mut holder, _) = hold_items_lock(&db);
    let first = spawn_apply(&s, &db, &["--lock-timeout", "60s"]);
    wait_for_lock_wait(&db, "ALTER TABLE%");

    // A second apply gives up after --wait, saying who runs and since when; it reads
    // nothing (no plan printed) and changes nothing.
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--wait",
        "1s",
    ]);
    expect_error(
        &o,
        &[
            "another shale apply is running",
            "running since",
            "shale apply",
        ],
    );
    assert!(!stdout(&o).contains("Plan:"), "{}", both(&o));

    // A third waits for it (on the advisory lock) and then finds nothing left to do.
    let third = spawn(
        &s,
        &[
            "apply",
            "--yes",
            "--db",
            db.url(),
            "--to",
            "want.sql",
            "--wait",
            "60s",
        ],
    );
    wait_until(
        &db,
        "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'shale apply (waiting)'",
        "the third apply waiting for the apply lock",
    );
    holder.batch_execute("COMMIT").unwrap();
    let o = output(first);
    assert_eq!(code(&o), Some(0), "first: {}", both(&o));
    assert!(stdout(&o).contains("now matches"), "{}", both(&o));
    // The third waited between short statements: the first's CREATE INDEX CONCURRENTLY,
    // which waits for every older snapshot, did not wait for it.
    let o = output(third);
    assert_eq!(code(&o), Some(0), "third: {}", both(&o));
    assert!(stdout(&o).contains("No changes."), "{}", both(&o));
    assert!(!stdout(&o).contains("Applied"), "{}", both(&o));
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}

#[test]
fn kill_9_mid_index_build_then_a_rerun_converges() {
    let (db, before, s) = seeded("fault_kill");
    // An old snapshot: CREATE INDEX CONCURRENTLY waits for it in its last phase, with the
    // index present and INVALID.
    let mut holder = db.client();
    let mut tx = holder
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .start()
        .unwrap();
    // A snapshot, but no lock on `items` (the ALTER TABLE steps must not wait for it).
    tx.query("SELECT 1", &[]).unwrap();
    let mut first = spawn_apply(&s, &db, &["--lock-timeout", "60s"]);
    wait_until(
        &db,
        "SELECT count(*) > 0 FROM pg_stat_progress_create_index p JOIN pg_database d ON d.oid = p.datid WHERE d.datname = $1 AND p.phase = 'waiting for old snapshots'",
        "the index build waiting for old snapshots",
    );
    first.kill().unwrap(); // SIGKILL
    let _ = first.wait();

    // The orphan backend still builds: that index is not "failed", and is not dropped.
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--wait",
        "1s",
    ]);
    expect_error(
        &o,
        &[
            "index public.items_v_idx on public.items is being built by pid",
            "not failed",
            "nothing was read or changed",
        ],
    );
    assert!(!stdout(&o).contains("DROP INDEX"), "{}", both(&o));
    // A plan made meanwhile says so.
    let o = s.run(&["plan", "--from", db.url(), "--to", "want.sql"]);
    assert!(
        stderr(&o)
            .contains("warning: index public.items_v_idx on public.items is being built by pid")
            && stderr(&o).contains("not failed"),
        "{}",
        both(&o)
    );

    // The build ends when the old snapshot goes; the re-run converges.
    tx.commit().unwrap();
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--wait",
        "60s",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(!stdout(&o).contains("DROP INDEX"), "{}", both(&o));
    let invalid: i64 = db
        .client()
        .query_one("SELECT count(*) FROM pg_index WHERE NOT indisvalid", &[])
        .unwrap()
        .get(0);
    assert_eq!(invalid, 0);
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}

#[test]
fn terminated_backend_mid_apply_then_a_rerun_converges() {
    let (db, before, s) = seeded("fault_term");
    let (mut holder, _) = hold_items_lock(&db);
    let first = spawn_apply(&s, &db, &["--lock-timeout", "60s"]);
    let pid = wait_for_lock_wait(&db, "ALTER TABLE%");
    let killed: bool = db
        .client()
        .query_one("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap()
        .get(0);
    assert!(killed);
    let o = output(first);
    expect_error(&o, &["failed", "to continue"]);
    holder.batch_execute("COMMIT").unwrap();
    assert!(
        !column_exists(&db, "items", "note"),
        "its transaction rolled back"
    );

    let o = s.run(&["apply", "--yes", "--db", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}

#[test]
fn a_lock_timeout_names_the_blocker_and_lock_retries_wait_it_out() {
    let (db, before, s) = seeded("fault_block");
    let (mut holder, blocker) = hold_items_lock(&db);

    // Without retries: fails, naming the blocking session and its statement.
    let o = s.run(&[
        "apply",
        "--yes",
        "--no-prove",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--lock-timeout",
        "2s",
    ]);
    expect_error(
        &o,
        &[
            &format!("blocked by pid {blocker} (idle in transaction"),
            "LOCK TABLE items IN ACCESS SHARE MODE",
            "no step was committed",
        ],
    );

    // With retries: the apply tries again; once the lock is released it goes through.
    let mut child = spawn_apply(&s, &db, &["--lock-timeout", "1s", "--lock-retries", "30"]);
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let first_retry = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("a retry line on stderr");
        if line.contains("retry 1/30") {
            break line;
        }
    };
    assert!(
        first_retry.contains(&format!("blocked by pid {blocker}")),
        "{first_retry}"
    );
    holder.batch_execute("COMMIT").unwrap();
    let status = child.wait().unwrap();
    let err = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}

#[test]
fn apply_without_a_terminal_needs_yes_or_a_plan_file() {
    let db = TestDb::new("fault_yes");
    db.execute(SEED);
    let s = Scratch::new(&[("want.sql", WANT)]);
    let o = s.run(&["apply", "--db", db.url(), "--to", "want.sql"]);
    expect_error(&o, &["without a terminal", "--yes", "nothing was changed"]);
    assert!(!column_exists(&db, "items", "note"));
    // A dry run changes nothing and needs no confirmation.
    let o = s.run(&["apply", "--db", db.url(), "--to", "want.sql", "--dry-run"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    // The proof on a copy runs by default here (the role may create databases).
    let o = s.run(&["apply", "--yes", "--db", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(
        stderr(&o).contains("proved: 3 step(s) ran on the copy and it converged"),
        "{}",
        both(&o)
    );
    let err = stderr(&o);
    let name = err
        .split("temporary database ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("the proof names its database:\n{err}"));
    let left: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the temporary database {name} is dropped");
    plan_is_empty(&db, &s);
}

/// `shale args` on a terminal (util-linux `script` gives it one), answering `answer`.
fn on_terminal(dir: &Scratch, args: &[&str], answer: &str) -> std::process::Output {
    use std::io::Write;
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_shale"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(&dir.0)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run script (util-linux)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_goes_on() {
    let (db, before, s) = seeded("fault_tty");
    let args = ["apply", "--no-prove", "--db", db.url(), "--to", "want.sql"];
    let o = on_terminal(&s, &args, "no\n");
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    // script merges the terminal's streams into its stdout.
    let out = stdout(&o);
    assert!(out.contains("Apply these 3 step(s)"), "{out}");
    assert!(out.contains("not confirmed: nothing was changed"), "{out}");
    assert!(!column_exists(&db, "items", "note"));
    let o = on_terminal(&s, &args, "yes\n");
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("now matches"), "{}", both(&o));
    plan_is_empty(&db, &s);
    assert_eq!(rows(&db), before);
}
