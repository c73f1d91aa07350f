//! The DDL generated from YAML loads into a real PostgreSQL, and (the invariant for the
//! YAML front end) reading a document gives the catalog that introspecting the database
//! after running its DDL gives.

use shale_testkit::TestDb;

fn data(name: &str) -> String {
    let p = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn example_app() -> String {
    let p = format!("{}/../../schemas/yaml/app.yaml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn docs() -> Vec<(&'static str, String)> {
    vec![
        ("kitchen_sink.yaml", data("kitchen_sink.yaml")),
        ("app.yaml", example_app()),
    ]
}

#[test]
fn generated_ddl_loads_into_postgres() {
    for (name, text) in docs() {
        let sql = shale_yaml::render_sql(&[(name.to_string(), text)]).unwrap();
        let db = TestDb::new("yaml_loads");
        if let Err(e) = db.try_execute(&sql) {
            panic!("{name}: generated DDL does not load: {e}\n{sql}");
        }
    }
}
