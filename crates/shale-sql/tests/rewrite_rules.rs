//! Rewrite rules in the SQL front end: what the files mean (no database needed), the
//! text `pg_get_ruledef` prints read to the same model, and errors that name file, line
//! and column.

use shale_model::{Catalog, QualName, RuleEvent, TriggerEnabled};
use shale_sql::{parse_sources, SourceFile, SqlError};

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "s.sql".into(),
        text: sql.into(),
    }]
}

fn ok(sql: &str) -> Catalog {
    parse_sources(&files(sql)).unwrap_or_else(|e| panic!("{e}"))
}

fn err(sql: &str) -> SqlError {
    parse_sources(&files(sql)).unwrap_err()
}

const T: &str = "CREATE TABLE t (id integer PRIMARY KEY, a integer, b text);\n\
CREATE TABLE log (id integer, a integer);\n\
CREATE VIEW v AS SELECT id, a FROM t;\n";

fn key(table: &str, name: &str) -> (QualName, String) {
    (QualName::new("public", table), name.to_string())
}

#[test]
fn create_reads_event_condition_and_actions() {
    let cat = ok(&format!(
        "{T}CREATE RULE r1 AS ON UPDATE TO t WHERE new.a <> old.a DO ALSO INSERT INTO log VALUES (new.id, new.a);\n\
         CREATE RULE r2 AS ON DELETE TO t DO INSTEAD NOTHING;\n\
         CREATE RULE \"R3\" AS ON INSERT TO v DO INSTEAD (INSERT INTO t (id, a) VALUES (new.id, new.a); NOTIFY t_changed);\n\
         CREATE RULE r4 AS ON UPDATE TO v DO INSTEAD UPDATE t SET a = new.a WHERE t.id = old.id;"
    ));
    let r1 = &cat.rewrite_rules[&key("t", "r1")];
    assert_eq!(r1.event, RuleEvent::Update);
    assert!(!r1.instead);
    assert!(r1.condition.is_some());
    assert_eq!(r1.actions.len(), 1);
    // The target is qualified and the column list explicit (in the compared form).
    assert!(
        r1.actions[0].canon.contains("public.log (id, a)"),
        "{}",
        r1.actions[0].canon
    );
    assert!(r1.refs().contains(&&QualName::new("public", "log")));
    let r2 = &cat.rewrite_rules[&key("t", "r2")];
    assert!(r2.instead && r2.actions.is_empty() && r2.condition.is_none());
    assert_eq!(
        r2.create_sql(false),
        "CREATE RULE r2 AS ON DELETE TO public.t DO INSTEAD NOTHING"
    );
    let r3 = &cat.rewrite_rules[&key("v", "R3")];
    assert_eq!(r3.actions.len(), 2);
    assert_eq!(r3.enabled, TriggerEnabled::Origin);
    assert_eq!(cat.rewrite_rules.len(), 4);
}

/// What `pg_get_ruledef` prints (search_path empty) is the model of the files.
#[test]
fn the_catalogs_text_reads_the_same() {
    let files = ok(&format!(
        "{T}CREATE RULE r1 AS ON UPDATE TO t WHERE new.a <> old.a DO INSERT INTO log (id, a) VALUES (new.id, new.a);\n\
         CREATE RULE r4 AS ON UPDATE TO v DO INSTEAD UPDATE t SET a = new.a WHERE t.id = old.id;\n\
         CREATE RULE \"R3\" AS ON INSERT TO v DO INSTEAD (INSERT INTO t (id, a) VALUES (new.id, new.a); NOTIFY t_changed);\n\
         CREATE RULE r5 AS ON INSERT TO t WHERE new.a > 10 DO SELECT 1;"
    ));
    let catalog = ok(&format!(
        "{T}CREATE RULE r1 AS\n    ON UPDATE TO public.t\n   WHERE (new.a <> old.a) DO  INSERT INTO public.log (id, a)\n  VALUES (new.id, new.a);\n\
         CREATE RULE r4 AS\n    ON UPDATE TO public.v DO INSTEAD  UPDATE public.t SET a = new.a\n  WHERE (t.id = old.id);\n\
         CREATE RULE \"R3\" AS\n    ON INSERT TO public.v DO INSTEAD ( INSERT INTO public.t (id, a)\n  VALUES (new.id, new.a);\n\n NOTIFY t_changed;\n);\n\
         CREATE RULE r5 AS\n    ON INSERT TO public.t\n   WHERE (new.a > 10) DO  SELECT 1 AS \"?column?\";"
    ));
    for (k, r) in &files.rewrite_rules {
        let c = &catalog.rewrite_rules[k];
        assert_eq!(
            r.condition.as_ref().map(|e| &e.canon),
            c.condition.as_ref().map(|e| &e.canon),
            "{k:?}"
        );
        let a: Vec<&String> = r.actions.iter().map(|e| &e.canon).collect();
        let b: Vec<&String> = c.actions.iter().map(|e| &e.canon).collect();
        assert_eq!(a, b, "{k:?}");
        assert_eq!(r, c, "{k:?}");
    }
}

