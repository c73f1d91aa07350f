//! Helpers shared by the `shale-cli` integration tests: running the `shale` binary,
//! reading its output, scratch directories of schema files, and small catalog queries.
//!
//! Each test crate uses a part of them.
#![allow(dead_code)]

use shale_testkit::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run `shale` in the current directory, with no `DATABASE_URL` from the environment.
pub fn shale(args: &[&str]) -> Output {
    command(args).output().expect("run shale")
}

/// Run `shale` in `dir` (the current directory, where `shale.toml` is looked for).
pub fn shale_in(dir: &Path, args: &[&str]) -> Output {
    command(args).current_dir(dir).output().expect("run shale")
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shale"));
    c.args(args).env_remove("DATABASE_URL");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Both streams, labelled, for assertion messages.
pub fn both(o: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o))
}

pub fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// The repository's root (for `fixtures/` and `schemas/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of fixture `name` (e.g. `04_drop_column`).
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// Assert that `o` failed with exit 1, without a panic, with each of `parts` on stderr.
pub fn expect_error(o: &Output, parts: &[&str]) {
    assert_eq!(code(o), Some(1), "{}", both(o));
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{err}");
    for p in parts {
        assert!(err.contains(p), "expected `{p}` in:\n{err}");
    }
}

/// A scratch directory with the given files, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(files: &[(&str, &str)]) -> Scratch {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "shale-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Scratch(dir)
    }

    /// The path of file `name` in the directory, as an argument.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }

    /// Run `shale` in the directory.
    pub fn run(&self, args: &[&str]) -> Output {
        shale_in(&self.0, args)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The columns of `table`, in attnum order.
pub fn column_names(db: &TestDb, table: &str) -> Vec<String> {
    let mut c = db.client();
    c.query(
        "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        &[&table],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}
