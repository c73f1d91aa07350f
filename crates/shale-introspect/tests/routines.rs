//! Views, functions and triggers: the model of SQL files equals the introspected model of
//! a database where the same SQL ran (the invariant, checked per case), and objects of
//! kinds shale does not model are reported by kind and name.

use shale_introspect::{introspect_url, normalize_with_dev_db};
use shale_model::{
    ArgMode, Catalog, CheckOption, FunctionBody, Parallel, QualName, RoutineKind, TriggerEnabled,
    TriggerEvent, TriggerTiming, Volatility,
};
use shale_sql::{parse_sources, parse_sources_collecting, SourceFile};
use shale_testkit::TestDb;

fn files(sql: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "schema.sql".into(),
        text: sql.into(),
    }]
}

/// Parse `sql`, run it on a fresh database, introspect: both models must be equal.
fn round_trip(name: &str, sql: &str) -> Catalog {
    let parsed = parse_sources(&files(sql)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let db = TestDb::new(name);
    db.try_execute(sql)
        .unwrap_or_else(|e| panic!("{name}: the SQL does not load: {e}"));
    let mut live = introspect_url(db.url()).unwrap_or_else(|e| panic!("{name}: {e}"));
    // an extension's version counts only when the files name one (as in the diff)
    for (n, e) in live.extensions.iter_mut() {
        if parsed
            .extensions
            .get(n)
            .is_some_and(|p| p.version.is_none())
        {
            e.version = None;
        }
    }
    if parsed != live {
        let a = serde_json::to_string_pretty(&parsed).unwrap();
        let b = serde_json::to_string_pretty(&live).unwrap();
        let diff = similar::TextDiff::from_lines(&a, &b)
            .unified_diff()
            .context_radius(3)
            .header("files", "database")
            .to_string();
        panic!("{name}: phantom diff\n{diff}");
    }
    live
}

const TABLES: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t (id serial PRIMARY KEY, a int, b text, c varchar(10), d numeric(10,2),
                created timestamptz DEFAULT now(), m mood);
CREATE TABLE u (id int PRIMARY KEY, tid int REFERENCES t(id), name text);
";

#[test]
fn views_meet() {
    if !shale_testkit::server_at_least(15, "a security_invoker view") {
        return;
    }
    let sql = format!(
        "{TABLES}
CREATE VIEW v1 AS SELECT a, b FROM t;
CREATE VIEW v2 AS SELECT t.a AS x, lower(b), b || 'x' AS bx, 1 AS one, 'lit' AS l, c
  FROM t WHERE a > 0 AND c = 'x';
CREATE VIEW v3 AS SELECT t.id, u.name FROM t JOIN u ON u.tid = t.id
  WHERE u.name IN ('a','b') ORDER BY 1;
CREATE VIEW v4(p, q) AS SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1;
CREATE VIEW v5 WITH (security_barrier) AS SELECT * FROM t;
CREATE VIEW v6 AS SELECT a FROM t WHERE a IS NOT NULL WITH CASCADED CHECK OPTION;
CREATE VIEW v7 AS SELECT x.a FROM t x LEFT JOIN u ON true UNION ALL SELECT 1;
CREATE VIEW v8 AS SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)
  AND a BETWEEN 1 AND 5;
CREATE VIEW v9 AS SELECT coalesce(a, 0) AS a, CASE WHEN a > 1 THEN 'big' ELSE 'small' END AS size,
  now() AS ts, current_timestamp AS ts2, d::int AS di, c::text AS ct FROM t;
CREATE VIEW v10 AS WITH w AS (SELECT a FROM t) SELECT DISTINCT a FROM w LIMIT 10;
CREATE VIEW v11 AS SELECT * FROM v1;
CREATE VIEW v12 WITH (security_invoker = true, check_option = local) AS SELECT id, m FROM t
  WHERE m = 'ok';
CREATE VIEW v13 AS SELECT s.x, count(*) OVER (PARTITION BY s.x ORDER BY s.x DESC) AS n
  FROM (SELECT a AS x FROM t) s;
CREATE MATERIALIZED VIEW mv AS SELECT a, sum(d) AS total FROM t GROUP BY a WITH NO DATA;
CREATE MATERIALIZED VIEW mv2 AS SELECT id, lower(b) AS lb FROM t;
CREATE UNIQUE INDEX mv2_id ON mv2 (id);
CREATE INDEX ON mv2 (lb DESC) WHERE id > 10;
COMMENT ON VIEW v1 IS 'first';
COMMENT ON MATERIALIZED VIEW mv IS 'totals';
"
    );
    let cat = round_trip("rt_views", &sql);
    let v = |n: &str| cat.views.get(&QualName::new("public", n)).unwrap();
    assert_eq!(v("v4").columns, vec!["p", "q"]);
    assert_eq!(
        v("v5").columns,
        vec!["id", "a", "b", "c", "d", "created", "m"]
    );
    assert_eq!(v("v5").security_barrier, Some(true));
    assert_eq!(v("v6").check_option, Some(CheckOption::Cascaded));
    assert_eq!(v("v12").check_option, Some(CheckOption::Local));
    assert_eq!(v("v12").security_invoker, Some(true));
    assert!(!v("mv").with_data && v("mv").materialized);
    assert_eq!(v("mv2").indexes.len(), 2);
    assert!(v("mv2")
        .indexes
        .contains_key(&QualName::new("public", "mv2_lb_idx")));
    assert_eq!(v("v1").comment.as_deref(), Some("first"));
    assert!(v("v11").query.refs.contains(&QualName::new("public", "v1")));
}

