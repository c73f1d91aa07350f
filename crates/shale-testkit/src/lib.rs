//! Test harness: a fresh, uniquely named database per test on a real PostgreSQL server.
//!
//! ```no_run
//! let db = shale_testkit::TestDb::new("users");
//! db.execute("CREATE TABLE t (id int PRIMARY KEY)");
//! let mut client = db.client();
//! let n: i64 = client.query_one("SELECT count(*) FROM t", &[]).unwrap().get(0);
//! assert_eq!(n, 0);
//! // the database is dropped when `db` goes out of scope, even if the test panicked
//! ```
//!
//! Which server: [`server_url`] explains the order (`DATABASE_URL`, then a server on
//! `127.0.0.1:5432`, then a throwaway cluster started once per process).
//!
//! The functions here are for tests: setup failures panic with a message that says what
//! went wrong (never with a password in it).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DEFAULT_URL: &str = "postgresql://postgres@127.0.0.1:5432/postgres";

/// An admin connection URL (to the database `postgres`) of the server tests use.
///
/// In order:
/// 1. `DATABASE_URL` if set, with its database replaced by `postgres`;
/// 2. `postgresql://postgres@127.0.0.1:5432/postgres` if a server answers there;
/// 3. a throwaway cluster (`initdb` + `pg_ctl start` on a free port in a temporary
///    directory, trust authentication), started once per process and stopped by a
///    watchdog when the process exits.
///
/// The choice is made once per process.
pub fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(resolve_server_url).clone()
}

fn resolve_server_url() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.trim().is_empty() {
            return with_database(url.trim(), "postgres");
        }
    }
    if default_server_answers() {
        return DEFAULT_URL.to_string();
    }
    match start_throwaway_cluster() {
        Ok(url) => url,
        Err(e) => panic!(
            "shale-testkit: no PostgreSQL server: DATABASE_URL is not set, nothing answers at \
             127.0.0.1:5432, and starting a throwaway cluster failed: {e}"
        ),
    }
}

fn default_server_answers() -> bool {
    let addr: SocketAddr = "127.0.0.1:5432".parse().expect("literal address");
    if TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
        return false;
    }
    postgres::Client::connect(DEFAULT_URL, postgres::NoTls).is_ok()
}

/// `url` with its database part replaced by `db`. Accepts `postgres[ql]://` URLs and
/// libpq key/value strings (`host=... dbname=...`).
pub fn with_database(url: &str, db: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest_start = scheme_end + 3;
        let rest = &url[rest_start..];
        // The authority ends at the first '/' or '?' after the user info.
        let at = rest.rfind('@').map(|i| i + 1).unwrap_or(0);
        let auth_end = rest[at..]
            .find(['/', '?'])
            .map(|i| at + i)
            .unwrap_or(rest.len());
        let authority = &rest[..auth_end];
        let after = &rest[auth_end..];
        let query = match after.find('?') {
            Some(q) => &after[q..],
            None => "",
        };
        format!("{}{}/{}{}", &url[..rest_start], authority, db, query)
    } else {
        // key=value form: drop any dbname, append ours.
        let mut parts: Vec<String> = url
            .split_whitespace()
            .filter(|p| !p.starts_with("dbname="))
            .map(str::to_string)
            .collect();
        parts.push(format!("dbname={db}"));
        parts.join(" ")
    }
}

