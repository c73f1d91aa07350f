//! Introspection of objects whose model holds no expressions: these checks do not depend
//! on the expression normalizer.

use shale_introspect::{introspect, introspect_url};
use shale_model::{
    ColumnRef, ConstraintKind, FkAction, Identity, IndexKeyExpr, QualName, Sequence, TypeRef,
};
use shale_testkit::TestDb;

fn q(s: &str, n: &str) -> QualName {
    QualName::new(s, n)
}

#[test]
fn fresh_database_has_public_and_nothing_else() {
    let db = TestDb::new("intro_empty");
    let cat = introspect_url(db.url()).unwrap();
    assert_eq!(cat.schemas.keys().collect::<Vec<_>>(), vec!["public"]);
    // plpgsql lives in pg_catalog: a system object, not listed.
    assert!(cat.extensions.is_empty(), "{:?}", cat.extensions);
    assert!(cat.tables.is_empty());
    assert!(cat.sequences.is_empty());
    assert!(cat.enums.is_empty());
    assert!(cat.indexes.is_empty());
}

#[test]
fn column_types_nullability_collation_and_comments() {
    let db = TestDb::new("intro_cols");
    db.execute(
        r#"
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE app.things (
            a integer NOT NULL,
            b bigint,
            c smallint,
            d text COLLATE "C",
            e character varying(20),
            f varchar,
            g char(1),
            h numeric(10,2),
            i numeric,
            j timestamptz,
            k timestamp(3),
            l double precision,
            m real,
            n uuid,
            o jsonb,
            p bytea,
            q date,
            r interval,
            s time,
            t boolean,
            u int[][],
            v varchar(5)[],
            w app.mood,
            x app.mood[],
            y inet
        );
        ALTER TABLE app.things DROP COLUMN c;
        COMMENT ON TABLE app.things IS 'all the things';
        COMMENT ON COLUMN app.things.b IS 'the b';
        "#,
    );
    let cat = introspect_url(db.url()).unwrap();
    assert!(cat.schemas.contains_key("app"));
    assert!(cat.schemas.contains_key("public"));
    let t = &cat.tables[&q("app", "things")];
    assert_eq!(t.comment.as_deref(), Some("all the things"));
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        "a b d e f g h i j k l m n o p q r s t u v w x y"
            .split(' ')
            .collect::<Vec<_>>(),
        "attnum order, dropped column skipped"
    );
    let ty = |n: &str| t.column(n).unwrap().ty.clone();
    let b = |s: &str| TypeRef::builtin(s);
    assert_eq!(ty("a"), b("integer"));
    assert_eq!(ty("b"), b("bigint"));
    assert_eq!(ty("d"), b("text"));
    assert_eq!(ty("e"), b("character varying(20)"));
    assert_eq!(ty("f"), b("character varying"));
    assert_eq!(ty("g"), b("character(1)"));
    assert_eq!(ty("h"), b("numeric(10,2)"));
    assert_eq!(ty("i"), b("numeric"));
    assert_eq!(ty("j"), b("timestamp with time zone"));
    assert_eq!(ty("k"), b("timestamp(3) without time zone"));
    assert_eq!(ty("l"), b("double precision"));
    assert_eq!(ty("m"), b("real"));
    assert_eq!(ty("n"), b("uuid"));
    assert_eq!(ty("o"), b("jsonb"));
    assert_eq!(ty("p"), b("bytea"));
    assert_eq!(ty("q"), b("date"));
    assert_eq!(ty("r"), b("interval"));
    assert_eq!(ty("s"), b("time without time zone"));
    assert_eq!(ty("t"), b("boolean"));
    assert_eq!(ty("u"), b("integer").array_of());
    assert_eq!(ty("v"), b("character varying(5)").array_of());
    assert_eq!(ty("w"), TypeRef::user(q("app", "mood")));
    assert_eq!(ty("x"), TypeRef::user(q("app", "mood")).array_of());
    assert_eq!(ty("y"), b("inet"));

    assert!(t.column("a").unwrap().not_null);
    assert!(!t.column("b").unwrap().not_null);
    assert_eq!(t.column("b").unwrap().comment.as_deref(), Some("the b"));
    assert_eq!(t.column("d").unwrap().collation, Some(q("pg_catalog", "C")));
    assert_eq!(t.column("e").unwrap().collation, None);
    assert!(t.columns.iter().all(|c| c.default.is_none()));

    let mood = &cat.enums[&q("app", "mood")];
    assert_eq!(mood.labels, vec!["sad", "ok", "happy"]);
}

