//! `renamed_from:` and `backfill:` mean what the SQL directives mean.

use shale_model::{Directives, ObjectId, QualName};
use shale_sql::{parse_sources_with_directives, SourceFile};
use shale_yaml::{parse_yaml, parse_yaml_files_with_directives, render_sql, YamlError};

fn yaml(text: &str) -> Directives {
    match parse_yaml_files_with_directives(&[("schema.yaml".to_string(), text.to_string())]) {
        Ok((_, d)) => d,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn sql(text: &str) -> Directives {
    let f = SourceFile {
        path: "schema.sql".into(),
        text: text.into(),
    };
    match parse_sources_with_directives(&[f]) {
        Ok((_, d)) => d,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn err(text: &str) -> YamlError {
    match parse_yaml_files_with_directives(&[("schema.yaml".to_string(), text.to_string())]) {
        Ok((_, d)) => panic!("expected an error, got {d:?}"),
        Err(e) => e,
    }
}

const YAML: &str = r#"
schemas: [legacy]
enums:
  feeling: {values: [sad, ok], renamed_from: mood}
sequences:
  order_no: {start: 100, renamed_from: legacy.invoice_no}
tables:
  customers:
    renamed_from: legacy.clients
    columns:
      id: {type: int, primary_key: true}
      email: {type: text, not_null: true, renamed_from: mail}
      email_lower: {type: text, not_null: true, backfill: lower(email)}
      Nick: {type: text, renamed_from: Nickname}
    unique:
      - {columns: [email], renamed_from: clients_mail_key}
    checks:
      - {expr: "email <> ''", renamed_from: clients_email_check}
      - {name: later_check, expr: "id > 0", not_valid: true, renamed_from: old_later}
    indexes:
      - {columns: [email_lower], renamed_from: clients_lower_idx}
  orders:
    columns:
      id: int
      customer_id: {type: int, references: {table: customers, renamed_from: orders_client_fk}}
      total: {type: int, backfill: "0"}
    primary_key: {columns: [id], renamed_from: orders_pk}
    foreign_keys:
      - {columns: [id], references: customers(id), not_valid: true, renamed_from: fk_old}
"#;

const SQL: &str = r#"
create schema legacy;
-- shale:renamed-from mood
create type feeling as enum ('sad', 'ok');
create sequence order_no start 100; -- shale:renamed-from legacy.invoice_no
-- shale:renamed-from legacy.clients
create table customers (
  id int primary key,
  email text not null, -- shale:renamed-from mail
  -- shale:backfill lower(email)
  email_lower text not null,
  "Nick" text, -- shale:renamed-from "Nickname"
  unique (email), -- shale:renamed-from clients_mail_key
  check (email <> '') -- shale:renamed-from clients_email_check
);
alter table customers add constraint later_check check (id > 0) not valid; -- shale:renamed-from old_later
create index on customers (email_lower); -- shale:renamed-from clients_lower_idx
create table orders (
  id int,
  customer_id int,
  total int, -- shale:backfill 0
  primary key (id), -- shale:renamed-from orders_pk
  foreign key (customer_id) references customers (id) -- shale:renamed-from orders_client_fk
);
alter table orders add foreign key (id) references customers (id) not valid; -- shale:renamed-from fk_old
"#;

#[test]
fn every_key_matches_its_sql_directive() {
    let y = yaml(YAML);
    let s = sql(SQL);
    assert_eq!(y, s);
    assert_eq!(y.renames.len(), 12, "{y:#?}");
    assert_eq!(y.backfills.len(), 2, "{y:#?}");
    // spot checks: names are literal in YAML, schema defaults as for objects
    let clients = QualName::new("legacy", "clients");
    assert!(y.renames.iter().any(|r| r.from
        == ObjectId::Column {
            table: clients.clone(),
            column: "Nickname".into()
        }));
    assert!(y.renames.iter().any(|r| r.object
        == ObjectId::Constraint {
            table: QualName::new("public", "customers"),
            name: "customers_email_key".into()
        }
        && r.from
            == ObjectId::Constraint {
                table: clients.clone(),
                name: "clients_mail_key".into()
            }));
    assert!(y.renames.iter().any(|r| r.from
        == ObjectId::Index {
            name: QualName::new("legacy", "clients_lower_idx")
        }));
    assert!(y.renames.iter().any(|r| r.from
        == ObjectId::Type {
            name: QualName::new("public", "mood")
        }));
}

#[test]
fn the_catalog_is_the_same_with_or_without_hints() {
    let plain =
        "tables:\n  t:\n    columns:\n      id: int\n      a: {type: text, not_null: true}\n";
    let hinted = "tables:\n  t:\n    renamed_from: u\n    columns:\n      id: int\n      a: {type: text, not_null: true, renamed_from: b, backfill: \"'x'\"}\n";
    assert_eq!(
        parse_yaml("a.yaml", plain).unwrap(),
        parse_yaml("b.yaml", hinted).unwrap()
    );
    let ddl = render_sql(&[("b.yaml".into(), hinted.into())]).unwrap();
    assert!(
        ddl.contains("-- shale:renamed-from u\nCREATE TABLE public.t ("),
        "{ddl}"
    );
    assert!(
        ddl.contains("    -- shale:renamed-from b\n    -- shale:backfill 'x'\n    a text NOT NULL"),
        "{ddl}"
    );
}

#[test]
fn misspelt_keys_are_unknown_fields() {
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, renamed-from: b}\n");
    assert_eq!((e.line, e.column), (Some(4), Some(22)), "{e}");
    assert!(e.message.contains("unknown field `renamed-from`"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, backfil: '0'}\n");
    assert!(e.message.contains("unknown field `backfil`"), "{e}");
}

#[test]
fn bad_backfills() {
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, backfill: \"1 +\"}\n");
    assert_eq!(e.object.as_deref(), Some("table public.t, column a"), "{e}");
    assert!(
        e.message.contains("backfill: invalid expression `1 +`"),
        "{e}"
    );
    let e = err("tables:\n  t:\n    columns:\n      a:\n        type: int\n        backfill: |\n          1 +\n          2\n");
    assert!(e.message.contains("must be one line"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, backfill: \" \"}\n");
    assert!(e.message.contains("`backfill` is empty"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, backfill: \"0 -- zero\"}\n");
    assert!(e.message.contains("backfill: invalid expression"), "{e}");
    let e = err(
        "tables:\n  t:\n    columns:\n      a: {type: int, identity: always, backfill: \"0\"}\n",
    );
    assert_eq!(e.object.as_deref(), Some("table public.t, column a"), "{e}");
    assert!(e.message.contains("identity column"), "{e}");
    // a folded string is one line
    let d = yaml("tables:\n  t:\n    columns:\n      a:\n        type: int\n        backfill: >\n          1 +\n          2\n");
    assert_eq!(d.backfills[0].expr, "1 + 2");
}

#[test]
fn bad_renames_name_the_object() {
    let e = err("tables:\n  t:\n    renamed_from: t\n    columns: {id: int}\n");
    assert_eq!(e.object.as_deref(), Some("table public.t"), "{e}");
    assert!(e.message.contains("names table public.t itself"), "{e}");
    let e = err("tables:\n  t:\n    renamed_from: u\n    columns: {id: int}\n  u:\n    columns: {id: int}\n");
    assert!(e.message.contains("table public.u is also defined"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, renamed_from: \"\"}\n");
    assert_eq!(e.object.as_deref(), Some("table public.t, column a"), "{e}");
    assert!(e.message.contains("empty renamed_from name"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, renamed_from: x}\n      b: {type: int, renamed_from: x}\n");
    assert_eq!(e.object.as_deref(), Some("table public.t, column b"), "{e}");
    assert!(e.message.contains("both renamed from"), "{e}");
    // a column's old name is literal: a dot is part of it
    let d = yaml("tables:\n  t:\n    columns:\n      a: {type: int, renamed_from: x.y}\n");
    assert_eq!(
        d.renames[0].from,
        ObjectId::Column {
            table: QualName::new("public", "t"),
            column: "x.y".into()
        }
    );
}

/// The first ```yaml block after `heading` in a doc of the repository.
fn doc_block(doc: &str, heading: &str, lang: &str) -> String {
    let path = format!("{}/../../docs/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find(heading).expect("heading in the doc");
    let fence = format!("```{lang}\n");
    let start = text[at..].find(&fence).expect("a code block") + at + fence.len();
    let end = text[start..].find("```").unwrap() + start;
    text[start..end].to_string()
}

#[test]
fn the_documented_examples_read() {
    let y = doc_block("YAML.md", "### Renames and backfills", "yaml");
    let d = yaml(&format!("schemas: [legacy]\n{y}"));
    assert_eq!(d.renames.len(), 10, "{d:#?}");
    assert_eq!(d.backfills.len(), 1);
    let s = doc_block(
        "DIRECTIVES.md",
        "## `-- shale:renamed-from old_name`",
        "sql",
    );
    let d = sql(&format!("create schema legacy;\n{s}"));
    assert_eq!(d.renames.len(), 6, "{d:#?}");
    let s = doc_block("DIRECTIVES.md", "## `-- shale:backfill", "sql");
    let d = sql(&s);
    assert_eq!(d.backfills.len(), 2, "{d:#?}");
}
