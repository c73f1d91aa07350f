use super::*;
use shale_model::{FkAction, IndexKey, Schema};

fn q(name: &str) -> QualName {
    QualName::new("public", name)
}

fn int() -> TypeRef {
    TypeRef::builtin("integer")
}

fn base() -> Catalog {
    let mut cat = Catalog::default();
    cat.schemas.insert(
        "public".into(),
        Schema {
            name: "public".into(),
        },
    );
    cat
}

fn pk(name: &str, cols: &[&str]) -> Constraint {
    Constraint {
        name: name.into(),
        kind: ConstraintKind::PrimaryKey {
            columns: cols.iter().map(|c| c.to_string()).collect(),
            include: vec![],
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
        index_comment: None,
        index_invalid: false,
    }
}

fn check(name: &str, canon: &str) -> Constraint {
    Constraint {
        name: name.into(),
        kind: ConstraintKind::Check {
            expr: Expr::new(canon, canon),
            no_inherit: false,
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
        index_comment: None,
        index_invalid: false,
    }
}

fn fk(name: &str, col: &str, ref_table: &str, ref_col: &str) -> Constraint {
    Constraint {
        name: name.into(),
        kind: ConstraintKind::ForeignKey {
            columns: vec![col.into()],
            ref_table: q(ref_table),
            ref_columns: vec![ref_col.into()],
            on_update: FkAction::NoAction,
            on_delete: FkAction::NoAction,
            match_full: false,
        },
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
        index_comment: None,
        index_invalid: false,
    }
}

fn nn(name: &str, ty: TypeRef) -> Column {
    let mut c = Column::new(name, ty);
    c.not_null = true;
    c
}

/// `users(id integer primary key, email text)`.
fn users() -> Table {
    let mut t = Table::new(q("users"));
    t.columns.push(nn("id", int()));
    t.columns
        .push(Column::new("email", TypeRef::builtin("text")));
    t.constraints
        .insert("users_pkey".into(), pk("users_pkey", &["id"]));
    t
}

/// `posts(id integer primary key, user_id integer references users)`.
fn posts() -> Table {
    let mut t = Table::new(q("posts"));
    t.columns.push(nn("id", int()));
    t.columns.push(Column::new("user_id", int()));
    t.constraints
        .insert("posts_pkey".into(), pk("posts_pkey", &["id"]));
    t.constraints.insert(
        "posts_user_id_fkey".into(),
        fk("posts_user_id_fkey", "user_id", "users", "id"),
    );
    t
}

fn index(name: &str, table: &str, cols: &[&str]) -> Index {
    Index {
        name: q(name),
        table: q(table),
        unique: false,
        method: "btree".into(),
        keys: cols
            .iter()
            .map(|c| IndexKey {
                key: IndexKeyExpr::Column(c.to_string()),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: false,
            })
            .collect(),
        include: vec![],
        predicate: None,
        nulls_not_distinct: false,
        comment: None,
        invalid: false,
        storage: Default::default(),
        statistics: Default::default(),
    }
}

fn with_tables(tables: Vec<Table>) -> Catalog {
    let mut cat = base();
    for t in tables {
        cat.tables.insert(t.name.clone(), t);
    }
    cat
}

fn kinds(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let v = serde_json::to_value(c).unwrap();
            format!("{} {}", v["change"].as_str().unwrap(), c.object())
        })
        .collect()
}

#[test]
fn identical_catalogs_have_no_changes() {
    let mut cat = with_tables(vec![users(), posts()]);
    cat.indexes.insert(
        q("users_email_idx"),
        index("users_email_idx", "users", &["email"]),
    );
    cat.sequences
        .insert(q("s"), Sequence::with_defaults(q("s"), "bigint", 1));
    assert!(diff(&cat, &cat).is_empty());
    assert!(diff(&Catalog::default(), &Catalog::default()).is_empty());
}

#[test]
fn schemas_are_created_and_dropped_but_never_public() {
    let mut a = Catalog::default();
    let mut b = base();
    b.schemas
        .insert("app".into(), Schema { name: "app".into() });
    assert_eq!(
        diff(&a, &b),
        vec![Change::CreateSchema { name: "app".into() }]
    );
    a.schemas
        .insert("old".into(), Schema { name: "old".into() });
    a.schemas.insert(
        "public".into(),
        Schema {
            name: "public".into(),
        },
    );
    let d = diff(&a, &Catalog::default());
    assert_eq!(d, vec![Change::DropSchema { name: "old".into() }]);
}

#[test]
fn extensions_compare_version_only_when_desired_names_one() {
    let ext = |schema: &str, version: Option<&str>| Extension {
        name: "citext".into(),
        schema: schema.into(),
        version: version.map(String::from),
    };
    let mut a = base();
    a.extensions
        .insert("citext".into(), ext("public", Some("1.6")));
    let mut b = base();
    b.extensions.insert("citext".into(), ext("public", None));
    assert!(diff(&a, &b).is_empty(), "no version wanted: nothing to do");

    b.extensions
        .insert("citext".into(), ext("public", Some("1.7")));
    assert_eq!(
        diff(&a, &b),
        vec![Change::AlterExtensionVersion {
            name: "citext".into(),
            from: Some("1.6".into()),
            to: "1.7".into()
        }]
    );

    b.extensions.insert("citext".into(), ext("ext", None));
    assert_eq!(
        diff(&a, &b),
        vec![Change::SetExtensionSchema {
            name: "citext".into(),
            from: "public".into(),
            to: "ext".into()
        }]
    );

    assert_eq!(
        kinds(&diff(&a, &base())),
        vec!["drop_extension extension citext"]
    );
    assert_eq!(
        kinds(&diff(&base(), &a)),
        vec!["create_extension extension citext"]
    );

    // plpgsql is in every database: never dropped because the files do not mention it.
    let mut live = base();
    live.extensions.insert(
        "plpgsql".into(),
        Extension {
            name: "plpgsql".into(),
            schema: "pg_catalog".into(),
            version: Some("1.0".into()),
        },
    );
    assert!(diff(&live, &base()).is_empty());
}

fn mood(labels: &[&str]) -> EnumType {
    EnumType {
        name: q("mood"),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        comment: None,
    }
}

