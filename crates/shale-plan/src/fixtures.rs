//! Hand-built catalogs for the tests (canonical forms spelled as the front ends would).

use shale_model::{
    Catalog, Column, ColumnRef, Constraint, ConstraintKind, EnumType, Expr, Extension, FkAction,
    Identity, Index, IndexKey, IndexKeyExpr, QualName, Schema, Sequence, Table, TypeRef,
};

pub fn q(name: &str) -> QualName {
    QualName::new("public", name)
}

pub fn qs(schema: &str, name: &str) -> QualName {
    QualName::new(schema, name)
}

pub fn ty(name: &str) -> TypeRef {
    TypeRef::builtin(name)
}

pub fn expr(sql: &str) -> Expr {
    Expr::new(sql, sql)
}

pub fn expr_refs(sql: &str, refs: &[QualName]) -> Expr {
    let mut e = expr(sql);
    e.refs = refs.to_vec();
    e
}

/// A catalog with schema `public`.
pub fn base() -> Catalog {
    let mut c = Catalog::default();
    c.schemas.insert(
        "public".into(),
        Schema {
            name: "public".into(),
        },
    );
    c
}

pub fn col(name: &str, t: &str) -> Column {
    Column::new(name, ty(t))
}

pub fn nn(name: &str, t: &str) -> Column {
    let mut c = col(name, t);
    c.not_null = true;
    c
}

pub fn table(name: QualName, columns: Vec<Column>, constraints: Vec<Constraint>) -> Table {
    let mut t = Table::new(name);
    t.columns = columns;
    for c in constraints {
        t.constraints.insert(c.name.clone(), c);
    }
    t
}

