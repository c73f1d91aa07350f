//! Connections against a real TLS server: a throwaway cluster started here with
//! `ssl = on`, a CA and server/client certificates made at test time (rcgen), and a
//! pg_hba.conf whose roles may only connect over TLS (`hostssl`), one of them with a
//! client certificate. The cluster is stopped when the test process exits.

use shale_connect::{ConnInfo, ConnectError};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TLS_PASSWORD: &str = "Tls-Only-hunter2";

struct Cluster {
    port: u16,
    dir: PathBuf,
}

impl Cluster {
    fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn pg_cmd(name: &str, root: bool) -> Command {
    let bin = shale_testkit::pg_binary(name);
    if root {
        let mut c = Command::new("runuser");
        c.arg("-u").arg("postgres").arg("--").arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// PEM files: ca.crt, server.crt/.key (for "localhost" and 127.0.0.1), client.crt/.key
/// (CN certuser), and other-ca.crt (a CA that signed nothing here).
fn make_certs(dir: &Path) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let ca = |cn: &str| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, cn);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = p.self_signed(&key).unwrap();
        (cert, Issuer::new(p, key))
    };
    let (ca_cert, issuer) = ca("shale test CA");
    let (other_cert, _) = ca("some other CA");
    let server_key = KeyPair::generate().unwrap();
    let mut sp =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    sp.distinguished_name.push(DnType::CommonName, "localhost");
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server = sp.signed_by(&server_key, &issuer).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
    cp.distinguished_name.push(DnType::CommonName, "certuser");
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = cp.signed_by(&client_key, &issuer).unwrap();
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    write("ca.crt", ca_cert.pem());
    write("other-ca.crt", other_cert.pem());
    write("server.crt", server.pem());
    write("server.key", server_key.serialize_pem());
    write("client.crt", client.pem());
    write("client.key", client_key.serialize_pem());
    use std::os::unix::fs::PermissionsExt;
    for k in ["server.key", "client.key"] {
        std::fs::set_permissions(dir.join(k), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The TLS cluster, started once per test process and stopped when it exits.
fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(start_cluster)
}

fn start_cluster() -> Cluster {
    let root = running_as_root();
    let dir = std::env::temp_dir().join(format!("shale-connect-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    make_certs(&dir);
    if root {
        let mut c = Command::new("chown");
        c.arg("-R").arg("postgres").arg(&dir);
        run(c, "chown");
    }
    let mut c = pg_cmd("initdb", root);
    c.arg("-D")
        .arg(&data)
        .arg("-U")
        .arg("postgres")
        .arg("--auth=trust")
        .arg("--no-sync");
    run(c, "initdb");
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Only the admin may connect without TLS (to set the roles up); `tlsonly` only over
    // TLS with a password, `certuser` only over TLS with a client certificate.
    let hba = "local all all trust\n\
               host all postgres 127.0.0.1/32 trust\n\
               hostssl all tlsonly 127.0.0.1/32 scram-sha-256\n\
               hostssl all certuser 127.0.0.1/32 cert\n";
    std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
    let conf = format!(
        "\nssl = on\nssl_cert_file = '{d}/server.crt'\nssl_key_file = '{d}/server.key'\nssl_ca_file = '{d}/ca.crt'\n",
        d = dir.display()
    );
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .unwrap();
    f.write_all(conf.as_bytes()).unwrap();
    if root {
        let mut c = Command::new("chown");
        c.arg("-R").arg("postgres").arg(&dir);
        run(c, "chown");
    }
    let mut c = pg_cmd("pg_ctl", root);
    c.arg("start")
        .arg("-w")
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(dir.join("server.log"))
        .arg("-o")
        .arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.display()
        ));
    run(c, "pg_ctl start");
    // Stop the cluster and remove it once this test process has exited.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {pre}{pg_ctl} stop -D {data} -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pre = if root { "runuser -u postgres -- " } else { "" },
        pg_ctl = shale_testkit::pg_binary("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    // The watchdog outlives this process on purpose: it is what stops the cluster.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .arg("-c")
        .arg(stop)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut admin = shale_connect::connect(&format!(
        "host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=disable"
    ))
    .unwrap();
    admin
        .batch_execute(&format!(
            "CREATE ROLE tlsonly LOGIN PASSWORD '{TLS_PASSWORD}'; CREATE ROLE certuser LOGIN;"
        ))
        .unwrap();
    Cluster { port, dir }
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn connect_env(
    conninfo: &str,
    env: &HashMap<&str, String>,
) -> Result<postgres::Client, ConnectError> {
    let lookup = |k: &str| env.get(k).cloned();
    ConnInfo::parse_with_env(conninfo, &lookup)?.connect()
}

fn connect(conninfo: &str) -> Result<postgres::Client, ConnectError> {
    ConnInfo::parse_with_env(conninfo, &no_env)?.connect()
}

/// Whether the session runs over TLS, as the server sees it.
fn uses_tls(c: &mut postgres::Client) -> bool {
    c.query_one(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .unwrap()
    .get(0)
}

fn err(r: Result<postgres::Client, ConnectError>) -> String {
    match r {
        Ok(_) => panic!("connected, but an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn require_makes_a_tls_session() {
    let c = cluster();
    let mut client = connect(&format!(
        "host=127.0.0.1 port={} user=tlsonly password={TLS_PASSWORD} dbname=postgres sslmode=require",
        c.port
    ))
    .unwrap();
    assert!(uses_tls(&mut client));
    // The default, prefer, takes TLS when the server offers it.
    let mut client = connect(&format!(
        "postgresql://tlsonly:{TLS_PASSWORD}@127.0.0.1:{}/postgres",
        c.port
    ))
    .unwrap();
    assert!(uses_tls(&mut client));
}

#[test]
fn verify_full_checks_the_chain_and_the_host_name() {
    let c = cluster();
    let base = format!(
        "port={} user=tlsonly password={TLS_PASSWORD} dbname=postgres sslrootcert={}",
        c.port,
        c.file("ca.crt")
    );
    let mut client = connect(&format!(
        "{base} host=localhost hostaddr=127.0.0.1 sslmode=verify-full"
    ))
    .unwrap();
    assert!(uses_tls(&mut client));
    // An IP address the certificate lists.
    connect(&format!("{base} host=127.0.0.1 sslmode=verify-full")).unwrap();
    let e = err(connect(&format!(
        "{base} host=db.wrong.example hostaddr=127.0.0.1 sslmode=verify-full"
    )));
    assert!(
        e.contains("not valid for host name \"db.wrong.example\"") && e.contains("verify-ca"),
        "{e}"
    );
    // verify-ca checks the chain only.
    let mut client = connect(&format!(
        "{base} host=db.wrong.example hostaddr=127.0.0.1 sslmode=verify-ca"
    ))
    .unwrap();
    assert!(uses_tls(&mut client));
}

#[test]
fn an_untrusted_or_missing_root_is_refused() {
    let c = cluster();
    let base = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=tlsonly password={TLS_PASSWORD} dbname=postgres",
        c.port
    );
    let e = err(connect(&format!(
        "{base} sslmode=verify-ca sslrootcert={}",
        c.file("other-ca.crt")
    )));
    assert!(e.contains("not signed by a trusted root"), "{e}");
    let e = err(connect(&format!(
        "{base} sslmode=verify-full sslrootcert={}/absent.crt",
        c.dir.display()
    )));
    assert!(e.contains("absent.crt\" does not exist"), "{e}");
    // require with a root file behaves as verify-ca, as in libpq.
    let e = err(connect(&format!(
        "{base} sslmode=require sslrootcert={}",
        c.file("other-ca.crt")
    )));
    assert!(e.contains("not signed by a trusted root"), "{e}");
}

#[test]
fn client_certificate_authentication() {
    let c = cluster();
    let base = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=certuser dbname=postgres sslmode=verify-full sslrootcert={}",
        c.port,
        c.file("ca.crt")
    );
    let mut client = connect(&format!(
        "{base} sslcert={} sslkey={}",
        c.file("client.crt"),
        c.file("client.key")
    ))
    .unwrap();
    let who: String = client
        .query_one("SELECT current_user::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(who, "certuser");
    // Without the certificate the server says why.
    let e = err(connect(&format!("{base} sslcertmode=disable")));
    assert!(
        e.contains("certificate") && e.contains("SQLSTATE 28000"),
        "{e}"
    );
}

#[test]
fn pgsslmode_from_the_environment_is_honoured() {
    let c = cluster();
    let s = format!(
        "host=127.0.0.1 port={} user=tlsonly password={TLS_PASSWORD} dbname=postgres",
        c.port
    );
    let mut env = HashMap::new();
    env.insert("PGSSLMODE", "require".to_string());
    let mut client = connect_env(&s, &env).unwrap();
    assert!(uses_tls(&mut client));
    // PGSSLMODE=disable is honoured too: the hostssl-only role is refused, with the
    // server's reason.
    env.insert("PGSSLMODE", "disable".to_string());
    let e = err(connect_env(&s, &env));
    assert!(
        e.contains("no pg_hba.conf entry") && e.contains("no encryption") && e.contains("28000"),
        "{e}"
    );
    // allow: plain first, refused, then TLS.
    let mut client = connect(&format!("{s} sslmode=allow")).unwrap();
    assert!(uses_tls(&mut client));
    // The string wins over the environment.
    env.insert("PGSSLMODE", "disable".to_string());
    let mut client = connect_env(&format!("{s} sslmode=require"), &env).unwrap();
    assert!(uses_tls(&mut client));
}

/// A server that answers the SSLRequest with 'N' (no TLS), then hangs up.
fn no_tls_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 8];
            if s.read_exact(&mut buf).is_ok() {
                let _ = s.write_all(b"N");
            }
        }
    });
    port
}

#[test]
fn require_never_falls_back_to_plaintext() {
    let port = no_tls_server();
    let mut env = HashMap::new();
    env.insert("PGSSLMODE", "require".to_string());
    let e = err(connect_env(
        &format!("host=127.0.0.1 port={port} user=u dbname=d"),
        &env,
    ));
    assert!(
        e.contains("does not accept TLS") && e.contains("sslmode=require (from PGSSLMODE)"),
        "{e}"
    );
}

#[test]
fn the_pg_environment_supplies_everything() {
    let c = cluster();
    let mut env = HashMap::new();
    env.insert("PGHOST", "localhost".to_string());
    env.insert("PGHOSTADDR", "127.0.0.1".to_string());
    env.insert("PGPORT", c.port.to_string());
    env.insert("PGUSER", "tlsonly".to_string());
    env.insert("PGPASSWORD", TLS_PASSWORD.to_string());
    env.insert("PGDATABASE", "postgres".to_string());
    env.insert("PGSSLMODE", "verify-full".to_string());
    env.insert("PGSSLROOTCERT", c.file("ca.crt"));
    env.insert("PGAPPNAME", "from-env".to_string());
    for s in ["", "postgresql://", "postgres:///postgres"] {
        let mut client = connect_env(s, &env).unwrap();
        assert!(uses_tls(&mut client), "{s}");
        let app: String = client
            .query_one("SELECT current_setting('application_name')", &[])
            .unwrap()
            .get(0);
        assert_eq!(app, "from-env");
    }
}

#[test]
fn the_password_file() {
    use std::os::unix::fs::PermissionsExt;
    let c = cluster();
    let home = std::env::temp_dir().join(format!("shale-connect-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let pgpass = home.join(".pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "# test\nelsewhere:*:*:*:wrong\nlocalhost:{}:*:tlsonly:{TLS_PASSWORD}\n",
            c.port
        ),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=tlsonly dbname=postgres sslmode=require",
        c.port
    );
    // ~/.pgpass through HOME, and PGPASSFILE.
    let mut env = HashMap::new();
    env.insert("HOME", home.display().to_string());
    connect_env(&s, &env).unwrap();
    let mut env = HashMap::new();
    env.insert("PGPASSFILE", pgpass.display().to_string());
    connect_env(&s, &env).unwrap();
    connect(&format!("{s} passfile={}", pgpass.display())).unwrap();
    // A file others can read is ignored, as libpq does, and the server's refusal shows.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = err(connect_env(&s, &env));
    assert!(e.contains("28P01") || e.contains("password"), "{e}");
    // A wrong password from the file is named as coming from it.
    std::fs::write(&pgpass, "*:*:*:tlsonly:not-the-password\n").unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let e = err(connect_env(&s, &env));
    assert!(
        e.contains("password authentication failed for user \"tlsonly\"")
            && e.contains("from the password file")
            && !e.contains("not-the-password"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn connect_timeout_against_a_silent_server() {
    // A listener that never accepts: the kernel completes the TCP handshake, then
    // nothing ever answers.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    for mode in ["disable", "require"] {
        let start = Instant::now();
        let e = err(connect(&format!(
            "host=127.0.0.1 port={port} user=u dbname=d connect_timeout=2 sslmode={mode}"
        )));
        let took = start.elapsed();
        assert!(e.contains("timeout expired after 2 s"), "{e}");
        assert!(
            took >= Duration::from_secs(2) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }
    drop(l);
}

#[test]
fn errors_say_why_and_never_show_the_password() {
    let c = cluster();
    let secret = "Wrong-hunter2-Secret";
    let forms = [
        format!("postgresql://tlsonly:{secret}@127.0.0.1:{}/postgres?sslmode=require", c.port),
        format!("postgresql://tlsonly@127.0.0.1:{}/postgres?sslmode=require&password={secret}", c.port),
        format!("host=127.0.0.1 port={} user=tlsonly password={secret} dbname=postgres sslmode=require", c.port),
        format!("host=127.0.0.1 port={} user=tlsonly password='{secret}' dbname=postgres sslmode=require", c.port),
    ];
    for s in &forms {
        let e = err(connect(s));
        assert!(!e.contains(secret), "{e}");
        assert!(
            e.contains("password authentication failed for user \"tlsonly\"")
                && e.contains("SQLSTATE 28P01"),
            "{e}"
        );
        // A malformed string built around the same password is not echoed either.
        let bad = if s.starts_with("postgresql://") {
            format!("{s}&frobnicate=1")
        } else {
            format!("{s} frobnicate=1")
        };
        let e = err(connect(&bad));
        assert!(!e.contains(secret) && e.contains("frobnicate"), "{e}");
    }
    // A missing database.
    let e = err(connect(&format!(
        "host=127.0.0.1 port={} user=postgres dbname=no_such_db sslmode=disable",
        c.port
    )));
    assert!(
        e.contains("database \"no_such_db\" does not exist") && e.contains("3D000"),
        "{e}"
    );
    // A refused port: the operating system's cause.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = err(connect(&format!(
        "host=127.0.0.1 port={closed} user=u dbname=d"
    )));
    assert!(e.to_lowercase().contains("connection refused"), "{e}");
    // A host name that does not resolve.
    let e = err(connect("host=no-such-host.invalid user=u dbname=d"));
    assert!(
        e.contains("could not translate host name \"no-such-host.invalid\""),
        "{e}"
    );
}
