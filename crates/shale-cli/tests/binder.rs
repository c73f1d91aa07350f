//! Plans that would fail half-way: names the desired state does not have are refused
//! offline at their file:line:column (the binder, docs/BINDER.md), and a re-created view
//! is never left dropped by a failing step that runs outside a transaction.

mod common;

use common::{both, code, column_names, expect_error, stdout, Scratch};
use shale_testkit::TestDb;

const TABLES: &str = "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric);
";

#[test]
fn a_view_naming_a_dropped_column_through_a_join_alias_is_refused_offline() {
    let s = Scratch::new(&[
        (
            "cur.sql",
            "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, legacy_code text);
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric);
CREATE VIEW invoice_lines AS
    SELECT i.id, c.name, c.legacy_code FROM invoices i JOIN customers c ON c.id = i.customer_id;
",
        ),
        (
            "want.sql",
            // legacy_code is dropped from the table, but the view still reads it as c.legacy_code
            "-- desired
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric);

CREATE VIEW invoice_lines AS
    SELECT i.id, c.name, c.legacy_code FROM invoices i JOIN customers c ON c.id = i.customer_id;
",
        ),
    ]);
    let o = s.run(&["plan", "--from", "cur.sql", "--to", "want.sql"]);
    expect_error(
        &o,
        &[
            "want.sql:5:1:",
            "column c.legacy_code does not exist",
            "| CREATE VIEW invoice_lines AS",
        ],
    );
    // Nothing of a plan was printed.
    assert!(!stdout(&o).contains("DROP"), "{}", both(&o));
}

#[test]
fn every_kind_of_body_is_bound_against_the_desired_catalog() {
    // (statement after TABLES, expected line:column, expected message part)
    let cases: &[(&str, &str, &str)] = &[
        (
            "CREATE MATERIALIZED VIEW m AS SELECT x.total FROM invoices x;",
            "3:1:",
            "column x.total does not exist",
        ),
        (
            "CREATE VIEW v AS WITH w AS (SELECT id FROM invoices) SELECT w.amount FROM w;",
            "3:1:",
            "column w.amount does not exist",
        ),
        (
            "CREATE VIEW v AS SELECT s.amount FROM (SELECT id FROM invoices) s;",
            "3:1:",
            "column s.amount does not exist",
        ),
        (
            "CREATE VIEW v AS SELECT * FROM public.no_such_table;",
            "3:1:",
            "relation \"public.no_such_table\" does not exist",
        ),
        (
            "CREATE FUNCTION f() RETURNS numeric LANGUAGE sql AS $$ SELECT i.total FROM invoices i $$;",
            "3:1:",
            "in the body of function public.f: column i.total does not exist",
        ),
        (
            "CREATE FUNCTION f() RETURNS numeric LANGUAGE sql AS $$ SELECT total FROM invoices $$;",
            "3:1:",
            "column \"total\" does not exist",
        ),
        (
            "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT c.nickname FROM customers c; END;",
            "3:1:",
            "column c.nickname does not exist",
        ),
        (
            "CREATE POLICY p ON invoices USING (owner = current_user);",
            "3:36:",
            "column \"owner\" does not exist",
        ),
        (
            "CREATE POLICY p ON invoices USING (EXISTS (SELECT 1 FROM customers c WHERE c.owner = current_user AND c.id = customer_id));",
            "3:",
            "column c.owner does not exist",
        ),
        (
            "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER tr BEFORE UPDATE ON invoices FOR EACH ROW WHEN (NEW.total > 0) EXECUTE FUNCTION tf();",
            "4:",
            "column new.total does not exist",
        ),
        (
            "ALTER TABLE invoices ADD CONSTRAINT positive CHECK (total > 0);",
            "3:",
            "column \"total\" does not exist",
        ),
        (
            "CREATE INDEX ON invoices ((lower(note)));",
            "3:",
            "column \"note\" does not exist",
        ),
    ];
    for (stmt, at, msg) in cases {
        let s = Scratch::new(&[("want.sql", &format!("{TABLES}{stmt}\n"))]);
        let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
        expect_error(&o, &[&format!("want.sql:{at}"), msg]);
    }
}

