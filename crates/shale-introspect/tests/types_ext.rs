//! Domains, composite and range types: the model of SQL files equals the introspected
//! model of a database where the same SQL ran (no phantom diff), and the canonical
//! details (implicit check names, NOT VALID, default collations and opclasses) agree.

use shale_introspect::introspect_url;
use shale_model::{Catalog, QualName, TypeRef};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }]
}

fn round_trip(name: &str, sql: &str) -> Catalog {
    let parsed = parse_sources(&files(sql)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let db = TestDb::new(name);
    db.try_execute(sql)
        .unwrap_or_else(|e| panic!("{name}: the SQL does not load: {e}"));
    let live = introspect_url(db.url()).unwrap_or_else(|e| panic!("{name}: {e}"));
    if parsed != live {
        let a = serde_json::to_string_pretty(&parsed).unwrap();
        let b = serde_json::to_string_pretty(&live).unwrap();
        let diff = similar::TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(3)
            .header("files", "database")
            .to_string();
        panic!("{name}: phantom diff\n{diff}");
    }
    // pg_dump's spelling of the same schema reads to the same model too.
    let dump = db.pg_dump_schema();
    let dumped = parse_sources(&files(&dump)).unwrap_or_else(|e| panic!("{name}: pg_dump: {e}"));
    if dumped != live {
        let a = serde_json::to_string_pretty(&dumped).unwrap();
        let b = serde_json::to_string_pretty(&live).unwrap();
        let diff = similar::TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(3)
            .header("pg_dump", "database")
            .to_string();
        panic!("{name}: phantom diff from pg_dump\n{diff}");
    }
    live
}

fn q(n: &str) -> QualName {
    QualName::new("public", n)
}

#[test]
fn domains_meet() {
    let cat = round_trip(
        "dom",
        "
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN email AS text COLLATE \"C\" NOT NULL
  CONSTRAINT email_at CHECK (value LIKE '%@%') CHECK (length(VALUE) < 200);
CREATE DOMAIN price AS numeric(10,2) DEFAULT 0 CHECK (VALUE >= 0);
CREATE DOMAIN code AS varchar(8) DEFAULT 'none';
CREATE DOMAIN tags AS text[];
CREATE DOMAIN small_pos AS posint CHECK (VALUE < 100);
ALTER DOMAIN code ADD CONSTRAINT code_upper CHECK (VALUE = upper(VALUE)) NOT VALID;
COMMENT ON DOMAIN price IS 'money';
CREATE TABLE item (id int PRIMARY KEY, p price CHECK (p < 1000), e email, c code, t tags, s small_pos[],
  q posint DEFAULT 5 CHECK (q <> 7));
CREATE INDEX item_cheap ON item (id) WHERE p < 10;
CREATE FUNCTION half(x posint) RETURNS price LANGUAGE sql IMMUTABLE AS $$ SELECT (x / 2)::price $$;
CREATE VIEW cheap AS SELECT id, p, e FROM item WHERE p < 10::price AND q > 1;
",
    );
    // Functions and views over the types read the same on both sides too.
    assert_eq!(cat.functions.len(), 1);
    assert!(cat.views.contains_key(&q("cheap")));
    let email = &cat.domains[&q("email")];
    assert!(email.not_null);
    assert_eq!(
        email.checks.keys().collect::<Vec<_>>(),
        vec!["email_at", "email_check"]
    );
    assert_eq!(email.collation, Some(QualName::new("pg_catalog", "C")));
    assert_eq!(
        cat.domains[&q("price")].base,
        TypeRef::builtin("numeric(10,2)")
    );
    assert!(!cat.domains[&q("code")].checks["code_upper"].validated);
    assert_eq!(
        cat.domains[&q("small_pos")].base,
        TypeRef::user(q("posint"))
    );
    assert!(cat.domains[&q("tags")].base.array);
    assert_eq!(
        cat.tables[&q("item")].column("p").unwrap().ty,
        TypeRef::user(q("price"))
    );
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
}

#[test]
fn composite_and_range_types_meet() {
    if !shale_testkit::server_at_least(14, "multirange_type_name") {
        return;
    }
    let cat = round_trip(
        "comp",
        "
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TYPE addr AS (street text, zip varchar(10), n int, label text COLLATE \"C\", m mood);
CREATE TYPE empty_t AS ();
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE intrng AS RANGE (subtype = int4, subtype_opclass = int4_ops);
CREATE TYPE textrng AS RANGE (subtype = text, collation = \"C\");
CREATE TYPE tr2 AS RANGE (subtype = text, subtype_opclass = text_pattern_ops,
  multirange_type_name = tr2_multi);
COMMENT ON TYPE addr IS 'postal';
COMMENT ON TYPE floatrange IS 'floats';
CREATE TABLE place (id int, a addr, hist addr[], r floatrange);
",
    );
    let addr = &cat.composites[&q("addr")];
    assert_eq!(addr.attributes.len(), 5);
    assert_eq!(
        addr.attributes[1].ty,
        TypeRef::builtin("character varying(10)")
    );
    assert_eq!(addr.comment.as_deref(), Some("postal"));
    assert!(cat.composites[&q("empty_t")].attributes.is_empty());
    let fr = &cat.ranges[&q("floatrange")];
    assert_eq!(
        fr.subtype_diff,
        Some(QualName::new("pg_catalog", "float8mi"))
    );
    assert_eq!(fr.multirange, None);
    let tr2 = &cat.ranges[&q("tr2")];
    assert_eq!(tr2.multirange.as_deref(), Some("tr2_multi"));
    assert_eq!(
        tr2.subtype_opclass,
        Some(QualName::new("pg_catalog", "text_pattern_ops"))
    );
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
}
