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
        ("families.yaml", data("families.yaml")),
        ("issue12.yaml", data("issue12.yaml")),
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

/// The objects that differ between two catalogs, for a readable failure.
fn diff(a: &shale_model::Catalog, b: &shale_model::Catalog) -> String {
    fn side<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
        what: &str,
        a: &std::collections::BTreeMap<K, V>,
        b: &std::collections::BTreeMap<K, V>,
        out: &mut Vec<String>,
    ) {
        let keys: std::collections::BTreeSet<&K> = a.keys().chain(b.keys()).collect();
        for k in keys {
            let (x, y) = (a.get(k), b.get(k));
            if x != y {
                out.push(format!(
                    "{what} {k:?}:\n  yaml:       {x:?}\n  introspect: {y:?}"
                ));
            }
        }
    }
    let mut out = Vec::new();
    side("schema", &a.schemas, &b.schemas, &mut out);
    side("extension", &a.extensions, &b.extensions, &mut out);
    side("enum", &a.enums, &b.enums, &mut out);
    side("sequence", &a.sequences, &b.sequences, &mut out);
    side("table", &a.tables, &b.tables, &mut out);
    side("index", &a.indexes, &b.indexes, &mut out);
    side("view", &a.views, &b.views, &mut out);
    side("function", &a.functions, &b.functions, &mut out);
    side("trigger", &a.triggers, &b.triggers, &mut out);
    side("domain", &a.domains, &b.domains, &mut out);
    side("composite", &a.composites, &b.composites, &mut out);
    side("range", &a.ranges, &b.ranges, &mut out);
    side("policy", &a.policies, &b.policies, &mut out);
    side("privileges", &a.privileges, &b.privileges, &mut out);
    side(
        "default privileges",
        &a.default_privileges,
        &b.default_privileges,
        &mut out,
    );
    side(
        "table options",
        &a.table_options,
        &b.table_options,
        &mut out,
    );
    side("collation", &a.collations, &b.collations, &mut out);
    side(
        "schema comment",
        &a.schema_comments,
        &b.schema_comments,
        &mut out,
    );
    side("operator", &a.operators, &b.operators, &mut out);
    side(
        "operator family",
        &a.operator_families,
        &b.operator_families,
        &mut out,
    );
    side(
        "operator class",
        &a.operator_classes,
        &b.operator_classes,
        &mut out,
    );
    side("rule", &a.rewrite_rules, &b.rewrite_rules, &mut out);
    side(
        "attached index",
        &a.attached_indexes,
        &b.attached_indexes,
        &mut out,
    );
    out.join("\n")
}

#[test]
fn yaml_model_equals_introspected_database() {
    for (name, text) in docs() {
        let files = [(name.to_string(), text)];
        let from_yaml = shale_yaml::parse_yaml_files(&files).unwrap_or_else(|e| panic!("{e}"));
        let sql = shale_yaml::render_sql(&files).unwrap();
        let db = TestDb::new("yaml_invariant");
        db.execute(&sql);
        let live = shale_introspect::introspect_url(db.url()).unwrap_or_else(|e| panic!("{e}"));
        // Extension versions are compared only when the YAML names one.
        let mut live = live;
        for (n, e) in live.extensions.iter_mut() {
            if from_yaml
                .extensions
                .get(n)
                .is_some_and(|d| d.version.is_none())
            {
                e.version = None;
            }
        }
        assert!(
            from_yaml == live,
            "{name}: YAML model differs from the database:\n{}",
            diff(&from_yaml, &live)
        );
        // And the database's model exports to YAML that reads back as itself.
        let yaml = shale_yaml::to_yaml(&live);
        let back = shale_yaml::parse_yaml("exported.yaml", &yaml)
            .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert!(
            back == live,
            "{name}: exported YAML does not read back:\n{}\n{yaml}",
            diff(&back, &live)
        );
    }
}

/// An expression key whose operator class stores another type (gin_trgm_ops stores int4):
/// its collation is compared with the expression's type, not the storage type.
#[test]
fn expression_key_with_storage_type_opclass_matches_introspection() {
    let text = "extensions: [pg_trgm]\ntables:\n  t:\n    columns:\n      name: text\n    indexes:\n      - {using: gin, keys: [{expr: lower(name), opclass: gin_trgm_ops}]}\n";
    let files = [("trgm.yaml".to_string(), text.to_string())];
    let from_yaml = shale_yaml::parse_yaml_files(&files).unwrap_or_else(|e| panic!("{e}"));
    let db = TestDb::new("yaml_trgm");
    db.execute(&shale_yaml::render_sql(&files).unwrap());
    let mut live = shale_introspect::introspect_url(db.url()).unwrap_or_else(|e| panic!("{e}"));
    for e in live.extensions.values_mut() {
        e.version = None;
    }
    assert!(from_yaml == live, "{}", diff(&from_yaml, &live));
}

/// `schemas/sql/*.sql` in name order.
fn example_sql() -> Vec<shale_sql::SourceFile> {
    let dir = format!("{}/../../schemas/sql", env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| shale_sql::SourceFile {
            path: p.display().to_string(),
            text: std::fs::read_to_string(&p).unwrap(),
        })
        .collect()
}

#[test]
fn example_sql_schema_loads_and_exports_to_yaml() {
    let files = example_sql();
    assert!(files.len() >= 5, "expected the example SQL files");
    let offline = shale_sql::parse_sources(&files).unwrap_or_else(|e| panic!("{e}"));
    assert!(offline.tables.len() >= 10);
    let db = TestDb::new("yaml_example_sql");
    for f in &files {
        if let Err(e) = db.try_execute(&f.text) {
            panic!("{} does not load: {e}", f.path);
        }
    }
    let mut live = shale_introspect::introspect_url(db.url()).unwrap_or_else(|e| panic!("{e}"));
    for e in live.extensions.values_mut() {
        e.version = None;
    }
    assert!(
        offline == live,
        "example SQL: offline model differs from the database:\n{}",
        diff(&offline, &live)
    );
    // The same schema as YAML reads back to the same model, and its DDL loads.
    let yaml = shale_yaml::to_yaml(&offline);
    let back = shale_yaml::parse_yaml("shop.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert!(back == offline, "{}\n{yaml}", diff(&back, &offline));
    let ddl = shale_yaml::render_sql(&[("shop.yaml".into(), yaml)]).unwrap();
    let db2 = TestDb::new("yaml_example_sql_from_yaml");
    db2.execute(&ddl);
    let mut live2 = shale_introspect::introspect_url(db2.url()).unwrap_or_else(|e| panic!("{e}"));
    for e in live2.extensions.values_mut() {
        e.version = None;
    }
    assert!(live2 == live, "{}", diff(&live2, &live));
}

#[test]
fn docs_opening_example_reads_and_loads() {
    let p = format!("{}/../../docs/YAML.md", env!("CARGO_MANIFEST_DIR"));
    let md = std::fs::read_to_string(&p).unwrap();
    let start = md.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let len = md[start..].find("```").unwrap();
    let text = md[start..start + len].to_string();
    let files = [("docs-example.yaml".to_string(), text)];
    let cat = shale_yaml::parse_yaml_files(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat.tables.len(), 2);
    let db = TestDb::new("yaml_docs_example");
    db.execute(&shale_yaml::render_sql(&files).unwrap());
}
