//! Partitioning, inheritance and table options: the invariant `parse(S) ==
//! introspect(db after S)` for every SQL file of the table-option fixtures
//! (`fixtures/110_*` … `fixtures/139_*`), plus targeted checks of what is folded into
//! the parents.

use shale_introspect::introspect_url;
use shale_model::{
    Catalog, IndexKeyExpr, PartitionBound, PartitionStrategy, QualName, ReplicaIdentity,
};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;
use std::path::PathBuf;

fn parse(sql: &str) -> Catalog {
    parse_sources(&[SourceFile {
        path: "test.sql".into(),
        text: sql.into(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn live(prefix: &str, sql: &str) -> Catalog {
    let db = TestDb::new(prefix);
    db.execute(sql);
    introspect_url(db.url()).unwrap()
}

fn q(n: &str) -> QualName {
    QualName::new("public", n)
}

fn fixture_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let n: u32 = name
            .split('_')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0);
        if !(110..=139).contains(&n) {
            continue;
        }
        if !fixture_runs_here(&p) {
            continue;
        }
        for f in ["current.sql", "desired.sql"] {
            if let Ok(text) = std::fs::read_to_string(p.join(f)) {
                out.push((format!("{name}/{f}"), text));
            }
        }
    }
    out.sort();
    out
}

/// A fixture's declared `min_pg = N` (its `meta` file, as the fixture harness reads it)
/// against the server's version.
fn fixture_runs_here(case: &std::path::Path) -> bool {
    let Ok(meta) = std::fs::read_to_string(case.join("meta")) else {
        return true;
    };
    let min = meta
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find_map(|l| l.strip_prefix("min_pg"))
        .and_then(|v| v.trim().trim_start_matches('=').trim().parse::<u32>().ok())
        .unwrap_or_else(|| panic!("{}/meta: no `min_pg = N` line", case.display()));
    shale_testkit::server_at_least(min, &case.display().to_string())
}

#[test]
fn every_table_option_fixture_parses_as_it_introspects() {
    let files = fixture_files();
    assert!(files.len() >= 20, "only {} fixture files", files.len());
    let mut failures = Vec::new();
    for (name, text) in files {
        let parsed = parse(&text);
        let got = live("tx_fixture", &text);
        if parsed != got {
            let a = serde_json::to_string_pretty(&parsed).unwrap();
            let b = serde_json::to_string_pretty(&got).unwrap();
            let diff = similar::TextDiff::from_lines(&a, &b)
                .unified_diff()
                .header("parsed", "introspected")
                .to_string();
            failures.push(format!("{name}:\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn partitions_fold_into_their_parent() {
    let sql = "CREATE TABLE m (id bigint NOT NULL, d date NOT NULL, v text, \
                 PRIMARY KEY (id, d), CHECK (id > 0)) PARTITION BY RANGE (d); \
               CREATE INDEX m_v_idx ON m (v); \
               CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); \
               CREATE TABLE m_d PARTITION OF m DEFAULT; \
               CREATE TABLE r (m_id bigint, m_d date, FOREIGN KEY (m_id, m_d) REFERENCES m);";
    let cat = live("tx_fold", sql);
    // The partitions have no columns, constraints or indexes of their own.
    assert!(cat.tables[&q("m_1")].columns.is_empty());
    assert!(cat.tables[&q("m_1")].constraints.is_empty());
    assert_eq!(
        cat.indexes
            .keys()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        vec!["m_v_idx"]
    );
    // One foreign key on r, referencing the parent (not one per partition).
    let fk = &cat.tables[&q("r")].constraints;
    assert_eq!(fk.len(), 1, "{fk:?}");
    let o = &cat.table_options[&q("m")];
    let key = o.partition_by.as_ref().unwrap();
    assert_eq!(key.strategy, PartitionStrategy::Range);
    assert_eq!(key.keys, vec![IndexKeyExpr::Column("d".into())]);
    let p = cat.table_options[&q("m_1")].partition_of.as_ref().unwrap();
    assert_eq!(p.parent, q("m"));
    assert_eq!(
        p.bound.to_string(),
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    );
    assert_eq!(
        cat.table_options[&q("m_d")]
            .partition_of
            .as_ref()
            .unwrap()
            .bound,
        PartitionBound::Default
    );
    assert_eq!(cat, parse(sql));
}

#[test]
fn bigint_bounds_compare_equal_to_bare_numbers() {
    let sql = "CREATE TABLE b (k bigint NOT NULL) PARTITION BY RANGE (k); \
               CREATE TABLE b_1 PARTITION OF b FOR VALUES FROM (0) TO (100);";
    let cat = live("tx_bigint", sql);
    assert_eq!(
        cat.table_options[&q("b_1")]
            .partition_of
            .as_ref()
            .unwrap()
            .bound
            .to_string(),
        "FOR VALUES FROM (0) TO (100)"
    );
    assert_eq!(cat, parse(sql));
}

#[test]
fn options_of_plain_tables() {
    let sql = "CREATE UNLOGGED TABLE t (a integer NOT NULL, b text) WITH (fillfactor=50); \
               CREATE UNIQUE INDEX t_a ON t (a); \
               ALTER TABLE t REPLICA IDENTITY USING INDEX t_a; \
               ALTER TABLE t ALTER COLUMN b SET STATISTICS 321;";
    let cat = live("tx_opts", sql);
    let o = &cat.table_options[&q("t")];
    assert!(o.unlogged);
    assert_eq!(o.storage["fillfactor"], "50");
    assert_eq!(o.replica_identity, ReplicaIdentity::Index("t_a".into()));
    assert_eq!(o.columns["b"].statistics, Some(321));
    assert_eq!(cat, parse(sql));
}

#[test]
fn bad_partition_statements_are_errors_with_positions() {
    let bad = [
        (
            "CREATE TABLE t (a int) PARTITION BY RANGE (a);\nCREATE TABLE t1 PARTITION OF t FOR VALUES IN (1);",
            "invalid bound",
        ),
        (
            "CREATE TABLE t (a int);\nCREATE TABLE t1 PARTITION OF t DEFAULT;",
            "not partitioned",
        ),
        ("CREATE TABLE t (a int) PARTITION BY LIST (zz);", "zz"),
        (
            "CREATE TABLE t (a int) PARTITION BY LIST (a);\nCREATE TABLE u (a int, b int);\nALTER TABLE t ATTACH PARTITION u FOR VALUES IN (1);",
            "not found in parent",
        ),
    ];
    for (sql, want) in bad {
        let e = parse_sources(&[SourceFile {
            path: "bad.sql".into(),
            text: sql.into(),
        }])
        .expect_err(sql);
        let msg = e.to_string();
        assert!(msg.contains(want), "{msg}");
        assert!(msg.contains("bad.sql:"), "{msg}");
    }
}
