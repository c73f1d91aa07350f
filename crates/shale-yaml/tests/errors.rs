//! Bad input gives an error value naming the file and the place or object, never a panic.

use shale_yaml::{parse_yaml, render_sql, YamlError};

fn err(text: &str) -> YamlError {
    match render_sql(&[("schema.yaml".to_string(), text.to_string())]) {
        Ok(sql) => panic!("expected an error, got DDL:\n{sql}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_key_has_line_and_column() {
    let e = err("tables:\n  users:\n    columns:\n      id: {type: int, primary: true}\n");
    assert_eq!(e.file, "schema.yaml");
    assert_eq!((e.line, e.column), (Some(4), Some(23)), "{e}");
    assert!(e.message.contains("unknown field `primary`"), "{e}");
    assert!(
        e.to_string()
            .starts_with("schema.yaml:4:23: tables.users.columns.id: unknown field `primary`"),
        "{e}"
    );

    let e = err("tables:\n  users:\n    colums:\n      id: int\n");
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("unknown field `colums`"), "{e}");

    let e = err("tabels: {}\n");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("unknown field `tabels`"), "{e}");
}

#[test]
fn wrong_type_for_a_field() {
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, not_null: maybe}\n");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.message.contains("not_null"), "{e}");
    assert!(e.message.contains("expected a boolean"), "{e}");

    let e = err("tables:\n  t:\n    columns:\n      a: [int]\n");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(
        e.message
            .contains("expected a type name or a column mapping"),
        "{e}"
    );

    let e = err("sequences:\n  s: {start: ten}\n");
    assert_eq!(e.line, Some(2), "{e}");

    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, references: {table: u, on_delete: explode}}\n");
    assert!(
        e.message.contains("unknown referential action `explode`"),
        "{e}"
    );
}

#[test]
fn bad_type_names_the_object() {
    let e = err("tables:\n  users:\n    columns:\n      email: {type: varchr(5)}\n");
    assert_eq!(
        e.to_string(),
        "schema.yaml: table public.users, column email: invalid type \"varchr(5)\": no such type"
    );
    let e = err("tables:\n  users:\n    columns:\n      email: {type: text not null}\n");
    assert!(
        e.to_string()
            .starts_with("schema.yaml: table public.users, column email: invalid type"),
        "{e}"
    );
    // An enum from the document is a known type; one from nowhere is not.
    assert!(render_sql(&[(
        "s.yaml".into(),
        "enums:\n  mood: [a]\ntables:\n  t:\n    columns:\n      m: mood\n".into()
    )])
    .is_ok());
    let e = err("tables:\n  t:\n    columns:\n      m: app.mood\n");
    assert!(
        e.to_string()
            .contains("column m: invalid type \"app.mood\""),
        "{e}"
    );
    // Extension types are known once the extension is declared.
    let e = err("tables:\n  t:\n    columns:\n      m: citext\n");
    assert!(e.to_string().contains("invalid type \"citext\""), "{e}");
    assert!(render_sql(&[(
        "s.yaml".into(),
        "extensions: [citext]\ntables:\n  t:\n    columns:\n      m: citext\n".into()
    )])
    .is_ok());
}

#[test]
fn bad_expressions_name_the_object() {
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, default: \"1) , b int, (2\"}\n");
    assert!(
        e.to_string()
            .starts_with("schema.yaml: table public.t, column a: invalid expression"),
        "{e}"
    );
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    checks:\n      - \"a > 0); DROP TABLE x; SELECT (1\"\n");
    assert!(
        e.to_string()
            .contains("table public.t, check `a > 0); DROP"),
        "{e}"
    );
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    indexes:\n      - {columns: [a], where: \"a >\"}\n");
    assert!(
        e.to_string()
            .contains("table public.t, index: invalid expression `a >`"),
        "{e}"
    );
    // A bare word as a default is a column reference, not a string.
    let e = err("tables:\n  t:\n    columns:\n      s: {type: text, default: active}\n");
    assert!(e.message.contains("written \"'active'\""), "{e}");
}

