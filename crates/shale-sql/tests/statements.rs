//! Files as real projects write them: statements that are not schema are skipped and
//! listed, `COPY` data is read past, and the order of statements and files does not matter.

use shale_sql::{parse_sources, SourceFile, SqlError};

fn files(fs: &[(&str, &str)]) -> Vec<SourceFile> {
    fs.iter()
        .map(|(p, t)| SourceFile {
            path: p.to_string(),
            text: t.to_string(),
        })
        .collect()
}

fn parse(fs: &[(&str, &str)]) -> shale_model::Catalog {
    parse_sources(&files(fs)).unwrap_or_else(|e| panic!("{e}"))
}

fn parse_err(fs: &[(&str, &str)]) -> SqlError {
    match parse_sources(&files(fs)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

const DUMP: &str = "\\restrict abc123
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
DO $$
BEGIN
    CREATE ROLE app_reader NOLOGIN PASSWORD 'hunter2';
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$;
CREATE TABLE public.schema_migrations (version character varying NOT NULL);
CREATE TABLE public.users (id bigint NOT NULL, email text);
CREATE SEQUENCE public.users_id_seq;
COPY public.users (id, email) FROM stdin;
1\t\\N
\\N\tx;y
\\.
SELECT pg_catalog.setval('public.users_id_seq', 2, true);
  INSERT INTO \"schema_migrations\" (version) VALUES ('1'), ('2');
CREATE ROLE app_writer LOGIN PASSWORD 'sekrit';
ALTER ROLE app_writer PASSWORD 'sekrit2';
ALTER ROLE app_writer SET statement_timeout = '5s';
GRANT app_reader TO app_writer;
CALL public.refresh();
UPDATE public.users SET email = 'a';
DELETE FROM public.users;
TRUNCATE public.users;
VACUUM ANALYZE public.users;
SELECT 1;
\\unrestrict abc123
";

#[test]
fn data_procedural_and_role_statements_are_skipped_and_listed() {
    let cat = parse(&[("dump.sql", DUMP)]);
    assert_eq!(cat.tables.len(), 2);
    let listed: Vec<String> = cat
        .ignored_statements
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        listed,
        vec![
            "dump.sql:4:1: DO block",
            "dump.sql:13:1: COPY public.users FROM stdin (2 rows)",
            "dump.sql:17:1: SELECT pg_catalog.setval('public.users_id_seq')",
            "dump.sql:18:3: INSERT INTO public.schema_migrations",
            "dump.sql:19:1: CREATE ROLE app_writer",
            "dump.sql:20:1: ALTER ROLE app_writer",
            "dump.sql:21:1: ALTER ROLE app_writer SET statement_timeout",
            "dump.sql:22:1: GRANT app_reader TO app_writer",
            "dump.sql:23:1: CALL public.refresh",
            "dump.sql:24:1: UPDATE public.users",
            "dump.sql:25:1: DELETE FROM public.users",
            "dump.sql:26:1: TRUNCATE public.users",
            "dump.sql:27:1: VACUUM",
            "dump.sql:28:1: SELECT",
        ]
    );
    // No literal of a statement is kept: passwords never reach the output.
    let json = serde_json::to_string(&cat).unwrap();
    assert!(
        !json.contains("hunter2") && !json.contains("sekrit"),
        "{json}"
    );
    let first = &cat.ignored_statements[0];
    assert_eq!(
        (first.file.as_str(), first.line, first.column),
        ("dump.sql", 4, 1)
    );
}

#[test]
fn copy_data_without_its_end_is_an_error_at_the_copy() {
    let e = parse_err(&[(
        "d.sql",
        "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n",
    )]);
    assert_eq!((e.file.as_str(), e.line, e.column), ("d.sql", 2, 1), "{e}");
    assert!(e.message.contains("no end"), "{e}");
    // A syntax error after a data block still points at its own line.
    let e = parse_err(&[(
        "d.sql",
        "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n\\.\nCREATE TABLE u (a int nott null);\n",
    )]);
    assert_eq!((e.line, e.column), (5, 23), "{e}");
}

fn table_names(cat: &shale_model::Catalog) -> Vec<String> {
    cat.tables.keys().map(|q| q.to_string()).collect()
}

#[test]
fn references_to_later_files_and_statements_resolve() {
    let later = [
        // alphabetical order puts the dependents first
        (
            "a_dependents.sql",
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), status order_status, amount money_amount);
             CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total FROM orders JOIN customers c ON c.id = customer_id GROUP BY customer_id;
             CREATE INDEX customers_name_idx ON customers (name);
             ALTER TABLE customers ADD COLUMN note text;
             COMMENT ON TABLE customers IS 'who buys';
             COMMENT ON COLUMN customers.name IS 'full name';
             GRANT SELECT ON customers TO PUBLIC;
             CREATE FUNCTION customer_label(c customers, s order_status) RETURNS text LANGUAGE sql AS $$ SELECT c.name || s::text $$;",
        ),
        (
            "b_base.sql",
            "CREATE TABLE customers (id int PRIMARY KEY, name text);
             CREATE TYPE order_status AS ENUM ('new', 'paid');
             CREATE DOMAIN money_amount AS numeric(12,2) CHECK (VALUE >= 0);",
        ),
    ];
    let cat = parse(&later);
    let in_order = parse(&[later[1], later[0]]);
    assert_eq!(cat, in_order);
    assert_eq!(table_names(&cat), vec!["public.customers", "public.orders"]);
    assert_eq!(cat.views.len(), 1);
    assert_eq!(cat.functions.len(), 1);
    assert!(cat
        .tables
        .values()
        .any(|t| t.columns.iter().any(|c| c.name == "note")));
}

#[test]
fn implicit_names_follow_statement_order() {
    // The waiting statement runs right after what it needs, so names PostgreSQL chooses
    // to avoid collisions come out as in the file order that works.
    let cat = parse(&[(
        "s.sql",
        "CREATE TABLE a (x int REFERENCES b (id), CHECK (x > 0));
         CREATE TABLE b (id int PRIMARY KEY);
         CREATE TABLE c (x int, CHECK (x > 0));",
    )]);
    let fixed = parse(&[(
        "s.sql",
        "CREATE TABLE b (id int PRIMARY KEY);
         CREATE TABLE a (x int REFERENCES b (id), CHECK (x > 0));
         CREATE TABLE c (x int, CHECK (x > 0));",
    )]);
    assert_eq!(cat, fixed);
}

#[test]
fn a_true_cycle_names_every_member() {
    let e = parse_err(&[
        (
            "a.sql",
            "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b (id));",
        ),
        (
            "b.sql",
            "\n  CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));",
        ),
    ]);
    assert_eq!((e.file.as_str(), e.line, e.column), ("a.sql", 1, 1), "{e}");
    assert!(e.message.contains("cycle"), "{e}");
    assert!(
        e.message
            .contains("a.sql:1:1: CREATE TABLE (needs public.b)"),
        "{e}"
    );
    assert!(
        e.message
            .contains("b.sql:2:3: CREATE TABLE (needs public.a)"),
        "{e}"
    );
}

#[test]
fn a_missing_object_is_still_an_error_at_its_statement() {
    let e = parse_err(&[
        ("a.sql", "CREATE TABLE a (id int);"),
        (
            "b.sql",
            "CREATE TABLE b (a_id int REFERENCES nowhere (id));",
        ),
    ]);
    assert_eq!((e.file.as_str(), e.line), ("b.sql", 1), "{e}");
    assert!(e.message.contains("nowhere"), "{e}");
}