fn constraint(name: &str, kind: ConstraintKind) -> Constraint {
    Constraint {
        name: name.into(),
        kind,
        deferrable: false,
        initially_deferred: false,
        validated: true,
        comment: None,
        index_comment: None,
        index_invalid: false,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub fn pk(name: &str, cols: &[&str]) -> Constraint {
    constraint(
        name,
        ConstraintKind::PrimaryKey {
            columns: strings(cols),
            include: vec![],
        },
    )
}

pub fn unique(name: &str, cols: &[&str]) -> Constraint {
    constraint(
        name,
        ConstraintKind::Unique {
            columns: strings(cols),
            include: vec![],
            nulls_not_distinct: false,
        },
    )
}

pub fn check(name: &str, sql: &str) -> Constraint {
    constraint(
        name,
        ConstraintKind::Check {
            expr: expr(sql),
            no_inherit: false,
        },
    )
}

pub fn fk(name: &str, cols: &[&str], ref_table: QualName, ref_cols: &[&str]) -> Constraint {
    constraint(
        name,
        ConstraintKind::ForeignKey {
            columns: strings(cols),
            ref_table,
            ref_columns: strings(ref_cols),
            on_update: FkAction::NoAction,
            on_delete: FkAction::NoAction,
            match_full: false,
        },
    )
}

pub fn key(column: &str) -> IndexKey {
    IndexKey {
        key: IndexKeyExpr::Column(column.into()),
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: false,
    }
}

pub fn index(name: QualName, table: QualName, keys: Vec<IndexKey>) -> Index {
    Index {
        name,
        table,
        unique: false,
        method: "btree".into(),
        keys,
        include: vec![],
        predicate: None,
        nulls_not_distinct: false,
        comment: None,
        invalid: false,
        storage: Default::default(),
        statistics: Default::default(),
    }
}

pub fn add_table(c: &mut Catalog, t: Table) {
    c.tables.insert(t.name.clone(), t);
}

pub fn add_index(c: &mut Catalog, ix: Index) {
    c.indexes.insert(ix.name.clone(), ix);
}

/// A serial column `table.column` with its owned sequence.
pub fn serial(c: &mut Catalog, table: &QualName, column: &str, data_type: &str) -> Column {
    let seq = QualName::new(
        table.schema.clone(),
        format!("{}_{}_seq", table.name, column),
    );
    let mut s = Sequence::with_defaults(seq.clone(), data_type, 1);
    s.owned_by = Some(ColumnRef {
        table: table.clone(),
        column: column.into(),
    });
    c.sequences.insert(seq.clone(), s);
    let mut col = nn(column, data_type);
    col.default = Some(expr_refs(
        &format!("nextval('{seq}'::regclass)"),
        std::slice::from_ref(&seq),
    ));
    col
}

/// A schema with most features: a second schema, an extension, an enum, sequences
/// (standalone and owned), identity, serial, generated and collated columns, every kind
/// of constraint (deferrable, NOT VALID, NULLS NOT DISTINCT, INCLUDE), expression, partial
/// and descending indexes, a foreign-key cycle, quoted identifiers, and comments.
pub fn shop() -> Catalog {
    let mut c = base();
    c.schemas
        .insert("app".into(), Schema { name: "app".into() });
    c.extensions.insert(
        "citext".into(),
        Extension {
            name: "citext".into(),
            schema: "public".into(),
            version: None,
        },
    );
    c.enums.insert(
        q("status"),
        EnumType {
            name: q("status"),
            labels: strings(&["new", "paid"]),
            comment: Some("order status".into()),
        },
    );
    let mut inv = Sequence::with_defaults(q("invoice_no"), "bigint", 5);
    inv.start = 1000;
    inv.min_value = 1000;
    inv.cache = 10;
    inv.increment = 5;
    c.sequences.insert(q("invoice_no"), inv);

    // customers
    let mut id = nn("id", "bigint");
    id.identity = Some(Identity::with_defaults(true, "bigint"));
    let mut email = nn("email", "text");
    email.ty = TypeRef::user(q("citext"));
    let mut name = col("name", "character varying(100)");
    name.collation = Some(qs("pg_catalog", "C"));
    name.comment = Some("display name".into());
    let mut created = nn("created_at", "timestamp with time zone");
    created.default = Some(expr("now()"));
    let mut customers = table(
        q("customers"),
        vec![id, email, name, created, col("note", "text")],
        vec![
            pk("customers_pkey", &["id"]),
            unique("customers_email_key", &["email"]),
        ],
    );
    customers.comment = Some("people who buy".into());
    add_table(&mut c, customers);

    // orders
    let oid = serial(&mut c, &q("orders"), "id", "integer");
    let mut status = nn("status", "integer");
    status.ty = TypeRef::user(q("status"));
    status.default = Some(expr("'new'::public.status"));
    let mut amount = col("amount", "numeric");
    amount.generated = Some(expr("(price * (qty)::numeric)"));
    let mut nv = check("orders_qty_check", "(qty > 0)");
    nv.validated = false;
    let orders = table(
        q("orders"),
        vec![
            oid,
            nn("customer_id", "bigint"),
            status,
            col("qty", "integer"),
            col("price", "numeric(10,2)"),
            amount,
        ],
        vec![
            pk("orders_pkey", &["id"]),
            fk(
                "orders_customer_id_fkey",
                &["customer_id"],
                q("customers"),
                &["id"],
            ),
            check("orders_price_check", "(price >= (0)::numeric)"),
            nv,
        ],
    );
    add_table(&mut c, orders);

    // app.items: quoted identifiers, arrays, deferrable FK with actions
    let mut items_fk = fk("items_order_id_fkey", &["order_id"], q("orders"), &["id"]);
    if let ConstraintKind::ForeignKey { on_delete, .. } = &mut items_fk.kind {
        *on_delete = FkAction::Cascade;
    }
    items_fk.deferrable = true;
    items_fk.initially_deferred = true;
    let mut uq = unique("items_Label_order_id_key", &["Label", "order_id"]);
    if let ConstraintKind::Unique {
        include,
        nulls_not_distinct,
        ..
    } = &mut uq.kind
    {
        *nulls_not_distinct = true;
        include.push("tags".into());
    }
    let mut tags = col("tags", "text");
    tags.ty = ty("text").array_of();
    let items = table(
        qs("app", "items"),
        vec![
            nn("id", "integer"),
            col("order_id", "integer"),
            col("Label", "text"),
            tags,
            col("user", "text"),
        ],
        vec![pk("items_pkey", &["id"]), items_fk, uq],
    );
    add_table(&mut c, items);
    let mut lower = index(
        qs("app", "items_lower_idx"),
        qs("app", "items"),
        vec![IndexKey {
            key: IndexKeyExpr::Expr(expr("lower(\"Label\")")),
            collation: None,
            opclass: None,
            descending: true,
            nulls_first: false,
        }],
    );
    lower.include = vec!["id".into()];
    lower.predicate = Some(expr("(order_id IS NOT NULL)"));
    add_index(&mut c, lower);
    let mut gin = index(
        qs("app", "items_tags_idx"),
        qs("app", "items"),
        vec![key("tags")],
    );
    gin.method = "gin".into();
    add_index(&mut c, gin);
    let mut pat = index(
        q("customers_note_idx"),
        q("customers"),
        vec![IndexKey {
            opclass: Some(qs("pg_catalog", "text_pattern_ops")),
            ..key("note")
        }],
    );
    pat.comment = Some("prefix search".into());
    add_index(&mut c, pat);

    // A foreign-key cycle.
    add_table(
        &mut c,
        table(
            qs("app", "a"),
            vec![nn("id", "integer"), col("b_id", "integer")],
            vec![
                pk("a_pkey", &["id"]),
                fk("a_b_id_fkey", &["b_id"], qs("app", "b"), &["id"]),
            ],
        ),
    );
    add_table(
        &mut c,
        table(
            qs("app", "b"),
            vec![nn("id", "integer"), col("a_id", "integer")],
            vec![
                pk("b_pkey", &["id"]),
                fk("b_a_id_fkey", &["a_id"], qs("app", "a"), &["id"]),
            ],
        ),
    );
    c
}

/// [`shop`] after a release with one change of nearly every kind (columns are added at the
/// end, as PostgreSQL does, so a migrated database dumps like a fresh one).
pub fn shop2() -> Catalog {
    let mut c = shop();
    c.schemas.insert(
        "billing".into(),
        Schema {
            name: "billing".into(),
        },
    );
    // Enum values, one needed by a default in the same plan.
    c.enums.get_mut(&q("status")).unwrap().labels = strings(&["draft", "new", "paid", "shipped"]);
    // Sequence options; a new sequence owned by a new table.
    {
        let s = c.sequences.get_mut(&q("invoice_no")).unwrap();
        s.increment = 10;
        s.cache = 1;
        s.comment = Some("invoice numbers".into());
    }
    let tid = serial(&mut c, &q("tickets"), "id", "integer");
    add_table(
        &mut c,
        table(
            q("tickets"),
            vec![tid, col("title", "text")],
            vec![pk("tickets_pkey", &["id"])],
        ),
    );

    // customers: drop a column (and its index), add columns, widen a type, identity
    // options, default, comments, a check on a new column.
    {
        let t = c.tables.get_mut(&q("customers")).unwrap();
        t.columns.retain(|x| x.name != "note");
        t.columns.push(col("phone", "text"));
        let mut score = nn("score", "integer");
        score.default = Some(expr("0"));
        t.columns.push(score);
        let name = t.column_mut("name").unwrap();
        name.ty = ty("character varying(200)");
        name.comment = None;
        let id = t.column_mut("id").unwrap();
        let ident = id.identity.as_mut().unwrap();
        ident.always = false;
        ident.start = 100;
        t.column_mut("created_at").unwrap().default = Some(expr("statement_timestamp()"));
        t.comment = Some("people who buy things".into());
        t.constraints.insert(
            "customers_score_check".into(),
            check("customers_score_check", "(score >= 0)"),
        );
        t.constraints.get_mut("customers_pkey").unwrap().comment = Some("surrogate key".into());
        let mut phone = unique("customers_phone_key", &["phone"]);
        if let ConstraintKind::Unique {
            include,
            nulls_not_distinct,
            ..
        } = &mut phone.kind
        {
            include.push("email".into());
            *nulls_not_distinct = true;
        }
        t.constraints.insert(phone.name.clone(), phone);
    }
    c.indexes.remove(&q("customers_note_idx"));

    // orders: a type change under a generated column (re-created), a validated check, a
    // changed check, a default using a new enum value, NOT NULL dropped.
    {
        let t = c.tables.get_mut(&q("orders")).unwrap();
        t.column_mut("qty").unwrap().ty = ty("bigint");
        t.column_mut("status").unwrap().default = Some(expr("'draft'::public.status"));
        t.column_mut("customer_id").unwrap().not_null = false;
        t.column_mut("amount").unwrap().generated =
            Some(expr("((price * (qty)::numeric) * (2)::numeric)"));
        t.constraints.get_mut("orders_qty_check").unwrap().validated = true;
        t.constraints.insert(
            "orders_price_check".into(),
            check("orders_price_check", "(price > (0)::numeric)"),
        );
        t.columns.push(col("note", "character varying(20)"));
    }

    // app.items: a type change with USING, SET NOT NULL, identity added, a new column with
    // a foreign key, index redefined, dropped and added.
    {
        let t = c.tables.get_mut(&qs("app", "items")).unwrap();
        t.column_mut("user").unwrap().ty = ty("integer");
        t.column_mut("order_id").unwrap().not_null = true;
        t.column_mut("id").unwrap().identity = Some(Identity::with_defaults(false, "integer"));
        t.constraints.get_mut("items_pkey").unwrap().deferrable = true;
        t.columns.push(col("customer_id", "bigint"));
        t.constraints.insert(
            "items_customer_id_fkey".into(),
            fk(
                "items_customer_id_fkey",
                &["customer_id"],
                q("customers"),
                &["id"],
            ),
        );
    }
    c.indexes.remove(&qs("app", "items_tags_idx"));
    c.indexes
        .get_mut(&qs("app", "items_lower_idx"))
        .unwrap()
        .predicate = Some(expr("(order_id > 0)"));
    let mut by_order = index(
        qs("app", "items_order_id_idx"),
        qs("app", "items"),
        vec![key("order_id")],
    );
    by_order.comment = Some("joins".into());
    add_index(&mut c, by_order);

    // The foreign-key cycle goes away.
    c.tables.remove(&qs("app", "a"));
    c.tables.remove(&qs("app", "b"));

    // A new table in a new schema referencing an existing one.
    add_table(
        &mut c,
        table(
            qs("billing", "invoices"),
            vec![nn("no", "bigint"), nn("order_id", "integer")],
            vec![
                pk("invoices_pkey", &["no"]),
                fk(
                    "invoices_order_id_fkey",
                    &["order_id"],
                    q("orders"),
                    &["id"],
                ),
            ],
        ),
    );
    add_index(
        &mut c,
        index(
            qs("billing", "invoices_order_id_idx"),
            qs("billing", "invoices"),
            vec![key("order_id")],
        ),
    );
    c
}