#[test]
fn enum_labels_follow_sort_order_and_comments() {
    let db = TestDb::new("intro_enum");
    db.execute(
        "CREATE TYPE status AS ENUM ('new', 'done');
         ALTER TYPE status ADD VALUE 'doing' BEFORE 'done';
         ALTER TYPE status ADD VALUE 'draft' BEFORE 'new';
         COMMENT ON TYPE status IS 'workflow';",
    );
    let cat = introspect_url(db.url()).unwrap();
    let e = &cat.enums[&q("public", "status")];
    assert_eq!(e.labels, vec!["draft", "new", "doing", "done"]);
    assert_eq!(e.comment.as_deref(), Some("workflow"));
}

#[test]
fn quoted_identifiers_keep_their_case() {
    let db = TestDb::new("intro_quoted");
    db.execute(
        r#"CREATE SCHEMA "Sales";
           CREATE TABLE "Sales"."Order Items" ("Qty" integer NOT NULL, "order" int,
                                              CONSTRAINT "Qty Unique" UNIQUE ("Qty"));
           CREATE INDEX "By Order" ON "Sales"."Order Items" ("order" DESC);"#,
    );
    let cat = introspect_url(db.url()).unwrap();
    assert!(cat.schemas.contains_key("Sales"));
    let name = q("Sales", "Order Items");
    let t = &cat.tables[&name];
    assert_eq!(t.columns[0].name, "Qty");
    assert_eq!(t.columns[1].name, "order");
    assert!(matches!(
        &t.constraints["Qty Unique"].kind,
        ConstraintKind::Unique { columns, .. } if columns == &vec!["Qty".to_string()]
    ));
    let ix = &cat.indexes[&q("Sales", "By Order")];
    assert_eq!(ix.table, name);
    assert_eq!(ix.keys[0].key, IndexKeyExpr::Column("order".into()));
    assert_eq!(name.to_string(), r#""Sales"."Order Items""#);
}

#[test]
fn keys_with_implicit_names_include_and_nulls_not_distinct() {
    let db = TestDb::new("intro_keys");
    db.execute(
        "CREATE TABLE users (id int PRIMARY KEY, email text, org int, code text,
                             UNIQUE (org, email) INCLUDE (code));
         CREATE TABLE pk2 (a int, b int, note text, PRIMARY KEY (b, a) INCLUDE (note));
         COMMENT ON CONSTRAINT users_pkey ON users IS 'the key';",
    );
    let cat = introspect_url(db.url()).unwrap();
    let users = &cat.tables[&q("public", "users")];
    assert!(
        users.column("id").unwrap().not_null,
        "PK columns are NOT NULL"
    );
    let pk = &users.constraints["users_pkey"];
    assert_eq!(
        pk.kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["id".into()],
            include: vec![]
        }
    );
    assert!(pk.validated && !pk.deferrable && !pk.initially_deferred);
    assert_eq!(pk.comment.as_deref(), Some("the key"));
    // PostgreSQL's implicit name lists the INCLUDE columns too.
    assert_eq!(
        users.constraints["users_org_email_code_key"].kind,
        ConstraintKind::Unique {
            columns: vec!["org".into(), "email".into()],
            include: vec!["code".into()],
            nulls_not_distinct: false
        }
    );
    let pk2 = &cat.tables[&q("public", "pk2")];
    assert_eq!(
        pk2.constraints["pk2_pkey"].kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["b".into(), "a".into()],
            include: vec!["note".into()]
        }
    );
    // Indexes backing constraints are implied by them.
    assert!(cat.indexes.is_empty(), "{:?}", cat.indexes.keys());

    // NULLS NOT DISTINCT exists from PostgreSQL 15 on.
    let mut c = db.client();
    let v: i32 = c
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .unwrap()
        .get(0);
    if v >= 150000 {
        db.execute(
            "CREATE TABLE nnd (a int, CONSTRAINT nnd_a_key UNIQUE NULLS NOT DISTINCT (a));
             CREATE UNIQUE INDEX nnd_ix ON nnd (a) NULLS NOT DISTINCT;",
        );
        let cat = introspect(&mut c).unwrap();
        let t = &cat.tables[&q("public", "nnd")];
        assert!(matches!(
            t.constraints["nnd_a_key"].kind,
            ConstraintKind::Unique {
                nulls_not_distinct: true,
                ..
            }
        ));
        let ix = &cat.indexes[&q("public", "nnd_ix")];
        assert!(ix.unique && ix.nulls_not_distinct);
    }
}