#[test]
fn enums_get_values_added_in_place() {
    let mut a = base();
    a.enums.insert(q("mood"), mood(&["pending", "shipped"]));
    let mut b = base();
    b.enums.insert(
        q("mood"),
        mood(&["new", "old", "pending", "paid", "shipped", "delivered"]),
    );
    let d = diff(&a, &b);
    let adds: Vec<(String, EnumPosition)> = d
        .iter()
        .map(|c| match c {
            Change::AddEnumValue {
                label, position, ..
            } => (label.clone(), position.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        adds,
        vec![
            ("new".into(), EnumPosition::Before("pending".into())),
            ("old".into(), EnumPosition::After("new".into())),
            ("paid".into(), EnumPosition::After("pending".into())),
            ("delivered".into(), EnumPosition::After("shipped".into())),
        ]
    );
    // Applying the additions in order gives the desired labels.
    let mut labels: Vec<String> = a.enums[&q("mood")].labels.clone();
    for (l, p) in adds {
        match p {
            EnumPosition::Before(x) => {
                let i = labels.iter().position(|y| *y == x).unwrap();
                labels.insert(i, l)
            }
            EnumPosition::After(x) => {
                let i = labels.iter().position(|y| *y == x).unwrap();
                labels.insert(i + 1, l)
            }
            EnumPosition::End => labels.push(l),
        }
    }
    assert_eq!(labels, b.enums[&q("mood")].labels);
}

#[test]
fn enum_label_removal_or_reorder_recreates_the_type() {
    let mut a = base();
    a.enums.insert(q("mood"), mood(&["a", "b", "c"]));
    for (labels, removed) in [(&["a", "c"][..], vec!["b"]), (&["b", "a", "c"][..], vec![])] {
        let mut b = base();
        b.enums.insert(q("mood"), mood(labels));
        let d = diff(&a, &b);
        assert_eq!(d.len(), 1);
        match &d[0] {
            Change::TypeExt {
                type_change:
                    user_types::TypeExtChange::RecreateType {
                        name,
                        recreated: user_types::Recreated::Enum { removed: r, .. },
                        ..
                    },
            } => {
                assert_eq!(name, &q("mood"));
                assert_eq!(r, &removed);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn enums_created_and_dropped_with_comments() {
    let mut b = base();
    let mut m = mood(&["a"]);
    m.comment = Some("feelings".into());
    b.enums.insert(q("mood"), m.clone());
    assert_eq!(
        kinds(&diff(&base(), &b)),
        vec![
            "create_enum type public.mood",
            "set_comment type public.mood"
        ]
    );
    assert_eq!(
        kinds(&diff(&b, &base())),
        vec!["drop_enum type public.mood"]
    );
    let mut c = b.clone();
    c.enums.get_mut(&q("mood")).unwrap().comment = None;
    assert_eq!(
        diff(&b, &c),
        vec![Change::SetComment {
            object: ObjectId::Type { name: q("mood") },
            from: Some("feelings".into()),
            to: None
        }]
    );
}

fn serial_catalog() -> Catalog {
    let mut t = Table::new(q("t"));
    let mut id = nn("id", int());
    let mut e = Expr::new(
        "nextval('public.t_id_seq'::regclass)",
        "nextval('public.t_id_seq'::regclass)",
    );
    e.refs.push(q("t_id_seq"));
    id.default = Some(e);
    t.columns.push(id);
    t.columns.push(Column::new("v", TypeRef::builtin("text")));
    let mut cat = with_tables(vec![t]);
    let mut s = Sequence::with_defaults(q("t_id_seq"), "integer", 1);
    s.owned_by = Some(ColumnRef {
        table: q("t"),
        column: "id".into(),
    });
    cat.sequences.insert(q("t_id_seq"), s);
    cat
}

#[test]
fn new_owned_sequence_is_created_then_owned() {
    let b = serial_catalog();
    let d = diff(&base(), &b);
    assert_eq!(
        kinds(&d),
        vec![
            "create_sequence sequence public.t_id_seq",
            "set_sequence_owner sequence public.t_id_seq",
            "create_table table public.t",
        ]
    );
    match &d[0] {
        Change::CreateSequence { sequence } => assert!(sequence.owned_by.is_none()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn owned_sequence_goes_with_its_table_or_column() {
    let a = serial_catalog();
    assert_eq!(kinds(&diff(&a, &base())), vec!["drop_table table public.t"]);

    let mut b = a.clone();
    b.sequences.clear();
    b.tables.get_mut(&q("t")).unwrap().columns.remove(0);
    assert_eq!(kinds(&diff(&a, &b)), vec!["drop_column column public.t.id"]);

    // Not owned: dropped explicitly.
    let mut a2 = a.clone();
    a2.sequences.get_mut(&q("t_id_seq")).unwrap().owned_by = None;
    let mut b2 = a2.clone();
    b2.sequences.clear();
    b2.tables.clear();
    assert_eq!(
        kinds(&diff(&a2, &b2)),
        vec![
            "drop_sequence sequence public.t_id_seq",
            "drop_table table public.t"
        ]
    );
}

#[test]
fn sequence_options_and_owner_changes() {
    let a = serial_catalog();
    let mut b = a.clone();
    {
        let s = b.sequences.get_mut(&q("t_id_seq")).unwrap();
        s.increment = 5;
        s.cache = 10;
        s.owned_by = None;
        s.comment = Some("ids".into());
    }
    let d = diff(&a, &b);
    assert_eq!(
        kinds(&d),
        vec![
            "alter_sequence sequence public.t_id_seq",
            "set_sequence_owner sequence public.t_id_seq",
            "set_comment sequence public.t_id_seq"
        ]
    );
    match &d[1] {
        Change::SetSequenceOwner { from, to, .. } => {
            assert_eq!(from.as_ref().unwrap().column, "id");
            assert!(to.is_none());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn create_table_keeps_foreign_keys_and_not_valid_checks_apart() {
    let mut p = posts();
    let mut c = check("posts_id_check", "(id > 0)");
    c.validated = false;
    p.constraints.insert(c.name.clone(), c);
    p.comment = Some("blog posts".into());
    p.columns[1].comment = Some("author".into());
    let b = with_tables(vec![users(), p]);
    let d = diff(&base(), &b);
    assert_eq!(
        kinds(&d),
        vec![
            "create_table table public.posts",
            "add_constraint constraint posts_id_check on public.posts",
            "add_constraint constraint posts_user_id_fkey on public.posts",
            "set_comment table public.posts",
            "set_comment column public.posts.user_id",
            "create_table table public.users",
        ]
    );
    match &d[0] {
        Change::CreateTable { table } => {
            assert_eq!(
                table.constraints.keys().collect::<Vec<_>>(),
                vec!["posts_pkey"]
            );
            assert!(table.comment.is_none() && table.columns[1].comment.is_none());
        }
        other => panic!("{other:?}"),
    }
    match &d[2] {
        Change::AddConstraint { new_table, .. } => assert!(new_table),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dropped_table_takes_its_parts_but_not_foreign_keys_elsewhere() {
    let mut a = with_tables(vec![users(), posts()]);
    a.indexes.insert(
        q("users_email_idx"),
        index("users_email_idx", "users", &["email"]),
    );
    let mut b = with_tables(vec![posts()]);
    b.tables
        .get_mut(&q("posts"))
        .unwrap()
        .constraints
        .remove("posts_user_id_fkey");
    assert_eq!(
        kinds(&diff(&a, &b)),
        vec![
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "drop_table table public.users"
        ]
    );
}

#[test]
fn column_add_drop_and_default_change_is_set_default() {
    let a = with_tables(vec![users()]);
    let mut b = a.clone();
    {
        let t = b.tables.get_mut(&q("users")).unwrap();
        t.columns.remove(1);
        let mut c = Column::new("age", int());
        c.default = Some(Expr::new("0", "0"));
        t.columns.push(c);
    }
    assert_eq!(
        kinds(&diff(&a, &b)),
        vec![
            "drop_column column public.users.email",
            "add_column column public.users.age"
        ]
    );

    let mut c = b.clone();
    c.tables.get_mut(&q("users")).unwrap().columns[1].default = Some(Expr::new("1", "1"));
    let d = diff(&b, &c);
    assert_eq!(
        d,
        vec![Change::SetDefault {
            table: q("users"),
            column: "age".into(),
            from: Some(Expr::new("0", "0")),
            to: Expr::new("1", "1"),
        }]
    );
    // A default spelled differently but equal in canonical form is no change.
    let mut e = b.clone();
    e.tables.get_mut(&q("users")).unwrap().columns[1].default = Some(Expr::new("(0)", "0"));
    assert!(diff(&b, &e).is_empty());

    let mut f = b.clone();
    f.tables.get_mut(&q("users")).unwrap().columns[1].default = None;
    assert_eq!(
        kinds(&diff(&b, &f)),
        vec!["drop_default column public.users.age"]
    );
}

#[test]
fn column_order_is_not_compared() {
    let a = with_tables(vec![users()]);
    let mut b = a.clone();
    b.tables.get_mut(&q("users")).unwrap().columns.reverse();
    assert!(diff(&a, &b).is_empty());
}

#[test]
fn type_change_drops_and_restores_the_default_around_it() {
    let mut t = users();
    t.columns[1].default = Some(Expr::new("'x'::text", "'x'::text"));
    t.columns[1].collation = None;
    let a = with_tables(vec![t]);
    let mut b = a.clone();
    {
        let c = &mut b.tables.get_mut(&q("users")).unwrap().columns[1];
        c.ty = TypeRef::builtin("character varying(100)");
        c.collation = Some(QualName::new("pg_catalog", "C"));
        c.not_null = true;
    }
    let d = diff(&a, &b);
    assert_eq!(
        kinds(&d),
        vec![
            "drop_default column public.users.email",
            "alter_column_type column public.users.email",
            "set_default column public.users.email",
            "set_not_null column public.users.email",
        ]
    );
    match &d[1] {
        Change::AlterColumnType {
            from,
            to,
            to_collation,
            ..
        } => {
            assert_eq!(from.name, "text");
            assert_eq!(to.name, "character varying(100)");
            assert_eq!(to_collation.as_ref().unwrap().name, "C");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kinds(&diff(&b, &a)),
        vec![
            "drop_default column public.users.email",
            "alter_column_type column public.users.email",
            "set_default column public.users.email",
            "drop_not_null column public.users.email",
        ]
    );
}

#[test]
fn identity_add_drop_alter() {
    let a = with_tables(vec![users()]);
    let mut b = a.clone();
    b.tables.get_mut(&q("users")).unwrap().columns[0].identity =
        Some(Identity::with_defaults(false, "integer"));
    assert_eq!(
        kinds(&diff(&a, &b)),
        vec!["add_identity column public.users.id"]
    );
    assert_eq!(
        kinds(&diff(&b, &a)),
        vec!["drop_identity column public.users.id"]
    );
    let mut c = b.clone();
    {
        let i = c.tables.get_mut(&q("users")).unwrap().columns[0]
            .identity
            .as_mut()
            .unwrap();
        i.always = true;
        i.start = 1000;
        i.increment = 10;
    }
    assert_eq!(
        kinds(&diff(&b, &c)),
        vec!["alter_identity column public.users.id"]
    );
    // integer → bigint: default bounds follow the type, no identity change.
    let mut d = b.clone();
    {
        let col = &mut d.tables.get_mut(&q("users")).unwrap().columns[0];
        col.ty = TypeRef::builtin("bigint");
        col.identity = Some(Identity::with_defaults(false, "bigint"));
    }
    assert_eq!(
        kinds(&diff(&b, &d)),
        vec!["alter_column_type column public.users.id"]
    );
}

fn lines(gen: Option<&str>) -> Catalog {
    let mut t = Table::new(q("lines"));
    t.columns.push(nn("price", TypeRef::builtin("numeric")));
    t.columns.push(nn("qty", int()));
    let mut total = Column::new("total", TypeRef::builtin("numeric"));
    total.generated = gen.map(|g| Expr::new(g, g));
    t.columns.push(total);
    t.constraints.insert(
        "lines_total_check".into(),
        check("lines_total_check", "(total > (0)::numeric)"),
    );
    t.constraints.insert(
        "lines_qty_check".into(),
        check("lines_qty_check", "(qty > 0)"),
    );
    let mut cat = with_tables(vec![t]);
    cat.indexes.insert(
        q("lines_total_idx"),
        index("lines_total_idx", "lines", &["total"]),
    );
    cat.indexes.insert(
        q("lines_qty_idx"),
        index("lines_qty_idx", "lines", &["qty"]),
    );
    cat
}

#[test]
fn changed_generation_expression_recreates_column_and_what_is_on_it() {
    let a = lines(Some("(price * (qty)::numeric)"));
    let b = lines(Some("((price * (qty)::numeric) * 2)"));
    let d = diff(&a, &b);
    assert_eq!(
        kinds(&d),
        vec![
            "drop_constraint constraint lines_total_check on public.lines",
            "drop_column column public.lines.total",
            "add_column column public.lines.total",
            "add_constraint constraint lines_total_check on public.lines",
            "drop_index index public.lines_total_idx",
            "create_index index public.lines_total_idx",
        ]
    );
    for c in &d {
        match c {
            Change::DropColumn { recreate, .. } | Change::AddColumn { recreate, .. } => {
                assert!(recreate
                    .as_deref()
                    .unwrap()
                    .contains("generation expression"))
            }
            Change::DropConstraint { recreate, .. } | Change::DropIndex { recreate, .. } => {
                assert!(recreate.as_deref().unwrap().contains("re-created"))
            }
            _ => {}
        }
    }
    // Plain → generated is a re-create too; generated → plain keeps the values.
    let plain = lines(None);
    assert!(kinds(&diff(&plain, &a)).contains(&"drop_column column public.lines.total".into()));
    assert_eq!(
        kinds(&diff(&a, &plain)),
        vec!["drop_expression column public.lines.total"]
    );
}

#[test]
fn constraints_added_dropped_changed_validated() {
    let a = with_tables(vec![users(), posts()]);
    let mut b = a.clone();
    {
        let t = b.tables.get_mut(&q("posts")).unwrap();
        t.constraints
            .insert("posts_id_check".into(), check("posts_id_check", "(id > 0)"));
        let f = t.constraints.get_mut("posts_user_id_fkey").unwrap();
        if let ConstraintKind::ForeignKey { on_delete, .. } = &mut f.kind {
            *on_delete = FkAction::Cascade;
        }
    }
    assert_eq!(
        kinds(&diff(&a, &b)),
        vec![
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "add_constraint constraint posts_id_check on public.posts",
            "add_constraint constraint posts_user_id_fkey on public.posts",
        ]
    );
    assert_eq!(
        kinds(&diff(&b, &a)),
        vec![
            "drop_constraint constraint posts_id_check on public.posts",
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "add_constraint constraint posts_user_id_fkey on public.posts",
        ]
    );

    let mut nv = a.clone();
    nv.tables
        .get_mut(&q("posts"))
        .unwrap()
        .constraints
        .get_mut("posts_user_id_fkey")
        .unwrap()
        .validated = false;
    assert_eq!(
        kinds(&diff(&nv, &a)),
        vec!["validate_constraint constraint posts_user_id_fkey on public.posts"]
    );
    // valid → NOT VALID can only be had by re-adding.
    assert_eq!(
        kinds(&diff(&a, &nv)),
        vec![
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "add_constraint constraint posts_user_id_fkey on public.posts",
        ]
    );
}

#[test]
fn foreign_key_is_recreated_when_its_referenced_key_is() {
    let a = with_tables(vec![users(), posts()]);
    let mut b = a.clone();
    b.tables
        .get_mut(&q("users"))
        .unwrap()
        .constraints
        .get_mut("users_pkey")
        .unwrap()
        .deferrable = true;
    let d = diff(&a, &b);
    assert_eq!(
        kinds(&d),
        vec![
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "add_constraint constraint posts_user_id_fkey on public.posts",
            "drop_constraint constraint users_pkey on public.users",
            "add_constraint constraint users_pkey on public.users",
        ]
    );
    match &d[0] {
        Change::DropConstraint { recreate, .. } => {
            assert!(recreate.as_deref().unwrap().contains("users_pkey"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn indexes_created_dropped_redefined_commented() {
    let a = with_tables(vec![users()]);
    let mut b = a.clone();
    b.indexes.insert(
        q("users_email_idx"),
        index("users_email_idx", "users", &["email"]),
    );
    let d = diff(&a, &b);
    assert_eq!(kinds(&d), vec!["create_index index public.users_email_idx"]);
    assert!(matches!(
        &d[0],
        Change::CreateIndex {
            new_table: false,
            ..
        }
    ));
    assert_eq!(
        kinds(&diff(&b, &a)),
        vec!["drop_index index public.users_email_idx"]
    );
    let d = diff(&base(), &b);
    assert!(d.iter().any(|c| matches!(
        c,
        Change::CreateIndex {
            new_table: true,
            ..
        }
    )));

    let mut c = b.clone();
    {
        let ix = c.indexes.get_mut(&q("users_email_idx")).unwrap();
        ix.unique = true;
        ix.comment = Some("lookup".into());
    }
    assert_eq!(
        kinds(&diff(&b, &c)),
        vec![
            "drop_index index public.users_email_idx",
            "create_index index public.users_email_idx",
            "set_comment index public.users_email_idx"
        ]
    );
    let mut e = b.clone();
    e.indexes.get_mut(&q("users_email_idx")).unwrap().comment = Some("lookup".into());
    assert_eq!(
        kinds(&diff(&b, &e)),
        vec!["set_comment index public.users_email_idx"]
    );
}

#[test]
fn comments_on_tables_columns_constraints() {
    let a = with_tables(vec![users()]);
    let mut b = a.clone();
    {
        let t = b.tables.get_mut(&q("users")).unwrap();
        t.comment = Some("people".into());
        t.columns[1].comment = Some("it's unique".into());
        t.constraints.get_mut("users_pkey").unwrap().comment = Some("pk".into());
    }
    assert_eq!(
        kinds(&diff(&a, &b)),
        vec![
            "set_comment column public.users.email",
            "set_comment constraint users_pkey on public.users",
            "set_comment table public.users",
        ]
    );
}

#[test]
fn output_is_deterministic() {
    let a = lines(Some("(price * (qty)::numeric)"));
    let mut b = with_tables(vec![users(), posts()]);
    b.enums.insert(q("mood"), mood(&["x"]));
    assert_eq!(diff(&a, &b), diff(&a.clone(), &b.clone()));
    let json = serde_json::to_string(&diff(&a, &b)).unwrap();
    assert!(json.contains("\"change\":\"create_table\""));
}

#[test]
fn identifier_mentions_skip_literals() {
    assert!(mentions_identifier("(total > 0)", "total"));
    assert!(mentions_identifier("(\"Total\" > 0)", "Total"));
    assert!(!mentions_identifier("(\"Total\" > 0)", "total"));
    assert!(!mentions_identifier("(x = 'total')", "total"));
    assert!(!mentions_identifier("(x = 'it''s total')", "total"));
    assert!(!mentions_identifier("(subtotal > 0)", "total"));
    assert!(mentions_identifier("(TOTAL > 0)", "total"));
    assert!(!mentions_identifier("(x > 1e5)", "e5"));
}

#[test]
fn generated_column_is_recreated_when_a_column_it_uses_changes_type() {
    let a = lines(Some("(price * (qty)::numeric)"));
    let mut b = a.clone();
    b.tables.get_mut(&q("lines")).unwrap().columns[1].ty = TypeRef::builtin("bigint");
    let d = diff(&a, &b);
    let k = kinds(&d);
    assert!(
        k.contains(&"drop_column column public.lines.total".to_string()),
        "{k:?}"
    );
    assert!(k.contains(&"alter_column_type column public.lines.qty".to_string()));
    match d.iter().find(|c| matches!(c, Change::DropColumn { .. })) {
        Some(Change::DropColumn { recreate, .. }) => {
            assert!(recreate.as_deref().unwrap().contains("qty"))
        }
        other => panic!("{other:?}"),
    }
    // A type change of a column the expression does not use changes nothing else.
    let mut a2 = a.clone();
    a2.tables
        .get_mut(&q("lines"))
        .unwrap()
        .columns
        .push(Column::new("note", TypeRef::builtin("text")));
    let mut c = a2.clone();
    c.tables.get_mut(&q("lines")).unwrap().columns[3].ty =
        TypeRef::builtin("character varying(10)");
    assert_eq!(
        kinds(&diff(&a2, &c)),
        vec!["alter_column_type column public.lines.note"]
    );
}

#[test]
fn foreign_keys_between_dropped_tables_are_dropped_first() {
    let mut a = users();
    a.columns.push(Column::new("post_id", int()));
    a.constraints.insert(
        "users_post_id_fkey".into(),
        fk("users_post_id_fkey", "post_id", "posts", "id"),
    );
    let from = with_tables(vec![a, posts()]);
    assert_eq!(
        kinds(&diff(&from, &base())),
        vec![
            "drop_constraint constraint posts_user_id_fkey on public.posts",
            "drop_table table public.posts",
            "drop_constraint constraint users_post_id_fkey on public.users",
            "drop_table table public.users",
        ]
    );
    // Only one of them dropped: its foreign key goes with it.
    let mut to = from.clone();
    to.tables.remove(&q("posts"));
    to.tables
        .get_mut(&q("users"))
        .unwrap()
        .constraints
        .remove("users_post_id_fkey");
    assert_eq!(
        kinds(&diff(&from, &to)),
        vec![
            "drop_constraint constraint users_post_id_fkey on public.users",
            "drop_table table public.posts",
        ]
    );
}

#[test]
fn sequence_owned_by_a_recreated_column_is_released_and_owned_again() {
    let with_seq = |c: Catalog| {
        let mut c = c;
        let mut s = Sequence::with_defaults(q("s"), "bigint", 1);
        s.owned_by = Some(ColumnRef {
            table: q("lines"),
            column: "total".into(),
        });
        c.sequences.insert(q("s"), s);
        c
    };
    let a = with_seq(lines(Some("(price * (qty)::numeric)")));
    let b = with_seq(lines(Some("(price * (2)::numeric)")));
    let d = diff(&a, &b);
    let owners: Vec<(Option<String>, Option<String>)> = d
        .iter()
        .filter_map(|c| match c {
            Change::SetSequenceOwner { from, to, .. } => Some((
                from.as_ref().map(|o| o.column.clone()),
                to.as_ref().map(|o| o.column.clone()),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        owners,
        vec![(Some("total".into()), None), (None, Some("total".into()))]
    );
}

// ---------------------------------------------------------------------------------------
// Rename hints

fn hint(object: ObjectId, from: ObjectId) -> shale_model::RenameHint {
    shale_model::RenameHint { object, from }
}

fn col_id(t: &str, c: &str) -> ObjectId {
    ObjectId::Column {
        table: q(t),
        column: c.into(),
    }
}

fn table_id(t: QualName) -> ObjectId {
    ObjectId::Table { name: t }
}

/// Renames applied, then the rest of the diff.
fn diff_renamed(from: &Catalog, to: &Catalog, hints: &[shale_model::RenameHint]) -> Vec<Change> {
    let r = apply_renames(from, to, hints).unwrap_or_else(|e| panic!("{e}"));
    let mut out = r.changes;
    out.extend(diff(&r.catalog, to));
    out
}

/// users(id, email) with an index, a check and a foreign key from posts on its key.
fn rename_sample(email: &str, users_name: &str) -> Catalog {
    let mut u = users();
    u.name = q(users_name);
    u.columns[1].name = email.into();
    let pkey = format!("{users_name}_pkey");
    u.constraints.clear();
    u.constraints.insert(pkey.clone(), pk(&pkey, &["id"]));
    let chk = format!("{users_name}_check");
    let body = format!("{email} <> lower({email})");
    u.constraints.insert(chk.clone(), check(&chk, &body));
    let mut p = posts();
    if let ConstraintKind::ForeignKey { ref_table, .. } =
        &mut p.constraints.get_mut("posts_user_id_fkey").unwrap().kind
    {
        *ref_table = q(users_name);
    }
    let mut cat = with_tables(vec![u, p]);
    let ix_name = format!("{users_name}_{email}_idx");
    let mut ix = index(&ix_name, users_name, &[email]);
    ix.predicate = Some(Expr::new(
        format!("{email} IS NOT NULL"),
        format!("{email} IS NOT NULL"),
    ));
    cat.indexes.insert(q(&ix_name), ix);
    cat
}

#[test]
fn hinted_column_rename_carries_its_references_and_leaves_only_real_changes() {
    let from = rename_sample("mail", "users");
    let mut to = rename_sample("email", "users");
    // The index keeps its old name in the desired state: only the column moves.
    let ix = to.indexes.remove(&q("users_email_idx")).unwrap();
    to.indexes.insert(
        q("users_mail_idx"),
        Index {
            name: q("users_mail_idx"),
            ..ix
        },
    );
    let h = [hint(col_id("users", "email"), col_id("users", "mail"))];
    assert_eq!(
        kinds(&diff_renamed(&from, &to, &h)),
        vec!["rename column public.users.email"]
    );
    // Plus a type change: rename, then the type change of the renamed column.
    to.tables.get_mut(&q("users")).unwrap().columns[1].ty = TypeRef::builtin("citext");
    let d = diff_renamed(&from, &to, &h);
    assert_eq!(
        kinds(&d),
        vec![
            "rename column public.users.email",
            "alter_column_type column public.users.email"
        ]
    );
    assert_eq!(
        d[0],
        Change::Rename {
            from: col_id("users", "mail"),
            to: col_id("users", "email"),
            implied_by: None
        }
    );
}

#[test]
fn implied_renames_follow_a_renamed_column_when_the_desired_names_follow_it() {
    let from = rename_sample("mail", "users");
    let to = rename_sample("email", "users");
    let h = [hint(col_id("users", "email"), col_id("users", "mail"))];
    let d = diff_renamed(&from, &to, &h);
    assert_eq!(
        kinds(&d),
        vec![
            "rename column public.users.email",
            "rename index public.users_email_idx"
        ]
    );
    assert_eq!(
        d[1],
        Change::Rename {
            from: ObjectId::Index {
                name: q("users_mail_idx")
            },
            to: ObjectId::Index {
                name: q("users_email_idx")
            },
            implied_by: Some(col_id("users", "email")),
        }
    );
}

#[test]
fn hinted_table_rename_takes_keys_indexes_sequences_and_foreign_keys_along() {
    let mut from = rename_sample("email", "users");
    let mut to = rename_sample("email", "accounts");
    // A serial id on both sides, its sequence named after the table.
    for (cat, t) in [(&mut from, "users"), (&mut to, "accounts")] {
        let seq = q(&format!("{t}_id_seq"));
        let text = format!("nextval('{seq}'::regclass)");
        let mut e = Expr::new(text.clone(), text);
        e.refs.push(seq.clone());
        cat.tables.get_mut(&q(t)).unwrap().columns[0].default = Some(e);
        let mut s = Sequence::with_defaults(seq.clone(), "integer", 1);
        s.owned_by = Some(ColumnRef {
            table: q(t),
            column: "id".into(),
        });
        cat.sequences.insert(seq, s);
    }
    let h = [hint(table_id(q("accounts")), table_id(q("users")))];
    let r = apply_renames(&from, &to, &h).unwrap();
    assert_eq!(
        kinds(&r.changes),
        vec![
            "rename table public.accounts",
            "rename constraint accounts_check on public.accounts",
            "rename constraint accounts_pkey on public.accounts",
            "rename index public.accounts_email_idx",
            "rename sequence public.accounts_id_seq",
        ]
    );
    assert!(
        diff(&r.catalog, &to).is_empty(),
        "{:?}",
        diff(&r.catalog, &to)
    );
    // The default now names the renamed sequence, as PostgreSQL would print it.
    let d = r.catalog.tables[&q("accounts")].columns[0]
        .default
        .clone()
        .unwrap();
    assert_eq!(d.canon, "nextval('public.accounts_id_seq'::regclass)");
    assert_eq!(d.refs, vec![q("accounts_id_seq")]);
}

#[test]
fn table_moving_schema_moves_its_indexes_and_owned_sequences() {
    let app = |n: &str| QualName::new("app", n);
    let mut from = rename_sample("email", "users");
    from.tables.remove(&q("posts"));
    let seq = q("users_id_seq");
    let mut s = Sequence::with_defaults(seq.clone(), "integer", 1);
    s.owned_by = Some(ColumnRef {
        table: q("users"),
        column: "id".into(),
    });
    from.sequences.insert(seq, s);
    let r0 = apply_renames(&from, &from, &[]).unwrap();
    assert!(r0.changes.is_empty());
    let mut to = Catalog::default();
    to.schemas
        .insert("app".into(), Schema { name: "app".into() });
    let mut t = from.tables[&q("users")].clone();
    t.name = app("users");
    to.tables.insert(app("users"), t);
    let mut ix = from.indexes[&q("users_email_idx")].clone();
    ix.name = app("users_email_idx");
    ix.table = app("users");
    to.indexes.insert(ix.name.clone(), ix);
    let mut s = from.sequences[&q("users_id_seq")].clone();
    s.name = app("users_id_seq");
    s.owned_by.as_mut().unwrap().table = app("users");
    to.sequences.insert(s.name.clone(), s);
    let h = [hint(table_id(app("users")), table_id(q("users")))];
    let r = apply_renames(&from, &to, &h).unwrap();
    assert_eq!(kinds(&r.changes), vec!["rename table app.users"]);
    assert!(r.catalog.indexes.contains_key(&app("users_email_idx")));
    assert!(r.catalog.sequences.contains_key(&app("users_id_seq")));
    // The new schema is created (before the move, by the planner); public is never
    // dropped; nothing else differs.
    assert_eq!(
        diff(&r.catalog, &to),
        vec![Change::CreateSchema { name: "app".into() }]
    );
}

#[test]
fn rename_hints_that_cannot_be_followed_are_errors() {
    let from = rename_sample("email", "users");
    let to = rename_sample("email", "users");
    // The new name is taken by an object of another kind.
    let e = apply_renames(
        &from,
        &to,
        &[hint(table_id(q("users_email_idx")), table_id(q("users")))],
    )
    .unwrap_err();
    assert!(
        e.reason.contains("taken by index public.users_email_idx"),
        "{e}"
    );
    // ... by a table: the rename happened already (and the old name was taken again).
    let r = apply_renames(
        &from,
        &to,
        &[hint(table_id(q("posts")), table_id(q("users")))],
    )
    .unwrap();
    assert!(r.changes.is_empty());
    // A column moving to another table.
    let e = apply_renames(
        &from,
        &to,
        &[hint(col_id("posts", "email"), col_id("users", "email"))],
    )
    .unwrap_err();
    assert!(e.reason.contains("another table"), "{e}");
    // Kinds differ.
    let e = apply_renames(
        &from,
        &to,
        &[hint(col_id("users", "x"), table_id(q("users")))],
    )
    .unwrap_err();
    assert!(e.reason.contains("not a column"), "{e}");
    // An index leaving its table's schema.
    let e = apply_renames(
        &from,
        &to,
        &[hint(
            ObjectId::Index {
                name: QualName::new("app", "i"),
            },
            ObjectId::Index {
                name: q("users_email_idx"),
            },
        )],
    )
    .unwrap_err();
    assert!(e.reason.contains("its table's schema"), "{e}");
    assert!(e.to_string().starts_with("cannot rename to index app.i"));
}

#[test]
fn hints_for_renames_already_done_are_ignored_and_both_columns_present_is_reported() {
    let from = rename_sample("email", "users");
    let to = from.clone();
    // `mail` does not exist: the rename already happened.
    let r = apply_renames(
        &from,
        &to,
        &[hint(col_id("users", "email"), col_id("users", "mail"))],
    )
    .unwrap();
    assert!(r.changes.is_empty() && r.both_exist.is_empty());
    assert_eq!(*r.catalog, from);
    // Both exist (an expand phase added the new one): not renamed, reported.
    let mut from2 = from.clone();
    from2
        .tables
        .get_mut(&q("users"))
        .unwrap()
        .columns
        .push(Column::new("mail", TypeRef::builtin("text")));
    let r = apply_renames(
        &from2,
        &to,
        &[hint(col_id("users", "email"), col_id("users", "mail"))],
    )
    .unwrap();
    assert!(r.changes.is_empty());
    assert_eq!(
        r.both_exist,
        vec![ColumnPair {
            table: q("users"),
            old: "mail".into(),
            new: "email".into()
        }]
    );
}

#[test]
fn drop_and_add_of_the_same_type_is_a_possible_rename() {
    let from = with_tables(vec![users()]);
    let mut to = from.clone();
    let t = to.tables.get_mut(&q("users")).unwrap();
    t.columns[1].name = "mail".into();
    t.columns.push(Column::new("age", int()));
    let d = diff(&from, &to);
    assert_eq!(
        possible_renames(&d),
        vec![PossibleRename {
            dropped: col_id("users", "email"),
            added: col_id("users", "mail"),
        }]
    );
    // A table dropped and one with the same columns created.
    let mut to2 = base();
    let mut t2 = users();
    t2.name = q("people");
    t2.constraints.clear();
    to2.tables.insert(q("people"), t2);
    assert_eq!(
        possible_renames(&diff(&from, &to2)),
        vec![PossibleRename {
            dropped: table_id(q("users")),
            added: table_id(q("people")),
        }]
    );
}

#[test]
fn an_index_left_invalid_is_recreated_and_files_never_have_one() {
    let mut from = with_tables(vec![users()]);
    let mut ix = index("users_email_idx", "users", &["email"]);
    from.indexes.insert(q("users_email_idx"), ix.clone());
    let to = from.clone();
    ix.invalid = true;
    from.indexes.insert(q("users_email_idx"), ix);
    let d = diff(&from, &to);
    assert_eq!(
        kinds(&d),
        vec![
            "drop_index index public.users_email_idx",
            "create_index index public.users_email_idx"
        ]
    );
    match &d[1] {
        Change::CreateIndex {
            index, recreate, ..
        } => {
            assert_eq!(recreate.as_deref(), Some(LEFT_INVALID));
            assert!(!index.invalid);
        }
        other => panic!("{other:?}"),
    }
    // The field stays out of the JSON of a valid index.
    let json = serde_json::to_string(&to.indexes[&q("users_email_idx")]).unwrap();
    assert!(!json.contains("invalid"), "{json}");
}

/// `--include owners`: a sequence owned by a column has its table's owner; PostgreSQL
/// refuses `ALTER SEQUENCE … OWNER TO` on it and moves it with the table (issue 8).
#[test]
fn owned_sequences_follow_their_table_owner() {
    let mut from = serial_catalog();
    from.owners
        .insert(ObjectId::Table { name: q("t") }, "bob".into());
    from.owners.insert(
        ObjectId::Sequence {
            name: q("t_id_seq"),
        },
        "bob".into(),
    );
    let mut to = serial_catalog();
    to.owners
        .insert(ObjectId::Table { name: q("t") }, "alice".into());
    to.owners.insert(
        ObjectId::Sequence {
            name: q("t_id_seq"),
        },
        "alice".into(),
    );
    let d = diff(&from, &to);
    let objects: Vec<String> = d.iter().map(|c| c.object().to_string()).collect();
    assert_eq!(objects, vec!["privileges on table public.t"], "{d:?}");
    // A sequence no column owns gets its own OWNER TO.
    let mut free_from = from.clone();
    let mut free_to = to.clone();
    for c in [&mut free_from, &mut free_to] {
        c.sequences.get_mut(&q("t_id_seq")).unwrap().owned_by = None;
    }
    assert_eq!(diff(&free_from, &free_to).len(), 2);
}

/// A catalog with operator `===` (by `function`) and what may use it: a check, a view, a
/// SQL-standard body and a policy, each using it or not as `uses` says.
fn operator_users(function: &str, uses: bool) -> Catalog {
    use shale_model::{Function, FunctionArg, FunctionBody, Operator, Policy, PolicyCommand, View};
    let text = || TypeRef::builtin("text");
    let mut cat = base();
    let op = if uses { "===" } else { "=" };
    for f in ["ci_eq", "ci_same"] {
        let mut func = Function::new(
            q(f),
            TypeRef::builtin("boolean"),
            "sql",
            FunctionBody::Source(Expr::new("select true", "select true")),
        );
        for _ in 0..2 {
            func.args.push(FunctionArg {
                name: None,
                mode: shale_model::ArgMode::In,
                ty: text(),
                default: None,
            });
        }
        cat.functions.insert(func.signature(), func);
    }
    let o = Operator::new(q("==="), Some(text()), text(), q(function));
    cat.operators.insert(o.signature(), o);
    let mut t = Table::new(q("t"));
    t.columns.push(Column::new("a", text()));
    let mut g = Column::new("g", TypeRef::builtin("boolean"));
    let computed = format!("a {op} 'v'");
    g.generated = Some(Expr::new(computed.clone(), computed));
    t.columns.push(g);
    let c = check("a_ok", &format!("NOT a {op} 'x'"));
    t.constraints.insert(c.name.clone(), c);
    cat.tables.insert(q("t"), t);
    let canon = format!("SELECT t.a AS a FROM public.t WHERE t.a {op} 'y'");
    let v = View::new(q("v"), vec!["a".into()], Expr::new(canon.clone(), canon));
    cat.views.insert(v.name.clone(), v);
    let body = format!("RETURN n {op} 'z'");
    let mut f = Function::new(
        q("is_z"),
        TypeRef::builtin("boolean"),
        "sql",
        FunctionBody::Standard(Expr::new(body.clone(), body)),
    );
    f.args.push(FunctionArg {
        name: Some("n".into()),
        mode: shale_model::ArgMode::In,
        ty: text(),
        default: None,
    });
    cat.functions.insert(f.signature(), f);
    let using = format!("a {op} 'w'");
    let p = Policy {
        table: q("t"),
        name: "p".into(),
        command: PolicyCommand::All,
        permissive: true,
        roles: vec!["PUBLIC".into()],
        using: Some(Expr::new(using.clone(), using)),
        with_check: None,
        comment: None,
    };
    cat.policies.insert(p.key(), p);
    cat
}

/// An operator dropped and created again takes what uses it with it (PostgreSQL refuses
/// to drop it under them); what stops using it changes in place instead.
#[test]
fn users_of_a_recreated_operator_are_recreated_around_it() {
    let d = diff(
        &operator_users("ci_eq", true),
        &operator_users("ci_same", true),
    );
    let recreated: Vec<String> = d
        .iter()
        .filter(|c| {
            let s = format!("{c:?}");
            s.contains("Drop") && s.contains("operator public.=== (text, text) is re-created")
        })
        .map(|c| c.object().to_string())
        .collect();
    for what in [
        "column public.t.g",
        "constraint a_ok on public.t",
        "view public.v",
        "function public.is_z(text)",
        "policy p on public.t",
    ] {
        assert!(
            recreated.contains(&what.to_string()),
            "{what}: {recreated:?}"
        );
    }
    // Stopping to use it while it goes: the view is replaced, the body replaced, the
    // policy altered, in place.
    let mut to = operator_users("ci_same", false);
    to.operators.clear();
    let d = diff(&operator_users("ci_eq", true), &to);
    let text = format!("{d:?}");
    assert!(text.contains("ReplaceView"), "{text}");
    assert!(text.contains("ReplaceFunction"), "{text}");
    assert!(text.contains("AlterPolicy"), "{text}");
    assert!(!text.contains("is dropped\")"), "{text}");
}

/// A renamed table's rules, triggers and policies follow it (PostgreSQL keeps them by
/// the table's OID): no step drops or creates them; a rule elsewhere naming the table
/// qualified names the new one.
#[test]
fn renamed_table_keeps_its_rules_triggers_and_policies() {
    use shale_model::{
        Policy, PolicyCommand, RewriteRule, RuleEvent, Trigger, TriggerEnabled, TriggerEvent,
        TriggerTiming,
    };
    let sample = |name: &str| {
        let mut cat = base();
        let mut t = users();
        t.name = q(name);
        cat.tables.insert(q(name), t);
        let mut log = Table::new(q("log"));
        log.columns.push(nn("id", int()));
        cat.tables.insert(q("log"), log);
        let r = RewriteRule {
            table: q(name),
            name: "keep".into(),
            event: RuleEvent::Delete,
            instead: true,
            condition: None,
            actions: vec![],
            enabled: TriggerEnabled::Disabled,
            comment: Some("never deleted".into()),
        };
        cat.rewrite_rules.insert(r.key(), r);
        let action = format!("DELETE FROM public.{name} WHERE id = old.id");
        let r = RewriteRule {
            table: q("log"),
            name: "cascade".into(),
            event: RuleEvent::Delete,
            instead: false,
            condition: None,
            actions: vec![Expr::new(action.clone(), action)],
            enabled: TriggerEnabled::Origin,
            comment: None,
        };
        cat.rewrite_rules.insert(r.key(), r);
        let tr = Trigger {
            table: q(name),
            name: "touch".into(),
            timing: TriggerTiming::Before,
            events: vec![TriggerEvent::Update],
            update_columns: vec![],
            for_each_row: true,
            when: None,
            function: q("touch"),
            args: vec![],
            constraint: false,
            deferrable: false,
            initially_deferred: false,
            from_table: None,
            old_table: None,
            new_table: None,
            enabled: TriggerEnabled::Origin,
            comment: None,
        };
        cat.triggers.insert(tr.key(), tr);
        let p = Policy {
            table: q(name),
            name: "mine".into(),
            command: PolicyCommand::All,
            permissive: true,
            roles: vec!["PUBLIC".into()],
            using: Some(Expr::new("id > 0", "id > 0")),
            with_check: None,
            comment: None,
        };
        cat.policies.insert(p.key(), p);
        cat
    };
    let (from, to) = (sample("users"), sample("people"));
    let d = diff_renamed(
        &from,
        &to,
        &[hint(table_id(q("people")), table_id(q("users")))],
    );
    assert_eq!(kinds(&d), vec!["rename table public.people"], "{d:?}");
}

/// A table converted to partitioned takes along the functions whose SQL-standard body
/// reads it (PostgreSQL would keep them on the old table, whose drop then fails); a
/// string body is looked up at each call and stays.
#[test]
fn conversion_recreates_sql_standard_bodies_reading_the_table() {
    use shale_model::{Function, FunctionBody, PartitionKey, PartitionStrategy, TableOptions};
    let sample = |partitioned: bool| {
        let mut cat = base();
        let mut t = Table::new(q("events"));
        t.columns.push(nn("id", int()));
        cat.tables.insert(q("events"), t);
        if partitioned {
            let mut o = TableOptions::new(q("events"));
            o.partition_by = Some(PartitionKey {
                strategy: PartitionStrategy::Hash,
                keys: vec![IndexKeyExpr::Column("id".into())],
            });
            cat.table_options.insert(q("events"), o);
        }
        for (name, standard) in [("counted", true), ("counted_text", false)] {
            let sql = "SELECT count(*) FROM public.events";
            let mut e = Expr::new(sql, sql);
            e.refs.push(q("events"));
            let body = if standard {
                FunctionBody::Standard(e)
            } else {
                FunctionBody::Source(e)
            };
            let f = Function::new(q(name), TypeRef::builtin("bigint"), "sql", body);
            cat.functions.insert(f.signature(), f);
        }
        cat
    };
    let d = diff(&sample(false), &sample(true));
    let recreated: Vec<String> = d
        .iter()
        .filter_map(|c| match c {
            Change::Routine {
                routine:
                    RoutineChange::DropFunction {
                        function,
                        recreate: Some(why),
                    },
            } => Some(format!("{}: {why}", function.signature())),
            _ => None,
        })
        .collect();
    assert_eq!(
        recreated,
        vec!["public.counted(): table public.events_shale_old is dropped"],
        "{d:?}"
    );
}

#[test]
fn possible_renames_pair_every_drop_with_every_match_in_order() {
    // Two tables of one shape dropped, two of it created, one of another shape created,
    // and a column of another type added: each drop lists both matches, in change order.
    let shaped = |name: &str, ty: TypeRef| {
        let mut t = Table::new(q(name));
        t.columns.push(Column::new("id", int()));
        t.columns.push(Column::new("v", ty));
        t
    };
    let changes = vec![
        Change::DropTable {
            table: shaped("a", TypeRef::builtin("text")),
        },
        Change::CreateTable {
            table: shaped("x", TypeRef::builtin("text")),
        },
        Change::CreateTable {
            table: shaped("other", int()),
        },
        Change::DropTable {
            table: shaped("b", TypeRef::builtin("text")),
        },
        Change::CreateTable {
            table: shaped("y", TypeRef::builtin("text")),
        },
        Change::AddColumn {
            table: q("x"),
            column: Column::new("w", int()),
            recreate: None,
        },
    ];
    let pairs: Vec<(ObjectId, ObjectId)> = possible_renames(&changes)
        .into_iter()
        .map(|p| (p.dropped, p.added))
        .collect();
    let t = |n: &str| table_id(q(n));
    assert_eq!(
        pairs,
        vec![
            (t("a"), t("x")),
            (t("a"), t("y")),
            (t("b"), t("x")),
            (t("b"), t("y")),
        ]
    );
    // Dropping alone (a rollback to empty) pairs nothing.
    let drops: Vec<Change> = changes
        .into_iter()
        .filter(|c| matches!(c, Change::DropTable { .. }))
        .collect();
    assert!(possible_renames(&drops).is_empty());
}
