//! Renames, backfills and online `SET NOT NULL` on a real PostgreSQL server, with rows in
//! the tables: the data survives, the result is the desired schema (a dump equal to the
//! desired files loaded fresh, and an empty re-plan from the introspected database), and
//! failures stop cleanly with a clear message and resume on a re-run.

use crate::pg_tests::try_psql;
use crate::{plan_with, render, Directives, Plan, PlanOptions};
use shale_model::Catalog;
use shale_sql::{parse_sources_with_directives, SourceFile};
use shale_testkit::TestDb;

pub fn parse(sql: &str) -> (Catalog, Directives) {
    parse_sources_with_directives(&[SourceFile {
        path: "desired.sql".into(),
        text: sql.into(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn introspect(db: &TestDb) -> Catalog {
    shale_introspect::introspect(&mut db.client()).unwrap_or_else(|e| panic!("{e}"))
}

/// One value of a query (as text).
pub fn value(db: &TestDb, query: &str) -> String {
    let mut c = db.client();
    let row = c
        .query_one(&format!("SELECT ({query})::text"), &[])
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    row.get::<_, Option<String>>(0).unwrap_or_default()
}

/// Runs each step on its own connection in autocommit, as `apply` runs a lone
/// non-transactional step (and a transactional one outside a group).
pub fn run_steps(db: &TestDb, p: &Plan) -> Result<(), String> {
    let mut c = db.client();
    for s in &p.steps {
        c.batch_execute(&s.sql)
            .map_err(|e| format!("step {} failed: {}\n{}", s.id, db_error(&e), s.sql))?;
    }
    Ok(())
}

pub fn db_error(e: &postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// The database matches `desired`: an empty re-plan from it, and the same dump as the
/// desired SQL loaded fresh.
pub fn assert_converged(db: &TestDb, desired_sql: &str, prefix: &str) {
    let (want, d) = parse(desired_sql);
    let again = plan_with(&introspect(db), &want, &d, &PlanOptions::default()).unwrap();
    assert!(
        again.is_empty(),
        "re-plan not empty:\n{}",
        render::text(&again)
    );
    let fresh = TestDb::new(prefix);
    fresh.execute(desired_sql);
    assert_eq!(db.pg_dump_schema(), fresh.pg_dump_schema());
}

const RENAME_CURRENT: &str = "
CREATE TABLE users (id serial PRIMARY KEY, mail text NOT NULL, created timestamptz);
CREATE INDEX users_mail_idx ON users (mail);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);
INSERT INTO users (mail) VALUES ('a@x'), ('b@x'), ('c@x');
INSERT INTO posts VALUES (1, 1), (2, 3);
";

const RENAME_DESIRED: &str = "
-- shale:renamed-from users
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    -- shale:renamed-from mail
    email varchar(200) NOT NULL,
    created timestamptz
);
CREATE INDEX accounts_email_idx ON accounts (email);
CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES accounts);
";

#[test]
fn hinted_renames_keep_every_row_and_converge() {
    let db = TestDb::new("rename");
    db.execute(RENAME_CURRENT);
    let checksum = "SELECT md5(string_agg(id || ':' || mail, ',' ORDER BY id)) FROM users";
    let before = value(&db, checksum);
    let (want, d) = parse(RENAME_DESIRED);
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    let text = render::text(&p);
    // Renames only (and the type change): nothing is dropped, nothing re-created.
    assert!(
        !p.steps.iter().any(|s| s.action == crate::Action::Drop),
        "{text}"
    );
    assert!(
        text.contains("ALTER TABLE public.users RENAME TO accounts"),
        "{text}"
    );
    assert!(
        text.contains("ALTER SEQUENCE public.users_id_seq RENAME TO accounts_id_seq"),
        "{text}"
    );
    try_psql(&db, &render::sql(&p)).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let after = "SELECT md5(string_agg(id || ':' || email, ',' ORDER BY id)) FROM accounts";
    assert_eq!(value(&db, after), before);
    assert_eq!(value(&db, "SELECT count(*) FROM posts"), "2");
    // The serial keeps counting: no collision with the existing keys.
    db.execute("INSERT INTO accounts (email) VALUES ('d@x')");
    assert_eq!(
        value(&db, "SELECT id FROM accounts WHERE email = 'd@x'"),
        "4"
    );
    db.execute("DELETE FROM accounts WHERE email = 'd@x'");
    assert_converged(&db, RENAME_DESIRED, "rename_fresh");
}

const BACKFILL_CURRENT: &str = "
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO users SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 3000) g;
";

const BACKFILL_DESIRED: &str = "
CREATE TABLE users (
    id int PRIMARY KEY,
    email text NOT NULL,
    -- shale:backfill lower(email)
    email_lower text NOT NULL DEFAULT ''
);
";

#[test]
fn backfilled_not_null_column_is_filled_in_batches_and_converges() {
    let db = TestDb::new("backfill");
    db.execute(BACKFILL_CURRENT);
    let (want, d) = parse(BACKFILL_DESIRED);
    assert_eq!(d.backfills.len(), 1);
    let opts = PlanOptions::default();
    // Without the backfill (and without the DEFAULT): an error naming the fix.
    let mut no_default = want.clone();
    for t in no_default.tables.values_mut() {
        for c in &mut t.columns {
            c.default = None;
        }
    }
    let err = plan_with(&introspect(&db), &no_default, &Directives::default(), &opts).unwrap_err();
    assert!(err.to_string().contains("-- shale:backfill"), "{err}");
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    // Through the driver, step by step in autocommit (the DO block commits per batch).
    run_steps(&db, &p).unwrap_or_else(|e| panic!("{e}\n{}", render::text(&p)));
    assert_eq!(
        value(
            &db,
            "SELECT count(*) FROM users WHERE email_lower = lower(email)"
        ),
        "3000"
    );
    // New rows get the default; no helper check is left behind.
    db.execute("INSERT INTO users (id, email) VALUES (0, 'Z')");
    assert_eq!(value(&db, "SELECT email_lower FROM users WHERE id = 0"), "");
    db.execute("DELETE FROM users WHERE id = 0");
    assert_converged(&db, BACKFILL_DESIRED, "backfill_fresh");
}

#[test]
fn backfill_through_the_psql_script_and_offline_converges() {
    let db = TestDb::new("backfill_psql");
    db.execute(BACKFILL_CURRENT);
    let (want, d) = parse(BACKFILL_DESIRED);
    let opts = PlanOptions {
        online: false,
        ..PlanOptions::default()
    };
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    try_psql(&db, &render::sql_with_options(&p, &opts)).unwrap();
    assert_converged(&db, BACKFILL_DESIRED, "backfill_psql_fresh");
}

#[test]
fn backfill_giving_null_stops_with_a_clear_error_and_resumes_after_the_fix() {
    let db = TestDb::new("backfill_null");
    // About one row per heap page (loaded with fillfactor 10, ~800-byte rows): three
    // batches or more; the NULL is in the third.
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, a text, pad text) WITH (fillfactor = 10);
         INSERT INTO t SELECT g, CASE WHEN g = 2500 THEN NULL ELSE 'x' || g END,
             (SELECT string_agg(md5(random()::text || g || i), '') FROM generate_series(1, 25) i)
           FROM generate_series(1, 3000) g;
         ALTER TABLE t RESET (fillfactor);",
    );
    assert!(
        value(&db, "SELECT pg_relation_size('t') / 8192")
            .parse::<u32>()
            .unwrap()
            > 2 * crate::sql::BACKFILL_PAGES
    );
    let desired = "CREATE TABLE t (
        id int PRIMARY KEY,
        a text,
        pad text,
        -- shale:backfill upper(a)
        b text NOT NULL
    );";
    let (want, d) = parse(desired);
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    let err = run_steps(&db, &p).unwrap_err();
    assert!(
        err.contains("backfill of public.t.b gave NULL for 1 row(s)"),
        "{err}"
    );
    // The batches before the failing one stay committed: a re-run resumes.
    assert_eq!(
        value(&db, "SELECT count(*) FROM t WHERE b IS NOT NULL"),
        (2 * crate::sql::BACKFILL_PAGES).to_string()
    );
    db.execute("UPDATE t SET a = 'fixed' WHERE id = 2500");
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    assert!(
        p.steps[0].sql.starts_with("DO $shale$"),
        "{}",
        render::text(&p)
    );
    run_steps(&db, &p).unwrap();
    assert_eq!(value(&db, "SELECT b FROM t WHERE id = 2500"), "FIXED");
    assert_converged(&db, desired, "backfill_null_fresh");
}

