//! Text search parsers, templates, dictionaries and configurations read from files
//! (shale-sql's text_search.rs).

use shale_model::{Catalog, IndexKeyExpr, ObjectId, QualName};
use shale_sql::{parse_sources, SourceFile, SqlError};

fn parse(text: &str) -> Result<Catalog, SqlError> {
    parse_sources(&[SourceFile {
        path: "schema.sql".into(),
        text: text.into(),
    }])
}

fn q(s: &str, n: &str) -> QualName {
    QualName::new(s, n)
}

const ALL: &str = "
create text search parser prs (start = prsd_start, gettoken = prsd_nexttoken,
    end = prsd_end, lextypes = prsd_lextype, headline = prsd_headline);
create text search template tmpl (init = dsimple_init, lexize = dsimple_lexize);
create text search dictionary dict (template = tmpl, StopWords = english, Accept = false, MaxLen = 10);
create text search dictionary syn (template = pg_catalog.simple);
create text search configuration cfg (parser = prs);
alter text search configuration cfg add mapping for word, asciiword with dict, simple;
alter text search configuration cfg add mapping for int with simple;
comment on text search configuration cfg is 'docs';
comment on text search dictionary dict is 'stop words';
";

#[test]
fn the_four_kinds_with_mappings_and_comments() {
    let cat = parse(ALL).unwrap();
    let p = &cat.ts_parsers[&q("public", "prs")];
    assert_eq!(p.start, q("pg_catalog", "prsd_start"));
    assert_eq!(p.headline, Some(q("pg_catalog", "prsd_headline")));
    let t = &cat.ts_templates[&q("public", "tmpl")];
    assert_eq!(t.init, Some(q("pg_catalog", "dsimple_init")));
    let d = &cat.ts_dictionaries[&q("public", "dict")];
    assert_eq!(d.template, q("public", "tmpl"));
    let opts: Vec<String> = d.options.iter().map(|o| o.sql()).collect();
    assert_eq!(
        opts,
        ["stopwords = 'english'", "accept = 'false'", "maxlen = 10"]
    );
    assert_eq!(d.comment.as_deref(), Some("stop words"));
    assert_eq!(
        cat.ts_dictionaries[&q("public", "syn")].template,
        q("pg_catalog", "simple")
    );
    let c = &cat.ts_configurations[&q("public", "cfg")];
    assert_eq!(c.parser, q("public", "prs"));
    let tokens: Vec<&str> = c.mappings.iter().map(|m| m.token.as_str()).collect();
    assert_eq!(tokens, ["asciiword", "int", "word"]);
    assert_eq!(
        c.mapping("word").unwrap().dictionaries,
        [q("public", "dict"), q("pg_catalog", "simple")]
    );
    assert_eq!(c.comment.as_deref(), Some("docs"));
    let deps = cat.dependencies(&c.id());
    assert!(deps.contains(&p.id()) && deps.contains(&d.id()));
}

#[test]
fn dictionary_options_change_in_place_in_postgres_order() {
    let cat = parse(&format!(
        "{ALL}
alter text search dictionary dict (stopwords = 'english', accept);
alter text search dictionary dict (Note = 'a''b\\c');"
    ))
    .unwrap();
    let opts: Vec<String> = cat.ts_dictionaries[&q("public", "dict")]
        .options
        .iter()
        .map(|o| o.sql())
        .collect();
    // Named options move to the end; one without a value is removed.
    assert_eq!(
        opts,
        [
            "maxlen = 10",
            "stopwords = 'english'",
            "note = E'a''b\\\\c'"
        ]
    );
}