#[test]
fn valid_bodies_are_not_refused() {
    // What PostgreSQL accepts, including what the binder cannot know offline: attribute
    // notation for functions, system columns, columns of functions in FROM, built-ins.
    let s = Scratch::new(&[(
        "want.sql",
        &format!(
            "{TABLES}CREATE FUNCTION label(c customers) RETURNS text LANGUAGE sql AS $$ SELECT c.name $$;
CREATE VIEW v AS
    SELECT c.id, c.label, c.ctid AS row_id, i.amount, j.key, c.text AS whole
    FROM customers c
    JOIN invoices i ON i.customer_id = c.id
    CROSS JOIN LATERAL jsonb_each('{{}}'::jsonb) j;
CREATE VIEW w AS
    WITH s AS (SELECT * FROM jsonb_each('{{}}'::jsonb)) SELECT s.key, s.value FROM s;
CREATE FUNCTION total(p bigint) RETURNS numeric LANGUAGE sql
    AS $$ SELECT sum(i.amount) FROM invoices i WHERE i.customer_id = p $$;
CREATE FUNCTION pick(anyelement) RETURNS anyelement LANGUAGE sql AS $$ SELECT $1.whatever $$;
CREATE FUNCTION ddl() RETURNS void LANGUAGE sql
    AS $$ CREATE TEMP TABLE tmp (a int); INSERT INTO tmp (a) SELECT 1; $$;
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER tr BEFORE UPDATE ON invoices FOR EACH ROW
    WHEN (NEW.amount IS DISTINCT FROM OLD.amount) EXECUTE FUNCTION tf();
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON invoices USING (customer_id > 0 AND invoices.amount > 0);
"
        ),
    )]);
    let o = s.run(&["plan", "--from", "empty", "--to", "want.sql"]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
}

#[test]
fn a_failing_concurrent_index_build_leaves_the_recreated_view_in_place() {
    let db = TestDb::new("binder_view_tx");
    db.execute(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric, note text);
         INSERT INTO orders VALUES (1, 'a', 10, 'x'), (2, 'a', 20, 'y');
         CREATE VIEW order_summary AS SELECT id, customer, total, note FROM orders;",
    );
    // The unique index cannot be built (two rows share a customer): its CONCURRENTLY
    // build fails. The view's drop and re-create must not be split around it.
    let s = Scratch::new(&[(
        "want.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric, note text);
CREATE UNIQUE INDEX orders_customer_key ON orders (customer);
CREATE VIEW order_summary AS SELECT id, customer, total FROM orders;
",
    )]);
    let o = s.run(&[
        "plan",
        "--from",
        db.url(),
        "--to",
        "want.sql",
        "--format",
        "sql",
    ]);
    let script = stdout(&o);
    let (drop, create, index) = (
        script.find("DROP VIEW").expect("drop"),
        script.find("CREATE VIEW").expect("create"),
        script
            .find("CREATE UNIQUE INDEX CONCURRENTLY")
            .expect("index"),
    );
    assert!(drop < create && create < index, "{script}");
    assert!(!script[drop..create].contains("COMMIT"), "{script}");

    let o = s.run(&[
        "apply",
        "--db",
        db.url(),
        "--to",
        "want.sql",
        "--yes",
        "--no-prove",
    ]);
    assert_eq!(code(&o), Some(1), "the index build fails: {}", both(&o));
    assert!(both(&o).contains("orders_customer_key"), "{}", both(&o));
    // The view is there, re-created in its desired shape.
    assert_eq!(
        column_names(&db, "order_summary"),
        ["id", "customer", "total"],
        "{}",
        both(&o)
    );
}