/// `url` with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest_start = scheme_end + 3;
        let rest = &url[rest_start..];
        if let Some(at) = rest.rfind('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!(
                    "{}{}:***{}",
                    &url[..rest_start],
                    &userinfo[..colon],
                    &rest[at..]
                );
            }
        }
        url.to_string()
    } else {
        url.split_whitespace()
            .map(|p| {
                if p.starts_with("password=") {
                    "password=***".to_string()
                } else {
                    p.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

// ---------------------------------------------------------------------------------------
// Throwaway cluster

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid() == 0,
        Err(_) => Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false),
    }
}

/// The environment variable naming a directory of PostgreSQL client/server binaries
/// (`pg_dump`, `psql`, `initdb`, `pg_ctl`) that tests use before any other. Set it when the
/// server under test is newer than the machine's own tools (`pg_dump` refuses to dump a
/// server newer than itself); `scripts/pg-matrix.sh` sets it.
pub const BINDIR_ENV: &str = "SHALE_PG_BINDIR";

/// The PostgreSQL program `name` that tests should run: `$SHALE_PG_BINDIR/name` when that
/// variable is set (a missing file there is reported by the caller's error, not silently
/// replaced by another version), else the one on PATH, else the newest under
/// `/usr/lib/postgresql/*/bin`, else the bare name.
pub fn pg_binary(name: &str) -> PathBuf {
    find_pg_binary(name).unwrap_or_else(|| PathBuf::from(name))
}

/// A PostgreSQL binary: in `$SHALE_PG_BINDIR`, else on PATH, else the newest under
/// `/usr/lib/postgresql/*/bin`.
fn find_pg_binary(name: &str) -> Option<PathBuf> {
    find_pg_binary_in(bindir().as_deref(), name)
}

fn find_pg_binary_in(bindir: Option<&Path>, name: &str) -> Option<PathBuf> {
    if let Some(dir) = bindir {
        return Some(dir.join(name));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    installed_pg_bins(name).into_iter().last().map(|(_, p)| p)
}

fn bindir() -> Option<PathBuf> {
    std::env::var_os(BINDIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// `(major, path)` of `name` in every `/usr/lib/postgresql/<major>/bin`, by major.
fn installed_pg_bins(name: &str) -> Vec<(u32, PathBuf)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in rd.flatten() {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok();
            let p = e.path().join("bin").join(name);
            if let (Some(m), true) = (major, p.is_file()) {
                out.push((m, p));
            }
        }
    }
    out.sort();
    out
}

/// A command that runs `bin` as the `postgres` user when we are root (PostgreSQL refuses
/// to run as root).
fn pg_command(bin: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.arg("-u").arg("postgres").arg("--").arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn start_throwaway_cluster() -> Result<String, String> {
    let initdb = find_pg_binary("initdb").ok_or("initdb not found")?;
    let pg_ctl = find_pg_binary("pg_ctl").ok_or("pg_ctl not found")?;
    let root = running_as_root();
    let dir = std::env::temp_dir().join(format!(
        "shale-testkit-{}-{}",
        std::process::id(),
        random_suffix()
    ));
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    if root {
        let mut c = Command::new("chown");
        c.arg("-R").arg("postgres").arg(&dir);
        run(c, "chown postgres")?;
    }
    let mut c = pg_command(&initdb, root);
    c.arg("-D")
        .arg(&data)
        .arg("-U")
        .arg("postgres")
        .arg("--auth=trust")
        .arg("--encoding=UTF8")
        .arg("--no-sync");
    run(c, "initdb")?;
    let port = free_port()?;
    let mut c = pg_command(&pg_ctl, root);
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
    run(c, "pg_ctl start")?;
    // Stop the cluster and remove its files once this process has exited.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {pre}{pg_ctl} stop -D {data} -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pre = if root { "runuser -u postgres -- " } else { "" },
        pg_ctl = pg_ctl.display(),
        data = data.display(),
        dir = dir.display(),
    );
    let _ = Command::new("sh")
        .arg("-c")
        .arg(stop)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    Ok(format!("postgresql://postgres@127.0.0.1:{port}/postgres"))
}

// ---------------------------------------------------------------------------------------
// Per-test databases

fn random_suffix() -> String {
    let mut h = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    format!("{:08x}", h.finish() as u32)
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut p: String = prefix
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if p.is_empty() || !p.starts_with(|c: char| c.is_ascii_lowercase()) {
        p.insert_str(0, "t_");
    }
    let tail = format!("_{}_{}_{}", std::process::id(), n, random_suffix());
    p.truncate(63 - tail.len());
    p + &tail
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("shale-testkit: cannot connect to {}: {e}", redact(url)))
}

fn db_error_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                m.push_str(&format!("\nDETAIL: {d}"));
            }
            if let Some(h) = db.hint() {
                m.push_str(&format!("\nHINT: {h}"));
            }
            if let Some(postgres::error::ErrorPosition::Original(p)) = db.position() {
                m.push_str(&format!(" (at character {p})"));
            }
            m
        }
        None => e.to_string(),
    }
}

