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
    assert!(sql.indexes[&shale_model::QualName::new("public", "events_at_idx")].invalid);
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
