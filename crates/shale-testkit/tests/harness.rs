use shale_testkit::{server_url, TestDb};

fn database_exists(name: &str) -> bool {
    let mut admin = postgres::Client::connect(&server_url(), postgres::NoTls).unwrap();
    admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .is_some()
}

#[test]
fn two_databases_are_distinct_and_isolated() {
    let a = TestDb::new("iso");
    let b = TestDb::new("iso");
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    a.execute("CREATE TABLE only_in_a (id int); INSERT INTO only_in_a VALUES (1)");
    let mut ca = a.client();
    let n: i64 = ca
        .query_one("SELECT count(*) FROM only_in_a", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let err = b.try_execute("SELECT * FROM only_in_a").unwrap_err();
    assert!(err.contains("only_in_a"), "{err}");
    let mut cb = b.client();
    let current: String = cb
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    assert_eq!(current, b.name());
}

#[test]
fn database_is_dropped_on_drop_even_with_open_connection() {
    let db = TestDb::new("dropme");
    let name = db.name().to_string();
    assert!(database_exists(&name));
    let client = db.client();
    drop(db);
    drop(client);
    assert!(!database_exists(&name));
}

#[test]
fn database_is_dropped_when_the_test_panics() {
    let name = std::sync::Mutex::new(String::new());
    let result = std::panic::catch_unwind(|| {
        let db = TestDb::new("panics");
        *name.lock().unwrap() = db.name().to_string();
        db.execute("SELECT no_such_function()");
    });
    let err = result.unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("no_such_function"), "{msg}");
    let name = name.into_inner().unwrap();
    assert!(!name.is_empty());
    assert!(!database_exists(&name));
}

#[test]
fn try_execute_reports_the_server_message() {
    let db = TestDb::new("err");
    let err = db
        .try_execute("CREATE TABLE t (a no_such_type)")
        .unwrap_err();
    assert!(err.contains("no_such_type"), "{err}");
    assert!(db.try_execute("CREATE TABLE t (a int)").is_ok());
}

#[test]
fn pg_dump_schema_shows_created_table() {
    let db = TestDb::new("dump");
    db.execute("CREATE TABLE widgets (id bigint PRIMARY KEY, label text NOT NULL)");
    let dump = db.pg_dump_schema();
    assert!(dump.contains("CREATE TABLE public.widgets"), "{dump}");
    assert!(dump.contains("label text NOT NULL"), "{dump}");
    assert!(!dump.contains("Dumped from"), "{dump}");
    assert!(!dump.contains("\\restrict"), "{dump}");
    assert!(!dump.contains("\n\n\n"), "{dump}");
    // Same schema in another database dumps identically.
    let other = TestDb::new("dump");
    other.execute("CREATE TABLE widgets (id bigint PRIMARY KEY, label text NOT NULL)");
    assert_eq!(dump, other.pg_dump_schema());
}
