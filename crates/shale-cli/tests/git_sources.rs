//! `--from git:REF:PATH` / `--to git:REF:PATH`: schema files read from a commit of a
//! temporary git repository, with no checkout and no database.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch git repository, removed on drop.
struct Repo(PathBuf);

impl Repo {
    fn new(tag: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("shale-git-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let r = Repo(dir);
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
    fn git(&self, args: &[&str]) -> String {
        let o = Command::new("git")
            .arg("-C")
            .arg(&self.0)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", both(&o));
        stdout(&o)
    }
    fn write(&self, path: &str, text: &str) {
        let p = self.0.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const V1: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
const V2_TYPES: &str = "CREATE TYPE mood AS ENUM ('ok', 'sad');\n";
const V2: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, mood mood);\n";

/// main has v1; branch `feature` splits the schema in two files and adds a column; the
/// work tree then has an uncommitted change that a git source must not see.
fn repo(tag: &str) -> Repo {
    let r = Repo::new(tag);
    r.write("db/schema/10_tables.sql", V1);
    r.write("README.md", "not a schema file\n");
    r.commit("v1");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("db/schema/01_types.sql", V2_TYPES);
    r.write("db/schema/10_tables.sql", V2);
    r.write("db/schema/.hidden.sql", "this is not SQL");
    r.commit("v2");
    r.write(
        "db/schema/10_tables.sql",
        "CREATE TABLE uncommitted (id int);\n",
    );
    r
}

#[test]
fn plans_main_to_a_branch_from_git_alone() {
    let r = repo("plan");
    let o = shale_in(
        r.path(),
        &[
            "plan",
            "--from",
            "git:main:db/schema",
            "--to",
            "git:feature:db/schema",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let out = stdout(&o);
    assert!(
        out.contains("CREATE TYPE public.mood AS ENUM ('ok', 'sad')"),
        "{out}"
    );
    assert!(out.contains("ADD COLUMN mood public.mood"), "{out}");
    assert!(
        !out.contains("uncommitted"),
        "the work tree is not read: {out}"
    );
    assert!(
        out.contains("from: git:main:db/schema: read from git"),
        "{out}"
    );
    // The same commit on both sides: no changes.
    let o = shale_in(
        r.path(),
        &[
            "plan",
            "--from",
            "git:feature:db/schema",
            "--to",
            "git:HEAD:db/schema",
        ],
    );
    assert_eq!(code(&o), Some(0), "{}", both(&o));
}

#[test]
fn paths_are_relative_to_the_current_directory_and_files_work_too() {
    let r = repo("relative");
    let sub = r.path().join("db");
    let o = shale_in(
        &sub,
        &[
            "plan",
            "--from",
            "git:main:schema/10_tables.sql",
            "--to",
            "git:feature:schema",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    // A git source against the work tree: the uncommitted table shows up.
    let o = shale_in(
        &sub,
        &["plan", "--from", "git:feature:schema", "--to", "schema"],
    );
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    assert!(stdout(&o).contains("uncommitted"), "{}", both(&o));
}

#[test]
fn bad_refs_and_paths_are_errors_naming_them() {
    let r = repo("bad");
    let o = shale_in(
        r.path(),
        &["plan", "--from", "git:nope:db/schema", "--to", "empty"],
    );
    expect_error(&o, &["git:nope:db/schema", "no commit `nope`"]);
    let o = shale_in(
        r.path(),
        &["plan", "--from", "git:main:db/missing", "--to", "empty"],
    );
    expect_error(&o, &["git:main:db/missing", "is not in main"]);
    let o = shale_in(
        r.path(),
        &["plan", "--from", "git:main:README.md", "--to", "empty"],
    );
    expect_error(&o, &["not a schema file"]);
    // Outside any repository.
    let outside = std::env::temp_dir();
    let o = shale_in(&outside, &["plan", "--from", "git:main:x", "--to", "empty"]);
    expect_error(&o, &["git:main:x"]);
}

#[test]
fn syntax_errors_name_the_file_in_git() {
    let r = Repo::new("syntax");
    r.write("s/a.sql", "CREATE TABLE t (id int,);\n");
    r.commit("broken");
    let o = shale_in(r.path(), &["plan", "--from", "empty", "--to", "git:main:s"]);
    expect_error(&o, &["git:main:s/a.sql:1:"]);
}
