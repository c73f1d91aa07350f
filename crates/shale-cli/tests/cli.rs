//! The `shale` binary end to end: exit codes, bad input, apply gating.

mod common;

use common::{expect_error, root, shale, stderr, stdout, Scratch};
use shale_testkit::TestDb;
use std::process::{Command, Output};

#[test]
fn example_schemas_plan_without_a_database() {
    for dir in ["schemas/sql", "schemas/yaml"] {
        let to = root().join(dir).display().to_string();
        let o = shale(&["plan", "--from", "empty", "--to", &to]);
        assert_eq!(o.status.code(), Some(2), "{dir}: {}", stderr(&o));
        assert!(stdout(&o).contains("CREATE TABLE"), "{}", stdout(&o));
        // Planning a schema against itself: no changes, exit 0.
        let o = shale(&["plan", "--from", &to, "--to", &to]);
        assert_eq!(o.status.code(), Some(0), "{dir}: {}", stderr(&o));
        let o = shale(&["plan", "--from", &to, "--to", &to, "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["steps"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn detailed_exit_code_can_be_turned_off() {
    let s = Scratch::new(&[("a.sql", "CREATE TABLE t (a int);")]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("a.sql")]);
    assert_eq!(o.status.code(), Some(2));
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.path("a.sql"),
        "--no-detailed-exitcode",
    ]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let s = Scratch::new(&[("bad.sql", "-- users\n\nCREATE TABLE t (a int,, b int);\n")]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("bad.sql")]);
    expect_error(&o, &["bad.sql:3:"]);
}

#[test]
fn unsupported_statement_is_an_error_not_ignored() {
    let s = Scratch::new(&[(
        "v.sql",
        "CREATE TABLE t (a int);\nCREATE CONVERSION c FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;\n",
    )]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("v.sql")]);
    expect_error(&o, &["v.sql:2:", "CONVERSION"]);
}

#[test]
fn unknown_reference_and_duplicates_are_errors() {
    let s = Scratch::new(&[
        (
            "fk.sql",
            "CREATE TABLE t (a int REFERENCES missing (id));\n",
        ),
        (
            "dup.sql",
            "CREATE TABLE t (a int);\nCREATE TABLE t (b int);\n",
        ),
    ]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("fk.sql")]);
    expect_error(&o, &["fk.sql:1:", "missing"]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("dup.sql")]);
    expect_error(&o, &["dup.sql:2:", "t"]);
}

#[test]
fn yaml_type_error_names_file_line_and_column() {
    let s = Scratch::new(&[(
        "s.yaml",
        "tables:\n  t:\n    columns:\n      a:\n        type: integer\n        not_null: maybe\n",
    )]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("s.yaml")]);
    expect_error(&o, &["s.yaml:6:"]);
}

#[test]
fn missing_source_and_mixed_directory_are_errors() {
    let o = shale(&["plan", "--from", "empty", "--to", "/nonexistent/schema"]);
    expect_error(&o, &["/nonexistent/schema", "no such file"]);
    let s = Scratch::new(&[
        ("a.sql", "CREATE TABLE t (a int);"),
        ("b.yaml", "tables: []\n"),
    ]);
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.0.display().to_string(),
    ]);
    expect_error(&o, &["not both"]);
}

#[test]
fn passwords_are_never_printed() {
    let s = Scratch::new(&[("a.sql", "CREATE TABLE t (a int);")]);
    let o = shale(&[
        "plan",
        "--from",
        "postgres://someone:hunter2secret@127.0.0.1:1/nowhere",
        "--to",
        &s.path("a.sql"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let all = stdout(&o) + &stderr(&o);
    assert!(!all.contains("hunter2secret"), "{all}");
    assert!(all.contains("someone@127.0.0.1:1/nowhere"), "{all}");
}

#[test]
fn apply_refuses_drops_without_approval_then_applies_and_verifies() {
    let db = TestDb::new("cli_apply");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, legacy text); INSERT INTO users VALUES (1, 'x');");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX ON users (email);\n",
    )]);
    // Dropping `legacy` is High: refused, nothing changes.
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
    ]);
    expect_error(&o, &["refusing", "legacy", "--allow high"]);
    let mut c = db.client();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "a refused apply must change nothing");

    // Dry run changes nothing either.
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--allow",
        "high",
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--allow",
        "high",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("now matches"), "{}", stdout(&o));
    let rows: i64 = c
        .query_one("SELECT count(*) FROM users", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);

    // Nothing left to do.
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
}

