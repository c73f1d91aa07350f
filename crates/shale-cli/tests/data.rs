//! Data preservation on a real server: non-destructive plans keep every row and every
//! value. For each case: load the current schema, insert rows, take a row count and a
//! checksum of every table over the columns that existed before, plan and apply (online
//! and plain), and require the same counts and checksums after.

use shale_cli::{ApplyArgs, Source};
use shale_lint::{Level, Policies};
use shale_model::quote_ident;
use shale_plan::{PlanOptions, RiskLevel};
use shale_testkit::TestDb;
use std::collections::BTreeMap;

struct Case {
    name: &'static str,
    current: &'static str,
    rows: &'static str,
    desired: &'static str,
    /// A query that must return true after the apply (new columns filled, new rules in
    /// force, ...).
    after: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "add_columns_with_defaults",
        current: "CREATE TABLE t (id bigint PRIMARY KEY, name text, amount numeric(10,2));",
        rows: "INSERT INTO t SELECT g, 'n' || g, g * 1.25 FROM generate_series(1, 200) g;
               INSERT INTO t VALUES (201, NULL, NULL);",
        desired: "CREATE TABLE t (id bigint PRIMARY KEY, name text, amount numeric(10,2),
                    status text NOT NULL DEFAULT 'new', n int DEFAULT 0,
                    created timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00');",
        after: "SELECT bool_and(status = 'new' AND n = 0 AND created = '2024-01-01 00:00:00+00') FROM t",
    },
    Case {
        name: "add_index",
        current: "CREATE TABLE t (id bigint PRIMARY KEY, email text, score int);",
        rows: "INSERT INTO t SELECT g, 'u' || g || '@x', g % 7 FROM generate_series(1, 300) g;",
        desired: "CREATE TABLE t (id bigint PRIMARY KEY, email text, score int);
                  CREATE UNIQUE INDEX t_email_key_idx ON t (lower(email));
                  CREATE INDEX ON t (score DESC) WHERE score > 2;",
        after: "SELECT count(*) = 2 FROM pg_index WHERE indrelid = 't'::regclass AND indisvalid AND NOT indisprimary",
    },
    Case {
        name: "add_foreign_key",
        current: "CREATE TABLE u (id int PRIMARY KEY, name text);
                  CREATE TABLE p (id int PRIMARY KEY, u_id int, body text);",
        rows: "INSERT INTO u SELECT g, 'u' || g FROM generate_series(1, 50) g;
               INSERT INTO p SELECT g, 1 + g % 50, repeat('x', g % 13) FROM generate_series(1, 400) g;
               INSERT INTO p VALUES (401, NULL, 'orphan allowed: NULL');",
        desired: "CREATE TABLE u (id int PRIMARY KEY, name text);
                  CREATE TABLE p (id int PRIMARY KEY, u_id int REFERENCES u ON DELETE CASCADE, body text);
                  CREATE INDEX ON p (u_id);",
        after: "SELECT convalidated FROM pg_constraint WHERE conname = 'p_u_id_fkey'",
    },
    Case {
        name: "widen_varchar",
        current: "CREATE TABLE t (id int PRIMARY KEY, code varchar(5), label character varying(20) NOT NULL);",
        rows: "INSERT INTO t SELECT g, left(md5(g::text), 5), 'label ' || g FROM generate_series(1, 250) g;",
        desired: "CREATE TABLE t (id int PRIMARY KEY, code varchar(12), label character varying(40) NOT NULL);",
        after: "SELECT format_type(atttypid, atttypmod) = 'character varying(12)' FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'code'",
    },
    Case {
        name: "int_to_bigint",
        current: "CREATE TABLE t (id int PRIMARY KEY, qty int NOT NULL, ref int);
                  CREATE INDEX ON t (qty);",
        rows: "INSERT INTO t SELECT g, g * 3, CASE WHEN g % 3 = 0 THEN NULL ELSE -g END FROM generate_series(1, 300) g;
               INSERT INTO t VALUES (2147483647, -2147483648, 0);",
        desired: "CREATE TABLE t (id bigint PRIMARY KEY, qty bigint NOT NULL, ref bigint);
                  CREATE INDEX ON t (qty);",
        after: "SELECT bool_and(atttypid = 'bigint'::regtype) FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped",
    },
    Case {
        name: "add_check",
        current: "CREATE TABLE t (id int PRIMARY KEY, price numeric NOT NULL, discount numeric);",
        rows: "INSERT INTO t SELECT g, g * 2, CASE WHEN g % 2 = 0 THEN g ELSE NULL END FROM generate_series(1, 200) g;",
        desired: "CREATE TABLE t (id int PRIMARY KEY, price numeric NOT NULL CHECK (price > 0),
                    discount numeric, CHECK (discount IS NULL OR discount <= price));",
        after: "SELECT count(*) = 2 FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'c' AND convalidated",
    },
    Case {
        name: "set_not_null",
        current: "CREATE TABLE t (id int PRIMARY KEY, email text, nick text);",
        rows: "INSERT INTO t SELECT g, 'e' || g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' END FROM generate_series(1, 200) g;",
        desired: "CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL, nick text);",
        after: "SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'email'",
    },
    Case {
        name: "enum_add_value",
        current: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                  CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', ms mood[]);",
        rows: "INSERT INTO t SELECT g, (ARRAY['sad','ok','happy']::mood[])[1 + g % 3], ARRAY['sad', 'happy']::mood[] FROM generate_series(1, 150) g;",
        desired: "CREATE TYPE mood AS ENUM ('angry', 'sad', 'ok', 'meh', 'happy', 'elated');
                  CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', ms mood[]);",
        after: "SELECT enum_range(NULL::mood)::text = '{angry,sad,ok,meh,happy,elated}' AND (SELECT count(*) = 150 FROM t WHERE m < 'elated')",
    },
];

