//! Views, functions and triggers in the SQL front end: what the files mean (no database
//! needed), and errors that name file, line and column.

use shale_model::{QualName, RoutineKind, TriggerEnabled};
use shale_sql::{parse_sources, SourceFile, SqlError};

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "s.sql".into(),
        text: sql.into(),
    }]
}

fn ok(sql: &str) -> shale_model::Catalog {
    parse_sources(&files(sql)).unwrap_or_else(|e| panic!("{e}"))
}

fn err(sql: &str) -> SqlError {
    parse_sources(&files(sql)).unwrap_err()
}

fn q(n: &str) -> QualName {
    QualName::new("public", n)
}

const T: &str = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);\n";

#[test]
fn view_errors_are_located() {
    let e = err(&format!("{T}CREATE VIEW v AS SELECT nope FROM t;"));
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("column \"nope\" does not exist"), "{e}");
    let e = err(&format!("{T}CREATE VIEW v AS SELECT a FROM missing;"));
    assert!(
        e.message.contains("relation \"missing\" does not exist"),
        "{e}"
    );
    let e = err(&format!("{T}CREATE VIEW v AS SELECT a, a FROM t;"));
    assert!(e.message.contains("specified more than once"), "{e}");
    let e = err(&format!("{T}CREATE VIEW v (x, y, z) AS SELECT a FROM t;"));
    assert!(e.message.contains("column list"), "{e}");
    let e = err(&format!("{T}CREATE VIEW t AS SELECT 1;"));
    assert!(e.message.contains("already exists"), "{e}");
}

#[test]
fn create_or_replace_view_may_only_add_columns() {
    let cat = ok(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT a, b FROM t;"
    ));
    assert_eq!(cat.views[&q("v")].columns, vec!["a", "b"]);
    let e = err(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE OR REPLACE VIEW v AS SELECT b FROM t;"
    ));
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("cannot change the columns"), "{e}");
}

#[test]
fn search_path_decides_what_a_view_reads() {
    let cat = ok(
        "CREATE SCHEMA app;\nCREATE TABLE app.t (x int);\nCREATE TABLE t (y int);\n\
                  SET search_path = app, public;\nCREATE VIEW v AS SELECT * FROM t;",
    );
    let v = &cat.views[&QualName::new("app", "v")];
    assert_eq!(v.columns, vec!["x"]);
    assert_eq!(v.query.refs, vec![QualName::new("app", "t")]);
    assert!(v.query.sql.contains("app.t"), "{}", v.query.sql);
}

#[test]
fn drops_follow_dependencies() {
    let e = err(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP VIEW v;"
    ));
    assert!(e.message.contains("view public.w depends on it"), "{e}");
    let cat = ok(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\nDROP VIEW v CASCADE;"
    ));
    assert!(cat.views.is_empty());
    let e = err(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t;\nDROP TABLE t;"
    ));
    assert!(e.message.contains("depends on it"), "{e}");
    let cat = ok(&format!(
        "{T}CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n\
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP TABLE t;"
    ));
    assert!(cat.triggers.is_empty(), "triggers go with their table");
    let e = err(&format!(
        "{T}CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n\
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\nDROP FUNCTION f();"
    ));
    assert!(e.message.contains("trigger tr"), "{e}");
    let cat = ok(&format!(
        "{T}CREATE MATERIALIZED VIEW mv AS SELECT a FROM t;\nCREATE INDEX mv_a ON mv (a);\n\
         COMMENT ON INDEX mv_a IS 'x';\nDROP INDEX mv_a;"
    ));
    assert!(cat.views[&q("mv")].indexes.is_empty());
}