#[test]
fn foreign_keys_actions_match_deferral_and_not_valid() {
    let db = TestDb::new("intro_fk");
    db.execute(
        "CREATE SCHEMA other;
         CREATE TABLE other.parents (id int PRIMARY KEY, k1 int, k2 int, UNIQUE (k1, k2));
         CREATE TABLE kids (
             id int PRIMARY KEY,
             parent_id int REFERENCES other.parents ON DELETE CASCADE,
             a int, b int,
             FOREIGN KEY (b, a) REFERENCES other.parents (k2, k1) MATCH FULL
                 ON UPDATE SET NULL ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED
         );
         ALTER TABLE kids ADD CONSTRAINT late FOREIGN KEY (a) REFERENCES kids (id)
             ON DELETE SET DEFAULT NOT VALID;",
    );
    let cat = introspect_url(db.url()).unwrap();
    let kids = &cat.tables[&q("public", "kids")];
    let fk = &kids.constraints["kids_parent_id_fkey"];
    assert_eq!(
        fk.kind,
        ConstraintKind::ForeignKey {
            columns: vec!["parent_id".into()],
            ref_table: q("other", "parents"),
            ref_columns: vec!["id".into()],
            on_update: FkAction::NoAction,
            on_delete: FkAction::Cascade,
            match_full: false,
        }
    );
    assert!(fk.validated && !fk.deferrable);
    let fk2 = &kids.constraints["kids_b_a_fkey"];
    assert_eq!(
        fk2.kind,
        ConstraintKind::ForeignKey {
            columns: vec!["b".into(), "a".into()],
            ref_table: q("other", "parents"),
            ref_columns: vec!["k2".into(), "k1".into()],
            on_update: FkAction::SetNull,
            on_delete: FkAction::Restrict,
            match_full: true,
        }
    );
    assert!(fk2.deferrable && fk2.initially_deferred);
    let late = &kids.constraints["late"];
    assert!(!late.validated);
    assert!(matches!(
        late.kind,
        ConstraintKind::ForeignKey {
            on_delete: FkAction::SetDefault,
            ..
        }
    ));
    // The referenced unique index is not listed as a standalone index either.
    assert!(cat.indexes.is_empty(), "{:?}", cat.indexes.keys());
}