#[test]
fn references_are_checked() {
    let e = err("tables:\n  t:\n    columns:\n      u: {type: int, references: users(id)}\n");
    assert!(
        e.to_string()
            .contains("references public.users, which is not a table defined here"),
        "{e}"
    );
    let e = err("tables:\n  u:\n    columns:\n      id: int\n  t:\n    columns:\n      u: {type: int, references: u}\n");
    assert!(e.to_string().contains("public.u has no primary key"), "{e}");
    let e = err("tables:\n  u:\n    columns:\n      id: {type: int, primary_key: true}\n  t:\n    columns:\n      u: {type: int, references: u(nope)}\n");
    assert!(e.to_string().contains("not a column of that table"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    primary_key: [b]\n");
    assert!(
        e.to_string()
            .contains("primary_key: no column `b` in this table"),
        "{e}"
    );
    let e = err("sequences:\n  s: {owned_by: t.x}\ntables:\n  t:\n    columns:\n      a: int\n");
    assert!(
        e.to_string()
            .contains("sequence public.s: owned_by names public.t.x"),
        "{e}"
    );
}

#[test]
fn duplicates_and_conflicts() {
    let e = err("tables:\n  t:\n    columns:\n      a: int\n      a: text\n");
    assert!(e.message.contains("duplicate name `a`"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
    let e = render_sql(&[
        (
            "a.yaml".into(),
            "tables:\n  t:\n    columns:\n      a: int\n".into(),
        ),
        (
            "b.yaml".into(),
            "tables:\n  public.t:\n    columns:\n      a: int\n".into(),
        ),
    ])
    .unwrap_err();
    assert_eq!(e.file, "b.yaml");
    assert!(
        e.to_string()
            .contains("already taken by table public.t in a.yaml"),
        "{e}"
    );
    let e =
        err("tables:\n  t:\n    columns:\n      a: {type: int, not_null: true, nullable: true}\n");
    assert!(e.message.contains("contradict"), "{e}");
    let e =
        err("tables:\n  t:\n    columns:\n      a: {type: int, identity: always, default: 1}\n");
    assert!(
        e.message
            .contains("default and identity cannot be combined"),
        "{e}"
    );
    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, primary_key: true}\n      b: {type: int, primary_key: true}\n");
    assert!(e.message.contains("composite key"), "{e}");
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    checks:\n      - {expr: a > 0, comment: hi}\n");
    assert!(e.message.contains("needs a `name`"), "{e}");
    let long = "x".repeat(64);
    let e = err(&format!("tables:\n  {long}:\n    columns:\n      a: int\n"));
    assert!(e.message.contains("longer than 63 bytes"), "{e}");
}

#[test]
fn garbage_never_panics() {
    for text in [
        "- just\n- a list\n",
        "tables: 5\n",
        "tables:\n  t: 5\n",
        "tables:\n  t:\n    columns: []\n",
        ": : :\n",
        "tables:\n  t:\n    columns:\n      a: {type: \"\"}\n",
        "tables:\n  t:\n    columns:\n      a: int\n    indexes:\n      - {}\n",
        "tables:\n  t:\n    columns:\n      a: int\n    indexes:\n      - {keys: [{desc: true}]}\n",
        "enums:\n  e: [a, a]\n",
        "enums:\n  e: \"a\"\n",
        "extensions: [{name: x, version: 1.5}]\ntables: {\"\": {columns: {a: int}}}\n",
        "\t\0",
    ] {
        let r = parse_yaml("g.yaml", text);
        let e = r.expect_err(text);
        assert_eq!(e.file, "g.yaml");
        assert!(!e.message.is_empty());
    }
}

#[test]
fn errors_found_in_the_generated_ddl_name_the_yaml_object() {
    // These pass the per-fragment checks; the SQL front end finds them, and the error is
    // mapped back from the line of generated DDL to the object it came from.
    let e = parse_yaml(
        "s.yaml",
        "tables:\n  t:\n    columns:\n      a: int\n      g: {type: int, generated: nope * 2}\n",
    )
    .unwrap_err();
    assert_eq!(e.file, "s.yaml");
    assert_eq!(e.object.as_deref(), Some("table public.t, column g"), "{e}");
    assert!(e.message.contains("nope"), "{e}");
    let e = parse_yaml(
        "s.yaml",
        "tables:\n  t:\n    columns:\n      a: int\n    checks:\n      - a > 0\n      - b > 0\n",
    )
    .unwrap_err();
    assert_eq!(
        e.object.as_deref(),
        Some("table public.t, check `b > 0`"),
        "{e}"
    );
    let e = parse_yaml(
        "s.yaml",
        "tables:\n  t:\n    columns:\n      a: {type: \"numeric(1,2,3)\"}\n",
    )
    .unwrap_err();
    assert_eq!(e.object.as_deref(), Some("table public.t, column a"), "{e}");
}

#[test]
fn unknown_index_method() {
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    indexes:\n      - {columns: [a], using: btre}\n");
    assert!(
        e.to_string()
            .contains("table public.t, index: unknown index method `btre`"),
        "{e}"
    );
    assert!(render_sql(&[("s.yaml".into(), "extensions: [vector]\ntables:\n  t:\n    columns:\n      a: int\n    indexes:\n      - {columns: [a], using: hnsw}\n".into())]).is_ok());
}

#[test]
fn constraint_names_are_unique() {
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    checks:\n      - {name: c1, expr: a > 0}\n      - {name: c1, expr: a < 9}\n");
    assert!(
        e.to_string()
            .contains("table public.t: two constraints are named `c1`"),
        "{e}"
    );
    let e = err("tables:\n  t:\n    columns:\n      a: int\n    unique: [{name: u, columns: [a]}]\n  u:\n    columns:\n      a: int\n");
    assert!(
        e.to_string()
            .contains("constraint public.u: the name is already taken by table public.u"),
        "{e}"
    );
}

/// `file:line:col` of an error, as printed.
fn place(e: &YamlError) -> (Option<usize>, Option<usize>) {
    (e.line, e.column)
}

#[test]
fn unknown_keys_of_issue3_families_have_line_and_column() {
    let cases: &[(&str, usize, &str)] = &[
        ("views:\n  v:\n    query: SELECT 1\n    check: local\n", 4, "unknown field `check`"),
        (
            "functions:\n  - name: f\n    language: sql\n    body: SELECT 1\n    volatile: true\n",
            5,
            "unknown field `volatile`",
        ),
        (
            "functions:\n  - name: f\n    language: sql\n    body: SELECT 1\n    args: [{name: a, typ: int}]\n",
            5,
            "unknown field `typ`",
        ),
        (
            "tables:\n  t:\n    columns: {a: int}\n    triggers:\n      tr: {timing: before, events: [insert], function: f, each: row}\n",
            5,
            "unknown field `each`",
        ),
        (
            "tables:\n  t:\n    columns: {a: int}\n    policies:\n      p: {using: a > 0, to: [x]}\n",
            5,
            "unknown field `to`",
        ),
        ("domains:\n  d: {type: int, nullable: false}\n", 2, "unknown field `nullable`"),
        (
            "composite_types:\n  c:\n    fields: {a: int}\n",
            3,
            "unknown field `fields`",
        ),
        ("range_types:\n  r: {sub_type: float8}\n", 2, "unknown field `sub_type`"),
        (
            "default_privileges:\n  - {on: tables, grant: {x: [select]}}\n",
            2,
            "unknown field `grant`",
        ),
        (
            "tables:\n  p:\n    partition_of: {parent: q, values: default}\n",
            3,
            "unknown field `values`",
        ),
        (
            "tables:\n  t:\n    columns: {a: int}\n    exclusions:\n      - {elements: [{column: a, operator: \"=\"}]}\n",
            5,
            "unknown field `operator`",
        ),
        ("schemas:\n  - {name: app, ownr: bob}\n", 2, "unknown field `ownr`"),
    ];
    for (text, line, msg) in cases {
        let e = err(text);
        assert_eq!(e.file, "schema.yaml");
        assert_eq!(e.line, Some(*line), "{text}: {e}");
        assert!(e.column.is_some(), "{text}: {e}");
        assert!(e.message.contains(msg), "{text}: {e}");
        let (l, c) = place(&e);
        assert!(
            e.to_string()
                .starts_with(&format!("schema.yaml:{}:{}: ", l.unwrap(), c.unwrap())),
            "{e}"
        );
    }
}

#[test]
fn wrong_types_of_issue3_keys_have_line_and_column() {
    let e = err("views:\n  v:\n    query: SELECT 1\n    security_barrier: sometimes\n");
    assert_eq!(place(&e), (Some(4), Some(23)), "{e}");
    assert!(e.message.contains("expected a boolean"), "{e}");

    let e = err("tables:\n  t:\n    columns: {a: int}\n    triggers:\n      tr: {timing: before, events: insert, function: f}\n");
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.message.contains("events"), "{e}");
    assert!(e.message.contains("expected a sequence"), "{e}");

    let e =
        err("functions:\n  - name: f\n    language: sql\n    body: SELECT 1\n    cost: cheap\n");
    assert_eq!(e.line, Some(5), "{e}");
    assert!(e.message.contains("`cheap` is not a number"), "{e}");

    let e = err("tables:\n  t:\n    columns:\n      a: {type: int, statistics: lots}\n");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.message.contains("statistics"), "{e}");

    let e = err("tables:\n  t:\n    columns: {a: int}\n    grants: {bob: select}\n");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.message.contains("expected a sequence"), "{e}");

    let e = err("functions: {f: {}}\n");
    assert_eq!(e.line, Some(1), "{e}");
    assert!(e.message.contains("expected a sequence"), "{e}");
}

