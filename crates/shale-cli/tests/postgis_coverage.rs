//! Issue 12: on a database with PostGIS, nothing PostGIS installs (its tables, views and
//! the rules on them: extension members, `pg_depend.deptype = 'e'`) is listed as not
//! managed, and `shale plan --strict-coverage` passes. Gated on PostGIS like fixture 180
//! (`requires = postgis`): the machine's server has it, so this runs here.

mod common;

use common::{shale, stderr, stdout, Scratch};
use shale_testkit::TestDb;

const SCHEMA: &str = "CREATE EXTENSION postgis;\n\
    CREATE TABLE parcels (id integer PRIMARY KEY, zone text, owner text, \
                          shape geometry(Polygon,4326));\n\
    CREATE STATISTICS parcels_zone_owner ON zone, owner FROM parcels;\n";

#[test]
fn postgis_database_has_nothing_unmanaged_and_passes_strict_coverage() {
    if !shale_testkit::extension_available("postgis") {
        eprintln!("skipped: the server has no PostGIS (declared gate, like requires = postgis)");
        return;
    }
    let db = TestDb::new("cov_postgis");
    db.execute(SCHEMA);
    // PostGIS installs rules on its views (geometry_columns): they exist, and are the
    // extension's.
    let rules: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class \
             WHERE r.rulename <> '_RETURN' AND c.relname = 'geometry_columns'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        rules > 0,
        "PostGIS should install rules on geometry_columns"
    );
    let cat = shale_introspect::introspect(&mut db.client()).unwrap();
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
    assert_eq!(
        cat.statistics.len(),
        1,
        "the user's statistics are modelled"
    );

    let s = Scratch::new(&[("want.sql", SCHEMA)]);
    let o = shale(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        &s.path("want.sql"),
        "--strict-coverage",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!out.contains("Not managed"), "{out}");
}