#[test]
fn inspect_round_trips_through_sql_and_yaml() {
    let db = TestDb::new("cli_inspect");
    db.execute(
        "CREATE TYPE mood AS ENUM ('sad', 'happy');
         CREATE TABLE \"Order Items\" (id serial PRIMARY KEY, \"Qty\" int NOT NULL CHECK (\"Qty\" > 0), m mood DEFAULT 'happy');
         CREATE INDEX ON \"Order Items\" (\"Qty\" DESC) WHERE m = 'sad';
         COMMENT ON TABLE \"Order Items\" IS 'it''s';",
    );
    for (format, file) in [("sql", "dump.sql"), ("yaml", "dump.yaml")] {
        let o = shale(&["inspect", db.url(), "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s = Scratch::new(&[(file, &stdout(&o))]);
        let o = shale(&["plan", "--from", db.url(), "--to", &s.path(file)]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: inspect output must plan to nothing\n{}\n{}",
            stdout(&o),
            stderr(&o)
        );
    }
}

#[test]
fn sql_format_runs_as_is_with_psql() {
    let db = TestDb::new("cli_psql");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text);");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '');\n\
         CREATE INDEX ON users (email);\n\
         CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n",
    )]);
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--format",
        "sql",
        "--lock-timeout",
        "3s",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let script = stdout(&o);
    assert!(script.contains("lock_timeout"), "{script}");
    assert!(script.contains("CONCURRENTLY"), "{script}");
    let s2 = Scratch::new(&[("plan.sql", &script)]);
    let psql = Command::new(shale_testkit::pg_binary("psql"))
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db.url(),
            "-f",
            &s2.path("plan.sql"),
        ])
        .output()
        .expect("psql runs");
    assert!(
        psql.status.success(),
        "psql failed:\n{}\n{script}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
}

#[test]
fn rename_hint_renames_in_place_and_keeps_the_data() {
    let db = TestDb::new("cli_rename");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email_addr text); INSERT INTO users VALUES (1, 'a@example.com');");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    -- shale:renamed-from email_addr\n    email text\n);\n",
    )]);
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("RENAME COLUMN email_addr TO email"), "{text}");
    assert!(!text.contains("DROP COLUMN"), "{text}");
    // Renames break callers: High, so they need approval.
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--allow",
        "high",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let email: String = db
        .client()
        .query_one("SELECT email FROM users WHERE id = 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(email, "a@example.com");
}

#[test]
fn not_null_column_without_default_needs_a_backfill() {
    let db = TestDb::new("cli_backfill");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'A@Example.com');");
    let bare = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, email_lower text NOT NULL);\n",
    )]);
    let o = shale(&["plan", "--from", db.url(), "--to", &bare.path("want.sql")]);
    expect_error(&o, &["email_lower", "DEFAULT", "shale:backfill"]);

    let with = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    email text,\n    email_lower text NOT NULL -- shale:backfill lower(email)\n);\n",
    )]);
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &with.path("want.sql"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let v: String = db
        .client()
        .query_one("SELECT email_lower FROM users WHERE id = 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, "a@example.com");
}

#[test]
fn every_plan_comes_with_a_rollback_that_restores_the_schema() {
    let db = TestDb::new("cli_rollback");
    let before = "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy boolean);\n";
    db.execute(before);
    let s = Scratch::new(&[
        ("before.sql", before),
        (
            "want.sql",
            "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '', nick text);\n\
             CREATE INDEX ON users (email);\n",
        ),
    ]);
    let rb = s.path("rollback.sql");
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--rollback-out",
        &rb,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Rollback"), "{text}");
    assert!(
        text.contains("cannot restore"),
        "the dropped column's data is named: {text}"
    );
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["rollback"]["plan"]["steps"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{v}"
    );

    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--allow",
        "high",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let psql = Command::new(shale_testkit::pg_binary("psql"))
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db.url(),
            "-f",
            &rb,
        ])
        .output()
        .expect("psql runs");
    assert!(
        psql.status.success(),
        "{}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("before.sql")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "rollback must restore the schema:\n{}",
        stdout(&o)
    );
}