/// A database of its own for one test, dropped (with `FORCE`) when this value is dropped.
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// Create a fresh database named `<prefix>_<pid>_<counter>_<random>` (lower case).
    pub fn new(prefix: &str) -> TestDb {
        let admin_url = server_url();
        let name = unique_name(prefix);
        let mut admin = connect(&admin_url);
        let sql = format!("CREATE DATABASE \"{name}\"");
        let mut attempt = 0;
        loop {
            match admin.batch_execute(&sql) {
                Ok(()) => break,
                // Concurrent CREATE DATABASE from the same template can collide briefly.
                Err(e) if attempt < 20 && is_transient(&e) => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100 * attempt));
                }
                Err(e) => panic!(
                    "shale-testkit: cannot create database {name} on {}: {}",
                    redact(&admin_url),
                    db_error_message(&e)
                ),
            }
        }
        let url = with_database(&admin_url, &name);
        TestDb {
            name,
            url,
            admin_url,
        }
    }

    /// The connection URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database.
    pub fn client(&self) -> postgres::Client {
        connect(&self.url)
    }

    /// The role this database's connections run as (the owner of what they create).
    pub fn current_user(&self) -> String {
        self.client()
            .query_one("SELECT current_user::text", &[])
            .map(|r| r.get(0))
            .unwrap_or_else(|e| panic!("shale-testkit: reading current_user: {e}"))
    }

    /// Run SQL (several statements allowed); panics with the server's message.
    pub fn execute(&self, sql: &str) {
        if let Err(e) = self.try_execute(sql) {
            panic!("shale-testkit: SQL failed in database {}: {e}", self.name);
        }
    }

    /// Run SQL (several statements allowed); the server's message on failure.
    pub fn try_execute(&self, sql: &str) -> Result<(), String> {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls)
            .map_err(|e| format!("cannot connect to {}: {e}", redact(&self.url)))?;
        c.batch_execute(sql).map_err(|e| db_error_message(&e))
    }

    /// `pg_dump --schema-only --no-owner --no-privileges` of this database, with the
    /// lines that differ between databases or runs removed (`-- Dumped from/by`,
    /// `\restrict`/`\unrestrict` keys), runs of blank lines collapsed to one, and the
    /// names of NOT NULL constraints removed (see [`strip_not_null_names`]).
    pub fn pg_dump_schema(&self) -> String {
        let pg_dump = pg_dump();
        let out = Command::new(&pg_dump)
            .arg("--schema-only")
            .arg("--no-owner")
            .arg("--no-privileges")
            .arg(format!("--dbname={}", self.url))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("shale-testkit: cannot run {}: {e}", pg_dump.display()));
        if !out.status.success() {
            panic!(
                "shale-testkit: pg_dump of {} failed ({}): {}",
                self.name,
                out.status,
                redact(&String::from_utf8_lossy(&out.stderr))
            );
        }
        strip_not_null_names(&clean_dump(&String::from_utf8_lossy(&out.stdout)))
    }
}

/// The `pg_dump` to run against the server tests use: `$SHALE_PG_BINDIR/pg_dump` when set;
/// else the one of the server's major version when several are installed, else a newer
/// installed one (a newer pg_dump can dump an older server; an older one cannot), else the
/// one on PATH.
pub fn pg_dump() -> PathBuf {
    if let Some(dir) = bindir() {
        return dir.join("pg_dump");
    }
    let installed = installed_pg_bins("pg_dump");
    if let Some(m) = server_major() {
        if let Some((_, p)) = installed.iter().find(|(v, _)| *v == m) {
            return p.clone();
        }
        if let Some((_, p)) = installed.iter().find(|(v, _)| *v > m) {
            return p.clone();
        }
    }
    pg_binary("pg_dump")
}

/// `PATH` with `$SHALE_PG_BINDIR` first, for shell commands that run `psql` or `pg_dump`
/// by name.
pub fn path_env() -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    match bindir() {
        Some(dir) => {
            let mut dirs = vec![dir];
            dirs.extend(std::env::split_paths(&rest));
            std::env::join_paths(dirs).unwrap_or(rest)
        }
        None => rest,
    }
}

/// The major version of the server tests use (13, 14, …), asked once per process.
pub fn server_major() -> Option<u32> {
    static MAJOR: OnceLock<Option<u32>> = OnceLock::new();
    *MAJOR.get_or_init(|| {
        let mut c = postgres::Client::connect(&server_url(), postgres::NoTls).ok()?;
        c.query_one("SELECT current_setting('server_version_num')::int", &[])
            .ok()
            .map(|r| r.get::<_, i32>(0) as u32 / 10000)
    })
}

