//! Event triggers: the model of SQL files equals the introspected model of a database
//! where the same SQL ran, and they are no longer reported as unmodelled.

use shale_introspect::{introspect_url, read_owners};
use shale_model::{EventTriggerEvent, ObjectId, QualName, TriggerEnabled};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }]
}

const SQL: &str = "CREATE SCHEMA audit;
CREATE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE NOTICE 'ddl'; END$$;
CREATE FUNCTION public.guard() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER \"Audit End\" ON ddl_command_end
  WHEN TAG IN ('create table', 'ALTER TABLE', 'create table')
  EXECUTE FUNCTION audit.log_ddl();
CREATE EVENT TRIGGER drops ON sql_drop EXECUTE PROCEDURE guard();
CREATE EVENT TRIGGER rewrites ON table_rewrite WHEN TAG IN ('alter table') EXECUTE FUNCTION guard();
CREATE EVENT TRIGGER starts ON ddl_command_start EXECUTE FUNCTION guard();
ALTER EVENT TRIGGER drops DISABLE;
ALTER EVENT TRIGGER rewrites ENABLE REPLICA;
ALTER EVENT TRIGGER starts ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER \"Audit End\" IS 'audit log of DDL';
CREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);
";

#[test]
fn files_and_database_agree_on_event_triggers() {
    let db = TestDb::new("evt_round_trip");
    db.execute(SQL);
    let live = introspect_url(db.url()).unwrap();
    let mut parsed = shale_sql::parse_sources_collecting(&files(SQL)).unwrap();
    // Nothing is left unmodelled (the aggregate is modelled since), on both sides.
    for u in &mut parsed.unmodeled {
        u.location = None;
    }
    assert_eq!(parsed, live);
    assert!(live.unmodeled.is_empty(), "{:?}", live.unmodeled);
    assert_eq!(live.aggregates.len(), 1);

    assert_eq!(live.event_triggers.len(), 4);
    let audit = &live.event_triggers["Audit End"];
    assert_eq!(audit.event, EventTriggerEvent::DdlCommandEnd);
    assert_eq!(
        audit.tags,
        vec!["CREATE TABLE", "ALTER TABLE", "CREATE TABLE"]
    );
    assert_eq!(audit.function, QualName::new("audit", "log_ddl"));
    assert_eq!(audit.comment.as_deref(), Some("audit log of DDL"));
    assert_eq!(audit.enabled, TriggerEnabled::Origin);
    assert_eq!(
        live.event_triggers["drops"].enabled,
        TriggerEnabled::Disabled
    );
    assert_eq!(
        live.event_triggers["rewrites"].enabled,
        TriggerEnabled::Replica
    );
    assert_eq!(
        live.event_triggers["starts"].enabled,
        TriggerEnabled::Always
    );
    assert_eq!(
        live.event_triggers["rewrites"].event,
        EventTriggerEvent::TableRewrite
    );
    // What pg_dump prints reads back the same.
    let dumped = db.pg_dump_schema();
    let from_dump = parse_sources_collecting_ok(&dumped);
    assert_eq!(from_dump.event_triggers, live.event_triggers);
}

fn parse_sources_collecting_ok(sql: &str) -> shale_model::Catalog {
    shale_sql::parse_sources_collecting(&files(sql)).unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

#[test]
fn owners_of_event_triggers_are_read_when_asked() {
    let db = TestDb::new("evt_owners");
    let sql = "CREATE FUNCTION g() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
               CREATE EVENT TRIGGER e ON sql_drop EXECUTE FUNCTION g();";
    db.execute(sql);
    let mut live = introspect_url(db.url()).unwrap();
    assert!(live.owners.is_empty());
    read_owners(&mut db.client(), &mut live).unwrap();
    let user = db.current_user();
    assert_eq!(
        live.owners
            .get(&ObjectId::EventTrigger { name: "e".into() }),
        Some(&user)
    );
    // The files say the same with OWNER TO.
    let text = format!("{sql}\nALTER EVENT TRIGGER e OWNER TO {user};");
    let mut parsed = parse_sources(&files(&text)).unwrap();
    shale_sql::read_owners(&files(&text), &mut parsed).unwrap();
    assert_eq!(
        parsed
            .owners
            .get(&ObjectId::EventTrigger { name: "e".into() }),
        Some(&user)
    );
}