#[test]
fn expand_contract_rename_keeps_the_application_working_between_phases() {
    let db = TestDb::new("cli_expand");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email_addr text); INSERT INTO users VALUES (1, 'a@example.com');");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    -- shale:renamed-from email_addr\n    email text\n);\n",
    )]);
    let want = s.path("want.sql");
    let args = |phase: &str| {
        vec![
            "apply".to_string(),
            "--yes".into(),
            "--db".into(),
            db.url().to_string(),
            "--to".into(),
            want.clone(),
            "--strategy".into(),
            "expand-contract".into(),
            "--phase".into(),
            phase.to_string(),
            "--allow".into(),
            "high".into(),
        ]
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(|x| x.as_str()).collect();
        shale(&a)
    };
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &want,
        "--strategy",
        "expand-contract",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("phase: expand") && text.contains("phase: contract"),
        "{text}"
    );
    let o = run(args("expand"));
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("--phase contract"), "{}", stdout(&o));
    // The application still writes the old name; the data shows up in the new one.
    let mut c = db.client();
    c.batch_execute("INSERT INTO users (id, email_addr) VALUES (2, 'b@example.com'); UPDATE users SET email_addr = 'a2@example.com' WHERE id = 1;")
        .unwrap();
    let rows: Vec<(i64, Option<String>)> = c
        .query("SELECT id, email FROM users ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, Some("a2@example.com".to_string())),
            (2, Some("b@example.com".to_string()))
        ]
    );
    let o = run(args("contract"));
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let o = shale(&["plan", "--from", db.url(), "--to", &want]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let n: i64 = c
        .query_one("SELECT count(*) FROM users WHERE email IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}

#[test]
fn an_expand_plan_file_says_the_contract_phase_is_still_to_come() {
    let db = TestDb::new("cli_expand_file");
    db.execute("CREATE TABLE users (id bigint PRIMARY KEY, email_addr text);");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n    -- shale:renamed-from email_addr\n    email text\n);\n",
    )]);
    let want = s.path("want.sql");
    let file = s.path("expand.json");
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &want,
        "--strategy",
        "expand-contract",
        "--phase",
        "expand",
        "--out",
        &file,
    ]);
    assert!(
        matches!(o.status.code(), Some(0 | 2)),
        "{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--plan",
        &file,
        "--allow",
        "high",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    // The phase comes from the plan file, not from a --phase flag: the message must not
    // claim the database matches the desired state, which it is not meant to yet.
    assert!(out.contains("Applied the expand phase"), "{out}");
    assert!(!out.contains("now matches the desired state"), "{out}");
}

#[test]
fn schema_filters_keep_other_objects_out_of_the_plan() {
    let db = TestDb::new("cli_filter");
    db.execute(
        "CREATE SCHEMA audit; CREATE TABLE audit.log (id int); CREATE TABLE public.t (a int); CREATE TABLE public.tmp_import (x int);",
    );
    let s = Scratch::new(&[("want.sql", "CREATE TABLE public.t (a int);\n")]);
    let want = s.path("want.sql");
    // Without filters the audit schema and the scratch table would be dropped.
    let o = shale(&["plan", "--from", db.url(), "--to", &want]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains("DROP TABLE audit.log"),
        "{}",
        stdout(&o)
    );
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &want,
        "--schema",
        "public",
        "--exclude",
        "public.tmp_*",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
}

