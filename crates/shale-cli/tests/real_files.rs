//! Files as real projects write them (issue 8): pg_dump and Rails `structure.sql` data and
//! procedural statements are skipped and listed, `--strict-coverage` refuses them,
//! `--dev-url` runs them; desired files are order-independent; deep expressions plan from
//! files and from a database.

mod common;

use common::{expect_error, shale, stderr, stdout, Scratch};
use shale_testkit::TestDb;

const STRUCTURE: &str = "SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
DO $$
BEGIN
    CREATE ROLE shale_cli_reader NOLOGIN PASSWORD 'hunter2';
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$;
CREATE TABLE public.schema_migrations (version character varying NOT NULL);
CREATE TABLE public.accounts (id bigint NOT NULL, name text);
COPY public.accounts (id, name) FROM stdin;
1\tacme
2\t\\N
\\.
SELECT pg_catalog.setval('public.accounts_id_seq', 2, true);
CREATE ROLE app_writer LOGIN PASSWORD 'sekrit';
GRANT app_writer TO app_admin;
SET search_path TO \"$user\", public;

INSERT INTO \"schema_migrations\" (version) VALUES
('20240101000001');
";

fn structure_without_roles() -> String {
    STRUCTURE
        .lines()
        .filter(|l| !l.starts_with("CREATE ROLE app") && !l.starts_with("GRANT app"))
        .collect::<Vec<_>>()
        .join("\n")
        .replace(
            "SELECT pg_catalog.setval('public.accounts_id_seq', 2, true);\n",
            "",
        )
}

#[test]
fn ignored_statements_are_listed_under_the_plan_and_in_json() {
    let s = Scratch::new(&[("structure.sql", STRUCTURE)]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("structure.sql")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = stdout(&o);
    let file = s.path("structure.sql");
    for line in [
        "Ignored statements (6: not schema".to_string(),
        format!("  {file}:3:1: DO block"),
        format!("  {file}:11:1: COPY public.accounts FROM stdin (2 rows)"),
        format!("  {file}:15:1: SELECT pg_catalog.setval('public.accounts_id_seq')"),
        format!("  {file}:16:1: CREATE ROLE app_writer"),
        format!("  {file}:17:1: GRANT app_writer TO app_admin"),
        format!("  {file}:20:1: INSERT INTO public.schema_migrations"),
    ] {
        assert!(out.contains(&line), "expected `{line}` in:\n{out}");
    }
    assert!(out.contains("CREATE TABLE public.accounts"), "{out}");
    assert!(!out.contains("hunter2") && !out.contains("sekrit"), "{out}");

    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.path("structure.sql"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let listed = v["ignored_statements"]
        .as_array()
        .expect("a top-level member");
    assert_eq!(listed.len(), 6, "{v}");
    assert_eq!(listed[5]["file"], file.as_str());
    assert_eq!(listed[5]["line"], 20);
    assert_eq!(listed[5]["column"], 1);
    assert_eq!(listed[5]["kind"], "INSERT INTO public.schema_migrations");
    assert!(!o.stdout.windows(6).any(|w| w == b"sekrit"));
}

#[test]
fn strict_coverage_refuses_ignored_statements_naming_each() {
    let s = Scratch::new(&[("structure.sql", STRUCTURE)]);
    let file = s.path("structure.sql");
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &file,
        "--strict-coverage",
    ]);
    expect_error(
        &o,
        &[
            "--strict-coverage",
            "6 statement(s) that are not schema",
            &format!("{file}:3:1: DO block"),
            &format!("{file}:20:1: INSERT INTO public.schema_migrations"),
        ],
    );
    assert!(!stderr(&o).contains("hunter2"));
}

#[test]
fn dev_database_mode_runs_them_with_copy_data_sent_as_data() {
    let server = shale_testkit::server_url();
    let structure = structure_without_roles();
    let s = Scratch::new(&[("structure.sql", &structure)]);
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.path("structure.sql"),
        "--dev-url",
        &server,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("INSERT INTO public.schema_migrations"));
    // The rows reached the server: a constraint after them that they break fails the load.
    let broken = format!(
        "{structure}\nALTER TABLE public.accounts ADD CONSTRAINT named CHECK (name IS NOT NULL);\n"
    );
    let s = Scratch::new(&[("structure.sql", &broken)]);
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.path("structure.sql"),
        "--dev-url",
        &server,
    ]);
    expect_error(&o, &["--dev-url", "named"]);
    // And so did the DO block.
    let s = Scratch::new(&[(
        "s.sql",
        "CREATE TABLE t (a int);\nDO $$ BEGIN RAISE EXCEPTION 'ran the DO block'; END $$;\n",
    )]);
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.path("s.sql"),
        "--dev-url",
        &server,
    ]);
    expect_error(&o, &["ran the DO block"]);
    // Roles are the server's: the one the DO block created is dropped again.
    TestDb::new("cli_dev_roles").execute("DROP ROLE IF EXISTS shale_cli_reader");
}

#[test]
fn desired_files_are_order_independent() {
    // Alphabetical order puts every dependent before what it needs.
    let s = Scratch::new(&[
        (
            "a_orders.sql",
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), status order_status);\n\
             CREATE VIEW big_customers AS SELECT c.id, c.name FROM customers c JOIN orders o ON o.customer_id = c.id;\n\
             CREATE INDEX customers_name_idx ON customers (name);\n\
             COMMENT ON TABLE customers IS 'who buys';\n\
             CREATE FUNCTION status_label(s order_status) RETURNS text LANGUAGE sql AS $$ SELECT s::text $$;\n",
        ),
        (
            "b_customers.sql",
            "CREATE TYPE order_status AS ENUM ('new', 'paid');\n\
             CREATE TABLE customers (id int PRIMARY KEY, name text);\n",
        ),
    ]);
    let db = TestDb::new("cli_order");
    let dir = s.0.display().to_string();
    let o = shale(&["apply", "--db", db.url(), "--to", &dir, "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let o = shale(&["plan", "--from", db.url(), "--to", &dir]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    // A true cycle is an error naming both members.
    let s = Scratch::new(&[
        (
            "a.sql",
            "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b (id));\n",
        ),
        (
            "b.sql",
            "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n",
        ),
    ]);
    let o = shale(&[
        "plan",
        "--from",
        "empty",
        "--to",
        &s.0.display().to_string(),
    ]);
    expect_error(&o, &["cycle", "a.sql:1:1", "b.sql:1:1"]);
}

fn chain(n: usize) -> String {
    (0..n)
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(" || ")
}

#[test]
fn deep_expressions_plan_from_files_and_from_a_database() {
    let c = chain(520);
    let schema = format!(
        "CREATE TABLE t (a text DEFAULT {c}, b text CHECK (b <> {c}));\n\
         CREATE VIEW v AS SELECT a || {c} AS x FROM t;\n\
         CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN {c};\n"
    );
    let db = TestDb::new("cli_deep");
    db.execute(&schema);
    let s = Scratch::new(&[("s.sql", &schema)]);
    let o = shale(&["plan", "--from", "empty", "--to", &s.path("s.sql")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = shale(&["plan", "--from", db.url(), "--to", &s.path("s.sql")]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
}
