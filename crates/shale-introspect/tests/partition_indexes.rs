//! Partitions' indexes attached to partitioned indexes (`Catalog::attached_indexes`,
//! `Index::invalid` of `ON ONLY` indexes): each snippet's model from files equals the
//! model introspected from a database where it ran, and says what is attached.

use shale_introspect::introspect_url;
use shale_model::{AttachedIndex, Catalog, QualName};
use shale_sql::{parse_sources, SourceFile};
use shale_testkit::TestDb;

fn parse(sql: &str) -> Result<Catalog, String> {
    parse_sources(&[SourceFile {
        path: "test.sql".into(),
        text: sql.into(),
    }])
    .map_err(|e| e.to_string())
}

fn live(prefix: &str, sql: &str) -> Catalog {
    let db = TestDb::new(prefix);
    db.execute(sql);
    introspect_url(db.url()).unwrap()
}

fn q(n: &str) -> QualName {
    QualName::new("public", n)
}

/// The model of `sql` from files, checked equal to the database's.
fn same(prefix: &str, sql: &str) -> Catalog {
    let files = parse(sql).unwrap_or_else(|e| panic!("{e}"));
    let db = live(prefix, sql);
    assert_eq!(
        serde_json::to_string_pretty(&files).unwrap(),
        serde_json::to_string_pretty(&db).unwrap(),
        "{sql}"
    );
    files
}

fn attached(cat: &Catalog) -> Vec<(String, String)> {
    cat.attached_indexes
        .values()
        .map(|AttachedIndex { index, parent }| (index.name.clone(), parent.name.clone()))
        .collect()
}

const TREE: &str = "CREATE TABLE p (id int NOT NULL, a int, b text) PARTITION BY RANGE (id);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20);
";

#[test]
fn an_adopted_index_keeps_its_name_and_a_made_one_is_implied() {
    let sql = format!(
        "{TREE}CREATE INDEX p1_mine ON p1 (a);\nCREATE INDEX p2_a_idx ON p2 (a);\nCREATE INDEX p_a_idx ON p (a);"
    );
    let cat = same("pi_adopt", &sql);
    // p2_a_idx is the name PostgreSQL would have given: implied like the one it makes.
    assert_eq!(attached(&cat), [("p1_mine".into(), "p_a_idx".into())]);
    assert!(cat.indexes.contains_key(&q("p1_mine")));
    assert!(!cat.indexes.contains_key(&q("p2_a_idx")));
}

#[test]
fn a_partitions_own_key_under_a_unique_index_stays_a_key() {
    let sql = format!(
        "{TREE}ALTER TABLE p1 ADD CONSTRAINT p1_own PRIMARY KEY (id);\nCREATE UNIQUE INDEX p_id_idx ON p (id);"
    );
    let cat = same("pi_key", &sql);
    assert_eq!(attached(&cat), [("p1_own".into(), "p_id_idx".into())]);
    assert!(cat.tables[&q("p1")].constraints.contains_key("p1_own"));
}

#[test]
fn using_index_keeps_the_attachment_under_the_keys_name() {
    let sql = format!(
        "{TREE}CREATE UNIQUE INDEX p1_u ON p1 (b, id);\nCREATE UNIQUE INDEX p_b_id_idx ON p (b, id);\nALTER TABLE p1 ADD CONSTRAINT p1_b_key UNIQUE USING INDEX p1_u;"
    );
    let cat = same("pi_using", &sql);
    assert_eq!(attached(&cat), [("p1_b_key".into(), "p_b_id_idx".into())]);
}