#[test]
fn unmodeled_objects_are_reported_and_strict_coverage_refuses() {
    let db = TestDb::new("cli_coverage");
    // (publications are modelled since: a conversion is not)
    let publication = format!("shale_conv_{}", db.name());
    db.execute(&format!(
        "CREATE TABLE t (a int); CREATE CONVERSION {publication} FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;"
    ));
    let s = Scratch::new(&[("want.sql", "CREATE TABLE t (a int);\n")]);
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(&publication), "{}", stdout(&o));
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--strict-coverage",
    ]);
    expect_error(&o, &["--strict-coverage", &publication]);
}

#[test]
fn dev_database_mode_reads_files_through_a_temporary_database() {
    let db = TestDb::new("cli_devdb");
    let schema = "CREATE TABLE t (a varchar(10) CHECK (a IN ('x', 'y')), b numeric DEFAULT 0);\n";
    db.execute(schema);
    let s = Scratch::new(&[("want.sql", schema)]);
    let server = shale_testkit::server_url();
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--dev-url",
        &server,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("temporary database"), "{}", stdout(&o));
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert!(stdout(&o).contains("read offline"), "{}", stdout(&o));
}

#[test]
fn owners_are_compared_only_when_asked() {
    let db = TestDb::new("cli_owners");
    let role = format!("shale_owner_{}", db.name());
    db.execute(&format!(
        "CREATE ROLE {role}; CREATE TABLE t (a int); ALTER TABLE t OWNER TO {role};"
    ));
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE t (a int);\nALTER TABLE t OWNER TO postgres;\n",
    )]);
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    let ignored = o.status.code();
    let o2 = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--include",
        "owners",
    ]);
    let text = stdout(&o2);
    db.execute(&format!("DROP TABLE t; DROP ROLE {role};"));
    assert_eq!(ignored, Some(0), "owners are not compared by default");
    assert_eq!(o2.status.code(), Some(2), "{text}\n{}", stderr(&o2));
    assert!(text.contains("OWNER TO postgres"), "{text}");
}

#[test]
fn yaml_owners_are_read_with_include_owners_and_exported() {
    let db = TestDb::new("cli_yaml_owners");
    let role = format!("shale_owner_{}", db.name());
    db.execute(&format!(
        "CREATE ROLE {role}; CREATE TABLE t (a int); ALTER TABLE t OWNER TO {role};"
    ));
    let same_yaml = format!("tables:\n  t: {{owner: {role}, columns: {{a: integer}}}}\n");
    let s = Scratch::new(&[
        ("same.yaml", same_yaml.as_str()),
        (
            "other.yaml",
            "tables:\n  t: {owner: postgres, columns: {a: integer}}\n",
        ),
    ]);
    let plan = |file: &str| {
        shale(&[
            "plan",
            "--from",
            db.url(),
            "--to",
            &s.path(file),
            "--include",
            "owners",
        ])
    };
    let same = plan("same.yaml");
    let other = plan("other.yaml");
    let inspect = shale(&[
        "inspect",
        db.url(),
        "--format",
        "yaml",
        "--include",
        "owners",
    ]);
    db.execute(&format!("DROP TABLE t; DROP ROLE {role};"));
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&same),
        stderr(&same)
    );
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
    assert!(
        stdout(&other).contains("OWNER TO postgres"),
        "{}",
        stdout(&other)
    );
    assert_eq!(inspect.status.code(), Some(0), "{}", stderr(&inspect));
    assert!(
        stdout(&inspect).contains(&format!("owner: {role}")),
        "{}",
        stdout(&inspect)
    );
}

