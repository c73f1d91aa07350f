//! Snapshots of the model for representative inputs.

use shale_model::Catalog;
use shale_sql::{parse_sources, SourceFile};

fn input(name: &str) -> SourceFile {
    let path = format!("{}/tests/inputs/{name}", env!("CARGO_MANIFEST_DIR"));
    SourceFile {
        text: std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
        path: name.to_string(),
    }
}

fn parse(files: &[SourceFile]) -> Catalog {
    parse_sources(files).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn app_schema() {
    insta::assert_yaml_snapshot!(parse(&[input("app.sql")]));
}

#[test]
fn pg_dump_reads_as_the_hand_written_schema() {
    let dump = parse(&[input("pg_dump.sql")]);
    let hand = parse(&[input("app.sql")]);
    assert_eq!(dump, hand);
    insta::assert_yaml_snapshot!(dump);
}

#[test]
fn pg_dump_with_owners_and_psql_meta_commands() {
    // as pg_dump writes it by default: \restrict, OWNER TO (also ALTER TABLE for sequences)
    assert_eq!(
        parse(&[input("pg_dump_owners.sql")]),
        parse(&[input("app.sql")])
    );
}

#[test]
fn several_files_in_order() {
    let files = [
        SourceFile {
            path: "01_types.sql".into(),
            text: "create schema billing;\ncreate type billing.currency as enum ('eur', 'usd');".into(),
        },
        SourceFile {
            path: "02_tables.sql".into(),
            // search_path starts afresh in each file
            text: "set search_path = billing;\n\
                   create table invoice (id bigserial primary key, cur currency not null default 'eur',\n\
                     amount numeric(12,2) not null check (amount >= 0), paid_at timestamp(0));\n\
                   create index on invoice (cur) include (amount) where paid_at is null;"
                .into(),
        },
        SourceFile {
            path: "03_more.sql".into(),
            text: "create table customer (id int primary key, name text collate \"C\" not null);\n\
                   alter table billing.invoice add column customer_id int references customer;\n\
                   comment on constraint invoice_customer_id_fkey on billing.invoice is 'who pays';"
                .into(),
        },
    ];
    insta::assert_yaml_snapshot!(parse(&files));
}
