//! Plans run against a real PostgreSQL server (through `psql -v ON_ERROR_STOP=1`, exactly
//! as a user runs `shale plan --format sql`): every statement must be valid, and a
//! migrated database must dump exactly like one created fresh from the desired catalog.

use crate::fixtures::*;
use crate::{create_script, plan, render, PlanOptions};
use shale_model::Catalog;
use shale_testkit::TestDb;
use std::io::Write;
use std::process::{Command, Stdio};

pub fn try_psql(db: &TestDb, script: &str) -> Result<(), String> {
    let mut child = Command::new(shale_testkit::pg_binary("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"])
        .arg(format!("--dbname={}", db.url()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn psql(db: &TestDb, script: &str) {
    if let Err(e) = try_psql(db, script) {
        panic!("{e}\n--- script ---\n{script}");
    }
}

fn fresh(cat: &Catalog, prefix: &str) -> TestDb {
    let db = TestDb::new(prefix);
    psql(&db, &create_script(cat).unwrap());
    db
}

/// Load `from`, run the plan to `to` as a SQL script, compare with `to` loaded fresh.
fn converges(from: &Catalog, to: &Catalog, opts: &PlanOptions, prefix: &str) {
    let db = fresh(from, prefix);
    let p = plan(from, to, opts).unwrap();
    assert!(!p.is_empty());
    psql(&db, &render::sql_with_options(&p, opts));
    let want = fresh(to, prefix);
    let (got, want) = (db.pg_dump_schema(), want.pg_dump_schema());
    if got != want {
        let diff: Vec<String> = got
            .lines()
            .zip(want.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("- {b}\n+ {a}"))
            .collect();
        panic!(
            "migrated database differs from a fresh one:\n{}\n--- plan ---\n{}",
            diff.join("\n"),
            render::sql(&p)
        );
    }
}

#[test]
fn plan_from_empty_builds_what_create_script_builds() {
    let mut empty = base();
    empty.tables.clear();
    converges(&empty, &shop(), &PlanOptions::default(), "plan_empty");
}

#[test]
fn migration_converges_online() {
    let opts = PlanOptions {
        online: true,
        lock_timeout: Some("5s".into()),
        ..PlanOptions::default()
    };
    converges(&shop(), &shop2(), &opts, "plan_online");
}

#[test]
fn migration_converges_offline() {
    let opts = PlanOptions {
        online: false,
        lock_timeout: None,
        ..PlanOptions::default()
    };
    converges(&shop(), &shop2(), &opts, "plan_offline");
}

#[test]
fn migration_back_converges() {
    // shop2 without the enum values (removing labels is not supported).
    let mut from = shop2();
    from.enums = shop().enums;
    from.tables
        .get_mut(&q("orders"))
        .unwrap()
        .column_mut("status")
        .unwrap()
        .default = Some(expr("'new'::public.status"));
    converges(&from, &shop(), &PlanOptions::default(), "plan_back");
}

#[test]
fn dropping_everything_leaves_an_empty_database() {
    let db = fresh(&shop(), "plan_drop_all");
    let p = plan(&shop(), &base(), &PlanOptions::default()).unwrap();
    psql(&db, &render::sql(&p));
    let empty = TestDb::new("plan_drop_all");
    assert_eq!(db.pg_dump_schema(), empty.pg_dump_schema());
}

#[test]
fn the_dump_comparison_sees_a_difference() {
    // Guards the convergence tests against comparing nothing.
    let db = fresh(&shop(), "plan_guard");
    let p = plan(&shop(), &shop2(), &PlanOptions::default()).unwrap();
    psql(&db, &render::sql(&p));
    assert_ne!(
        db.pg_dump_schema(),
        fresh(&shop(), "plan_guard").pg_dump_schema()
    );
}

/// A type change under an index whose operator class and a check whose expression do not
/// fit the new type: both are dropped before the change and re-created after it.
#[test]
fn type_change_under_dependent_index_and_check_converges() {
    use shale_model::IndexKey;
    let before = |t: &str, chk: &str, opclass: Option<&str>| {
        let mut c = base();
        add_table(
            &mut c,
            table(q("t"), vec![col("c", t)], vec![check("t_c_check", chk)]),
        );
        add_index(
            &mut c,
            index(
                q("t_c_idx"),
                q("t"),
                vec![IndexKey {
                    opclass: opclass.map(|o| qs("pg_catalog", o)),
                    ..key("c")
                }],
            ),
        );
        c
    };
    let from = before("text", "(c <> ''::text)", Some("text_pattern_ops"));
    let to = before("integer", "(c > 0)", None);
    let p = plan(&from, &to, &PlanOptions::default()).unwrap();
    let id = |prefix: &str| {
        p.steps
            .iter()
            .find(|s| s.sql.starts_with(prefix))
            .unwrap()
            .id
    };
    let alter = p
        .steps
        .iter()
        .find(|s| s.sql.contains("TYPE integer"))
        .unwrap();
    assert!(alter.depends_on.contains(&id("DROP INDEX")));
    assert!(alter
        .depends_on
        .contains(&id("ALTER TABLE public.t DROP CONSTRAINT")));
    for opts in [
        PlanOptions::default(),
        PlanOptions {
            online: false,
            lock_timeout: None,
            ..PlanOptions::default()
        },
    ] {
        converges(&from, &to, &opts, "plan_type_deps");
    }
}

/// A sequence owned by a generated column that is re-created: released before the drop
/// (which would drop it), owned again after the add.
#[test]
fn sequence_owned_by_recreated_column_survives() {
    use shale_model::{ColumnRef, Sequence};
    let cat = |g: &str| {
        let mut c = base();
        let mut gen = col("g", "integer");
        gen.generated = Some(expr(g));
        add_table(
            &mut c,
            table(q("t"), vec![col("a", "integer"), gen], vec![]),
        );
        let mut s = Sequence::with_defaults(q("s"), "bigint", 1);
        s.owned_by = Some(ColumnRef {
            table: q("t"),
            column: "g".into(),
        });
        c.sequences.insert(q("s"), s);
        c
    };
    let (from, to) = (cat("(a * 2)"), cat("(a * 3)"));
    let p = plan(&from, &to, &PlanOptions::default()).unwrap();
    let sql: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        vec![
            "ALTER SEQUENCE public.s OWNED BY NONE",
            "ALTER TABLE public.t DROP COLUMN g",
            "ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS ((a * 3)) STORED",
            "ALTER SEQUENCE public.s OWNED BY public.t.g",
        ]
    );
    converges(&from, &to, &PlanOptions::default(), "plan_owned_recreated");
}

/// An extension whose function a default calls (not a modelled dependency) is dropped
/// after everything else.
#[test]
fn extension_is_dropped_after_the_default_that_uses_it() {
    use shale_model::Extension;
    let mut from = base();
    from.extensions.insert(
        "pgcrypto".into(),
        Extension {
            name: "pgcrypto".into(),
            schema: "public".into(),
            version: None,
        },
    );
    let mut secret = col("secret", "bytea");
    secret.default = Some(expr("public.gen_random_bytes(16)"));
    add_table(&mut from, table(q("t"), vec![secret], vec![]));
    let mut to = base();
    add_table(&mut to, table(q("t"), vec![col("secret", "bytea")], vec![]));
    let p = plan(&from, &to, &PlanOptions::default()).unwrap();
    assert_eq!(p.steps.last().unwrap().sql, "DROP EXTENSION pgcrypto");
    converges(&from, &to, &PlanOptions::default(), "plan_ext_last");
}
