//! Re-created types keep the data (on a real server): an enum whose labels are reordered
//! or removed, and a domain whose base type changes, are re-created with their columns
//! converted value by value; when a row holds a removed label the plan fails as a whole
//! and the database is left as it was.

mod common;

use shale_introspect::introspect_url;
use shale_plan::{plan, render, PlanOptions, RiskLevel};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn parse(sql: &str) -> shale_model::Catalog {
    parse_sources(&[SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `current` and `rows`, applies the plan to `desired` in one transaction.
/// Returns the database, the plan's highest risk and the outcome of the apply.
fn apply(
    name: &str,
    current: &str,
    rows: &str,
    desired: &str,
) -> (TestDb, RiskLevel, Result<(), String>) {
    let db = TestDb::new(name);
    db.execute(current);
    db.execute(rows);
    let from = introspect_url(db.url()).unwrap();
    let p = plan(&from, &parse(desired), &PlanOptions::default()).unwrap();
    let script = format!("BEGIN;\n{}COMMIT;\n", render::statements(&p));
    let outcome = db.try_execute(&script);
    if outcome.is_err() {
        db.execute("ROLLBACK");
    }
    (db, p.max_risk().unwrap_or_default(), outcome)
}

fn one(db: &TestDb, sql: &str) -> String {
    let mut c = db.client();
    c.query_one(&format!("SELECT ({sql})::text"), &[])
        .unwrap()
        .get::<_, Option<String>>(0)
        .unwrap_or_default()
}

const ENUM_CURRENT: &str = "
CREATE TYPE status AS ENUM ('draft', 'obsolete', 'published');
CREATE TABLE post (id int PRIMARY KEY, st status NOT NULL DEFAULT 'draft', history status[]);
CREATE INDEX ON post (st);";
const ENUM_DESIRED: &str = "
CREATE TYPE status AS ENUM ('published', 'draft');
CREATE TABLE post (id int PRIMARY KEY, st status NOT NULL DEFAULT 'draft', history status[]);
CREATE INDEX ON post (st);";

#[test]
fn enum_recreated_keeps_values_and_follows_the_new_order() {
    let rows =
        "INSERT INTO post SELECT g, CASE WHEN g % 2 = 0 THEN 'draft' ELSE 'published' END::status,
                  ARRAY['draft', 'published']::status[] FROM generate_series(1, 100) g;";
    let before =
        "SELECT string_agg(id || ':' || st || ':' || history::text, ',' ORDER BY id) FROM post";
    let db0 = TestDb::new("tx_enum_ref");
    db0.execute(ENUM_CURRENT);
    db0.execute(rows);
    let expected = one(&db0, before);
    let (db, risk, outcome) = apply("tx_enum_ok", ENUM_CURRENT, rows, ENUM_DESIRED);
    outcome.unwrap();
    assert_eq!(
        risk,
        RiskLevel::High,
        "a label is removed while columns use the type"
    );
    assert_eq!(one(&db, before), expected);
    // The new order is in force, the default is back and the old type is gone.
    assert_eq!(one(&db, "'published'::status < 'draft'::status"), "true");
    assert_eq!(
        one(
            &db,
            "(SELECT count(*) FROM pg_type WHERE typname LIKE 'status__shale_old')"
        ),
        "0"
    );
    db.execute("INSERT INTO post (id) VALUES (1000)");
    assert_eq!(one(&db, "(SELECT st FROM post WHERE id = 1000)"), "draft");
    // Re-planning finds nothing to do.
    let again = plan(
        &introspect_url(db.url()).unwrap(),
        &parse(ENUM_DESIRED),
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(again.is_empty(), "{}", render::text(&again));
}

#[test]
fn removed_label_in_use_fails_and_changes_nothing() {
    let rows = "INSERT INTO post VALUES (1, 'obsolete', NULL), (2, 'draft', '{published}');";
    let (db, risk, outcome) = apply("tx_enum_fail", ENUM_CURRENT, rows, ENUM_DESIRED);
    let err = outcome.expect_err("a row holds the removed label");
    assert!(err.contains("obsolete"), "{err}");
    assert_eq!(risk, RiskLevel::High);
    // Everything rolled back: the old type with its three labels, the rows as they were.
    assert_eq!(
        one(&db, "(SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'status'::regtype)"),
        "draft,obsolete,published"
    );
    assert_eq!(one(&db, "(SELECT st FROM post WHERE id = 1)"), "obsolete");
}

#[test]
fn domain_base_type_change_keeps_values() {
    let current = "CREATE DOMAIN amount AS integer CHECK (VALUE >= 0);
                   CREATE TABLE inv (id int PRIMARY KEY, total amount, parts amount[]);";
    let desired = "CREATE DOMAIN amount AS bigint CHECK (VALUE >= 0);
                   CREATE TABLE inv (id int PRIMARY KEY, total amount, parts amount[]);";
    let rows =
        "INSERT INTO inv SELECT g, g * 7, ARRAY[g, 2147483647] FROM generate_series(1, 50) g;";
    let (db, _, outcome) = apply("tx_domain", current, rows, desired);
    outcome.unwrap();
    assert_eq!(
        one(&db, "(SELECT sum(total) FROM inv)"),
        (7 * 50 * 51 / 2).to_string()
    );
    assert_eq!(
        one(&db, "(SELECT parts[2] FROM inv WHERE id = 3)"),
        "2147483647"
    );
    assert_eq!(
        one(
            &db,
            "(SELECT format_type(typbasetype, typtypmod) FROM pg_type WHERE typname = 'amount')"
        ),
        "bigint"
    );
    db.execute("UPDATE inv SET total = 3000000000 WHERE id = 1");
}

/// `shale inspect --format sql` (the create script) of every types fixture reads back to
/// the same catalog: domains, composite and range types survive the round trip.
#[test]
fn create_script_round_trips_every_types_fixture() {
    let dir = common::root().join("fixtures");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let n: u32 = name.split('_').next().unwrap_or("").parse().unwrap_or(0);
        if !(70..=89).contains(&n) {
            continue;
        }
        let sql = std::fs::read_to_string(path.join("desired.sql")).unwrap();
        let cat = parse(&sql);
        let script = shale_plan::create_script(&cat).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = parse(&script);
        assert_eq!(
            back, cat,
            "{name}: the create script reads back differently:\n{script}"
        );
        seen += 1;
    }
    assert_eq!(seen, 20);
}