#[test]
fn different_views_differ() {
    let a = parse_sources(&files(&format!(
        "{TABLES} CREATE VIEW v AS SELECT a FROM t WHERE a > 0;"
    )))
    .unwrap();
    let b = parse_sources(&files(&format!(
        "{TABLES} CREATE VIEW v AS SELECT a FROM t WHERE a >= 0;"
    )))
    .unwrap();
    assert_ne!(a, b);
}

#[test]
fn functions_meet() {
    if !shale_testkit::server_at_least(14, "SQL-standard function bodies") {
        return;
    }
    let sql = format!(
        "{TABLES}
CREATE FUNCTION f1(a int, b text DEFAULT 'x', c varchar(10) DEFAULT NULL) RETURNS int
  LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER COST 10
  SET search_path = public, pg_temp SET work_mem = '64MB'
  AS $$ begin return a; end $$;
CREATE FUNCTION f2(x int, OUT y int, OUT z text) LANGUAGE sql AS $$ select x, 'a' $$;
CREATE FUNCTION f3(x int) RETURNS TABLE (a int, b mood) LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ select a, m from t where id = x $$;
CREATE FUNCTION f4(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x + 1; END;
CREATE FUNCTION f5(x int) RETURNS int LANGUAGE sql RETURN x * 2;
CREATE PROCEDURE p1(a int, INOUT b int) LANGUAGE plpgsql AS $$ begin b := a; end $$;
CREATE PROCEDURE p2(v int) LANGUAGE sql BEGIN ATOMIC INSERT INTO u VALUES (v); END;
CREATE FUNCTION f6(VARIADIC xs int[]) RETURNS SETOF int LANGUAGE sql ROWS 10
  AS 'select unnest(xs)';
CREATE FUNCTION f7(int, text) RETURNS void LANGUAGE sql AS '';
CREATE FUNCTION f8() RETURNS int LEAKPROOF LANGUAGE sql SET statement_timeout = 5000
  SET search_path = '' RETURN 1;
CREATE FUNCTION f1(a int, b int) RETURNS int LANGUAGE sql COST 100 RETURN a + b;
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;
COMMENT ON FUNCTION f5(int) IS 'doubles';
COMMENT ON PROCEDURE p1 IS 'proc';
"
    );
    let cat = round_trip("rt_functions", &sql);
    assert_eq!(cat.functions.len(), 12);
    let f = |k: &str| {
        cat.functions
            .get(k)
            .unwrap_or_else(|| panic!("{k}: {:?}", cat.functions.keys()))
    };
    let f1 = f("public.f1(integer, text, character varying)");
    assert_eq!(f1.volatility, Volatility::Stable);
    assert!(f1.strict && f1.security_definer);
    assert_eq!(f1.cost.as_deref(), Some("10"));
    assert_eq!(
        f1.config,
        vec!["search_path=public, pg_temp", "work_mem=64MB"]
    );
    assert!(f1.args[1].default.is_some());
    // COST 100 is the default for sql
    assert_eq!(f("public.f1(integer, integer)").cost, None);
    let f2 = f("public.f2(integer)");
    assert_eq!(f2.returns.as_ref().unwrap().name, "record");
    assert_eq!(f2.args[1].mode, ArgMode::Out);
    let f3 = f("public.f3(integer)");
    assert!(f3.returns_set);
    assert_eq!(f3.parallel, Parallel::Safe);
    assert!(matches!(
        f("public.f5(integer)").body,
        FunctionBody::Standard(_)
    ));
    assert_eq!(f("public.f5(integer)").comment.as_deref(), Some("doubles"));
    let p1 = f("public.p1(integer, integer)");
    assert_eq!(p1.kind, RoutineKind::Procedure);
    assert_eq!(p1.returns, None);
    assert_eq!(f("public.f6(integer[])").rows.as_deref(), Some("10"));
    assert!(f("public.f8()").leakproof);
}

#[test]
fn function_bodies_compare_exactly() {
    let a = parse_sources(&files(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ select 1 $$;",
    ))
    .unwrap();
    let b = parse_sources(&files(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$select 1$$;",
    ))
    .unwrap();
    // prosrc is kept verbatim by PostgreSQL: whitespace is part of it
    assert_ne!(a, b);
    let c = parse_sources(&files(
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN x+1;",
    ))
    .unwrap();
    let d = parse_sources(&files(
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN (x + 1);",
    ))
    .unwrap();
    assert_eq!(c, d);
}

#[test]
fn triggers_meet() {
    let sql = format!(
        "{TABLES}
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;
CREATE TRIGGER t1 BEFORE UPDATE OR INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TRIGGER t2 AFTER UPDATE OF c, a ON t FOR EACH ROW
  WHEN (OLD.a IS DISTINCT FROM NEW.a) EXECUTE PROCEDURE trg('x', 1);
CREATE CONSTRAINT TRIGGER t3 AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TRIGGER t4 AFTER DELETE OR TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION trg();
CREATE TRIGGER t5 AFTER INSERT ON t REFERENCING NEW TABLE AS newrows
  FOR EACH STATEMENT EXECUTE FUNCTION trg();
ALTER TABLE t DISABLE TRIGGER t4;
ALTER TABLE t ENABLE ALWAYS TRIGGER t5;
CREATE VIEW vv AS SELECT * FROM t;
CREATE TRIGGER t6 INSTEAD OF INSERT ON vv FOR EACH ROW EXECUTE FUNCTION trg();
CREATE TRIGGER t7 AFTER UPDATE ON t FOR EACH ROW WHEN (NEW.c = 'x' AND NEW.m = 'ok')
  EXECUTE FUNCTION trg();
COMMENT ON TRIGGER t1 ON t IS 'audit';
"
    );
    let cat = round_trip("rt_triggers", &sql);
    let t = QualName::new("public", "t");
    let tr = |n: &str| cat.triggers.get(&(t.clone(), n.to_string())).unwrap();
    assert_eq!(
        tr("t1").events,
        vec![TriggerEvent::Insert, TriggerEvent::Update]
    );
    assert_eq!(tr("t1").comment.as_deref(), Some("audit"));
    assert_eq!(tr("t2").update_columns, vec!["c", "a"]);
    assert_eq!(tr("t2").args, vec!["x", "1"]);
    assert!(tr("t2").when.is_some());
    assert!(tr("t3").constraint && tr("t3").initially_deferred);
    assert_eq!(tr("t4").enabled, TriggerEnabled::Disabled);
    assert_eq!(tr("t5").enabled, TriggerEnabled::Always);
    assert_eq!(tr("t5").new_table.as_deref(), Some("newrows"));
    let t6 = cat
        .triggers
        .get(&(QualName::new("public", "vv"), "t6".into()))
        .unwrap();
    assert_eq!(t6.timing, TriggerTiming::InsteadOf);
}

#[test]
fn unmodeled_objects_are_reported_from_a_database() {
    if !shale_testkit::server_at_least(14, "a SQL-standard function body") {
        return;
    }
    let db = TestDb::new("rt_unmodeled");
    db.execute(
        "CREATE TABLE t (a int, b int);
         CREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);
         CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY t;
         CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = simple);
         CREATE CONVERSION my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
         CREATE FUNCTION add_text(int, text) RETURNS int LANGUAGE sql RETURN $1;
         CREATE OPERATOR ~~~ (LEFTARG = int, RIGHTARG = text, FUNCTION = add_text);
         CREATE VIEW v AS SELECT a FROM t;
         CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
         CREATE EVENT TRIGGER on_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();",
    );
    let cat = introspect_url(db.url()).unwrap();
    let has = |kind: &str, name: &str| {
        cat.unmodeled
            .iter()
            .any(|u| u.kind == kind && u.name == name && u.location.is_none())
    };
    // Aggregates are modelled (aggregates.rs), not reported.
    assert!(cat.aggregates.contains_key("public.my_sum(integer)"));
    // Rules are modelled (rewrite_rules.rs), not reported.
    assert!(cat
        .rewrite_rules
        .contains_key(&(QualName::new("public", "t"), "r".to_string())));
    assert!(has("conversion", "public.my_conv"), "{:?}", cat.unmodeled);
    // Text search configurations are modelled (text_search.rs), not reported.
    assert_eq!(
        cat.ts_configurations[&QualName::new("public", "my_cfg")]
            .mappings
            .len(),
        19
    );
    // Operators are modelled (operators.rs), not reported.
    assert!(cat.operators.contains_key("public.~~~(integer, text)"));
    // a view's own rewrite rule and row type, and the function, are not reported; nor
    // is the event trigger, nor aggregates, publications, operators, rules and text search
    // objects (modelled since)
    assert_eq!(cat.unmodeled.len(), 1, "{:?}", cat.unmodeled);
    assert!(cat.event_triggers.contains_key("on_ddl"));
    assert!(cat.views.contains_key(&QualName::new("public", "v")));
    assert!(cat.functions.contains_key("public.add_text(integer, text)"));
}