#[test]
fn indexes_order_include_opclass_collation_method() {
    let db = TestDb::new("intro_idx");
    db.execute(
        r#"CREATE TABLE docs (id int, title varchar(100), body text, tags text[],
                              score int, created date);
           CREATE INDEX ON docs (score DESC, created);
           CREATE INDEX docs_nulls ON docs (score NULLS FIRST, created DESC NULLS LAST);
           CREATE UNIQUE INDEX docs_id_uq ON docs (id) INCLUDE (title, score);
           CREATE INDEX docs_pattern ON docs (title varchar_pattern_ops);
           CREATE INDEX docs_coll ON docs (body COLLATE "C");
           CREATE INDEX docs_tags ON docs USING gin (tags);
           CREATE INDEX docs_hash ON docs USING hash (body);
           COMMENT ON INDEX docs_hash IS 'for equality';"#,
    );
    let cat = introspect_url(db.url()).unwrap();
    let t = q("public", "docs");
    let ix = |n: &str| &cat.indexes[&q("public", n)];

    let a = ix("docs_score_created_idx");
    assert_eq!(a.table, t);
    assert_eq!(a.method, "btree");
    assert!(!a.unique);
    assert_eq!(a.keys.len(), 2);
    assert_eq!(a.keys[0].key, IndexKeyExpr::Column("score".into()));
    assert!(a.keys[0].descending && a.keys[0].nulls_first);
    assert!(!a.keys[1].descending && !a.keys[1].nulls_first);

    let n = ix("docs_nulls");
    assert!(!n.keys[0].descending && n.keys[0].nulls_first);
    assert!(n.keys[1].descending && !n.keys[1].nulls_first);

    let u = ix("docs_id_uq");
    assert!(u.unique);
    assert_eq!(u.keys.len(), 1);
    assert_eq!(u.include, vec!["title".to_string(), "score".to_string()]);

    let p = ix("docs_pattern");
    assert_eq!(
        p.keys[0].opclass,
        Some(q("pg_catalog", "varchar_pattern_ops"))
    );
    assert_eq!(p.keys[0].collation, None);
    assert_eq!(a.keys[0].opclass, None, "default opclass not listed");

    let c = ix("docs_coll");
    assert_eq!(c.keys[0].collation, Some(q("pg_catalog", "C")));
    assert_eq!(c.keys[0].opclass, None);

    assert_eq!(ix("docs_tags").method, "gin");
    assert_eq!(ix("docs_tags").keys[0].opclass, None);
    let h = ix("docs_hash");
    assert_eq!(h.method, "hash");
    assert_eq!(h.comment.as_deref(), Some("for equality"));
    assert!(!h.keys[0].nulls_first);
    assert_eq!(cat.indexes.len(), 7);
}

#[test]
fn standalone_sequences_owned_by_and_identity_columns() {
    let db = TestDb::new("intro_seq");
    db.execute(
        "CREATE SEQUENCE plain_seq;
         CREATE SEQUENCE custom_seq AS smallint INCREMENT BY -2 MINVALUE -100 MAXVALUE -1
             START WITH -10 CACHE 5 CYCLE;
         COMMENT ON SEQUENCE custom_seq IS 'counts down';
         CREATE TABLE t (
             n bigint,
             ia int GENERATED ALWAYS AS IDENTITY,
             id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10)
         );
         CREATE SEQUENCE t_n_seq OWNED BY t.n;",
    );
    let cat = introspect_url(db.url()).unwrap();
    assert_eq!(
        cat.sequences.keys().cloned().collect::<Vec<_>>(),
        vec![
            q("public", "custom_seq"),
            q("public", "plain_seq"),
            q("public", "t_n_seq")
        ],
        "identity sequences are not standalone"
    );
    assert_eq!(
        cat.sequences[&q("public", "plain_seq")],
        Sequence::with_defaults(q("public", "plain_seq"), "bigint", 1)
    );
    let c = &cat.sequences[&q("public", "custom_seq")];
    assert_eq!(c.data_type, "smallint");
    assert_eq!(
        (
            c.start,
            c.increment,
            c.min_value,
            c.max_value,
            c.cache,
            c.cycle
        ),
        (-10, -2, -100, -1, 5, true)
    );
    assert_eq!(c.comment.as_deref(), Some("counts down"));
    assert_eq!(c.owned_by, None);
    assert_eq!(
        cat.sequences[&q("public", "t_n_seq")].owned_by,
        Some(ColumnRef {
            table: q("public", "t"),
            column: "n".into()
        })
    );
    let t = &cat.tables[&q("public", "t")];
    let ia = t.column("ia").unwrap();
    assert_eq!(ia.identity, Some(Identity::with_defaults(true, "integer")));
    assert!(ia.not_null && ia.default.is_none());
    let id = t.column("id").unwrap();
    let mut want = Identity::with_defaults(false, "bigint");
    want.start = 100;
    want.increment = 10;
    assert_eq!(id.identity, Some(want));
}