#[test]
fn online_set_not_null_fails_at_validation_on_nulls_and_converges_once_fixed() {
    let db = TestDb::new("setnn");
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, a text);
         INSERT INTO t VALUES (1, 'x'), (2, NULL);",
    );
    let desired = "CREATE TABLE t (id int PRIMARY KEY, a text NOT NULL);";
    let (want, d) = parse(desired);
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    assert_eq!(p.steps.len(), 4, "{}", render::text(&p));
    let err = run_steps(&db, &p).unwrap_err();
    assert!(err.starts_with("step 2 failed"), "{err}");
    assert!(err.contains("is violated by some row"), "{err}");
    // Meanwhile the NOT VALID check already refuses new NULLs.
    assert!(db
        .try_execute("INSERT INTO t VALUES (3, NULL)")
        .unwrap_err()
        .contains("t_a_not_null_check"));
    db.execute("UPDATE t SET a = 'y' WHERE a IS NULL");
    // The re-plan drops the leftover helper and goes again under a free name.
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    let text = render::text(&p);
    assert!(
        text.contains("DROP CONSTRAINT t_a_not_null_check\n"),
        "{text}"
    );
    assert!(
        text.contains("ADD CONSTRAINT t_a_not_null_check1"),
        "{text}"
    );
    run_steps(&db, &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_converged(&db, desired, "setnn_fresh");
}

