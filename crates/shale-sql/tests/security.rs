//! Policies and privileges in files: what they become in the model, and errors that name
//! file:line:column instead of panicking.

use shale_model::security::PUBLIC;
use shale_model::{Grant, ObjectId, PolicyCommand, QualName};
use shale_sql::{parse_sources, read_owners, SourceFile};

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "s.sql".into(),
        text: sql.into(),
    }]
}

fn error(sql: &str) -> String {
    parse_sources(&files(sql)).unwrap_err().to_string()
}

const T: &str = "CREATE TABLE t (id int PRIMARY KEY, a text);\n";

#[test]
fn policies_read() {
    let cat = parse_sources(&files(&format!(
        "{T}CREATE POLICY p ON t AS RESTRICTIVE FOR DELETE TO b_role, a_role USING (a <> 'x');
CREATE POLICY q ON public.t TO b_role, PUBLIC WITH CHECK (id > 0);
ALTER POLICY q ON t USING (true);"
    )))
    .unwrap();
    let t = QualName::new("public", "t");
    let p = &cat.policies[&(t.clone(), "p".to_string())];
    assert_eq!(p.command, PolicyCommand::Delete);
    assert!(!p.permissive);
    assert_eq!(p.roles, vec!["a_role".to_string(), "b_role".to_string()]);
    let q = &cat.policies[&(t, "q".to_string())];
    // PUBLIC among the roles: PostgreSQL keeps only PUBLIC.
    assert_eq!(q.roles, vec![PUBLIC.to_string()]);
    assert!(q.using.is_some() && q.with_check.is_some());
}

#[test]
fn dropped_objects_take_their_policies_and_grants() {
    let cat = parse_sources(&files(&format!(
        "{T}CREATE POLICY p ON t USING (true);
GRANT SELECT ON t TO r;
CREATE TABLE keep (id int);
GRANT SELECT ON keep TO r;
DROP TABLE t;"
    )))
    .unwrap();
    assert!(cat.policies.is_empty());
    assert_eq!(cat.privileges.len(), 1);
    assert_eq!(
        cat.grants_on(&ObjectId::Table {
            name: QualName::new("public", "keep")
        })
        .into_iter()
        .collect::<Vec<_>>(),
        vec![Grant::new("r", "SELECT", false)]
    );
}

#[test]
fn errors_name_the_place() {
    let cases = [
        (
            "GRANT SELECT ON missing TO r;",
            "s.sql:1:",
            "does not exist",
        ),
        (
            "CREATE POLICY p ON missing USING (true);",
            "s.sql:1:",
            "does not exist",
        ),
        (
            &format!("{T}GRANT EXECUTE ON t TO r;"),
            "s.sql:2:",
            "invalid privilege type EXECUTE",
        ),
        (
            &format!("{T}CREATE POLICY p ON t USING (true);\nCREATE POLICY p ON t USING (true);"),
            "s.sql:3:",
            "already exists",
        ),
        (
            &format!("{T}CREATE POLICY p ON t FOR SELECT USING (true) WITH CHECK (true);"),
            "s.sql:2:",
            "WITH CHECK cannot be applied",
        ),
        (
            &format!("{T}GRANT SELECT (nope) ON t TO r;"),
            "s.sql:2:",
            "column \"nope\"",
        ),
        (
            &format!("{T}ALTER POLICY nope ON t USING (true);"),
            "s.sql:2:",
            "does not exist",
        ),
        (
            "ALTER DEFAULT PRIVILEGES IN SCHEMA nope GRANT SELECT ON TABLES TO r;",
            "s.sql:1:",
            "schema \"nope\" does not exist",
        ),
        ("GRANT SELECT ON t TO CURRENT_USER;", "s.sql:1:", ""),
    ];
    for (sql, place, msg) in cases {
        let e = error(sql);
        assert!(e.starts_with(place), "{sql}: {e}");
        assert!(e.contains(msg), "{sql}: {e}");
    }
}

#[test]
fn owners_only_when_read() {
    let sql = format!(
        "CREATE SCHEMA s AUTHORIZATION alice;\n{T}ALTER TABLE t OWNER TO bob;\nALTER SCHEMA public OWNER TO carol;"
    );
    let fs = files(&sql);
    let mut cat = parse_sources(&fs).unwrap();
    assert!(cat.owners.is_empty());
    read_owners(&fs, &mut cat).unwrap();
    let got: Vec<(String, String)> = cat
        .owners
        .iter()
        .map(|(o, r)| (o.to_string(), r.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("schema public".to_string(), "carol".to_string()),
            ("schema s".to_string(), "alice".to_string()),
            ("table public.t".to_string(), "bob".to_string()),
        ]
    );
}

#[test]
fn owners_follow_the_search_path_of_their_file() {
    // Unqualified names in OWNER TO resolve through the path the file set, as PostgreSQL
    // resolves them; a later file starts again from the default path.
    let sql = "CREATE SCHEMA app;\n\
               CREATE TABLE public.t (a int);\n\
               CREATE TABLE app.t (a int);\n\
               CREATE TYPE app.mood AS ENUM ('ok');\n\
               CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
               SET search_path = app, public;\n\
               ALTER TABLE t OWNER TO alice;\n\
               ALTER TYPE mood OWNER TO alice;\n\
               ALTER FUNCTION f() OWNER TO alice;\n\
               SELECT pg_catalog.set_config('search_path', '', false);\n\
               ALTER TABLE public.t OWNER TO bob;\n\
               RESET search_path;\n";
    let fs = files(sql);
    let mut cat = parse_sources(&fs).unwrap();
    read_owners(&fs, &mut cat).unwrap();
    let got: Vec<(String, String)> = cat
        .owners
        .iter()
        .map(|(o, r)| (o.to_string(), r.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("type app.mood".to_string(), "alice".to_string()),
            ("table app.t".to_string(), "alice".to_string()),
            ("table public.t".to_string(), "bob".to_string()),
            ("function app.f()".to_string(), "alice".to_string()),
        ]
    );
}
