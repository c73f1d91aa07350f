//! `shale generate --style drizzle` against drizzle-orm's own migrator: drizzle-orm and
//! pg are installed from the npm registry (once, cached under target/npm-drizzle), the
//! generated folder is migrated on a real database by `drizzle-orm/node-postgres/migrator`,
//! and the database must then match the desired state (a re-plan is empty).
//!
//! If the registry cannot be reached, the test fails: it never passes without running.

mod common;
use common::*;
use shale_testkit::TestDb;
use std::path::{Path, PathBuf};
use std::process::Command;

fn npm_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    target.join("npm-drizzle")
}

/// drizzle-orm and pg in `target/npm-drizzle/node_modules` (installed on first use).
fn install() -> PathBuf {
    let dir = npm_dir();
    let ready = ["drizzle-orm", "pg"].iter().all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .is_file()
    });
    if !ready {
        std::fs::create_dir_all(&dir).unwrap();
        let o = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "drizzle-orm",
                "pg",
            ])
            .current_dir(&dir)
            .output()
            .expect("npm runs (node 20 and npm are required for this test)");
        assert!(
            o.status.success(),
            "npm install drizzle-orm pg failed (is the npm registry reachable?): {}",
            both(&o)
        );
    }
    let script = dir.join("migrate.cjs");
    std::fs::write(
        &script,
        r#"const { drizzle } = require('drizzle-orm/node-postgres');
const { migrate } = require('drizzle-orm/node-postgres/migrator');
const { Pool } = require('pg');
(async () => {
  const pool = new Pool({ connectionString: process.argv[2] });
  try {
    await migrate(drizzle(pool), { migrationsFolder: process.argv[3] });
  } finally {
    await pool.end();
  }
})().catch((e) => { console.error(e); process.exit(1); });
"#,
    )
    .unwrap();
    script
}

fn migrate(script: &Path, url: &str, folder: &Path) {
    let o = Command::new("node")
        .arg(script)
        .arg(url)
        .arg(folder)
        .output()
        .expect("node runs");
    assert!(o.status.success(), "drizzle migrator failed: {}", both(&o));
}

fn write(dir: &Path, name: &str, sql: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, sql).unwrap();
    p.display().to_string()
}

const V1: &str = "CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
CREATE TABLE tasks (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), status status NOT NULL DEFAULT 'new');
";
const V2: &str = "CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, name text);
CREATE TABLE tasks (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), status status NOT NULL DEFAULT 'new', title text);
CREATE INDEX tasks_user_id_idx ON tasks (user_id);
CREATE UNIQUE INDEX users_email_key ON users (email);
";

#[test]
fn drizzle_migrator_runs_generated_migrations_to_the_desired_state() {
    let script = install();
    let work = std::env::temp_dir().join(format!("shale-drizzle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let v1 = write(&work.join("v1"), "schema.sql", V1);
    let v2 = write(&work.join("v2"), "schema.sql", V2);
    let folder = work.join("drizzle");
    let dir = folder.display().to_string();
    let db = TestDb::new("drz");

    // 0000: empty → v1, then migrate.
    let o = shale(&[
        "generate", "--from", "empty", "--to", &v1, "--dir", &dir, "--name", "init", "--style",
        "drizzle",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    let first = std::fs::read_to_string(folder.join("0000_init.sql")).unwrap();
    assert!(first.contains("\n--> statement-breakpoint\n"), "{first}");
    migrate(&script, db.url(), &folder);

    // 0001: v1 → v2. Indexes on existing tables would be CONCURRENTLY: the drizzle style
    // builds them plainly and says so.
    let o = shale(&[
        "generate", "--from", &v1, "--to", &v2, "--dir", &dir, "--name", "more", "--style",
        "drizzle",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stderr(&o).contains("CONCURRENTLY"), "{}", both(&o));
    let second = std::fs::read_to_string(folder.join("0001_more.sql")).unwrap();
    assert!(!second.contains("CONCURRENTLY"), "{second}");
    assert!(
        second.contains("CREATE INDEX tasks_user_id_idx"),
        "{second}"
    );

    let journal: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("meta/_journal.json")).unwrap())
            .unwrap();
    assert_eq!(journal["dialect"], "postgresql");
    assert_eq!(journal["version"], "7");
    let entries = journal["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["idx"], 1);
    assert_eq!(entries[1]["tag"], "0001_more");
    assert_eq!(entries[1]["breakpoints"], true);
    assert!(entries[1]["when"].as_u64() > entries[0]["when"].as_u64());
    migrate(&script, db.url(), &folder);
    // Running the migrator again applies nothing new.
    migrate(&script, db.url(), &folder);

    // The database is the desired state (drizzle keeps its own bookkeeping schema).
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &v2,
        "--schema",
        "public",
    ]);
    assert_eq!(code(&o), Some(0), "the re-plan is not empty: {}", both(&o));
    assert!(stdout(&o).contains("No changes."), "{}", both(&o));
    // No changes: nothing is written.
    let o = shale(&[
        "generate", "--from", &v2, "--to", &v2, "--dir", &dir, "--name", "none", "--style",
        "drizzle",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(!folder.join("0002_none.sql").exists());
    let _ = std::fs::remove_dir_all(&work);
}

/// Steps that must be committed before later ones (a new enum label used at once) cannot
/// run in drizzle's single transaction: refused, nothing written.
#[test]
fn drizzle_style_refuses_what_one_transaction_cannot_run() {
    let work = std::env::temp_dir().join(format!("shale-drizzle-refuse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let from = write(
        &work,
        "a.sql",
        "CREATE TYPE s AS ENUM ('a'); CREATE TABLE t (id int, s s);",
    );
    let to = write(
        &work,
        "b.sql",
        "CREATE TYPE s AS ENUM ('a', 'b'); CREATE TABLE t (id int, s s DEFAULT 'b');",
    );
    let dir = work.join("out");
    let o = shale(&[
        "generate",
        "--from",
        &from,
        "--to",
        &to,
        "--dir",
        &dir.display().to_string(),
        "--name",
        "x",
        "--style",
        "drizzle",
    ]);
    expect_error(&o, &["one transaction", "nothing was written"]);
    assert!(!dir.join("meta/_journal.json").exists());
    // The plain style writes it: a psql script commits between the two.
    let o = shale(&[
        "generate",
        "--from",
        &from,
        "--to",
        &to,
        "--dir",
        &dir.display().to_string(),
        "--name",
        "x",
        "--style",
        "plain",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    let sql = std::fs::read_to_string(dir.join("0000_x.sql")).unwrap();
    assert!(sql.contains("ADD VALUE 'b'"), "{sql}");
    let _ = std::fs::remove_dir_all(&work);
}
