//! What a plan made against a live database knows that files cannot tell: whether a
//! table holds rows (issue 8, class 7), and extension types and members as the catalog
//! reports them (PostGIS, where the server has it).

use shale_cli::source::Source;
use shale_cli::{plan_sources, Planned};
use shale_plan::{PlanOptions, RiskLevel};
use shale_testkit::TestDb;
use std::io::Write;

fn desired_file(sql: &str) -> tempfile_path::Path {
    tempfile_path::Path::new(sql)
}

/// A desired-state file removed on drop (no extra dependency).
mod tempfile_path {
    pub struct Path(pub std::path::PathBuf);
    impl Path {
        pub fn new(sql: &str) -> Path {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "shale-live-facts-{}-{}.sql",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let mut f = std::fs::File::create(&p).unwrap();
            super::Write::write_all(&mut f, sql.as_bytes()).unwrap();
            Path(p)
        }
    }
    impl Drop for Path {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn plan_live(db: &TestDb, desired: &tempfile_path::Path) -> Result<Planned, String> {
    plan_sources(
        &Source::Database(db.url().to_string()),
        &Source::Path(desired.0.clone()),
        &PlanOptions::default(),
    )
    .map_err(|e| e.to_string())
}

const TABLE: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY);";
const DESIRED: &str = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);";

#[test]
fn not_null_column_without_default_on_an_empty_table_is_medium_live_and_refused_offline() {
    let db = TestDb::new("lf_empty");
    db.execute(TABLE);
    let desired = desired_file(DESIRED);

    // Live and empty: one Medium step that says why it is allowed.
    let planned = plan_live(&db, &desired).expect("plans against the empty table");
    let [step] = planned.plan.steps.as_slice() else {
        panic!(
            "one step expected:\n{}",
            shale_plan::render::text(&planned.plan)
        );
    };
    assert_eq!(step.risk.level, RiskLevel::Medium);
    assert_eq!(step.risk.code, "SH002");
    assert!(
        step.risk.reason.contains("had no rows when planned"),
        "{}",
        step.risk.reason
    );
    assert!(
        step.sql.contains("ADD COLUMN email text NOT NULL"),
        "{}",
        step.sql
    );

    // Offline (files to files) the same change is still refused: files know no rows.
    let current = desired_file(TABLE);
    let offline = plan_sources(
        &Source::Path(current.0.clone()),
        &Source::Path(desired.0.clone()),
        &PlanOptions::default(),
    );
    let err = offline.err().expect("offline plan refuses").to_string();
    assert!(err.contains("NOT NULL without a DEFAULT"), "{err}");

    // Applied while still empty: converges.
    let opts = shale_apply::ApplyOptions {
        allow: RiskLevel::Medium,
        ..Default::default()
    };
    shale_apply::apply(&mut db.client(), &planned.plan, &opts).expect("applies");
    assert!(plan_live(&db, &desired).unwrap().plan.is_empty());
}

#[test]
fn not_null_column_on_a_table_with_rows_is_refused_live_and_rows_appearing_fail_the_step() {
    let db = TestDb::new("lf_rows");
    db.execute(TABLE);
    db.execute("INSERT INTO accounts VALUES (1)");
    let desired = desired_file(DESIRED);
    let err = plan_live(&db, &desired)
        .err()
        .expect("refused: the table has rows");
    assert!(err.contains("NOT NULL without a DEFAULT"), "{err}");

    // Planned while empty, a row inserted before apply: the step fails under its lock,
    // nothing is changed, and the report says so.
    db.execute("DELETE FROM accounts");
    let planned = plan_live(&db, &desired).expect("plans against the empty table");
    db.execute("INSERT INTO accounts VALUES (2)");
    let opts = shale_apply::ApplyOptions {
        allow: RiskLevel::Medium,
        ..Default::default()
    };
    let err = shale_apply::apply(&mut db.client(), &planned.plan, &opts)
        .expect_err("apply fails once the table has a row")
        .to_string();
    assert!(err.contains("contains null values"), "{err}");
    assert_eq!(common_columns(&db), vec!["id".to_string()]);
}

fn common_columns(db: &TestDb) -> Vec<String> {
    db.client()
        .query(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = 'accounts'::regclass \
             AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// PostGIS end to end from a database: `inspect`'s model keeps every modifier as
/// `format_type` prints it, a changed modifier plans a step, and nothing PostGIS installs
/// (its tables, views and the rules on them) is listed as not managed.
#[test]
fn postgis_modifiers_and_members_read_from_the_database() {
    if !shale_testkit::extension_available("postgis") {
        eprintln!("skipped: the server has no PostGIS (declared gate, like min_pg)");
        return;
    }
    let db = TestDb::new("lf_postgis");
    db.execute(
        "CREATE EXTENSION postgis; \
         CREATE TABLE parcels (id int PRIMARY KEY, shape geometry(Polygon,4326), \
                               at geography(Point), raw geometry);",
    );
    let cat = shale_introspect::introspect(&mut db.client()).unwrap();
    let t = &cat.tables[&shale_model::QualName::new("public", "parcels")];
    let types: Vec<String> = t.columns.iter().map(|c| c.ty.to_string()).collect();
    assert_eq!(
        types,
        [
            "integer",
            "public.geometry(Polygon,4326)",
            "public.geography(Point,4326)",
            "public.geometry"
        ]
    );
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
    assert!(!cat
        .tables
        .contains_key(&shale_model::QualName::new("public", "spatial_ref_sys")));
    assert!(!cat.views.keys().any(|v| v.name == "geometry_columns"));

    let desired = desired_file(
        "CREATE EXTENSION postgis; \
         CREATE TABLE parcels (id int PRIMARY KEY, shape geometry(Polygon,3857), \
                               at geography(Point,4326), raw geometry);",
    );
    let planned = plan_live(&db, &desired).unwrap();
    let sql: Vec<&str> = planned.plan.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            "ALTER TABLE public.parcels ALTER COLUMN shape TYPE public.geometry(Polygon,3857) \
          USING shape::public.geometry(Polygon,3857)"
        ]
    );
    // --strict-coverage has nothing to refuse on a PostGIS database.
    shale_cli::check_coverage(&planned.current, &planned.desired).unwrap();
}
