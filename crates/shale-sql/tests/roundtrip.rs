//! The invariant, checked against a real PostgreSQL: for a schema written as SQL,
//! `parse(S) == introspect(database after running S)`, and reading the database's
//! `pg_dump --schema-only` gives the same catalog again.

use shale_model::Catalog;
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;
use std::collections::BTreeMap;
use std::fmt::Debug;

fn parse(name: &str, sql: &str) -> Catalog {
    parse_sources(&[SourceFile {
        path: name.to_string(),
        text: sql.to_string(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn diff_map<K: Ord + Debug, V: PartialEq + Debug>(
    what: &str,
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    for (k, v) in a {
        match b.get(k) {
            None => out.push(format!("{what} {k:?}: only in parsed files")),
            Some(w) if w != v => out.push(format!(
                "{what} {k:?} differs:\n  parsed:     {v:?}\n  introspect: {w:?}"
            )),
            _ => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            out.push(format!("{what} {k:?}: only in the database"));
        }
    }
}

/// Readable differences between two catalogs (empty when equal).
fn differences(parsed: &Catalog, live: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    diff_map("schema", &parsed.schemas, &live.schemas, &mut out);
    // The version is compared only when the files name one.
    let mut live_ext = live.extensions.clone();
    for (k, e) in live_ext.iter_mut() {
        if parsed
            .extensions
            .get(k)
            .is_some_and(|p| p.version.is_none())
        {
            e.version = None;
        }
    }
    diff_map("extension", &parsed.extensions, &live_ext, &mut out);
    diff_map("enum", &parsed.enums, &live.enums, &mut out);
    diff_map("sequence", &parsed.sequences, &live.sequences, &mut out);
    diff_map("index", &parsed.indexes, &live.indexes, &mut out);
    for (k, t) in &parsed.tables {
        match live.tables.get(k) {
            None => out.push(format!("table {k}: only in parsed files")),
            Some(l) => {
                if t.columns.len() != l.columns.len() {
                    out.push(format!(
                        "table {k}: columns {:?} vs {:?}",
                        t.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
                        l.columns.iter().map(|c| &c.name).collect::<Vec<_>>()
                    ));
                }
                for (a, b) in t.columns.iter().zip(&l.columns) {
                    if a != b {
                        out.push(format!(
                            "column {k}.{} differs:\n  parsed:     {a:?}\n  introspect: {b:?}",
                            a.name
                        ));
                    }
                }
                diff_map(
                    &format!("constraint of {k}"),
                    &t.constraints,
                    &l.constraints,
                    &mut out,
                );
                if t.comment != l.comment {
                    out.push(format!(
                        "table {k} comment {:?} vs {:?}",
                        t.comment, l.comment
                    ));
                }
            }
        }
    }
    for k in live.tables.keys() {
        if !parsed.tables.contains_key(k) {
            out.push(format!("table {k}: only in the database"));
        }
    }
    out
}

/// Load `sql`, introspect, compare; then read pg_dump's output and compare again.
fn check(name: &str, sql: &str) {
    let parsed = parse(name, sql);
    let db = TestDb::new("shale_sql_rt");
    db.execute(sql);
    let live = shale_introspect::introspect_url(db.url())
        .unwrap_or_else(|e| panic!("{name}: introspection failed: {e}"));
    let d = differences(&parsed, &live);
    assert!(
        d.is_empty(),
        "{name}: parse != introspect:\n{}",
        d.join("\n")
    );
    let dump = db.pg_dump_schema();
    let from_dump = parse(&format!("pg_dump of {name}"), &dump);
    let d = differences(&from_dump, &live);
    assert!(
        d.is_empty(),
        "{name}: parse(pg_dump) != introspect:\n{}\n--- dump:\n{dump}",
        d.join("\n")
    );
}

#[test]
fn fixtures_parse_like_the_database() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return;
    };
    let mut files: Vec<_> = dirs
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        .map(|f| f.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let sql = std::fs::read_to_string(f).unwrap_or_default();
        let name = f.display().to_string();
        if let Err(e) = std::panic::catch_unwind(|| check(&name, &sql)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
