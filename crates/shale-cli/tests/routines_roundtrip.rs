//! Views, functions and triggers survive a round trip through shale's own DDL: a schema
//! loaded into a database, introspected, written back as SQL by `create_script`, and
//! loaded into a fresh database gives the same model and the same `pg_dump`.

mod common;

use shale_testkit::TestDb;

#[test]
fn routines_round_trip_through_create_script() {
    let sql = std::fs::read_to_string(
        common::fixture("69_routines_no_changes_pg_dump").join("current.sql"),
    )
    .unwrap();
    let a = TestDb::new("rt_routines_a");
    a.execute(&sql);
    let cat = shale_introspect::introspect(&mut a.client()).unwrap();
    assert!(cat.views.len() >= 10 && cat.functions.len() >= 10 && cat.triggers.len() >= 5);

    let script = shale_plan::create_script(&cat).unwrap();
    let b = TestDb::new("rt_routines_b");
    b.try_execute(&script)
        .unwrap_or_else(|e| panic!("the script does not load: {e}\n{script}"));
    let again = shale_introspect::introspect(&mut b.client()).unwrap();
    assert_eq!(cat, again);
    assert_eq!(a.pg_dump_schema(), b.pg_dump_schema());

    // and the plan between the two databases is empty
    let p = shale_plan::plan(&cat, &again, &shale_plan::PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{}", shale_plan::render::text(&p));
}

#[test]
fn plans_report_what_shale_does_not_manage() {
    let db = TestDb::new("rt_unmanaged");
    db.execute(
        "CREATE TABLE t (a int);
         CREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);
         CREATE CONVERSION my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
         CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
         CREATE EVENT TRIGGER on_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();",
    );
    let live = shale_introspect::introspect(&mut db.client()).unwrap();
    // Event triggers are modelled (issue 3): the same one in the files plans nothing.
    let files = shale_sql::parse_sources_collecting(&[shale_sql::SourceFile {
        path: "desired.sql".into(),
        text: "CREATE TABLE t (a int, b int);\nCREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);\n\
               CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n\
               CREATE EVENT TRIGGER on_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();\n".into(),
    }])
    .unwrap();
    let p = shale_plan::plan(&live, &files, &shale_plan::PlanOptions::default()).unwrap();
    assert_eq!(
        p.steps.len(),
        1,
        "only the new column; unmodelled objects are not touched"
    );
    let note = shale_plan::routines::unmodeled_note(&p);
    assert!(note.starts_with("Not managed by shale (1 object"), "{note}");
    // Aggregates are modelled (aggregates.rs): the same one in the files plans nothing.
    assert!(!note.contains("aggregate"), "{note}");
    // Text search configurations are modelled (text_search.rs); a conversion is not.
    assert!(note.contains("conversion public.my_conv"), "{note}");
    assert!(!note.contains("event trigger"), "{note}");
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["unmodeled"].as_array().unwrap().len(), 1);
}
