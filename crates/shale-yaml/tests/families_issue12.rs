//! YAML keys of the issue-12 families (statistics, rules, text search): a hand-written
//! document gives the model of the same SQL, and each catalog's export reads back.

use shale_model::{Catalog, QualName};
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
fn attached_partition_indexes_yaml_equal_their_sql() {
    // The example of docs/YAML.md: a partition's own index and key attached to the
    // parent's indexes, and an index made ON ONLY the parent.
    let sql = from_sql(
        "CREATE TABLE events (id bigint, at date, kind text) PARTITION BY RANGE (at);
         CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         ALTER TABLE events_2025 ADD CONSTRAINT events_2025_id_key UNIQUE (id, at);
         CREATE INDEX events_2025_by_kind ON events_2025 (kind);
         CREATE INDEX ON events (kind);
         CREATE UNIQUE INDEX ON events (id, at);
         CREATE INDEX events_at_idx ON ONLY events (at);
         CREATE INDEX events_2025_at ON events_2025 (at);
         ALTER INDEX events_at_idx ATTACH PARTITION events_2025_at;",
    );
    assert_eq!(sql.attached_indexes.len(), 3, "{:?}", sql.attached_indexes);
    assert!(sql.indexes[&QualName::new("public", "events_at_idx")].invalid);
    let yaml = parse_yaml(
        "p.yaml",
        r#"
tables:
  events:
    columns: {id: bigint, at: date, kind: text}
    partition_by: range (at)
    indexes:
      - columns: [kind]
      - {unique: true, columns: [id, at]}
      - {name: events_at_idx, columns: [at], only: true}
  events_2025:
    partition_of: {parent: events, bound: "FROM ('2025-01-01') TO ('2026-01-01')"}
    unique:
      - {name: events_2025_id_key, columns: [id, at], attach_to: events_id_at_idx}
    indexes:
      - name: events_2025_by_kind
        columns: [kind]
        attach_to: events_kind_idx
      - {name: events_2025_at, columns: [at], attach_to: public.events_at_idx}
  events_2026:
    partition_of: {parent: events, bound: "FROM ('2026-01-01') TO ('2027-01-01')"}
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml, sql);
    round_trips(&sql);
    let exported = to_yaml(&sql);
    for key in [
        "attach_to: events_kind_idx",
        "attach_to: events_id_at_idx",
        "attach_to: events_at_idx",
        "only: true",
    ] {
        assert!(exported.contains(key), "no `{key}` in:\n{exported}");
    }

    // Once every partition has one attached, the ON ONLY index is valid: a plain index.
    let valid = from_sql(
        "CREATE TABLE logs (at date, msg text) PARTITION BY RANGE (at);
         CREATE TABLE logs_1 PARTITION OF logs FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
         CREATE INDEX logs_msg_idx ON ONLY logs (msg);
         CREATE INDEX logs_1_own ON logs_1 (msg);
         ALTER INDEX logs_msg_idx ATTACH PARTITION logs_1_own;",
    );
    round_trips(&valid);
    assert!(!to_yaml(&valid).contains("only:"), "{}", to_yaml(&valid));

    // attach_to names the partition's index, which needs a name.
    let e = parse_yaml(
        "p.yaml",
        r#"
tables:
  p: {columns: {a: int}, partition_by: list (a), indexes: [{columns: [a]}]}
  p1:
    partition_of: {parent: p, bound: IN (1)}
    indexes: [{columns: [a], attach_to: p_a_idx}]
"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("needs a `name`"), "{e}");
    // Under the name PostgreSQL gives the index it makes, it is the parent's own.
    for index in [
        "{name: p1_a_idx, columns: [a], attach_to: p_a_idx}",
        "{name: p1_a_idx1, columns: [a], attach_to: p_a_idx}",
        "{name: p1_lower, keys: [{expr: a + 1}], attach_to: p_expr_idx}",
    ] {
        let doc = format!(
            "tables:\n  p: {{columns: {{a: int}}, partition_by: list (a), indexes: [{{columns: [a]}}, {{name: p_expr_idx, keys: [{{expr: a + 1}}]}}]}}\n  p1:\n    partition_of: {{parent: p, bound: IN (1)}}\n    indexes: [{index}]\n"
        );
        let e = parse_yaml("p.yaml", &doc).unwrap_err();
        assert!(e.to_string().contains("is the parent's"), "{index}: {e}");
    }
    let e = parse_yaml(
        "p.yaml",
        "tables:\n  t: {columns: {a: int}}\nviews:\n  m:\n    materialized: true\n    query: SELECT a FROM t\n    indexes: [{columns: [a], only: true}]\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("`only`"), "{e}");
}

#[test]
fn rules_yaml_equal_their_sql() {
    // The example of docs/YAML.md.
    let sql = from_sql(
        "CREATE SCHEMA app;
         CREATE TABLE app.accounts (id int, balance numeric);
         CREATE TABLE app.audit (account_id int, old_balance numeric, new_balance numeric);
         CREATE VIEW app.rich AS SELECT id, balance FROM app.accounts WHERE balance > 1000;
         CREATE RULE log_balance AS ON UPDATE TO app.accounts WHERE new.balance <> old.balance
             DO ALSO INSERT INTO app.audit VALUES (new.id, old.balance, new.balance);
         COMMENT ON RULE log_balance ON app.accounts IS 'audit trail';
         CREATE RULE no_deletes AS ON DELETE TO app.accounts DO INSTEAD NOTHING;
         ALTER TABLE app.accounts DISABLE RULE no_deletes;
         CREATE RULE rich_update AS ON UPDATE TO app.rich DO INSTEAD (
             UPDATE app.accounts SET balance = new.balance WHERE accounts.id = old.id;
             NOTIFY rich_changed);",
    );
    assert_eq!(sql.rewrite_rules.len(), 3);
    let yaml = parse_yaml(
        "r.yaml",
        r#"
schemas: [app]
tables:
  app.accounts:
    columns: {id: int, balance: numeric}
    rules:
      log_balance:
        event: update
        where: new.balance <> old.balance
        actions:
          - INSERT INTO app.audit VALUES (new.id, old.balance, new.balance)
        comment: audit trail
      no_deletes:
        event: delete
        instead: true
        enabled: disabled
  app.audit:
    columns: {account_id: int, old_balance: numeric, new_balance: numeric}
views:
  app.rich:
    query: SELECT id, balance FROM app.accounts WHERE balance > 1000
    rules:
      rich_update:
        event: update
        instead: true
        actions:
          - UPDATE app.accounts SET balance = new.balance WHERE accounts.id = old.id
          - NOTIFY rich_changed;
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml, sql);
    round_trips(&sql);
    let exported = to_yaml(&sql);
    for key in [
        "rules:",
        "event: delete",
        "enabled: disabled",
        "instead: true",
    ] {
        assert!(exported.contains(key), "no `{key}` in:\n{exported}");
    }
    // One action may be a plain string.
    let one = parse_yaml(
        "r.yaml",
        "tables:\n  t:\n    columns: {a: int}\n    rules:\n      r: {event: insert, instead: true, actions: NOTIFY t_changed}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        one,
        from_sql(
            "CREATE TABLE t (a int); CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTIFY t_changed;"
        )
    );

    for (doc, needle) in [
        ("{event: select, actions: SELECT 1}", "view's own"),
        ("{event: truncate}", "unknown event"),
        ("{event: insert, actions: \"NOTIFY a; NOTIFY b\"}", "action"),
        ("{event: insert, where: \"a > \"}", "where"),
        ("{event: insert, enabled: sometimes}", "enabled"),
    ] {
        let text = format!("tables:\n  t:\n    columns: {{a: int}}\n    rules:\n      r: {doc}\n");
        let e = parse_yaml("r.yaml", &text).unwrap_err();
        assert!(e.to_string().contains(needle), "{doc}: {e}");
        assert!(e.to_string().contains("rule r on public.t"), "{doc}: {e}");
    }
}

const OPERATORS_SQL: &str = "
CREATE SCHEMA ext;
CREATE FUNCTION abs_lt(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT abs($1) < abs($2)';
CREATE FUNCTION abs_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT abs($1) = abs($2)';
CREATE FUNCTION abs_cmp(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT sign(abs($1) - abs($2))::integer';
CREATE FUNCTION abs_lt_big(integer, bigint) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT abs($1) < abs($2)';
CREATE FUNCTION abs_hash(integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT hashint4(abs($1))';
CREATE OPERATOR #< (FUNCTION = abs_lt, LEFTARG = integer, RIGHTARG = integer,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR #= (FUNCTION = abs_eq, LEFTARG = integer, RIGHTARG = integer,
    COMMUTATOR = #=, NEGATOR = OPERATOR(ext.#<>), HASHES, MERGES);
CREATE OPERATOR #< (FUNCTION = abs_lt_big, LEFTARG = integer, RIGHTARG = bigint);
CREATE OPERATOR ext.~~~ (RIGHTARG = text, FUNCTION = reverse);
COMMENT ON OPERATOR #< (integer, integer) IS 'less in absolute value';
CREATE OPERATOR CLASS abs_ops DEFAULT FOR TYPE integer USING btree AS
    OPERATOR 1 #<, OPERATOR 3 #=, FUNCTION 1 abs_cmp(integer, integer);
ALTER OPERATOR FAMILY abs_ops USING btree ADD OPERATOR 1 #< (integer, bigint);
CREATE OPERATOR FAMILY ext.hashes USING hash;
COMMENT ON OPERATOR FAMILY ext.hashes USING hash IS 'hash family';
CREATE OPERATOR CLASS abs_hash_ops FOR TYPE integer USING hash FAMILY ext.hashes AS
    OPERATOR 1 #=, FUNCTION 1 abs_hash(integer);
COMMENT ON OPERATOR CLASS abs_hash_ops USING hash IS 'by absolute value';
CREATE TABLE readings (delta integer);
CREATE INDEX readings_abs ON readings (delta);
CREATE INDEX readings_abs_hash ON readings USING hash (delta abs_hash_ops);
";

#[test]
fn operators_yaml_equal_their_sql() {
    let sql = from_sql(OPERATORS_SQL);
    assert_eq!(sql.operators.len(), 4, "{:?}", sql.operators.keys());
    assert_eq!(sql.operator_families.len(), 2);
    assert_eq!(sql.operator_classes.len(), 2);
    // Written by hand: a class's members inline (their types the class's), the extra
    // member in the family, the hash class in a family of another name.
    let yaml = parse_yaml(
        "o.yaml",
        r##"
schemas: [ext]
functions:
  - {name: abs_lt, args: [integer, integer], returns: boolean, language: sql, volatility: immutable, strict: true, body: "SELECT abs($1) < abs($2)"}
  - {name: abs_eq, args: [integer, integer], returns: boolean, language: sql, volatility: immutable, strict: true, body: "SELECT abs($1) = abs($2)"}
  - {name: abs_cmp, args: [integer, integer], returns: integer, language: sql, volatility: immutable, strict: true, body: "SELECT sign(abs($1) - abs($2))::integer"}
  - {name: abs_lt_big, args: [integer, bigint], returns: boolean, language: sql, volatility: immutable, strict: true, body: "SELECT abs($1) < abs($2)"}
  - {name: abs_hash, args: [integer], returns: integer, language: sql, volatility: immutable, strict: true, body: "SELECT hashint4(abs($1))"}
operators:
  - name: "#<"
    left: integer
    right: integer
    function: abs_lt
    restrict: pg_catalog.scalarltsel
    join: pg_catalog.scalarltjoinsel
    comment: less in absolute value
  - {name: "#=", left: integer, right: integer, function: abs_eq, commutator: "#=", negator: "ext.#<>", hashes: true, merges: true}
  - {name: "#<", left: integer, right: bigint, function: abs_lt_big}
  - {name: "ext.~~~", right: text, function: pg_catalog.reverse}
operator_families:
  - name: abs_ops
    using: btree
    operators: [{strategy: 1, operator: "#<", types: [integer, bigint]}]
  - {name: ext.hashes, using: hash, comment: hash family}
operator_classes:
  - name: abs_ops
    using: btree
    type: integer
    default: true
    operators: [{strategy: 1, operator: "#<"}, {strategy: 3, operator: "#="}]
    functions: [{number: 1, function: abs_cmp, args: [integer, integer]}]
  - name: abs_hash_ops
    using: hash
    type: integer
    family: ext.hashes
    operators: [{strategy: 1, operator: "#="}]
    functions: [{number: 1, function: abs_hash, args: [integer]}]
    comment: by absolute value
tables:
  readings:
    columns: {delta: integer}
    indexes:
      - {name: readings_abs, columns: [delta]}
      - {name: readings_abs_hash, using: hash, keys: [{column: delta, opclass: abs_hash_ops}]}
"##,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml.operators, sql.operators);
    assert_eq!(yaml.operator_families, sql.operator_families);
    assert_eq!(yaml.operator_classes, sql.operator_classes);
    assert_eq!(yaml, sql);
    round_trips(&sql);
    let exported = to_yaml(&sql);
    for key in [
        "operators:",
        "operator_families:",
        "operator_classes:",
        "negator: \"ext.#<>\"",
        "family: ext.hashes",
        "{strategy: 1, operator: \"#<\", types: [integer, bigint]}",
    ] {
        assert!(exported.contains(key), "no `{key}` in:\n{exported}");
    }

    for (doc, needle) in [
        (
            "operators: [{name: \"#<; DROP\", right: int, function: f}]",
            "not an operator name",
        ),
        (
            "operators: [{name: \"#<\", right: int, function: f, commutator: \"x\"}]",
            "commutator",
        ),
        (
            "operator_families: [{name: f, using: btree, operators: [{strategy: 1, operator: \"<\"}]}]",
            "`types`",
        ),
        (
            "operator_classes: [{name: c, using: btree, type: \"int) x\"}]",
            "operator class public.c using btree",
        ),
    ] {
        let e = parse_yaml("o.yaml", doc).unwrap_err();
        assert!(e.to_string().contains(needle), "{doc}: {e}");
    }
}

#[test]
fn inherited_columns_and_keys_on_them_equal_their_sql() {
    // Fixture 226's schema written by hand: a partition's and a child's own NOT NULL and
    // default on columns they get from a parent, and a child's key on an inherited column.
    let sql = from_sql(
        "CREATE TABLE items (id integer NOT NULL, kind text, qty integer DEFAULT 0, note text) PARTITION BY LIST (kind);
         CREATE TABLE items_a PARTITION OF items (qty DEFAULT 5, note NOT NULL) FOR VALUES IN ('a');
         CREATE TABLE people (id integer, name text, tier integer DEFAULT 1);
         CREATE TABLE staff (badge text) INHERITS (people);
         ALTER TABLE staff ALTER COLUMN name SET NOT NULL, ALTER COLUMN tier SET DEFAULT 2;
         CREATE TABLE guests (PRIMARY KEY (id)) INHERITS (people);
         CREATE TABLE visits (guest integer REFERENCES guests (id));",
    );
    let yaml = parse_yaml(
        "i.yaml",
        r#"
tables:
  items:
    columns: {id: {type: integer, not_null: true}, kind: text, qty: {type: integer, default: 0}, note: text}
    partition_by: list (kind)
  items_a:
    partition_of: {parent: items, bound: "IN ('a')"}
    inherited_columns:
      qty: {default: 5}
      note: {not_null: true}
  people:
    columns: {id: integer, name: text, tier: {type: integer, default: 1}}
  staff:
    columns: {badge: text}
    inherits: [people]
    inherited_columns: {name: {not_null: true}, tier: {default: 2}}
  guests:
    columns: {}
    inherits: [people]
    primary_key: [id]
  visits:
    columns: {guest: {type: integer, references: guests(id)}}
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml, sql);
    round_trips(&sql);
    let exported = to_yaml(&sql);
    assert!(exported.contains("inherited_columns:"), "{exported}");
    assert!(exported.contains("primary_key: [id]"), "{exported}");

    // Only a column the table gets from a parent.
    for doc in [
        "tables:\n  p: {columns: {a: int}}\n  c:\n    columns: {b: int}\n    inherits: [p]\n    inherited_columns: {b: {not_null: true}}\n",
        "tables:\n  p: {columns: {a: int}}\n  c:\n    columns: {b: int}\n    inherits: [p]\n    inherited_columns: {z: {not_null: true}}\n",
    ] {
        let e = parse_yaml("i.yaml", doc).unwrap_err();
        assert!(e.to_string().contains("not a column the table gets from a parent"), "{e}");
    }
}

#[test]
fn foreign_key_onto_a_unique_index_and_row_type_domains_read_like_sql() {
    // A foreign key onto columns only a unique index covers (made after the indexes),
    // a domain over a table's row type, and information_schema's domains.
    let sql = from_sql(
        "CREATE TABLE codes (code text, version integer);
         CREATE UNIQUE INDEX codes_code_version ON codes (code, version);
         CREATE TABLE uses_codes (code text, version integer,
             FOREIGN KEY (code, version) REFERENCES codes (code, version));
         CREATE TABLE pairs (x integer, y text);
         CREATE DOMAIN positive_pair AS pairs CHECK ((VALUE).x > 0);
         CREATE TABLE tagged (p positive_pair, at information_schema.time_stamp);",
    );
    let yaml = parse_yaml(
        "f.yaml",
        r#"
tables:
  codes:
    columns: {code: text, version: integer}
    indexes: [{name: codes_code_version, unique: true, columns: [code, version]}]
  uses_codes:
    columns: {code: text, version: integer}
    foreign_keys: [{columns: [code, version], references: "codes(code, version)"}]
  pairs: {columns: {x: integer, y: text}}
  tagged: {columns: {p: positive_pair, at: information_schema.time_stamp}}
domains:
  positive_pair: {type: pairs, checks: ["(VALUE).x > 0"]}
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(yaml, sql);
    round_trips(&sql);
    let ddl = shale_yaml::render_sql(&[("f.yaml".into(), to_yaml(&sql))]).unwrap();
    let at = |s: &str| ddl.find(s).unwrap_or_else(|| panic!("no `{s}` in:\n{ddl}"));
    assert!(
        at("CREATE UNIQUE INDEX codes_code_version") < at("ADD FOREIGN KEY"),
        "{ddl}"
    );
    assert!(
        at("CREATE TABLE public.pairs") < at("CREATE DOMAIN"),
        "{ddl}"
    );
    assert!(
        at("CREATE DOMAIN") < at("CREATE TABLE public.tagged"),
        "{ddl}"
    );
}

/// The examples of docs/YAML.md for these keys read as written.
#[test]
fn docs_examples_read() {
    let p = format!("{}/../../docs/YAML.md", env!("CARGO_MANIFEST_DIR"));
    let md = std::fs::read_to_string(&p).unwrap();
    let block = |needle: &str| {
        let i = md
            .find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in {p}"));
        let start = md[..i].rfind("```yaml\n").unwrap() + "```yaml\n".len();
        let len = md[start..].find("```").unwrap();
        md[start..start + len].to_string()
    };
    let read = |needle: &str| {
        parse_yaml("YAML.md", &block(needle)).unwrap_or_else(|e| panic!("{needle}: {e}"))
    };
    let ops = read("operators:\n  - name: \"#<\"");
    assert_eq!(
        (
            ops.operators.len(),
            ops.operator_families.len(),
            ops.operator_classes.len()
        ),
        (2, 1, 1)
    );
    assert_eq!(
        read("    rules:\n      log_balance:").rewrite_rules.len(),
        3
    );
    assert_eq!(
        read("      - {unique: true, columns: [id, at]}")
            .attached_indexes
            .len(),
        3
    );
    let inherited = read("    inherited_columns:");
    let events = QualName::new("public", "events_2025");
    assert!(inherited.table_options[&events].columns["id"].not_null);
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