/// Whether the server tests use can install extension `name` (its control file is in the
/// server's `pg_available_extensions`; PostGIS is on the machine's 15, not on the
/// throwaway 13/18 clusters of scripts/pg-matrix.sh). Asked once per name and process.
pub fn extension_available(name: &str) -> bool {
    static KNOWN: OnceLock<std::sync::Mutex<std::collections::HashMap<String, bool>>> =
        OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    if let Some(v) = known.lock().unwrap().get(name) {
        return *v;
    }
    let v = postgres::Client::connect(&server_url(), postgres::NoTls)
        .ok()
        .and_then(|mut c| {
            c.query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1)",
                &[&name],
            )
            .ok()
        })
        .is_some_and(|r| r.get::<_, bool>(0));
    known.lock().unwrap().insert(name.to_string(), v);
    v
}

/// Whether the server tests use is PostgreSQL `min` or newer. When it is not, says so on
/// stderr (naming `feature`, the reason) so that a test that returns early because of it
/// is a declared version gate, not a silent pass.
pub fn server_at_least(min: u32, feature: &str) -> bool {
    match server_major() {
        Some(m) if m < min => {
            eprintln!("skipped on PostgreSQL {m}: {feature} needs PostgreSQL {min} or later");
            false
        }
        _ => true,
    }
}

fn is_transient(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        // "source database is being accessed by other users"
        Some(db) => db.code() == &postgres::error::SqlState::OBJECT_IN_USE,
        None => false,
    }
}

