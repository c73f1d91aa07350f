//! Text search objects: the model of SQL files equals the introspected model of a
//! database where the same SQL ran; extension members are skipped; owners of
//! dictionaries and configurations are read when asked.

use shale_introspect::{introspect_url, read_owners};
use shale_model::{ObjectId, QualName};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }]
}

const SQL: &str = "CREATE SCHEMA app;
CREATE TEXT SEARCH PARSER app.words (START = prsd_start, GETTOKEN = prsd_nexttoken,
    END = prsd_end, LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE plain (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY \"Plain Dict\" (TEMPLATE = plain, StopWords = english, Accept = 1);
ALTER TEXT SEARCH DICTIONARY \"Plain Dict\" (stopwords = english);
CREATE TEXT SEARCH CONFIGURATION app.docs (PARSER = app.words);
ALTER TEXT SEARCH CONFIGURATION app.docs ADD MAPPING FOR asciiword, word WITH \"Plain Dict\", simple;
CREATE TEXT SEARCH CONFIGURATION en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION en DROP MAPPING FOR email;
COMMENT ON TEXT SEARCH TEMPLATE plain IS 'plain';
COMMENT ON TEXT SEARCH CONFIGURATION app.docs IS 'docs';
CREATE TABLE docs (body text, fts tsvector GENERATED ALWAYS AS (to_tsvector('app.docs', body)) STORED);
CREATE INDEX docs_en ON docs USING gin (to_tsvector('en', body));
CREATE INDEX docs_builtin ON docs USING gin (to_tsvector('english', body));";

#[test]
fn files_and_database_agree() {
    let db = TestDb::new("ts_models");
    db.execute(SQL);
    let live = introspect_url(db.url()).unwrap();
    let parsed = parse_sources(&files(SQL)).unwrap();
    assert_eq!(live.ts_parsers, parsed.ts_parsers);
    assert_eq!(live.ts_templates, parsed.ts_templates);
    assert_eq!(live.ts_dictionaries, parsed.ts_dictionaries);
    assert_eq!(live.ts_configurations, parsed.ts_configurations);
    assert_eq!(live.indexes, parsed.indexes);
    assert_eq!(live.tables, parsed.tables);
    let d = &live.ts_dictionaries[&QualName::new("public", "Plain Dict")];
    let opts: Vec<String> = d.options.iter().map(|o| o.sql()).collect();
    assert_eq!(opts, ["accept = 1", "stopwords = 'english'"]);
    assert_eq!(
        live.ts_configurations[&QualName::new("public", "en")]
            .mappings
            .len(),
        18
    );
    // The index names the configuration: it depends on it.
    let deps = live.dependencies(&ObjectId::Index {
        name: QualName::new("public", "docs_en"),
    });
    assert!(deps.contains(&ObjectId::TextSearchConfiguration {
        name: QualName::new("public", "en")
    }));
    assert!(live.unmodeled.is_empty(), "{:?}", live.unmodeled);
}

#[test]
fn extension_members_are_skipped_and_owners_read_when_asked() {
    let db = TestDb::new("ts_owners");
    let sql = "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple);
               CREATE TEXT SEARCH CONFIGURATION c (PARSER = default);";
    db.execute(sql);
    if shale_testkit::extension_available("unaccent") {
        db.execute("CREATE EXTENSION unaccent;");
    }
    let mut live = introspect_url(db.url()).unwrap();
    // unaccent's own template and dictionary are the extension's.
    assert_eq!(live.ts_dictionaries.len(), 1);
    assert!(live.ts_templates.is_empty());
    read_owners(&mut db.client(), &mut live).unwrap();
    let user = db.current_user();
    let d = ObjectId::TextSearchDictionary {
        name: QualName::new("public", "d"),
    };
    let c = ObjectId::TextSearchConfiguration {
        name: QualName::new("public", "c"),
    };
    assert_eq!(live.owners.get(&d), Some(&user));
    assert_eq!(live.owners.get(&c), Some(&user));
    let text = format!(
        "{sql}\nALTER TEXT SEARCH DICTIONARY d OWNER TO {user};\nALTER TEXT SEARCH CONFIGURATION c OWNER TO {user};"
    );
    let mut parsed = parse_sources(&files(&text)).unwrap();
    shale_sql::read_owners(&files(&text), &mut parsed).unwrap();
    assert_eq!(parsed.owners.get(&d), Some(&user));
    assert_eq!(parsed.owners.get(&c), Some(&user));
}
