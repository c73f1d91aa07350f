//! Snapshots of the DDL that YAML documents stand for.

use shale_yaml::render_sql;

fn render(path: &str, text: &str) -> String {
    render_sql(&[(path.to_string(), text.to_string())]).unwrap_or_else(|e| panic!("{e}"))
}

fn data(name: &str) -> String {
    let p = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[test]
fn short_forms() {
    let sql = render(
        "short.yaml",
        r#"
tables:
  users:
    columns:
      id: {type: bigint, identity: always, primary_key: true}
      email: {type: text, not_null: true, unique: true}
      name: text
      created_at: {type: timestamptz, not_null: true, default: now()}
  posts:
    columns:
      id: bigserial
      user_id: {type: bigint, not_null: true, references: users}
      title: "varchar(200)"
    primary_key: id
    checks:
      - length(title) > 0
    indexes:
      - columns: [user_id]
"#,
    );
    insta::assert_snapshot!("short_forms", sql);
}

#[test]
fn kitchen_sink() {
    insta::assert_snapshot!(
        "kitchen_sink",
        render("kitchen_sink.yaml", &data("kitchen_sink.yaml"))
    );
}

#[test]
fn example_app() {
    let p = format!("{}/../../schemas/yaml/app.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&p).unwrap();
    insta::assert_snapshot!("example_app", render("app.yaml", &text));
}

#[test]
fn several_files_refer_to_each_other() {
    // orders.yaml comes first but references a table of users.yaml: the foreign key is
    // added once both tables exist.
    let sql = render_sql(&[
        (
            "orders.yaml".into(),
            "tables:\n  orders:\n    columns:\n      id: {type: int, primary_key: true}\n      user_id: {type: int, references: users(id)}\n".into(),
        ),
        (
            "users.yaml".into(),
            "tables:\n  users:\n    columns:\n      id: {type: int, primary_key: true}\n".into(),
        ),
    ])
    .unwrap();
    insta::assert_snapshot!("several_files", sql);
    let create_users = sql.find("CREATE TABLE public.users").unwrap();
    let add_fk = sql
        .find("ALTER TABLE public.orders ADD FOREIGN KEY")
        .unwrap();
    assert!(create_users < add_fk);
}

#[test]
fn empty_documents_are_empty() {
    assert_eq!(render("e.yaml", ""), "");
    assert_eq!(render("e.yaml", "# nothing yet\n"), "");
    assert_eq!(render("e.yaml", "tables: {}\n"), "");
}

#[test]
fn defaults_that_need_parentheses_get_them() {
    let sql = render(
        "d.yaml",
        "tables:\n  t:\n    columns:\n      a: {type: boolean, default: true AND false}\n      b: {type: int, default: 1 + 2}\n",
    );
    assert!(sql.contains("a boolean DEFAULT (true AND false)"), "{sql}");
    assert!(sql.contains("b int DEFAULT 1 + 2"), "{sql}");
}