#[test]
fn yaml_inspect_writes_views_c_functions_and_event_triggers() {
    let db = TestDb::new("cli_yaml_views");
    db.execute("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;");
    // Views have YAML keys now: exported, not refused.
    let o = shale(&["inspect", db.url(), "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("views:\n  v:\n"), "{}", stdout(&o));
    // So do C-language functions (`obj_file` / `link_symbol`).
    db.execute(
        "CREATE FUNCTION c_handler() RETURNS integer \
         AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE c;",
    );
    let o = shale(&["inspect", db.url(), "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("link_symbol: plpgsql_call_handler"),
        "{}",
        stdout(&o)
    );
    // And event triggers.
    db.execute(
        "CREATE FUNCTION note_ddl() RETURNS event_trigger LANGUAGE plpgsql \
         AS $$BEGIN END$$; \
         CREATE EVENT TRIGGER yaml_says_this ON ddl_command_end \
         EXECUTE FUNCTION note_ddl();",
    );
    let o = shale(&["inspect", db.url(), "--format", "yaml"]);
    db.execute("DROP EVENT TRIGGER yaml_says_this;");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("event_triggers:\n  yaml_says_this:\n"),
        "{}",
        stdout(&o)
    );
    let o = shale(&["inspect", db.url(), "--format", "sql"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("VIEW"), "{}", stdout(&o));
}

/// The number of tables in `db`'s `public` schema.
fn public_tables(db: &TestDb) -> i64 {
    db.client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn missing_roles_stop_live_plans_and_apply_before_any_change() {
    let db = TestDb::new("cli_roles");
    let s = Scratch::new(&[
        (
            "want.sql",
            "CREATE TABLE t (id int);
             GRANT SELECT ON t TO \"Shale Missing Reader\", pg_monitor;
             CREATE POLICY p ON t TO shale_missing_writer USING (true);
             CREATE TABLE u (id int);
             ALTER TABLE u OWNER TO shale_missing_owner;",
        ),
        (
            "ok.sql",
            "CREATE TABLE t (id int); GRANT SELECT ON t TO pg_monitor;",
        ),
    ]);
    let want = s.path("want.sql");
    let expect_roles = |o: &Output| {
        expect_error(
            o,
            &[
                "2 roles that do not exist",
                "role \"Shale Missing Reader\": grant on table public.t",
                "role shale_missing_writer: policy p on public.t",
                "nothing was planned or changed",
            ],
        );
        // The role that exists is not reported, and owners are off by default.
        assert!(!stderr(o).contains("pg_monitor"), "{}", stderr(o));
        assert!(!stderr(o).contains("shale_missing_owner"), "{}", stderr(o));
    };
    expect_roles(&shale(&["plan", "--from", db.url(), "--to", &want]));
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = vec![
            "apply",
            "--yes",
            "--db",
            db.url(),
            "--to",
            &want,
            "--allow",
            "high",
        ];
        args.extend_from_slice(extra);
        let o = shale(&args);
        expect_roles(&o);
        // Refused before the plan is even shown.
        assert!(!stdout(&o).contains("CREATE TABLE"), "{}", stdout(&o));
    }
    assert_eq!(public_tables(&db), 0, "a refused apply must change nothing");

    // With owners compared, the owner's role is needed too.
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &want,
        "--include",
        "owners",
    ]);
    expect_error(
        &o,
        &[
            "3 roles",
            "role shale_missing_owner: owner of table public.u",
        ],
    );
    assert_eq!(public_tables(&db), 0);

    // Roles that exist pass.
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("ok.sql"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert_eq!(public_tables(&db), 1);
}

#[test]
fn offline_plans_list_the_roles_they_need() {
    let s = Scratch::new(&[
        (
            "cur.sql",
            "CREATE TABLE t (id int); GRANT SELECT ON t TO old_reader;",
        ),
        (
            "want.sql",
            "CREATE TABLE t (id int); GRANT SELECT ON t TO old_reader, \"New Reader\";
             CREATE POLICY p ON t TO new_writer USING (true);",
        ),
        (
            "plain.sql",
            "CREATE TABLE t (id int); CREATE TABLE u (id int);",
        ),
    ]);
    let (cur, want) = (s.path("cur.sql"), s.path("want.sql"));
    let o = shale(&["plan", "--from", &cur, "--to", &want]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let note = "they must exist on the server: \"New Reader\", new_writer\n";
    assert!(stdout(&o).contains(note), "{}", stdout(&o));
    // A role the current state already names is known to exist.
    assert!(!stdout(&o).contains("old_reader"), "{}", stdout(&o));

    for extra in [&[][..], &["--no-rollback"][..]] {
        let mut args = vec!["plan", "--from", &cur, "--to", &want, "--format", "json"];
        args.extend_from_slice(extra);
        let o = shale(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            v["roles_needed"],
            serde_json::json!(["New Reader", "new_writer"])
        );
        assert!(!v["steps"].as_array().unwrap().is_empty());
        assert!(stderr(&o).contains(note), "{}", stderr(&o));
    }
    // The SQL script stays runnable: the note goes to stderr.
    let o = shale(&["plan", "--from", &cur, "--to", &want, "--format", "sql"]);
    assert!(!stdout(&o).contains("must exist"), "{}", stdout(&o));
    assert!(stderr(&o).contains(note), "{}", stderr(&o));

    // No roles, no note and no member.
    let o = shale(&["plan", "--from", &cur, "--to", &s.path("plain.sql")]);
    assert!(!stdout(&o).contains("must exist"), "{}", stdout(&o));
    let o = shale(&[
        "plan",
        "--from",
        &cur,
        "--to",
        &s.path("plain.sql"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("roles_needed").is_none(), "{v}");
}

#[test]
fn default_privileges_for_the_connecting_role_converge() {
    // pg_dump writes default privileges `FOR ROLE` the role that ran it; the database,
    // introspected by that same role, reports them as the current role's.
    let db = TestDb::new("cli_defpriv");
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE t (id int);
         ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;",
    )]);
    let o = shale(&[
        "apply",
        "--yes",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("now matches"), "{}", stdout(&o));
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("want.sql")]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    // And the other way round: files as the current state, the database as desired.
    let o = shale(&["plan", "--from", &s.path("want.sql"), "--to", db.url()]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let n: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_default_acl WHERE defaclrole = 'postgres'::regrole",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

/// `--include owners` end to end: owners given after `SET search_path`, a view re-created
/// (its owner set again), a serial's sequence (owned by its column, so its owner follows
/// the table's: no `OWNER TO` of its own); apply converges and the re-plan is empty.
#[test]
fn owners_converge_through_search_path_and_recreated_views() {
    let db = TestDb::new("cli_owners_conv");
    let role = format!("shale_own_{}", db.name());
    db.execute(&format!(
        "CREATE ROLE {role};
         CREATE SCHEMA app;
         CREATE TABLE app.t (id serial, a int, b text);
         CREATE VIEW app.v AS SELECT id, a FROM app.t;
         ALTER TABLE app.t OWNER TO {role};
         ALTER VIEW app.v OWNER TO {role};"
    ));
    let want = format!(
        "CREATE SCHEMA app;
         SET search_path = app;
         CREATE TABLE t (id serial, a int, b text);
         CREATE VIEW v AS SELECT id, b FROM t;
         ALTER TABLE t OWNER TO {role};
         ALTER VIEW v OWNER TO {role};
         RESET search_path;
"
    );
    let s = Scratch::new(&[("want.sql", &want)]);
    let apply = shale(&[
        "apply",
        "--db",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--include",
        "owners",
        "--allow",
        "high",
        "--yes",
    ]);
    let replan = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--include",
        "owners",
    ]);
    let owners: Vec<String> = db
        .client()
        .query(
            "SELECT c.relname || ':' || pg_get_userbyid(c.relowner) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    db.execute(&format!("DROP SCHEMA app CASCADE; DROP ROLE {role};"));
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&apply),
        stderr(&apply)
    );
    assert_eq!(
        replan.status.code(),
        Some(0),
        "re-plan not empty:\n{}\n{}",
        stdout(&replan),
        stderr(&replan)
    );
    assert_eq!(
        owners,
        ["t", "t_id_seq", "v"]
            .iter()
            .map(|n| format!("{n}:{role}"))
            .collect::<Vec<_>>()
    );
}