#[test]
fn bad_values_of_issue3_keys_name_the_object() {
    let e = err("tables:\n  t:\n    columns: {a: int}\n    triggers:\n      tr: {timing: during, events: [insert], function: f}\n");
    assert_eq!(
        e.to_string(),
        "schema.yaml: trigger tr on public.t: unknown timing `during`, expected before, after or instead_of"
    );

    let e = err("tables:\n  t:\n    columns: {a: int}\n    grants: {bob: [fly]}\n");
    assert!(
        e.to_string()
            .starts_with("schema.yaml: table public.t: grants: `fly` is not a privilege"),
        "{e}"
    );

    let e = err("views:\n  v:\n    query: \"SELECT 1; DROP TABLE x\"\n");
    assert!(
        e.to_string()
            .starts_with("schema.yaml: view public.v: invalid SQL"),
        "{e}"
    );

    let e = err("functions:\n  - name: f\n    language: sql\n    sql_body: \"RETURN 1; DROP TABLE x\"\n    returns: int\n");
    assert!(
        e.to_string()
            .starts_with("schema.yaml: function public.f: invalid SQL"),
        "{e}"
    );

    let e = err("functions:\n  - name: f\n    language: sql\n    returns: int\n");
    assert!(
        e.message
            .contains("exactly one of `body`, `sql_body` or `obj_file`"),
        "{e}"
    );

    let e = err("tables:\n  p:\n    partition_of: {parent: q, bound: \"FROM (1\"}\n");
    assert!(
        e.to_string()
            .contains("table public.p: invalid partition bound"),
        "{e}"
    );

    let e = err("tables:\n  t:\n    columns: {a: int}\n    partition_by: \"range (a)) ; DROP TABLE x; --\"\n");
    assert!(e.message.contains("invalid partition_by"), "{e}");

    let e = err("domains:\n  d: {type: nosuchtype}\n");
    assert_eq!(
        e.to_string(),
        "schema.yaml: domain public.d: invalid type \"nosuchtype\": no such type"
    );

    let e = err("views:\n  v: {query: SELECT 1, materialized: true, check_option: local}\n");
    assert!(e.message.contains("materialized view takes no"), "{e}");

    let e = err("default_privileges:\n  - {on: views, grants: {}}\n");
    assert!(e.message.contains("unknown `on: views`"), "{e}");

    // A name taken twice across kinds.
    let e = err("tables:\n  x: {columns: {a: int}}\nviews:\n  x: {query: SELECT 1}\n");
    assert!(e.message.contains("already taken by table"), "{e}");
}