#[test]
fn extension_members_are_skipped() {
    let db = TestDb::new("intro_ext");
    db.execute(
        "CREATE EXTENSION citext;
         CREATE TABLE people (name citext NOT NULL, names citext[]);
         CREATE TABLE ext_owned (id int PRIMARY KEY);
         CREATE INDEX ON ext_owned (id DESC);
         CREATE SEQUENCE ext_seq;
         CREATE TYPE ext_enum AS ENUM ('x');
         ALTER EXTENSION citext ADD TABLE ext_owned;
         ALTER EXTENSION citext ADD SEQUENCE ext_seq;
         ALTER EXTENSION citext ADD TYPE ext_enum;
         -- not a member itself, but belongs to a member's column
         CREATE SEQUENCE follows_ext_owned OWNED BY ext_owned.id;",
    );
    let cat = introspect_url(db.url()).unwrap();
    let ext = &cat.extensions["citext"];
    assert_eq!(ext.schema, "public");
    assert!(ext.version.as_deref().is_some_and(|v| !v.is_empty()));
    assert_eq!(
        cat.tables.keys().cloned().collect::<Vec<_>>(),
        vec![q("public", "people")]
    );
    assert!(cat.sequences.is_empty(), "{:?}", cat.sequences.keys());
    assert!(cat.enums.is_empty(), "{:?}", cat.enums.keys());
    assert!(cat.indexes.is_empty(), "{:?}", cat.indexes.keys());
    let p = &cat.tables[&q("public", "people")];
    assert_eq!(p.columns[0].ty, TypeRef::user(q("public", "citext")));
    assert_eq!(
        p.columns[1].ty,
        TypeRef::user(q("public", "citext")).array_of()
    );
}

#[test]
fn partitioned_tables_and_other_relations() {
    let db = TestDb::new("intro_part");
    db.execute(
        "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
         CREATE VIEW v AS SELECT 1 AS one;
         CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one;
         CREATE INDEX mv_one ON mv (one);
         CREATE TEMP TABLE scratch (x int);",
    );
    let mut c = db.client();
    c.batch_execute("CREATE TEMP TABLE scratch2 (x int)")
        .unwrap();
    let cat = introspect(&mut c).unwrap();
    assert_eq!(
        cat.tables.keys().cloned().collect::<Vec<_>>(),
        vec![q("public", "events")]
    );
    assert!(cat.indexes.is_empty(), "{:?}", cat.indexes.keys());
    assert_eq!(cat.schemas.len(), 1, "{:?}", cat.schemas.keys());
}

#[test]
fn session_state_is_left_as_it_was() {
    let db = TestDb::new("intro_session");
    db.execute("CREATE SCHEMA s; CREATE TABLE s.t (a int);");
    let mut c = db.client();
    c.batch_execute("SET search_path = s, public; SET TimeZone = 'Asia/Tokyo'")
        .unwrap();
    let cat = introspect(&mut c).unwrap();
    assert!(cat.tables.contains_key(&q("s", "t")));
    let sp: String = c.query_one("SHOW search_path", &[]).unwrap().get(0);
    assert_eq!(sp, "s, public");
    let tz: String = c.query_one("SHOW TimeZone", &[]).unwrap().get(0);
    assert_eq!(tz, "Asia/Tokyo");
    // And the same catalog as from a plain connection.
    assert_eq!(cat, introspect_url(db.url()).unwrap());
}
