//! Event triggers in the SQL front end: what the files mean (no database needed), and
//! errors that name file, line and column.

use shale_model::{EventTriggerEvent, QualName, TriggerEnabled};
use shale_sql::{parse_sources, parse_sources_collecting, SourceFile, SqlError};

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

const F: &str =
    "CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n";

#[test]
fn create_reads_event_tags_and_function() {
    let cat = ok(&format!(
        "{F}CREATE EVENT TRIGGER \"Audit\" ON ddl_command_end\n  WHEN TAG IN ('drop table', 'CREATE TABLE', 'drop table')\n  EXECUTE PROCEDURE log_ddl();\n\
         CREATE EVENT TRIGGER plain ON sql_drop EXECUTE FUNCTION public.log_ddl();"
    ));
    let e = &cat.event_triggers["Audit"];
    assert_eq!(e.event, EventTriggerEvent::DdlCommandEnd);
    // As pg_event_trigger.evttags stores them: upper-cased, in order, duplicates kept.
    assert_eq!(e.tags, vec!["DROP TABLE", "CREATE TABLE", "DROP TABLE"]);
    assert_eq!(e.function, QualName::new("public", "log_ddl"));
    assert_eq!(e.enabled, TriggerEnabled::Origin);
    let p = &cat.event_triggers["plain"];
    assert_eq!(p.event, EventTriggerEvent::SqlDrop);
    assert!(p.tags.is_empty());
    assert_eq!(cat.event_triggers.len(), 2);
    assert!(cat.unmodeled.is_empty());
}

#[test]
fn alter_comment_rename_and_drop() {
    let cat = ok(&format!(
        "{F}CREATE EVENT TRIGGER a ON ddl_command_start EXECUTE FUNCTION log_ddl();\n\
         CREATE EVENT TRIGGER b ON ddl_command_start EXECUTE FUNCTION log_ddl();\n\
         CREATE EVENT TRIGGER c ON table_rewrite WHEN TAG IN ('alter table') EXECUTE FUNCTION log_ddl();\n\
         ALTER EVENT TRIGGER a DISABLE;\n\
         ALTER EVENT TRIGGER b ENABLE REPLICA;\n\
         ALTER EVENT TRIGGER c ENABLE ALWAYS;\n\
         ALTER EVENT TRIGGER c ENABLE;\n\
         COMMENT ON EVENT TRIGGER a IS 'audits';\n\
         ALTER EVENT TRIGGER a RENAME TO a2;\n\
         ALTER EVENT TRIGGER a2 OWNER TO CURRENT_USER;\n\
         DROP EVENT TRIGGER IF EXISTS missing;\n\
         DROP EVENT TRIGGER b;"
    ));
    let names: Vec<&str> = cat.event_triggers.keys().map(String::as_str).collect();
    assert_eq!(names, vec!["a2", "c"]);
    let a = &cat.event_triggers["a2"];
    assert_eq!(a.enabled, TriggerEnabled::Disabled);
    assert_eq!(a.comment.as_deref(), Some("audits"));
    assert_eq!(cat.event_triggers["c"].enabled, TriggerEnabled::Origin);
    assert_eq!(cat.event_triggers["c"].tags, vec!["ALTER TABLE"]);
    let cat = ok(&format!(
        "{F}CREATE EVENT TRIGGER b ON ddl_command_start EXECUTE FUNCTION log_ddl();\n\
         ALTER EVENT TRIGGER b ENABLE REPLICA;\nCOMMENT ON EVENT TRIGGER b IS 'x';\nCOMMENT ON EVENT TRIGGER b IS NULL;"
    ));
    assert_eq!(cat.event_triggers["b"].enabled, TriggerEnabled::Replica);
    assert_eq!(cat.event_triggers["b"].comment, None);
}