#[test]
fn functions_are_keyed_by_signature() {
    let cat = ok("CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select a';\n\
                  CREATE FUNCTION f(a varchar(10), b numeric(5,2)) RETURNS int LANGUAGE sql AS 'select 1';\n\
                  CREATE PROCEDURE p(INOUT x int) LANGUAGE sql AS 'select 1';\n\
                  COMMENT ON FUNCTION f(varchar, numeric) IS 'two';");
    let keys: Vec<&String> = cat.functions.keys().collect();
    assert_eq!(
        keys,
        vec![
            "public.f(character varying, numeric)",
            "public.f(integer)",
            "public.p(integer)"
        ]
    );
    assert_eq!(
        cat.functions["public.f(character varying, numeric)"]
            .comment
            .as_deref(),
        Some("two")
    );
    assert_eq!(
        cat.functions["public.p(integer)"].kind,
        RoutineKind::Procedure
    );
    // the same signature again without OR REPLACE
    let e = err(
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select a';\n\
                 CREATE FUNCTION f(b integer) RETURNS int LANGUAGE sql AS 'select b';",
    );
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("already exists"), "{e}");
    // OR REPLACE cannot change the result type
    let e = err(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\n\
                 CREATE OR REPLACE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'select 1';",
    );
    assert!(e.message.contains("return type"), "{e}");
    // defaults must trail
    let e =
        err("CREATE FUNCTION f(a int DEFAULT 1, b int) RETURNS int LANGUAGE sql AS 'select 1';");
    assert!(e.message.contains("default"), "{e}");
    let e = err("CREATE FUNCTION f() RETURNS int AS 'select 1';");
    assert!(e.message.contains("no language"), "{e}");
}

#[test]
fn function_defaults_and_options_are_canonical() {
    let a = ok(
        "CREATE FUNCTION f(x text DEFAULT 'a') RETURNS int LANGUAGE plpgsql COST 100 \
                AS 'begin return 1; end';",
    );
    let b = ok(
        "CREATE FUNCTION f(x text DEFAULT 'a'::text) RETURNS integer LANGUAGE plpgsql \
                VOLATILE PARALLEL UNSAFE SECURITY INVOKER AS 'begin return 1; end';",
    );
    assert_eq!(a, b);
    let c = ok(
        "CREATE FUNCTION f(x text DEFAULT 'b') RETURNS int LANGUAGE plpgsql \
                AS 'begin return 1; end';",
    );
    assert_ne!(a, c);
}

#[test]
fn triggers_resolve_their_function_and_state() {
    let cat = ok(&format!(
        "{T}CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n\
         CREATE TRIGGER tr AFTER UPDATE OF b, a ON t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION f(1, 'x');\n\
         ALTER TABLE t DISABLE TRIGGER ALL;"
    ));
    let tr = &cat.triggers[&(q("t"), "tr".to_string())];
    assert_eq!(tr.function, q("f"));
    assert_eq!(tr.update_columns, vec!["b", "a"]);
    assert_eq!(tr.args, vec!["1", "x"]);
    assert_eq!(tr.enabled, TriggerEnabled::Disabled);
    let e = err(&format!(
        "{T}CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION nope();"
    ));
    assert!(e.message.contains("nope() does not exist"), "{e}");
    let e = err(&format!(
        "{T}CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';\n\
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();"
    ));
    assert!(e.message.contains("must return type trigger"), "{e}");
    let e = err(&format!(
        "{T}CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n\
         CREATE TRIGGER tr AFTER UPDATE OF nope ON t FOR EACH ROW EXECUTE FUNCTION f();"
    ));
    assert!(e.message.contains("\"nope\""), "{e}");
}

#[test]
fn queries_the_offline_normalizer_cannot_read_point_to_the_dev_database() {
    let e = err(&format!(
        "{T}CREATE VIEW v AS SELECT a FROM t TABLESAMPLE SYSTEM (10);"
    ));
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("--dev-url"), "{e}");
}

/// A SQL function whose body names tables created after it (pg_dump's order, with
/// `check_function_bodies` off) still depends on them: a plan creates it after them.
/// Names resolve on the function's own `SET search_path` first.
#[test]
fn sql_body_refs_include_tables_created_later() {
    let c = ok("SELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE SCHEMA app;\n\
         CREATE FUNCTION public.n() RETURNS bigint LANGUAGE sql\n\
             SET search_path TO 'app', 'pg_temp' AS $$ SELECT count(*) FROM people $$;\n\
         CREATE FUNCTION public.m() RETURNS bigint LANGUAGE sql\n\
             AS $$ SELECT count(*) FROM people $$;\n\
         CREATE FUNCTION public.p() RETURNS integer LANGUAGE plpgsql\n\
             AS $$ BEGIN RETURN (SELECT count(*) FROM people); END $$;\n\
         CREATE TABLE public.people (id integer);\n\
         CREATE TABLE app.people (id integer);");
    let refs = |key: &str| match &c.functions[key].body {
        shale_model::FunctionBody::Source(e) => e.refs.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(refs("public.n()"), vec![QualName::new("app", "people")]);
    assert_eq!(refs("public.m()"), vec![q("people")]);
    // Only SQL bodies are parsed for names.
    assert!(refs("public.p()").is_empty());
}
