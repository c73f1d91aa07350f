//! The safety engine end to end, through the `shale` binary: approvals by key, the
//! `--fail-on` CI gate, the project file `shale.toml`, and policies on plan and apply.

mod common;

use common::{both, code, column_names, stderr, stdout, Scratch};
use shale_testkit::TestDb;

// ---------------------------------------------------------------------------------------
// --fail-on

#[test]
fn fail_on_exits_3_at_or_above_the_level_and_still_prints_the_plan() {
    let s = Scratch::new(&[
        (
            "cur.sql",
            "CREATE TABLE t (id int PRIMARY KEY, legacy text);",
        ),
        ("drop.sql", "CREATE TABLE t (id int PRIMARY KEY);"),
        (
            "add.sql",
            "CREATE TABLE t (id int PRIMARY KEY, legacy text, note text);",
        ),
    ]);
    let plan = |to: &str, extra: &[&str]| {
        let mut args = vec!["plan", "--from", "cur.sql", "--to", to];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--policy", "uuid_primary_keys=off"]);
        s.run(&args)
    };
    // A High drop: fails at high, medium and low.
    for level in ["high", "medium", "low"] {
        let o = plan("drop.sql", &["--fail-on", level]);
        assert_eq!(code(&o), Some(3), "{level}: {}", both(&o));
        assert!(stdout(&o).contains("DROP COLUMN legacy"), "{}", both(&o));
        assert!(stderr(&o).contains("--fail-on"), "{}", both(&o));
    }
    // A Low nullable column: passes at medium and high (exit 2: changes), fails at low.
    let o = plan("add.sql", &["--fail-on", "medium"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let o = plan("add.sql", &["--fail-on", "low"]);
    assert_eq!(code(&o), Some(3), "{}", both(&o));
    // --no-detailed-exitcode does not hide the gate.
    let o = plan("drop.sql", &["--fail-on", "high", "--no-detailed-exitcode"]);
    assert_eq!(code(&o), Some(3), "{}", both(&o));
    let o = plan("add.sql", &["--fail-on", "high", "--no-detailed-exitcode"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    // No changes: nothing to fail on.
    let o = plan("cur.sql", &["--fail-on", "low"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    // A bad level is a usage error.
    let o = plan("add.sql", &["--fail-on", "severe"]);
    assert_eq!(
        code(&o),
        Some(1),
        "usage errors exit 1, like every error: {}",
        both(&o)
    );
    assert!(stderr(&o).contains("low, medium or high"), "{}", both(&o));
}

#[test]
fn help_documents_exit_code_3() {
    let s = Scratch::new(&[]);
    let o = s.run(&["plan", "--help"]);
    assert_eq!(code(&o), Some(0));
    let help = stdout(&o);
    assert!(help.contains("--fail-on"), "{help}");
    assert!(
        help.contains("3 a step is at or above the --fail-on"),
        "{help}"
    );
}

// ---------------------------------------------------------------------------------------
// Approvals

#[test]
fn plan_lists_the_keys_that_need_approval() {
    let s = Scratch::new(&[
        (
            "cur.sql",
            "CREATE TABLE \"Order Items\" (id int PRIMARY KEY, \"Qty\" int, note text);
             CREATE TABLE old (a int);",
        ),
        (
            "want.sql",
            "CREATE TABLE \"Order Items\" (id int PRIMARY KEY, note text, extra text);",
        ),
    ]);
    let o = s.run(&["plan", "--from", "cur.sql", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let out = stdout(&o);
    let block = &out[out.find("Needs approval:").expect("a Needs approval block")..];
    assert!(
        block.contains("--approve 'drop:public.\"Order Items\".\"Qty\"'"),
        "{block}"
    );
    assert!(block.contains("--approve drop:public.old"), "{block}");
    assert!(block.contains("--allow high"), "{block}");
    assert!(
        !block.contains("extra"),
        "a Low step needs no approval: {block}"
    );
    // Machine formats stay pure.
    let o = s.run(&[
        "plan", "--from", "cur.sql", "--to", "want.sql", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("pure JSON");
    assert!(v["steps"].as_array().unwrap().len() >= 3);
    // Nothing risky: no block.
    let o = s.run(&["plan", "--from", "empty", "--to", "cur.sql"]);
    assert!(!stdout(&o).contains("Needs approval"), "{}", both(&o));
}

#[test]
fn apply_runs_an_approved_drop_and_refuses_an_unapproved_one() {
    let db = TestDb::new("cli_approve");
    db.execute(
        "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, legacy_flag boolean, old_name text, email text);
         INSERT INTO users (legacy_flag, old_name, email) VALUES (true, 'a', 'a@x'), (false, 'b', 'b@x');",
    );
    let s = Scratch::new(&[
        (
            "both.sql",
            "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text, bio text);",
        ),
        (
            "one.sql",
            "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, old_name text, email text, bio text);",
        ),
    ]);
    let apply = |to: &str, extra: &[&str]| {
        let mut args = vec!["apply", "--yes", "--db", db.url(), "--to", to];
        args.extend_from_slice(extra);
        s.run(&args)
    };
    let before = column_names(&db, "users");

    // Two drops, one approved: refused, naming the other key and its flag; nothing runs
    // (not even the Low ADD COLUMN).
    let o = apply("both.sql", &["--approve", "drop:public.users.legacy_flag"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(err.contains("refusing"), "{err}");
    assert!(
        err.contains("--approve drop:public.users.old_name"),
        "{err}"
    );
    assert!(
        !err.contains("step 2: [High] column public.users.legacy_flag"),
        "{err}"
    );
    assert!(stdout(&o).contains("Needs approval:"), "{}", both(&o));
    assert!(stdout(&o).contains("(approved)"), "{}", both(&o));
    assert_eq!(column_names(&db, "users"), before, "nothing may run");

    // A typo is an error naming it and listing the valid keys; nothing runs.
    let o = apply(
        "both.sql",
        &[
            "--approve",
            "drop:public.users.legacy_flg",
            "--approve",
            "drop:public.users.old_name",
        ],
    );
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(err.contains("`drop:public.users.legacy_flg`"), "{err}");
    assert!(err.contains("valid keys:"), "{err}");
    assert!(err.contains("    drop:public.users.legacy_flag"), "{err}");
    assert!(err.contains("    drop:public.users.old_name"), "{err}");
    assert_eq!(column_names(&db, "users"), before);

    // Dry run checks approvals too.
    let o = apply("both.sql", &["--dry-run"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("refusing"), "{}", both(&o));

    // The one drop this desired state asks for, approved by key: it runs (no --allow high).
    let o = apply("one.sql", &["--approve", "drop:public.users.legacy_flag"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("now matches"), "{}", both(&o));
    assert_eq!(
        column_names(&db, "users"),
        ["id", "old_name", "email", "bio"]
    );
    let mut c = db.client();
    let n: i64 = c
        .query_one("SELECT count(*) FROM users", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "rows survive");

    // The same approval again: the step already ran, so the key is unused: an error that
    // says so, and the (empty) plan does not need it.
    let o = apply("both.sql", &["--approve", "drop:public.users.legacy_flag"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("already ran"), "{}", both(&o));
    assert_eq!(
        column_names(&db, "users"),
        ["id", "old_name", "email", "bio"]
    );
}

#[test]
fn quoted_names_are_approved_by_their_exact_key() {
    let db = TestDb::new("cli_approve_quoted");
    db.execute("CREATE TABLE \"Order Items\" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \"Qty\" int)");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE \"Order Items\" (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
    )]);
    // The unquoted spelling is a different key.
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--approve",
        "drop:public.order items.qty",
    ]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(
        stderr(&o).contains("    drop:public.\"Order Items\".\"Qty\""),
        "{}",
        both(&o)
    );
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--approve",
        "drop:public.\"Order Items\".\"Qty\"",
    ]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert_eq!(column_names(&db, "\"Order Items\""), ["id"]);
}

// ---------------------------------------------------------------------------------------
// shale.toml and policies

const TS: &str =
    "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamp);";

#[test]
fn policy_warnings_print_after_the_plan_and_errors_exit_1() {
    // No project file: every policy warns, on stderr; the plan still exits 2.
    let s = Scratch::new(&[("want.sql", TS)]);
    let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning[SHP003]: column public.events.at"),
        "{err}"
    );
    assert!(
        err.contains("help: declare it `at timestamp with time zone`"),
        "{err}"
    );
    assert!(!stdout(&o).contains("SHP003"), "warnings go to stderr");

    // The project file makes it an error: exit 1 naming the violation; the plan is shown.
    let s = Scratch::new(&[
        ("want.sql", TS),
        ("shale.toml", "[policies]\ntimestamptz = \"error\"\n"),
    ]);
    let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(err.contains("error[SHP003]"), "{err}");
    assert!(err.contains("1 policy violation at level error"), "{err}");
    assert!(err.contains("SHP003 column public.events.at"), "{err}");
    assert!(
        stdout(&o).contains("CREATE TABLE public.events"),
        "{}",
        both(&o)
    );
    // A policy error beats --fail-on's exit 3.
    let o = s.run(&[
        "plan",
        "--from",
        "empty",
        "--to",
        "want.sql",
        "--fail-on",
        "low",
    ]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));

    // The flag overrides the file.
    let o = s.run(&[
        "plan",
        "--from",
        "empty",
        "--to",
        "want.sql",
        "--policy",
        "timestamptz=off",
    ]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    assert!(!stderr(&o).contains("SHP003"), "{}", both(&o));

    // A schema that follows the policies says nothing.
    let s = Scratch::new(&[
        ("want.sql", &TS.replace("timestamp", "timestamptz")),
        ("shale.toml", "[policies]\ntimestamptz = \"error\"\n"),
    ]);
    let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    assert_eq!(stderr(&o), "", "{}", both(&o));
}

#[test]
fn existing_debt_does_not_block_an_unrelated_change() {
    let s = Scratch::new(&[
        ("cur.sql", TS),
        (
            "want.sql",
            &TS.replace("at timestamp", "at timestamp, note text"),
        ),
        (
            "shale.toml",
            "[policies]\ntimestamptz = \"error\"\nno_serial = \"error\"\n",
        ),
    ]);
    let o = s.run(&["plan", "--from", "cur.sql", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    assert_eq!(stderr(&o), "", "{}", both(&o));
}

#[test]
fn a_bad_project_file_names_file_line_and_column() {
    let s = Scratch::new(&[
        ("want.sql", TS),
        (
            "shale.toml",
            "[plan]\nonline = true\n\n[policies]\nno_serial = \"error\"\nuuid_primary_key = \"warn\"\n",
        ),
    ]);
    let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(err.contains("shale.toml:6:1:"), "{err}");
    assert!(err.contains("uuid_primary_key"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // --config names another file; its errors name that path.
    let s = Scratch::new(&[("want.sql", TS), ("ci.toml", "[apply]\nallow = \"hgh\"\n")]);
    let o = s.run(&[
        "--config", "ci.toml", "plan", "--from", "empty", "--to", "want.sql",
    ]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("ci.toml:2:"), "{}", both(&o));
    // A missing --config file is an error, not silently the defaults.
    let o = s.run(&[
        "plan",
        "--from",
        "empty",
        "--to",
        "want.sql",
        "--config",
        "nope.toml",
    ]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("nope.toml"), "{}", both(&o));
}

#[test]
fn project_file_sets_online_and_allow_and_flags_override_it() {
    let db = TestDb::new("cli_config");
    db.execute(
        "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int, legacy text)",
    );
    let s = Scratch::new(&[
        (
            "want.sql",
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int);\nCREATE INDEX t_a_idx ON t (a);\n",
        ),
        (
            "shale.toml",
            "[plan]\nonline = false\nlock_timeout = \"3s\"\n\n[apply]\nallow = \"high\"\n",
        ),
    ]);
    // online = false: a plain CREATE INDEX; --online restores CONCURRENTLY.
    let o = s.run(&["plan", "--from", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    assert!(stdout(&o).contains("CREATE INDEX t_a_idx"), "{}", both(&o));
    let o = s.run(&["plan", "--from", db.url(), "--to", "want.sql", "--online"]);
    assert!(
        stdout(&o).contains("CREATE INDEX CONCURRENTLY t_a_idx"),
        "{}",
        both(&o)
    );
    // allow = "high" in the file: no Needs approval block in plan, the drop runs...
    assert!(!stdout(&o).contains("Needs approval"), "{}", both(&o));
    // ...but --allow medium on the command line wins.
    let o = s.run(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--allow",
        "medium",
    ]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("refusing"), "{}", both(&o));
    assert_eq!(column_names(&db, "t"), ["id", "a", "legacy"]);
    let o = s.run(&["apply", "--yes", "--db", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert_eq!(column_names(&db, "t"), ["id", "a"]);
}

#[test]
fn apply_refuses_policy_errors_before_anything_runs() {
    let db = TestDb::new("cli_policy_apply");
    db.execute("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)");
    let s = Scratch::new(&[
        (
            "want.sql",
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
             CREATE TABLE u (id serial PRIMARY KEY, t_id bigint REFERENCES t);",
        ),
        (
            "shale.toml",
            "[policies]\nforeign_key_indexes = \"error\"\n",
        ),
    ]);
    let o = s.run(&["apply", "--yes", "--db", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains("SHP002 constraint u_t_id_fkey on public.u"),
        "{err}"
    );
    assert!(err.contains("warning[SHP004]"), "{err}");
    let mut c = db.client();
    let exists: bool = c
        .query_one("SELECT to_regclass('u') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(
        !exists,
        "a policy error must stop apply before anything runs"
    );
    // Fixing it (an index on the foreign key) lets it run; warnings remain warnings.
    let fixed = Scratch::new(&[
        (
            "want.sql",
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
             CREATE TABLE u (id serial PRIMARY KEY, t_id bigint REFERENCES t);
             CREATE INDEX ON u (t_id);",
        ),
        (
            "shale.toml",
            "[policies]\nforeign_key_indexes = \"error\"\n",
        ),
    ]);
    let o = fixed.run(&["apply", "--yes", "--db", db.url(), "--to", "want.sql"]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stderr(&o).contains("warning[SHP004]"), "{}", both(&o));
}