#[test]
fn dropping_the_function_needs_cascade_and_takes_the_trigger() {
    let base =
        format!("{F}CREATE EVENT TRIGGER a ON ddl_command_start EXECUTE FUNCTION log_ddl();\n");
    let e = err(&format!("{base}DROP FUNCTION log_ddl();"));
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(e.message.contains("event trigger a depends on it"), "{e}");
    let cat = ok(&format!("{base}DROP FUNCTION log_ddl() CASCADE;"));
    assert!(cat.event_triggers.is_empty() && cat.functions.is_empty());
    let cat = ok(&format!(
        "CREATE SCHEMA audit;\nSET search_path = audit;\n{base}RESET search_path;\nDROP SCHEMA audit CASCADE;"
    ));
    assert!(cat.event_triggers.is_empty(), "{:?}", cat.event_triggers);
    // CREATE OR REPLACE keeps it.
    let cat = ok(&format!(
        "{base}CREATE OR REPLACE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'x'; END$$;"
    ));
    assert_eq!(cat.event_triggers.len(), 1);
}

#[test]
fn errors_name_file_line_and_column() {
    let e = err(&format!(
        "{F}\n  CREATE EVENT TRIGGER a ON ddl_bogus EXECUTE FUNCTION log_ddl();"
    ));
    assert_eq!((e.file.as_str(), e.line, e.column), ("s.sql", 3, 3), "{e}");
    assert_eq!(e.message, "unrecognized event name \"ddl_bogus\"");
    assert!(e.to_string().starts_with("s.sql:3:3: "), "{e}");
    let e = err(&format!(
        "{F}CREATE EVENT TRIGGER a ON ddl_command_start WHEN kind IN ('x') EXECUTE FUNCTION log_ddl();"
    ));
    assert_eq!(e.line, 2, "{e}");
    assert!(
        e.message.contains("unrecognized filter variable \"kind\""),
        "{e}"
    );
    let e = err(&format!(
        "{F}CREATE EVENT TRIGGER a ON ddl_command_start WHEN TAG IN ('create table') AND tag IN ('drop table') EXECUTE FUNCTION log_ddl();"
    ));
    assert!(e.message.contains("specified more than once"), "{e}");
    let e = err(&format!(
        "{F}CREATE EVENT TRIGGER a ON ddl_command_start WHEN TAG IN ('create event trigger') EXECUTE FUNCTION log_ddl();"
    ));
    assert!(
        e.message.contains("not supported for create event trigger"),
        "{e}"
    );
    let e = err(&format!(
        "{F}CREATE EVENT TRIGGER a ON table_rewrite WHEN TAG IN ('create table') EXECUTE FUNCTION log_ddl();"
    ));
    assert!(e.message.contains("not supported for create table"), "{e}");
    let e = err("CREATE EVENT TRIGGER a ON sql_drop EXECUTE FUNCTION nope();");
    assert_eq!(e.message, "function nope() does not exist");
    let e = err(
        "CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;\n\
         CREATE EVENT TRIGGER a ON sql_drop EXECUTE FUNCTION t();",
    );
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("must return type event_trigger"), "{e}");
    let e = err(&format!(
        "{F}CREATE EVENT TRIGGER a ON sql_drop EXECUTE FUNCTION log_ddl();\nCREATE EVENT TRIGGER a ON sql_drop EXECUTE FUNCTION log_ddl();"
    ));
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "event trigger \"a\" already exists")
    );
    let e = err("ALTER EVENT TRIGGER nope DISABLE;");
    assert_eq!((e.line, e.column), (1, 1), "{e}");
    assert_eq!(e.message, "event trigger \"nope\" does not exist");
}

#[test]
fn no_longer_reported_as_unmodeled_while_conversions_still_are() {
    // (Operators, then text search configurations, the examples before, are modelled now.)
    let sql = format!(
        "{F}CREATE TABLE t (a int);\nCREATE EVENT TRIGGER a ON ddl_command_end EXECUTE FUNCTION log_ddl();\n\
         CREATE CONVERSION my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;\n"
    );
    let cat = parse_sources_collecting(&files(&sql)).unwrap();
    assert!(cat.event_triggers.contains_key("a"));
    let kinds: Vec<&str> = cat.unmodeled.iter().map(|u| u.kind.as_str()).collect();
    assert_eq!(kinds.len(), 1, "{:?}", cat.unmodeled);
    assert_eq!(kinds[0], "conversion", "{:?}", cat.unmodeled);
}
