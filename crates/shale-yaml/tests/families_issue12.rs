//! YAML keys of the issue-12 families (statistics, rules, text search): a hand-written
//! document gives the model of the same SQL, and each catalog's export reads back.

use shale_model::Catalog;
use shale_sql::{parse_sources, SourceFile};
use shale_yaml::{parse_yaml, to_yaml};

fn from_sql(sql: &str) -> Catalog {
    parse_sources(&[SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn round_trips(cat: &Catalog) {
    let yaml = to_yaml(cat);
    let back = parse_yaml("exported.yaml", &yaml)
        .unwrap_or_else(|e| panic!("exported YAML does not read back: {e}\n{yaml}"));
    assert_eq!(&back, cat, "{yaml}");
}

#[test]
fn statistics_yaml_equals_its_sql() {
    let sql = from_sql(
        "CREATE SCHEMA app;
         CREATE TABLE app.cities (id integer, country text, region text, name text);
         CREATE STATISTICS app.geo ON region, country FROM app.cities;
         CREATE STATISTICS app.\"Deps\" (dependencies, mcv) ON country, lower(name) FROM app.cities;
         CREATE STATISTICS app.one ON (upper(name)) FROM app.cities;
         ALTER STATISTICS app.\"Deps\" SET STATISTICS 300;
         COMMENT ON STATISTICS app.geo IS 'country: region';",
    );
    assert_eq!(sql.statistics.len(), 3);
    let yaml = parse_yaml(
        "s.yaml",
        r#"
schemas: [app]
tables:
  app.cities:
    columns: {id: integer, country: text, region: text, name: text}
statistics:
  app.geo:
    table: app.cities
    columns: [region, country]
    comment: "country: region"
  Deps:
    schema: app
    table: app.cities
    kinds: [dependencies, mcv]
    columns: [country]
    expressions: ["lower(name)"]
    target: 300
  app.one:
    table: app.cities
    expressions: ["upper(name)"]
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml.statistics, sql.statistics);
    round_trips(&sql);
    let e = parse_yaml(
        "s.yaml",
        "tables:\n  t:\n    columns: {a: integer}\nstatistics:\n  s:\n    table: t\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("columns"), "{e}");
}
