//! Introspection asks the catalogs a fixed list of queries, whatever the schema's size
//! (issue 13): never a query per table, per function or per view.

use shale_introspect::introspect_with_stats;
use shale_testkit::TestDb;

/// `n` copies of a small application: an enum, a domain, tables with identity keys,
/// defaults, checks, foreign keys, comments and indexes, a partitioned table, a view, an
/// SQL and a PL/pgSQL function, a trigger, a policy and a grant; in two schemas.
fn schema(n: usize) -> String {
    let mut sql = String::from(
        "CREATE SCHEMA app; CREATE SCHEMA audit;\n\
         CREATE TYPE app.mood AS ENUM ('sad', 'ok');\n\
         CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);\n",
    );
    for i in 0..n {
        let s = if i % 2 == 0 { "app" } else { "audit" };
        sql.push_str(&format!(
            "CREATE TABLE {s}.parent_{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
               name text NOT NULL DEFAULT 'x' || 'y', qty app.posint, mood app.mood DEFAULT 'ok', \
               at timestamptz DEFAULT now(), CHECK (length(name) < 100));\n\
             COMMENT ON TABLE {s}.parent_{i} IS 'parent {i}';\n\
             COMMENT ON COLUMN {s}.parent_{i}.name IS 'its name';\n\
             CREATE TABLE {s}.child_{i} (id serial PRIMARY KEY, \
               parent bigint NOT NULL REFERENCES {s}.parent_{i} (id) ON DELETE CASCADE, \
               note varchar(20) UNIQUE, price numeric(10,2) CHECK (price >= 0));\n\
             CREATE INDEX ON {s}.child_{i} (lower(note)) WHERE price > 0;\n\
             CREATE TABLE {s}.part_{i} (id int, at date NOT NULL) PARTITION BY RANGE (at);\n\
             CREATE TABLE {s}.part_{i}_a PARTITION OF {s}.part_{i} \
               FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n\
             CREATE VIEW {s}.v_{i} AS SELECT p.id, c.note FROM {s}.parent_{i} p \
               JOIN {s}.child_{i} c ON c.parent = p.id;\n\
             CREATE FUNCTION {s}.f_{i}(x integer) RETURNS integer LANGUAGE sql IMMUTABLE \
               AS 'SELECT x + {i}';\n\
             CREATE FUNCTION {s}.tg_{i}() RETURNS trigger LANGUAGE plpgsql \
               AS 'BEGIN NEW.name := upper(NEW.name); RETURN NEW; END';\n\
             CREATE TRIGGER t_{i} BEFORE INSERT ON {s}.parent_{i} \
               FOR EACH ROW EXECUTE FUNCTION {s}.tg_{i}();\n\
             ALTER TABLE {s}.child_{i} ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY p_{i} ON {s}.child_{i} USING (price > 0);\n\
             GRANT SELECT ON {s}.v_{i} TO PUBLIC;\n"
        ));
    }
    sql
}

#[test]
fn the_same_queries_for_a_small_and_a_larger_schema() {
    let small = TestDb::new("intro_qcount_small");
    small.execute(&schema(1));
    let large = TestDb::new("intro_qcount_large");
    large.execute(&schema(30));

    let (small_cat, small_stats) = introspect_with_stats(&mut small.client()).unwrap();
    let (large_cat, large_stats) = introspect_with_stats(&mut large.client()).unwrap();

    // The schemas were read (the larger one 30 times over).
    assert_eq!(small_cat.tables.len(), 4, "{:?}", small_cat.tables.keys());
    assert_eq!(large_cat.tables.len(), 120);
    assert_eq!(large_cat.views.len(), 30);
    assert!(large_cat.indexes.len() >= 30);

    let kinds = |s: &shale_introspect::IntrospectStats| {
        s.queries.iter().map(|q| q.what).collect::<Vec<_>>()
    };
    assert!(
        small_stats.queries.len() > 20,
        "every family is read: {:?}",
        kinds(&small_stats)
    );
    assert_eq!(
        kinds(&small_stats),
        kinds(&large_stats),
        "the catalog queries do not depend on the schema's size"
    );
    // The same queries, but more rows.
    let rows =
        |s: &shale_introspect::IntrospectStats| -> usize { s.queries.iter().map(|q| q.rows).sum() };
    assert!(
        rows(&large_stats) > 10 * rows(&small_stats) / 2,
        "{} rows vs {}",
        rows(&large_stats),
        rows(&small_stats)
    );
    assert!(large_stats.read > std::time::Duration::ZERO);
}