/// Remove the lines of a `pg_dump` that differ between databases or runs.
pub fn clean_dump(dump: &str) -> String {
    let mut out = String::new();
    let mut blank = true; // also drops leading blank lines
    for line in dump.lines() {
        if line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version")
            || line.starts_with("\\restrict ")
            || line.starts_with("\\unrestrict ")
            || line == "\\restrict"
            || line == "\\unrestrict"
        {
            continue;
        }
        if line.trim().is_empty() {
            if blank {
                continue;
            }
            blank = true;
            out.push('\n');
        } else {
            blank = false;
            out.push_str(line);
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// `col type CONSTRAINT name NOT NULL` → `col type NOT NULL`. From PostgreSQL 18 on a
/// column's NOT NULL is a named constraint and pg_dump prints its name when it is not the
/// default `<table>_<column>_not_null` (after a partition is detached, an inheritance
/// removed, or a name was taken). shale's model has no such names (no version before 18
/// has them), so dumps are compared without them.
pub fn strip_not_null_names(dump: &str) -> String {
    let mut out = String::with_capacity(dump.len());
    for line in dump.split_inclusive('\n') {
        out.push_str(&strip_not_null_name(line));
    }
    out
}

fn strip_not_null_name(line: &str) -> String {
    const KEY: &str = " CONSTRAINT ";
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(KEY) {
        let after = &rest[i + KEY.len()..];
        let name_len = if let Some(q) = after.strip_prefix('"') {
            // A quoted name: up to the closing quote that is not a doubled one.
            let mut j = 0;
            let b = q.as_bytes();
            loop {
                match b.get(j) {
                    None => break None,
                    Some(b'"') if b.get(j + 1) == Some(&b'"') => j += 2,
                    Some(b'"') => break Some(j + 2),
                    Some(_) => j += 1,
                }
            }
        } else {
            let n = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(after.len());
            (n > 0).then_some(n)
        };
        match name_len {
            Some(n) if after[n..].starts_with(" NOT NULL") => {
                out.push_str(&rest[..i]);
                rest = &after[n..];
            }
            _ => {
                out.push_str(&rest[..i + KEY.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Drops the subscriptions of the connected database, detached from their slots.
pub const DROP_SUBSCRIPTIONS: &str = "DO $$DECLARE s record; BEGIN \
    FOR s IN SELECT subname FROM pg_catalog.pg_subscription WHERE subdbid = \
        (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) LOOP \
      EXECUTE pg_catalog.format('ALTER SUBSCRIPTION %I DISABLE', s.subname); \
      EXECUTE pg_catalog.format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', s.subname); \
      EXECUTE pg_catalog.format('DROP SUBSCRIPTION %I', s.subname); \
    END LOOP; END$$";

impl Drop for TestDb {
    fn drop(&mut self) {
        // Never panic here: this runs while a failed test unwinds.
        // PostgreSQL refuses to drop a database that has subscriptions: drop them first,
        // detached from their slots (tests never create slots on a publisher).
        if let Ok(mut db) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = db.batch_execute(DROP_SUBSCRIPTIONS);
        }
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        match postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            Ok(mut admin) => {
                if let Err(e) = admin.batch_execute(&sql) {
                    eprintln!(
                        "shale-testkit: cannot drop database {}: {}",
                        self.name,
                        db_error_message(&e)
                    );
                }
            }
            Err(e) => eprintln!(
                "shale-testkit: cannot connect to {} to drop {}: {e}",
                redact(&self.admin_url),
                self.name
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_database_replacement() {
        assert_eq!(
            with_database("postgres://u:p@h:5433/app?sslmode=disable", "postgres"),
            "postgres://u:p@h:5433/postgres?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://u@h", "x"), "postgresql://u@h/x");
        assert_eq!(
            with_database("host=h user=u dbname=app", "postgres"),
            "host=h user=u dbname=postgres"
        );
    }

    #[test]
    fn redaction_hides_passwords() {
        assert_eq!(
            redact("postgres://u:s3cret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("host=h password=s3cret dbname=x"),
            "host=h password=*** dbname=x"
        );
    }

    #[test]
    fn names_are_unique_lowercase_and_short() {
        let a = unique_name("My Test-Prefix");
        let b = unique_name("My Test-Prefix");
        assert_ne!(a, b);
        assert!(a.starts_with("my_test_prefix_"));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
        let long = unique_name(&"x".repeat(200));
        assert!(long.len() <= 63, "{long}");
    }

    /// The fallback when no server is configured: a cluster of our own, reachable, and
    /// usable as root (PostgreSQL refuses to run as root; the harness switches user).
    #[test]
    fn throwaway_cluster_starts_and_answers() {
        if !find_pg_binary("initdb").is_some_and(|p| p.is_file()) {
            eprintln!("initdb not installed; nothing to check");
            return;
        }
        let url = start_throwaway_cluster().expect("throwaway cluster");
        assert!(url.starts_with("postgresql://postgres@127.0.0.1:"), "{url}");
        assert!(!url.contains(":5432/"), "{url}");
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        let db: String = c
            .query_one("SELECT current_database()", &[])
            .unwrap()
            .get(0);
        assert_eq!(db, "postgres");
    }

    #[test]
    fn bindir_wins_over_path_and_is_not_second_guessed() {
        let dir = Path::new("/nonexistent/pg18/bin");
        assert_eq!(
            find_pg_binary_in(Some(dir), "pg_dump"),
            Some(dir.join("pg_dump")),
            "a named directory is used even when PATH has a pg_dump"
        );
        // Without one, PATH and /usr/lib/postgresql decide; never the nonexistent dir.
        if let Some(p) = find_pg_binary_in(None, "pg_dump") {
            assert!(!p.starts_with("/nonexistent"), "{}", p.display());
        }
    }

    #[test]
    fn not_null_constraint_names_are_dropped_and_nothing_else() {
        let dump = "CREATE TABLE public.t (\n    a integer CONSTRAINT t_a_not_null1 NOT NULL,\n    \"B\" text CONSTRAINT \"x \"\"y\"\"\" NOT NULL,\n    c integer CONSTRAINT c_chk CHECK ((c > 0)),\n    d integer NOT NULL\n);\nALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n";
        assert_eq!(
            strip_not_null_names(dump),
            "CREATE TABLE public.t (\n    a integer NOT NULL,\n    \"B\" text NOT NULL,\n    c integer CONSTRAINT c_chk CHECK ((c > 0)),\n    d integer NOT NULL\n);\nALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n"
        );
    }

    #[test]
    fn clean_dump_strips_run_specific_lines() {
        let raw = "\\restrict abc123\n--\n-- Dumped from database version 15.2\n-- Dumped by pg_dump version 15.2\n\n\n\nSET x = 1;\n\n\n\\unrestrict abc123\n";
        assert_eq!(clean_dump(raw), "--\n\nSET x = 1;\n");
    }
}
