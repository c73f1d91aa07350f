//! Deep expressions: PostgreSQL accepts hundreds of chained operators; so must shale.

use shale_sql::{parse_sources, SourceFile};

fn chain(n: usize) -> String {
    (0..n)
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(" || ")
}

#[test]
fn five_hundred_chained_operators_in_a_check_a_view_and_a_default() {
    let c = chain(520);
    let sql = format!(
        "CREATE TABLE t (a text DEFAULT {c}, b text CHECK (b <> {c}));\n\
         CREATE VIEW v AS SELECT {c} AS x FROM t;\n"
    );
    let cat = parse_sources(&[SourceFile {
        path: "deep.sql".into(),
        text: sql,
    }])
    .unwrap();
    assert_eq!(cat.tables.len(), 1);
    assert_eq!(cat.views.len(), 1);
}