#[test]
fn rename_comment_enable_and_drop() {
    let cat = ok(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO t DO INSTEAD NOTHING;\n\
         ALTER RULE r1 ON t RENAME TO keep;\n\
         COMMENT ON RULE keep ON t IS 'no deletes';\n\
         ALTER TABLE t DISABLE RULE keep;\n\
         CREATE RULE gone AS ON INSERT TO t DO INSTEAD NOTHING;\n\
         DROP RULE gone ON t;\n\
         DROP RULE IF EXISTS nothing_here ON t;\n\
         CREATE OR REPLACE RULE keep AS ON DELETE TO t DO ALSO NOTIFY deleted;"
    ));
    assert_eq!(cat.rewrite_rules.len(), 1);
    let r = &cat.rewrite_rules[&key("t", "keep")];
    // CREATE OR REPLACE keeps the comment and the enabled state.
    assert_eq!(r.comment.as_deref(), Some("no deletes"));
    assert_eq!(r.enabled, TriggerEnabled::Disabled);
    assert!(!r.instead);
    assert_eq!(r.actions.len(), 1);
    let cat = ok(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO t DO INSTEAD NOTHING;\n\
         ALTER TABLE t ENABLE REPLICA RULE r1;"
    ));
    assert_eq!(
        cat.rewrite_rules[&key("t", "r1")].enabled,
        TriggerEnabled::Replica
    );
}

#[test]
fn rules_go_with_their_relation_and_what_they_write() {
    let cat = ok(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO t DO INSTEAD NOTHING;\n\
         CREATE RULE r2 AS ON INSERT TO v DO INSTEAD INSERT INTO log (id) VALUES (new.id);\n\
         DROP TABLE log CASCADE;"
    ));
    assert_eq!(cat.rewrite_rules.len(), 1, "{:?}", cat.rewrite_rules);
    let cat = ok(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO log DO INSTEAD NOTHING;\nDROP TABLE log;"
    ));
    assert!(cat.rewrite_rules.is_empty());
}

#[test]
fn errors_name_the_statement() {
    let e = err(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO t DO INSTEAD NOTHING;\nCREATE RULE r1 AS ON DELETE TO t DO INSTEAD NOTHING;"
    ));
    assert_eq!(
        e.message, "rule \"r1\" for relation \"t\" already exists",
        "{e}"
    );
    assert_eq!(e.line, 5, "{e}");
    let e = err(&format!(
        "{T}CREATE RULE r1 AS ON INSERT TO t DO INSERT INTO log (id) VALUES (old.id);"
    ));
    assert!(e.message.contains("ON INSERT rule cannot use OLD"), "{e}");
    assert_eq!((e.line, e.column), (4, 1), "{e}");
    let e = err(&format!(
        "{T}CREATE RULE r1 AS ON DELETE TO nope DO INSTEAD NOTHING;"
    ));
    assert!(e.message.contains("\"nope\" does not exist"), "{e}");
    let e = err(&format!("{T}DROP RULE nope ON t;"));
    assert_eq!(e.message, "rule \"nope\" for relation \"t\" does not exist");
    let e = err(&format!("{T}ALTER TABLE v DISABLE RULE x;"));
    assert!(e.message.contains("not a table"), "{e}");
    let e = err(&format!(
        "{T}CREATE RULE r1 AS ON INSERT TO t DO INSERT INTO log (nope) VALUES (new.id);"
    ));
    assert!(e.message.contains("nope"), "{e}");
}