const MOVE_CURRENT: &str = "
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, score integer, note text);
CREATE INDEX users_name_idx ON users (name);
INSERT INTO users SELECT g, 'user ' || g, g * 10, NULL FROM generate_series(1, 500) g;
";

const MOVE_DESIRED: &str = "
CREATE TABLE users (
    id int PRIMARY KEY,
    -- shale:renamed-from name
    full_name text NOT NULL,
    score bigint DEFAULT 0,
    note text
);
CREATE INDEX users_full_name_idx ON users (full_name);
COMMENT ON COLUMN users.score IS 'points';
";

/// Expand, then the application writes through the old names and reads through the new
/// ones (and the other way round), then contract: the result is the desired schema with
/// every value where it belongs.
#[test]
fn expand_contract_keeps_the_application_working_between_phases() {
    let db = TestDb::new("ec");
    db.execute(MOVE_CURRENT);
    let (want, d) = parse(MOVE_DESIRED);
    let opts = PlanOptions {
        strategy: crate::Strategy::ExpandContract,
        ..PlanOptions::default()
    };
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    let expand = p.phase(crate::Phase::Expand);
    run_steps(&db, &expand).unwrap_or_else(|e| panic!("{e}\n{}", render::text(&p)));

    // The existing rows show up under the new names.
    assert_eq!(
        value(
            &db,
            "SELECT count(*) FROM users WHERE full_name = name AND score__shale_new = score"
        ),
        "500"
    );
    // Old code: writes the old names only.
    db.execute("INSERT INTO users (id, name, score) VALUES (1001, 'old code', 7)");
    db.execute("UPDATE users SET name = 'renamed by old code', score = 99 WHERE id = 1");
    assert_eq!(
        value(
            &db,
            "SELECT full_name || '/' || score__shale_new FROM users WHERE id = 1001"
        ),
        "old code/7"
    );
    assert_eq!(
        value(
            &db,
            "SELECT full_name || '/' || score__shale_new FROM users WHERE id = 1"
        ),
        "renamed by old code/99"
    );
    // New code: writes the new name only (the old column's NOT NULL holds through the
    // trigger) and reads it back through the old one.
    db.execute("INSERT INTO users (id, full_name) VALUES (1002, 'new code')");
    db.execute("UPDATE users SET full_name = 'renamed by new code' WHERE id = 2");
    assert_eq!(
        value(&db, "SELECT name FROM users WHERE id = 1002"),
        "new code"
    );
    assert_eq!(
        value(&db, "SELECT name FROM users WHERE id = 2"),
        "renamed by new code"
    );
    // Unrelated updates leave both alone.
    db.execute("UPDATE users SET note = 'x' WHERE id = 3");
    assert_eq!(
        value(&db, "SELECT full_name = name FROM users WHERE id = 3"),
        "true"
    );

    // Contract, planned again from the database as it is now.
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    let contract = p.phase(crate::Phase::Contract);
    assert_eq!(contract.steps[0].risk.code, "SH124", "{}", render::text(&p));
    try_psql(&db, &render::sql(&contract))
        .unwrap_or_else(|e| panic!("{e}\n{}", render::text(&contract)));
    assert_eq!(
        value(
            &db,
            "SELECT full_name || '/' || score FROM users WHERE id = 1"
        ),
        "renamed by old code/99"
    );
    // Rows inserted before the contract phase did not get the new default.
    assert_eq!(
        value(
            &db,
            "SELECT full_name || '/' || coalesce(score, -1) FROM users WHERE id = 1002"
        ),
        "new code/-1"
    );
    db.execute("INSERT INTO users (id, full_name) VALUES (1003, 'after')");
    assert_eq!(value(&db, "SELECT score FROM users WHERE id = 1003"), "0");
    db.execute("DELETE FROM users WHERE id = 1003");
    assert_eq!(value(&db, "SELECT count(*) FROM users"), "502");
    assert_converged_with(&db, MOVE_DESIRED, &opts, "ec_fresh");
}