/// Per table: (row count, md5 of the sorted rows over `columns`, as text).
type Fingerprint = BTreeMap<String, (i64, String)>;

/// The user tables and their columns, in attnum order.
fn tables(db: &TestDb) -> BTreeMap<String, Vec<String>> {
    let mut c = db.client();
    let rows = c
        .query(
            "SELECT c.relname::text, a.attname::text
               FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid
              WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY c.relname, a.attnum",
            &[],
        )
        .unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        out.entry(r.get(0)).or_default().push(r.get(1));
    }
    out
}

fn fingerprint(db: &TestDb, tables: &BTreeMap<String, Vec<String>>) -> Fingerprint {
    let mut c = db.client();
    let mut out = Fingerprint::new();
    for (t, cols) in tables {
        // Each value as text, so that a widened type (int → bigint, varchar(5) →
        // varchar(12)) that kept the value compares equal.
        let row = cols
            .iter()
            .map(|col| format!("{}::text", quote_ident(col)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT count(*), coalesce(md5(string_agg(r, ',' ORDER BY r)), '') FROM (SELECT (ARRAY[{row}])::text AS r FROM {}) s",
            quote_ident(t)
        );
        let r = c.query_one(&sql, &[]).unwrap();
        out.insert(t.clone(), (r.get(0), r.get(1)));
    }
    out
}

fn run(case: &Case, online: bool) {
    let label = format!("{} (online: {online})", case.name);
    let db = TestDb::new(&format!("data_{}", case.name));
    db.execute(case.current);
    db.execute(case.rows);
    let before_tables = tables(&db);
    let before = fingerprint(&db, &before_tables);
    assert!(
        before.values().all(|(n, _)| *n > 0),
        "{label}: every table has rows: {before:?}"
    );

    let dir = std::env::temp_dir().join(format!(
        "shale-data-{}-{}-{online}",
        std::process::id(),
        case.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("desired.sql");
    std::fs::write(&file, case.desired).unwrap();

    let args = ApplyArgs {
        db: db.url().to_string(),
        to: Source::Path(file),
        plan: PlanOptions {
            online,
            lock_timeout: Some("5s".into()),
            ..PlanOptions::default()
        },
        // Non-destructive: nothing above Medium may be needed.
        apply: shale_apply::ApplyOptions {
            allow: RiskLevel::Medium,
            ..Default::default()
        },
        policies: Policies::all(Level::Off),
        dry_run: false,
        phase: None,
        load: Default::default(),
    };
    let result = shale_cli::apply(&args, &mut |_, _| {});
    let _ = std::fs::remove_dir_all(&dir);
    let outcome = result.unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(
        !outcome.plan.is_empty(),
        "{label}: the plan must change something"
    );
    assert!(
        outcome.plan.steps.iter().all(|s| !s.risk.data_loss),
        "{label}: a step claims to lose data:\n{}",
        shale_plan::render::text(&outcome.plan)
    );
    let report = outcome.report.expect("applied");
    assert_eq!(report.committed.len(), outcome.plan.steps.len(), "{label}");

    let after = fingerprint(&db, &before_tables);
    assert_eq!(
        before,
        after,
        "{label}: rows or values changed\nplan:\n{}",
        shale_plan::render::text(&outcome.plan)
    );
    let ok: Option<bool> = db.client().query_one(case.after, &[]).unwrap().get(0);
    assert_eq!(
        ok,
        Some(true),
        "{label}: `{}` is not true after the apply",
        case.after
    );
}

fn case(name: &str) -> &'static Case {
    CASES.iter().find(|c| c.name == name).expect("a case")
}

macro_rules! data_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(case(stringify!($name)), true);
                run(case(stringify!($name)), false);
            }
        )*
        #[test]
        fn every_case_has_a_test() {
            let names = [$(stringify!($name)),*];
            for c in CASES {
                assert!(names.contains(&c.name), "{} has no test", c.name);
            }
        }
    };
}

data_tests!(
    add_columns_with_defaults,
    add_index,
    add_foreign_key,
    widen_varchar,
    int_to_bigint,
    add_check,
    set_not_null,
    enum_add_value,
);