#[test]
fn unmodeled_statements_are_reported_from_files() {
    let sql = "CREATE TABLE t (a int);\nCREATE AGGREGATE my_sum(int) (SFUNC = int4pl, STYPE = int);\n\
               CREATE CONVERSION my_conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;\nCREATE VIEW v AS SELECT a FROM t;\n";
    // By default an unsupported statement is an error naming file, line and column.
    // (Aggregates, rules and text search objects are modelled: the conversion is the
    // first statement refused.)
    let e = parse_sources(&files(sql)).unwrap_err();
    assert_eq!((e.line, e.column), (3, 1), "{e}");
    assert!(e.message.contains("CONVERSION"), "{e}");
    // Collecting: reported with kind, name and location; the rest is read.
    let cat = parse_sources_collecting(&files(sql)).unwrap();
    let got: Vec<(String, String, Option<String>)> = cat
        .unmodeled
        .iter()
        .map(|u| (u.kind.clone(), u.name.clone(), u.location.clone()))
        .collect();
    assert_eq!(
        got,
        vec![(
            "conversion".to_string(),
            "public.my_conv".to_string(),
            Some("schema.sql:3:1".to_string())
        )]
    );
    assert!(cat.aggregates.contains_key("public.my_sum(integer)"));
    assert!(cat.views.contains_key(&QualName::new("public", "v")));
}