#[test]
fn errors_in_triggers_and_policies_name_them() {
    // Found by the SQL front end in the generated DDL: mapped back to the trigger.
    let e = err_parse(
        "tables:\n  t:\n    columns: {a: int}\n    triggers:\n      tr: {timing: before, events: [insert], for_each: row, function: missing_fn}\n",
    );
    assert!(
        e.to_string()
            .starts_with("schema.yaml: trigger tr on public.t: "),
        "{e}"
    );
    assert!(e.message.contains("missing_fn"), "{e}");
}

fn err_parse(text: &str) -> YamlError {
    match parse_yaml("schema.yaml", text) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn c_function_needs_file_and_symbol() {
    let head = "functions:\n  - {name: f, returns: void, language: c";
    let e = err(&format!("{head}, obj_file: $libdir/x}}\n"));
    assert_eq!(e.object.as_deref(), Some("function public.f"), "{e}");
    assert!(
        e.message.contains("both `obj_file` and `link_symbol`"),
        "{e}"
    );
    let e = err(&format!("{head}, link_symbol: f}}\n"));
    assert!(
        e.message.contains("both `obj_file` and `link_symbol`"),
        "{e}"
    );
    let e = err(&format!("{head}, body: x, obj_file: y, link_symbol: f}}\n"));
    assert!(e.message.contains("give exactly one of `body`"), "{e}");
}

#[test]
fn owner_must_be_a_role_name() {
    let e = err("tables:\n  t: {columns: {a: int}, owner: \"\"}\n");
    assert_eq!(e.object.as_deref(), Some("table public.t"), "{e}");
    assert!(e.message.contains("owner"), "{e}");
    let e = err("tables:\n  t: {columns: {a: int}, owner: [a, b]}\n");
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn bad_event_triggers_name_the_object() {
    let e = err("event_triggers:\n  et: {event: ddl_command_middle, function: f}\n");
    assert_eq!(e.object.as_deref(), Some("event trigger et"), "{e}");
    assert!(
        e.message.contains("unknown event `ddl_command_middle`"),
        "{e}"
    );
    let e = err("event_triggers:\n  et: {event: sql_drop, function: f, enabled: sometimes}\n");
    assert!(e.message.contains("enabled is origin, disabled"), "{e}");
    let e = err("event_triggers:\n  et: {event: sql_drop}\n");
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("missing field `function`"), "{e}");
}

#[test]
fn deep_nesting_is_refused_at_the_place_it_goes_too_deep() {
    // 100,000 levels of flow sequences: refused where level 65 opens, before serde_yaml
    // (whose scanner is quadratic in this depth) reads the rest.
    let n = 100_000;
    let e = err(&format!("tables: {}{}\n", "[".repeat(n), "]".repeat(n)));
    assert_eq!(e.file, "schema.yaml");
    assert_eq!((e.line, e.column), (Some(1), Some(72)), "{e}");
    assert!(e.message.contains("nested deeper than 64 levels"), "{e}");

    // Block mappings nested by indentation: refused on the line of level 65.
    let mut text = String::from("tables:\n");
    for i in 0..2_000 {
        text.push_str(&" ".repeat(i + 2));
        text.push_str("a:\n");
    }
    let e = err(&text);
    assert_eq!((e.line, e.column), (Some(65), Some(66)), "{e}");
    assert!(e.message.contains("nested deeper than 64 levels"), "{e}");

    // Brackets inside quotes, comments, plain scalars and block scalars are not nesting.
    let body = "[".repeat(200);
    let ok = format!(
        "tables:\n  t:  # {body}\n    columns:\n      a: int[]\n      b: {{type: text, comment: \"b <> '{body}'\"}}\n    comment: |\n      {body}\n      {body}\n"
    );
    render_sql(&[("s.yaml".into(), ok)]).unwrap();
}

#[test]
fn alias_expansion_is_bounded() {
    // The issue's shape: 20,000 aliases of one table.
    let mut text = String::from(
        "tables:\n  t0: &t\n    columns:\n      id: {type: bigint, not_null: true}\n      name: text\n      note: text\n",
    );
    for i in 1..20_000 {
        text.push_str(&format!("  t{i}: *t\n"));
    }
    let e = err(&text);
    assert_eq!(e.file, "schema.yaml");
    assert!(
        e.line.is_some_and(|l| l > 1000) && e.column == Some(10),
        "{e}"
    );
    assert!(
        e.message
            .contains("aliases expand the document past 1024 KiB"),
        "{e}"
    );

    // A billion laughs: each anchor is ten aliases of the one before.
    let mut text = String::from("comment: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for k in 1..10 {
        let prev = k - 1;
        text.push_str(&format!(
            "x{k}: &l{k} [{}]\n",
            vec![format!("*l{prev}"); 10].join(", ")
        ));
    }
    let e = err(&text);
    assert!(e.line.is_some(), "{e}");
    assert!(e.message.contains("aliases expand the document"), "{e}");

    // Anchors used the ordinary way (a shared column definition) stay well inside.
    let mut text = String::from(
        "tables:\n  t0:\n    columns:\n      id: &id {type: bigint, not_null: true}\n",
    );
    for i in 1..500 {
        text.push_str(&format!(
            "  t{i}:\n    columns:\n      id: *id\n      name: text\n"
        ));
    }
    let sql = render_sql(&[("s.yaml".into(), text)]).unwrap();
    assert!(sql.contains("CREATE TABLE public.t499 ("), "{sql}");
}
