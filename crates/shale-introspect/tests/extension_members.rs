//! Objects an extension owns (pg_depend deptype 'e') are not user objects: introspection
//! neither models them nor lists them as "not managed by shale", for every kind shale
//! models — tables, views, functions, types, sequences, indexes, triggers, policies,
//! privileges.

use shale_introspect::introspect_url;
use shale_model::{ObjectId, QualName};
use shale_testkit::TestDb;

#[test]
fn extension_members_are_neither_modelled_nor_listed() {
    let wanted = ["postgis", "postgis_topology", "pg_trgm", "hstore", "citext"];
    for ext in wanted {
        assert!(
            shale_testkit::extension_available(ext),
            "extension {ext} is not installed on the test server (scripts/setup-postgres.sh)"
        );
    }
    let db = TestDb::new("ext_members");
    db.execute(
        "CREATE EXTENSION postgis;
         CREATE EXTENSION postgis_topology;
         CREATE EXTENSION pg_trgm;
         CREATE EXTENSION hstore;
         CREATE EXTENSION citext;
         CREATE TABLE places (id integer PRIMARY KEY, name citext, geom geometry(Point, 4326),
                              tags hstore);
         CREATE INDEX places_name_idx ON places USING gin ((name::text) gin_trgm_ops);
         CREATE FUNCTION sim(a text, b text) RETURNS real LANGUAGE sql IMMUTABLE
             AS 'SELECT similarity(a, b)';",
    );
    let cat = introspect_url(db.url()).unwrap();
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
    // postgis_topology's control file names schema `topology`: CREATE EXTENSION creates
    // it as a plain schema (no pg_depend row; it stays after DROP EXTENSION), so it is
    // the user's and files declare it. Its tables and sequences are members.
    let schemas: Vec<&String> = cat.schemas.keys().collect();
    assert_eq!(schemas, ["public", "topology"]);
    let tables: Vec<String> = cat.tables.keys().map(|q| q.to_string()).collect();
    assert_eq!(tables, ["public.places"]);
    assert!(cat.views.is_empty(), "{:?}", cat.views.keys());
    assert!(cat.sequences.is_empty(), "{:?}", cat.sequences.keys());
    assert!(cat.triggers.is_empty(), "{:?}", cat.triggers.keys());
    assert!(cat.policies.is_empty(), "{:?}", cat.policies.keys());
    assert!(cat.domains.is_empty() && cat.composites.is_empty() && cat.enums.is_empty());
    let functions: Vec<&String> = cat.functions.keys().collect();
    assert_eq!(functions.len(), 1, "{functions:?}");
    let indexes: Vec<String> = cat.indexes.keys().map(|q| q.to_string()).collect();
    assert_eq!(indexes, ["public.places_name_idx"]);
    // PostGIS grants SELECT on spatial_ref_sys to PUBLIC: a grant on a member is the
    // extension's.
    for id in cat.privileges.keys() {
        let on_member = match id {
            ObjectId::Table { name } | ObjectId::View { name } => {
                *name == QualName::new("public", "spatial_ref_sys") || name.schema == "topology"
            }
            _ => false,
        };
        assert!(!on_member, "privileges of an extension member: {id}");
    }
    assert!(cat.privileges.is_empty(), "{:?}", cat.privileges.keys());
}