#[test]
fn dev_database_mode_introspects_a_temporary_database() {
    let server = shale_testkit::server_url();
    let sql = format!("{TABLES} CREATE VIEW v AS SELECT a FROM t;");
    let cat = normalize_with_dev_db(&server, &files(&sql)).unwrap();
    assert!(cat.views.contains_key(&QualName::new("public", "v")));
    assert_eq!(cat, parse_sources(&files(&sql)).unwrap());
    // A failing file names itself and the line.
    let e = normalize_with_dev_db(
        &server,
        &files("CREATE TABLE a (x int);\nCREATE TABLE b (y nope);"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("schema.sql") && e.contains("line 2"), "{e}");
}

#[test]
fn unreadable_definitions_are_reported_not_fatal() {
    let db = TestDb::new("rt_unreadable");
    db.execute(
        "CREATE TABLE t (a int);
         CREATE VIEW sampled AS SELECT a FROM t TABLESAMPLE SYSTEM (10);
         CREATE VIEW fine AS SELECT a FROM t;",
    );
    let cat = introspect_url(db.url()).unwrap();
    assert!(cat.views.contains_key(&QualName::new("public", "fine")));
    assert!(!cat.views.contains_key(&QualName::new("public", "sampled")));
    let u = cat
        .unmodeled
        .iter()
        .find(|u| u.name == "public.sampled")
        .unwrap_or_else(|| panic!("{:?}", cat.unmodeled));
    assert!(u.kind.starts_with("view (not understood"), "{}", u.kind);
}

/// A battery of query shapes users write: each view must read back equal.
#[test]
fn more_view_shapes_meet() {
    let sql = format!(
        "{TABLES}
CREATE TABLE tags (id int PRIMARY KEY, t_id int, label varchar(30), \"Weird Name\" text, \"select\" int, arr int[], doc jsonb, at date);
CREATE VIEW s1 AS SELECT t.id, tags.label FROM t JOIN tags ON tags.t_id = t.id;
CREATE VIEW s2 AS SELECT id, label FROM tags JOIN u USING (id);
CREATE VIEW s3 AS SELECT DISTINCT ON (t_id) t_id, label FROM tags ORDER BY t_id, label DESC NULLS LAST;
CREATE VIEW s4 AS SELECT t_id, string_agg(label, ',' ORDER BY label) AS labels, count(DISTINCT label) AS n,
  count(*) FILTER (WHERE label LIKE 'a%') AS a_count FROM tags GROUP BY t_id;
CREATE VIEW s5 AS SELECT g AS n FROM generate_series(1, 10) g;
CREATE VIEW s6 AS SELECT x.a, y.b FROM (VALUES (1, 'one'), (2, 'two')) AS x(a, b2) JOIN (SELECT 1 AS a, 'b' AS b) y ON y.a = x.a;
CREATE VIEW s7 AS SELECT id, doc ->> 'name' AS name, doc -> 'tags' AS tags, arr[1] AS first, \"Weird Name\", \"select\" FROM tags;
CREATE VIEW s8 AS SELECT id, at + 1 AS tomorrow, now() - interval '1 day' AS yesterday, extract(year FROM at) AS y,
  at::timestamp AS ts, date_trunc('month', at) AS m FROM tags;
CREATE VIEW s9 AS SELECT id, coalesce(label, 'none') AS label, label || '!' AS shout, upper(label) AS up,
  CASE label WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 0 END AS code FROM tags WHERE label ILIKE '%x%' OR label IS NULL;
CREATE VIEW s10 AS SELECT t.id, (SELECT count(*) FROM tags WHERE tags.t_id = t.id) AS n_tags FROM t
  WHERE t.id IN (SELECT t_id FROM tags) AND t.a = ANY (ARRAY[1, 2, 3]) AND NOT EXISTS (SELECT 1 FROM u WHERE u.tid = t.id);
CREATE VIEW s11 AS SELECT t.id, x.label FROM t CROSS JOIN LATERAL (SELECT label FROM tags WHERE tags.t_id = t.id LIMIT 1) x;
CREATE VIEW s12 AS WITH RECURSIVE nums(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM nums WHERE n < 5) SELECT n FROM nums;
CREATE VIEW s13 AS SELECT t_id, label, count(*) FROM tags GROUP BY GROUPING SETS ((t_id), (label), ());
CREATE VIEW s14 AS SELECT id, sum(a) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS running,
  row_number() OVER w AS rn FROM t WINDOW w AS (PARTITION BY m ORDER BY id);
CREATE VIEW s15 AS SELECT a FROM t UNION SELECT tid FROM u ORDER BY 1 LIMIT 5 OFFSET 1;
CREATE VIEW s16 AS SELECT id, m FROM t WHERE m = 'happy' AND m <> 'sad'::mood AND m IN ('ok', 'happy') AND c LIKE 'x%' AND NOT (a > 1);
CREATE VIEW s17 AS SELECT t.*, u.name FROM t LEFT JOIN u ON u.tid = t.id WHERE t.b IS NOT NULL;
CREATE VIEW s18 AS SELECT id, greatest(a, 0) AS g, nullif(b, '') AS nb, a::text || b AS ab, round(d, 1) AS r,
  d > 1.5 AS big, a BETWEEN 1 AND 2 AS mid, b IS DISTINCT FROM 'x' AS differs FROM t;
CREATE VIEW s19 AS SELECT row_to_json(t) AS j FROM t;
CREATE VIEW s20 AS SELECT id FROM t WHERE created > now() - '7 days'::interval AND created::date = current_date;
"
    );
    round_trip("rt_view_shapes", &sql);
}

#[test]
fn alter_function_statements_meet() {
    round_trip(
        "rt_alter_function",
        "CREATE FUNCTION f(x int) RETURNS SETOF int LANGUAGE sql AS 'select x';
         ALTER FUNCTION f(int) STABLE STRICT COST 5 ROWS 20 SET search_path = public SET work_mem = '1MB';
         ALTER FUNCTION f(integer) RESET work_mem;
         ALTER FUNCTION f SECURITY DEFINER PARALLEL SAFE;
         CREATE PROCEDURE p() LANGUAGE sql AS 'select 1';
         ALTER PROCEDURE p() SET search_path = '';",
    );
}

#[test]
fn triggers_of_partitioned_tables_are_not_repeated_per_partition() {
    let cat = round_trip(
        "rt_part_trigger",
        "CREATE TABLE pt (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
         CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';
         CREATE TRIGGER ptt AFTER INSERT ON pt FOR EACH ROW EXECUTE FUNCTION trg();
         CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');",
    );
    assert_eq!(cat.triggers.len(), 1, "{:?}", cat.triggers.keys());
}

#[test]
fn triggers_may_run_built_in_and_extension_functions() {
    round_trip(
        "rt_builtin_trigger",
        "CREATE EXTENSION IF NOT EXISTS tcn;
         CREATE TABLE docs (id int PRIMARY KEY, body text, tsv tsvector);
         CREATE TRIGGER docs_tsv BEFORE INSERT OR UPDATE ON docs FOR EACH ROW
           EXECUTE FUNCTION tsvector_update_trigger(tsv, 'pg_catalog.english', body);
         CREATE TRIGGER docs_same BEFORE UPDATE ON docs FOR EACH ROW
           EXECUTE FUNCTION suppress_redundant_updates_trigger();
         CREATE TRIGGER docs_notify AFTER INSERT ON docs FOR EACH ROW
           EXECUTE FUNCTION triggered_change_notification();",
    );
}

#[test]
fn storage_parameters_of_materialized_views_and_indexes_are_read() {
    let db = TestDb::new("rt_mv_storage");
    db.execute(
        "CREATE TABLE t (a int);
         CREATE MATERIALIZED VIEW mv WITH (fillfactor = 70) AS SELECT a FROM t;
         CREATE INDEX mv_a_idx ON mv ((a + 1)) WITH (fillfactor = 80);
         ALTER INDEX mv_a_idx ALTER COLUMN 1 SET STATISTICS 250;
         CREATE INDEX t_a_idx ON t (a) WITH (deduplicate_items = off);",
    );
    let cat = introspect_url(db.url()).unwrap();
    let mv = &cat.views[&QualName::new("public", "mv")];
    assert_eq!(mv.storage.get("fillfactor").map(String::as_str), Some("70"));
    let ix = &mv.indexes[&QualName::new("public", "mv_a_idx")];
    assert_eq!(ix.storage.get("fillfactor").map(String::as_str), Some("80"));
    assert_eq!(ix.statistics.get(&1), Some(&250));
    let t_ix = &cat.indexes[&QualName::new("public", "t_a_idx")];
    assert_eq!(
        t_ix.storage.get("deduplicate_items").map(String::as_str),
        Some("off")
    );
    assert!(cat.unmodeled.is_empty(), "{:?}", cat.unmodeled);
}