#[test]
fn mappings_alter_replace_and_drop() {
    let cat = parse(&format!(
        "{ALL}
alter text search configuration cfg alter mapping for int, uint with dict;
alter text search configuration cfg alter mapping replace simple with syn;
alter text search configuration cfg drop mapping for asciiword;
alter text search configuration cfg drop mapping if exists for email;"
    ))
    .unwrap();
    let c = &cat.ts_configurations[&q("public", "cfg")];
    let tokens: Vec<&str> = c.mappings.iter().map(|m| m.token.as_str()).collect();
    assert_eq!(tokens, ["int", "uint", "word"]);
    assert_eq!(
        c.mapping("word").unwrap().dictionaries,
        [q("public", "dict"), q("public", "syn")]
    );
    assert_eq!(
        c.mapping("uint").unwrap().dictionaries,
        [q("public", "dict")]
    );

    let e = parse(&format!(
        "{ALL}\nalter text search configuration cfg add mapping for int with dict;"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    let e = parse(&format!(
        "{ALL}\nalter text search configuration cfg drop mapping for email;"
    ))
    .unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    // Token types of the built-in parser are known.
    let e = parse(
        "create text search configuration c2 (parser = default);
alter text search configuration c2 add mapping for wurd with simple;",
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("token type \"wurd\" does not exist"),
        "{e}"
    );
}

#[test]
fn copy_rename_and_drop() {
    let cat = parse(&format!(
        "{ALL}
create text search configuration en (copy = pg_catalog.english);
create text search configuration cfg2 (copy = cfg);
alter text search dictionary syn rename to syn2;
alter text search configuration cfg2 rename to cfg3;
alter text search configuration cfg3 owner to postgres;
drop text search configuration cfg;"
    ))
    .unwrap();
    let en = &cat.ts_configurations[&q("public", "en")];
    assert_eq!(en.parser, q("pg_catalog", "default"));
    assert_eq!(en.mappings.len(), 19);
    assert_eq!(
        en.mapping("asciiword").unwrap().dictionaries,
        [q("pg_catalog", "english_stem")]
    );
    let c3 = &cat.ts_configurations[&q("public", "cfg3")];
    assert_eq!(c3.parser, q("public", "prs"));
    assert_eq!(c3.mappings.len(), 3);
    assert!(c3.comment.is_none());
    assert!(!cat.ts_configurations.contains_key(&q("public", "cfg")));
    assert!(cat.ts_dictionaries.contains_key(&q("public", "syn2")));

    // A dictionary a configuration uses is dropped only with CASCADE (which takes it).
    let e = parse(&format!("{ALL}\ndrop text search dictionary dict;")).unwrap_err();
    assert!(e.to_string().contains("other objects depend on it"), "{e}");
    let cat = parse(&format!("{ALL}\ndrop text search dictionary dict cascade;")).unwrap();
    assert!(cat.ts_configurations.is_empty());
    let cat = parse(&format!("{ALL}\ndrop schema public cascade;")).unwrap();
    assert!(cat.ts_parsers.is_empty() && cat.ts_dictionaries.is_empty());
}

#[test]
fn an_index_expression_names_the_files_configuration() {
    let cat = parse(&format!(
        "{ALL}
create table docs (body text, tsv tsvector generated always as (to_tsvector('cfg', body)) stored);
create index docs_body_idx on docs using gin (to_tsvector('cfg', body));
create index docs_en_idx on docs using gin (to_tsvector('english', body));
create view docs_search as select body from docs where to_tsvector('cfg', body) @@ to_tsquery('cfg', 'x');
create function search(q text) returns setof docs language sql
    begin atomic select * from docs where to_tsvector('cfg', body) @@ plainto_tsquery('cfg', q); end;"
    ))
    .unwrap();
    let ix = &cat.indexes[&q("public", "docs_body_idx")];
    let IndexKeyExpr::Expr(e) = &ix.keys[0].key else {
        panic!("an expression")
    };
    assert_eq!(e.canon, "to_tsvector('public.cfg', body)");
    let cfg = ObjectId::TextSearchConfiguration {
        name: q("public", "cfg"),
    };
    assert!(cat
        .dependencies(&ObjectId::Index {
            name: ix.name.clone()
        })
        .contains(&cfg));
    assert!(cat
        .dependencies(&ObjectId::Column {
            table: q("public", "docs"),
            column: "tsv".into()
        })
        .contains(&cfg));
    assert!(!cat
        .dependencies(&ObjectId::Index {
            name: q("public", "docs_en_idx")
        })
        .contains(&cfg));
    // A view and a SQL-standard function body naming it depend on it too.
    let v = &cat.views[&q("public", "docs_search")];
    assert!(v.query.canon.contains("'public.cfg'"), "{}", v.query.canon);
    assert!(cat
        .dependencies(&ObjectId::View {
            name: q("public", "docs_search")
        })
        .contains(&cfg));
    let f = cat
        .functions
        .values()
        .find(|f| f.name.name == "search")
        .unwrap();
    assert!(cat.dependencies(&f.id()).contains(&cfg));
}

/// The objects of `ALL` and what names them, in two files taken in either order: what
/// names a text search object waits for the statement creating it (statement ordering,
/// `ordering.rs`), however it names it.
const USERS: &str = "
create table docs (id integer primary key, body text,
    words tsvector generated always as (to_tsvector('cfg'::regconfig, body)) stored,
    empty tsvector default to_tsvector('public.cfg', ''));
create index docs_fts on docs using gin (to_tsvector('cfg', body));
create index docs_cast on docs using gin (to_tsvector(cast('cfg' as regconfig), body));
create view docs_words as select id, to_tsvector('cfg', body) as w from docs;
create function q(t text) returns tsquery language sql immutable
    return plainto_tsquery('cfg', t);
";

fn files(a: &str, b: &str) -> Result<Catalog, SqlError> {
    parse_sources(&[
        SourceFile {
            path: "a.sql".into(),
            text: a.into(),
        },
        SourceFile {
            path: "b.sql".into(),
            text: b.into(),
        },
    ])
}

#[test]
fn what_names_a_configuration_of_a_later_file_waits_for_it() {
    let in_order = files(ALL, USERS).unwrap();
    let reversed = files(USERS, ALL).unwrap();
    assert_eq!(in_order, reversed);
    let cfg = q("public", "cfg");
    let ix = &reversed.indexes[&q("public", "docs_fts")];
    let IndexKeyExpr::Expr(e) = &ix.keys[0].key else {
        panic!("an expression index")
    };
    assert!(e.refs.contains(&cfg), "{:?}", e.refs);
    assert!(reversed.views[&q("public", "docs_words")]
        .query
        .refs
        .contains(&cfg));
}

#[test]
fn text_search_statements_wait_for_the_objects_they_name() {
    // Each statement before what it needs: the mappings before the configuration and its
    // dictionary, the dictionary before its template, the configuration before its parser
    // and the one it copies, comments before their objects.
    let statements: Vec<&str> = ALL.trim().split(";\n").collect();
    let reversed: String = statements
        .iter()
        .rev()
        .map(|s| format!("{};\n", s.trim_end_matches(';')))
        .collect();
    let copy = "create text search configuration copied (copy = cfg);\n";
    let in_order = parse(&format!("{ALL}{copy}")).unwrap();
    let backwards = parse(&format!("{copy}{reversed}")).unwrap();
    assert_eq!(in_order, backwards);
    assert!(backwards
        .ts_configurations
        .contains_key(&q("public", "copied")));
}

#[test]
fn a_copy_after_its_source_copies_it_as_it_is_then() {
    let cat = parse(
        "create text search configuration cfg (parser = default);
alter text search configuration cfg add mapping for word with simple;
create text search configuration copied (copy = cfg);
alter text search configuration cfg add mapping for asciiword with simple;",
    )
    .unwrap();
    let tokens = |n: &str| -> Vec<String> {
        cat.ts_configurations[&q("public", n)]
            .mappings
            .iter()
            .map(|m| m.token.clone())
            .collect()
    };
    assert_eq!(tokens("copied"), ["word"]);
    assert_eq!(tokens("cfg"), ["asciiword", "word"]);
}
