//! Expressions read from the catalog (defaults, generated columns, checks, index keys and
//! predicates) must normalize to what the SQL front end makes of the user's spelling:
//! each check compares the introspected `Expr` with `shale_sql::normalize_expr` of the
//! text a user writes, in the context the SQL front end gives it (search path `public`).

use shale_introspect::introspect_url;
use shale_model::{
    Catalog, ColumnRef, ConstraintKind, Expr, IndexKeyExpr, QualName, Table, TypeRef,
};
use shale_sql::{normalize_expr, ExprContext};
use shale_testkit::TestDb;

fn q(s: &str, n: &str) -> QualName {
    QualName::new(s, n)
}

/// What the SQL front end makes of `sql` written in a file for table `t`.
fn user(t: &Table, sql: &str, target: Option<&TypeRef>) -> Expr {
    let lookup = |name: &str| t.column(name).map(|c| c.ty.clone());
    let search_path = vec!["public".to_string()];
    let ctx = ExprContext {
        column_type: &lookup,
        target_type: target,
        search_path: &search_path,
    };
    normalize_expr(sql, &ctx).unwrap_or_else(|e| panic!("normalize `{sql}`: {e}"))
}

fn load(db: &TestDb, sql: &str) -> Catalog {
    db.execute(sql);
    introspect_url(db.url()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn serial_columns_are_default_nextval_plus_owned_sequence() {
    let db = TestDb::new("intro_serial");
    let cat = load(
        &db,
        "CREATE TABLE events (id bigserial PRIMARY KEY, n serial, s smallserial, name text);",
    );
    let t = &cat.tables[&q("public", "events")];
    for (col, ty) in [("id", "bigint"), ("n", "integer"), ("s", "smallint")] {
        let c = t.column(col).unwrap();
        assert_eq!(c.ty, TypeRef::builtin(ty));
        assert!(c.not_null, "{col}");
        let seq = q("public", &format!("events_{col}_seq"));
        let default = c.default.as_ref().expect("nextval default");
        assert_eq!(
            *default,
            user(t, &format!("nextval('{seq}'::regclass)"), Some(&c.ty)),
            "{col}"
        );
        assert!(
            default.refs.contains(&seq),
            "{col}: refs {:?}",
            default.refs
        );
        let s = &cat.sequences[&seq];
        assert_eq!(s.data_type, ty);
        assert_eq!(
            s.owned_by,
            Some(ColumnRef {
                table: q("public", "events"),
                column: col.into()
            })
        );
    }
    assert!(t.column("name").unwrap().default.is_none());
}

#[test]
fn column_defaults_and_generated_columns() {
    let db = TestDb::new("intro_defaults");
    let cat = load(
        &db,
        "CREATE TYPE mood AS ENUM ('sad', 'happy');
         CREATE TABLE t (
             a int DEFAULT 0,
             b text DEFAULT 'x',
             c varchar(10) DEFAULT 'y',
             d timestamptz DEFAULT now(),
             e timestamptz DEFAULT CURRENT_TIMESTAMP,
             m mood DEFAULT 'happy',
             f boolean DEFAULT false,
             g int GENERATED ALWAYS AS (a * 2) STORED,
             h numeric(10,2) DEFAULT 1.50
         );",
    );
    let t = &cat.tables[&q("public", "t")];
    let check = |col: &str, spelled: &str| {
        let c = t.column(col).unwrap();
        assert_eq!(
            c.default.as_ref(),
            Some(&user(t, spelled, Some(&c.ty))),
            "default of {col}: catalog {:?}",
            c.default.as_ref().map(|e| &e.sql)
        );
    };
    check("a", "0");
    check("b", "'x'");
    check("c", "'y'");
    check("d", "now()");
    check("e", "CURRENT_TIMESTAMP");
    check("m", "'happy'");
    check("f", "false");
    check("h", "1.50");
    let g = t.column("g").unwrap();
    assert!(g.default.is_none());
    assert_eq!(g.generated.as_ref(), Some(&user(t, "a * 2", Some(&g.ty))));
}

#[test]
fn check_constraints_with_implicit_names() {
    let db = TestDb::new("intro_check");
    let cat = load(
        &db,
        "CREATE TABLE items (
             qty int CHECK (qty > 0),
             lo int, hi int,
             status text CHECK (status IN ('new', 'done')),
             code varchar(5) CHECK (code <> ''),
             CHECK (lo <= hi)
         );
         ALTER TABLE items ADD CONSTRAINT pos_lo CHECK (lo >= 0) NO INHERIT NOT VALID;",
    );
    let t = &cat.tables[&q("public", "items")];
    let expr = |name: &str| match &t.constraints[name].kind {
        ConstraintKind::Check { expr, no_inherit } => (expr.clone(), *no_inherit),
        k => panic!("{name}: {k:?}"),
    };
    assert_eq!(expr("items_qty_check"), (user(t, "qty > 0", None), false));
    assert_eq!(expr("items_check"), (user(t, "lo <= hi", None), false));
    assert_eq!(
        expr("items_status_check").0,
        user(t, "status IN ('new', 'done')", None)
    );
    assert_eq!(expr("items_code_check").0, user(t, "code <> ''", None));
    assert_eq!(expr("pos_lo"), (user(t, "lo >= 0", None), true));
    assert!(!t.constraints["pos_lo"].validated);
    assert!(t.constraints["items_qty_check"].validated);
}

#[test]
fn expression_and_partial_indexes() {
    let db = TestDb::new("intro_exprix");
    let cat = load(
        &db,
        "CREATE TABLE users (id int, email text, deleted_at timestamptz, a int, b int);
         CREATE UNIQUE INDEX ON users (lower(email)) WHERE deleted_at IS NULL;
         CREATE INDEX ON users ((a + b) DESC, id) INCLUDE (email);",
    );
    let t = &cat.tables[&q("public", "users")];
    let lower = &cat.indexes[&q("public", "users_lower_idx")];
    assert!(lower.unique);
    assert_eq!(lower.keys.len(), 1);
    assert_eq!(
        lower.keys[0].key,
        IndexKeyExpr::Expr(user(t, "lower(email)", None))
    );
    assert_eq!(
        lower.predicate.as_ref(),
        Some(&user(t, "deleted_at IS NULL", None))
    );
    let sum = &cat.indexes[&q("public", "users_expr_id_email_idx")];
    assert_eq!(sum.keys[0].key, IndexKeyExpr::Expr(user(t, "a + b", None)));
    assert!(sum.keys[0].descending && sum.keys[0].nulls_first);
    assert_eq!(sum.keys[1].key, IndexKeyExpr::Column("id".into()));
    assert_eq!(sum.include, vec!["email".to_string()]);
    assert!(sum.predicate.is_none());
}

#[test]
fn quoted_names_in_expressions() {
    let db = TestDb::new("intro_qexpr");
    let cat = load(
        &db,
        r#"CREATE SCHEMA "Sales";
           CREATE TABLE "Sales"."Order Items" (
               "Id" serial PRIMARY KEY,
               "Qty" int NOT NULL CHECK ("Qty" > 0)
           );"#,
    );
    let name = q("Sales", "Order Items");
    let t = &cat.tables[&name];
    let check = match &t.constraints["Order Items_Qty_check"].kind {
        ConstraintKind::Check { expr, .. } => expr.clone(),
        k => panic!("{k:?}"),
    };
    assert_eq!(check, user(t, r#""Qty" > 0"#, None));
    let id = t.column("Id").unwrap();
    let seq = q("Sales", "Order Items_Id_seq");
    assert_eq!(
        id.default.as_ref(),
        Some(&user(
            t,
            &format!("nextval('{seq}'::regclass)"),
            Some(&id.ty)
        ))
    );
    assert!(cat.sequences.contains_key(&seq));
}
