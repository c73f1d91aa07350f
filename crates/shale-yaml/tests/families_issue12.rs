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

#[test]
fn text_search_yaml_equals_its_sql() {
    let sql = from_sql(
        "CREATE SCHEMA app;
         CREATE TEXT SEARCH PARSER app.words (START = prsd_start, GETTOKEN = prsd_nexttoken,
             END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
         CREATE TEXT SEARCH TEMPLATE plain (INIT = dsimple_init, LEXIZE = dsimple_lexize);
         CREATE TEXT SEARCH DICTIONARY english_plain (TEMPLATE = plain, StopWords = english, MaxLen = 10, Note = 'it''s');
         CREATE TEXT SEARCH DICTIONARY \"Snow\" (TEMPLATE = snowball, Language = english);
         CREATE TEXT SEARCH CONFIGURATION docs_cfg (PARSER = app.words);
         ALTER TEXT SEARCH CONFIGURATION docs_cfg ADD MAPPING FOR asciiword, word WITH english_plain, \"Snow\";
         ALTER TEXT SEARCH CONFIGURATION docs_cfg ADD MAPPING FOR int WITH simple;
         CREATE TEXT SEARCH CONFIGURATION app.en (COPY = english);
         ALTER TEXT SEARCH CONFIGURATION app.en ALTER MAPPING FOR word WITH english_plain;
         COMMENT ON TEXT SEARCH PARSER app.words IS 'words';
         COMMENT ON TEXT SEARCH DICTIONARY english_plain IS 'stop: words';
         COMMENT ON TEXT SEARCH CONFIGURATION docs_cfg IS 'docs';
         CREATE TABLE docs (body text, fts tsvector GENERATED ALWAYS AS (to_tsvector('docs_cfg', body)) STORED);
         CREATE INDEX docs_fts ON docs USING gin (to_tsvector('app.en', body));",
    );
    assert_eq!(sql.ts_configurations.len(), 2);
    let yaml = parse_yaml(
        "ts.yaml",
        r#"
schemas: [app]
text_search_parsers:
  app.words:
    start: prsd_start
    gettoken: prsd_nexttoken
    end: prsd_end
    lextypes: prsd_lextype
    headline: pg_catalog.prsd_headline
    comment: words
text_search_templates:
  plain: {init: dsimple_init, lexize: dsimple_lexize}
text_search_dictionaries:
  english_plain:
    template: plain
    options: {stopwords: english, maxlen: 10, note: "it's"}
    comment: "stop: words"
  Snow:
    template: snowball
    options: {language: english}
text_search_configurations:
  docs_cfg:
    parser: app.words
    mappings:
      asciiword: [english_plain, Snow]
      word: [english_plain, Snow]
      int: simple
    comment: docs
  en:
    schema: app
    copy: english
    mappings:
      word: english_plain
tables:
  docs:
    columns:
      body: text
      fts: {type: tsvector, generated: "to_tsvector('docs_cfg', body)"}
    indexes:
      - {name: docs_fts, using: gin, keys: [{expr: "to_tsvector('app.en', body)"}]}
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml.ts_parsers, sql.ts_parsers);
    assert_eq!(yaml.ts_templates, sql.ts_templates);
    assert_eq!(yaml.ts_dictionaries, sql.ts_dictionaries);
    assert_eq!(yaml.ts_configurations, sql.ts_configurations);
    assert_eq!(yaml, sql);
    round_trips(&sql);
    // Owners of dictionaries and configurations (`--include owners`) are `owner:` keys.
    let mut owned = sql.clone();
    for id in [
        shale_model::ObjectId::TextSearchDictionary {
            name: shale_model::QualName::new("public", "english_plain"),
        },
        shale_model::ObjectId::TextSearchConfiguration {
            name: shale_model::QualName::new("app", "en"),
        },
    ] {
        owned.owners.insert(id, "app_owner".into());
    }
    let text = to_yaml(&owned);
    assert_eq!(text.matches("owner: app_owner").count(), 2, "{text}");
    let files = [("owned.yaml".to_string(), text)];
    let mut back = shale_yaml::parse_yaml_files(&files).unwrap_or_else(|e| panic!("{e}"));
    shale_yaml::read_owners(&files, &mut back).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.owners, owned.owners);
    let e = parse_yaml(
        "ts.yaml",
        "text_search_configurations:\n  c:\n    parser: default\n    copy: english\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("`parser:` or `copy:`"), "{e}");
    let e = parse_yaml(
        "ts.yaml",
        "text_search_dictionaries:\n  d:\n    template: simple\n    stopwords: english\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("stopwords"), "{e}");
}