#[test]
fn on_only_is_invalid_until_every_partition_has_a_valid_index_attached() {
    let half = format!(
        "{TREE}CREATE INDEX p_b_idx ON ONLY p (b);\nCREATE INDEX p1_b ON p1 (b);\nALTER INDEX p_b_idx ATTACH PARTITION p1_b;"
    );
    let cat = same("pi_only_half", &half);
    assert!(cat.indexes[&q("p_b_idx")].invalid);
    assert_eq!(attached(&cat), [("p1_b".into(), "p_b_idx".into())]);
    let full = format!(
        "{half}\nCREATE INDEX p2_b_idx ON p2 (b);\nALTER INDEX p_b_idx ATTACH PARTITION p2_b_idx;"
    );
    let cat = same("pi_only_full", &full);
    assert!(!cat.indexes[&q("p_b_idx")].invalid);
    // An ON ONLY index of a table without partitions is valid at once.
    let cat = same(
        "pi_only_empty",
        "CREATE TABLE e (a int) PARTITION BY LIST (a);\nCREATE INDEX e_a_idx ON ONLY e (a);",
    );
    assert!(!cat.indexes[&q("e_a_idx")].invalid);
}

#[test]
fn a_sub_partitions_index_counts_once_valid() {
    let sql = "CREATE TABLE m (t int NOT NULL, at date NOT NULL, n text) PARTITION BY RANGE (at);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (t);
CREATE TABLE m1a PARTITION OF m1 FOR VALUES IN (1);
CREATE INDEX m_n_idx ON ONLY m (n);
CREATE INDEX m1_n_idx ON ONLY m1 (n);
ALTER INDEX m_n_idx ATTACH PARTITION m1_n_idx;";
    let cat = same("pi_sub_half", sql);
    assert!(cat.indexes[&q("m_n_idx")].invalid);
    let sql = format!(
        "{sql}\nCREATE INDEX m1a_by_n ON m1a (n);\nALTER INDEX m1_n_idx ATTACH PARTITION m1a_by_n;"
    );
    let cat = same("pi_sub_full", &sql);
    assert!(!cat.indexes[&q("m_n_idx")].invalid);
    // Its parent m1_n_idx is implied (PostgreSQL's name): the hand-named index stays an
    // index of its own, with no attachment to an index outside the model.
    assert!(cat.attached_indexes.is_empty());
    assert!(cat.indexes.contains_key(&q("m1a_by_n")));
}

#[test]
fn attached_indexes_cannot_be_dropped_and_go_with_their_parent() {
    let base = format!("{TREE}CREATE INDEX p1_mine ON p1 (a);\nCREATE INDEX p_a_idx ON p (a);\n");
    let e = parse(&format!("{base}DROP INDEX p1_mine;")).unwrap_err();
    assert!(e.contains("requires it") && e.contains("test.sql:"), "{e}");
    let cat = same("pi_drop", &format!("{base}DROP INDEX p_a_idx;"));
    assert!(cat.attached_indexes.is_empty());
    assert!(!cat.indexes.contains_key(&q("p1_mine")));
    // A partition's key attached to it goes only with CASCADE.
    let keyed = format!(
        "{TREE}ALTER TABLE p1 ADD CONSTRAINT p1_own PRIMARY KEY (id);\nCREATE UNIQUE INDEX p_id_idx ON p (id);\n"
    );
    let e = parse(&format!("{keyed}DROP INDEX p_id_idx;")).unwrap_err();
    assert!(e.contains("CASCADE"), "{e}");
    let cat = same(
        "pi_drop_key",
        &format!("{keyed}DROP INDEX p_id_idx CASCADE;"),
    );
    assert!(!cat.tables[&q("p1")].constraints.contains_key("p1_own"));
}

#[test]
fn a_partition_attached_with_a_matching_key_under_the_parents_key() {
    let sql = "CREATE TABLE k (id int NOT NULL) PARTITION BY LIST (id);
ALTER TABLE k ADD PRIMARY KEY (id);
CREATE TABLE k1 (id int NOT NULL);
ALTER TABLE k1 ADD CONSTRAINT k1_pkey PRIMARY KEY (id);
ALTER TABLE k ATTACH PARTITION k1 FOR VALUES IN (1);";
    let cat = same("pi_key_key", sql);
    // The partition's key is the parent's copy (conparentid): not its own.
    assert!(cat.tables[&q("k1")].constraints.is_empty());
    assert!(cat.attached_indexes.is_empty());
}