/// The contract phase refuses to drop the old column while rows are not copied.
#[test]
fn contract_refuses_when_the_expand_phase_did_not_finish() {
    let db = TestDb::new("ec_refuse");
    db.execute(MOVE_CURRENT);
    let (want, d) = parse(MOVE_DESIRED);
    let opts = PlanOptions {
        strategy: crate::Strategy::ExpandContract,
        ..PlanOptions::default()
    };
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    // Only the columns of the expand phase, no trigger, no backfill.
    for s in p.phase(crate::Phase::Expand).steps.iter().take(2) {
        db.execute(&s.sql);
    }
    let p = plan_with(&introspect(&db), &want, &d, &opts).unwrap();
    let err = run_steps(&db, &p.phase(crate::Phase::Contract)).unwrap_err();
    assert!(
        err.contains("contract refused: 500 row(s) of public.users"),
        "{err}"
    );
    assert_eq!(
        value(&db, "SELECT count(*) FROM users WHERE name IS NOT NULL"),
        "500"
    );
    // The whole plan (expand, then contract) finishes the move.
    run_steps(&db, &p).unwrap();
    assert_converged_with(&db, MOVE_DESIRED, &opts, "ec_refuse_fresh");
}

pub fn assert_converged_with(db: &TestDb, desired_sql: &str, opts: &PlanOptions, prefix: &str) {
    let (want, d) = parse(desired_sql);
    let again = plan_with(&introspect(db), &want, &d, opts).unwrap();
    assert!(
        again.is_empty(),
        "re-plan not empty:\n{}",
        render::text(&again)
    );
    // The moved columns come last (PostgreSQL cannot reorder columns, nor does the model).
    let fresh = TestDb::new(prefix);
    fresh.execute(desired_sql);
    let sorted = crate::reread_tests::columns_sorted;
    assert_eq!(
        sorted(&db.pg_dump_schema()),
        sorted(&fresh.pg_dump_schema())
    );
}

/// A `CREATE UNIQUE INDEX CONCURRENTLY` that fails on duplicates leaves an INVALID index:
/// introspection sees it, and once the data is fixed the plan rebuilds it.
#[test]
fn an_index_left_invalid_by_a_failed_concurrent_build_is_rebuilt() {
    let db = TestDb::new("invalid_ix");
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, code text);
         INSERT INTO t VALUES (1, 'a'), (2, 'a'), (3, 'b');",
    );
    let err = db
        .try_execute("CREATE UNIQUE INDEX CONCURRENTLY t_code_key ON t (code)")
        .unwrap_err();
    assert!(err.contains("could not create unique index"), "{err}");
    let live = introspect(&db);
    assert!(live.indexes[&shale_model::QualName::new("public", "t_code_key")].invalid);
    let desired = "CREATE TABLE t (id int PRIMARY KEY, code text);
        CREATE UNIQUE INDEX t_code_key ON t (code);";
    let (want, d) = parse(desired);
    // The files never have an invalid index: no phantom difference on that side.
    assert!(want.indexes.values().all(|i| !i.invalid));
    db.execute("DELETE FROM t WHERE id = 2");
    let p = plan_with(&live, &want, &d, &PlanOptions::default()).unwrap();
    let text = render::text(&p);
    assert_eq!(p.steps.len(), 2, "{text}");
    assert!(p.steps.iter().all(|s| s.risk.code == "SH088"), "{text}");
    run_steps(&db, &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(!introspect(&db).indexes[&shale_model::QualName::new("public", "t_code_key")].invalid);
    assert_converged(&db, desired, "invalid_ix_fresh");
    // The same leftover where the desired state wants a unique constraint of that name:
    // the index goes, and the constraint is built online.
    let db = TestDb::new("invalid_key");
    db.execute(
        "CREATE TABLE t (id int PRIMARY KEY, code text);
         INSERT INTO t VALUES (1, 'a'), (2, 'a');",
    );
    assert!(db
        .try_execute("CREATE UNIQUE INDEX CONCURRENTLY t_code_key ON t (code)")
        .is_err());
    db.execute("DELETE FROM t WHERE id = 2");
    let desired = "CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE);";
    let (want, d) = parse(desired);
    let p = plan_with(&introspect(&db), &want, &d, &PlanOptions::default()).unwrap();
    let text = render::text(&p);
    assert!(text.contains("left INVALID"), "{text}");
    run_steps(&db, &p).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_converged(&db, desired, "invalid_key_fresh");
}
