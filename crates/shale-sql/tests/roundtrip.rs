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

/// Run a script as psql would: the rows of each `COPY … FROM stdin` (pg_dump's data
/// lines) are sent as that COPY's data.
fn load(db: &TestDb, sql: &str) {
    shale_introspect::run_script(&mut db.client(), sql).unwrap_or_else(|e| panic!("loads: {e}"));
}

/// Load `sql`, introspect, compare; then read pg_dump's output and compare again.
fn check(name: &str, sql: &str) {
    let parsed = parse(name, sql);
    let db = TestDb::new("shale_sql_rt");
    load(&db, sql);
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

/// The example schema of the repository (several files, each run in its own session).
#[test]
fn example_schema_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/sql");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    let files: Vec<SourceFile> = paths
        .iter()
        .map(|p| SourceFile {
            path: p.display().to_string(),
            text: std::fs::read_to_string(p).unwrap_or_default(),
        })
        .collect();
    let parsed = parse_sources(&files).unwrap_or_else(|e| panic!("{e}"));
    let db = TestDb::new("shale_sql_rt");
    for f in &files {
        db.try_execute(&f.text)
            .unwrap_or_else(|e| panic!("{} does not load: {e}", f.path));
    }
    let live = shale_introspect::introspect_url(db.url()).unwrap_or_else(|e| panic!("{e}"));
    let d = differences(&parsed, &live);
    assert!(d.is_empty(), "parse != introspect:\n{}", d.join("\n"));
    let dump = db.pg_dump_schema();
    let d = differences(&parse("pg_dump", &dump), &live);
    assert!(
        d.is_empty(),
        "parse(pg_dump) != introspect:\n{}",
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

#[test]
fn implicit_names_and_clashes() {
    check(
        "names.sql",
        r#"
        create table t (a int check (a > 0) check (a < 10), b int, check (a > b), check (b > 0), check (true));
        create table x (y_z int check (y_z > 0));
        create table x_y (z int check (z > 0));
        create table u (a int unique, b int, unique (a, b), unique (b) include (a));
        create index on u (a);
        create index on u (a);
        create table w (a int, b int);
        create index w_a_key on w (b);
        alter table w add unique (a);
        create sequence s_id_seq;
        create table s (id serial, other bigserial, small smallserial);
        create table dup (a int primary key unique, b int unique, constraint named_b unique (b));
        create table "LongTableNameThatGoesOnAndOnAndOnForeverAndEverAndEverMore" (
            "aVeryLongColumnNameThatIsAlsoQuiteLongIndeed" int unique,
            b int references "LongTableNameThatGoesOnAndOnAndOnForeverAndEverAndEverMore" ("aVeryLongColumnNameThatIsAlsoQuiteLongIndeed")
        );
        create table ééééééééééééééééééééééééééééééé (ççççççççççç int primary key, ñ serial unique);
        create table fkn (a int, b int, c int references u (a), foreign key (a, b) references u (a, b) match full on delete set null on update cascade deferrable initially deferred);
        create table chk2 (a int, constraint chk2_a_check check (a > 1), check (a < 5));
        "#,
    );
}

#[test]
fn column_types() {
    check(
        "types.sql",
        r#"
        create table ty (a int, b int4, c integer, d varchar(5), e char, f bpchar, g "char",
          h decimal(5,2), i numeric(10), j float, k float(24), l float8, m timestamptz,
          n timestamp(3), o time, p timetz(2), q interval, r interval day to second(3),
          s bit, t bit(3), u varbit, v varbit(5), w bool, x int[], y int array, z text[][],
          aa uuid, bb jsonb, cc json, dd bytea, ee inet, ff cidr, gg macaddr, hh money,
          ii date, jj tsvector, kk xml, ll double precision, mm smallint, nn bigint,
          oo int2, pp int8, qq numeric, rr character varying, ss national character(2),
          tt time(0) with time zone, uu timestamp(6) without time zone, vv interval year,
          ww interval(2), xx varchar(3)[], yy real, zz name, a1 pg_catalog.int4, a2 _int4,
          a3 text collate "C", a4 varchar(10) collate "POSIX", a5 text collate "default");
        "#,
    );
}

#[test]
fn defaults() {
    check(
        "defaults.sql",
        r#"
        create sequence myseq;
        create table d (
          a text default 'x', b int default -1, c int default '007', e boolean default true,
          f boolean default 't', g timestamptz default now(), h timestamptz default current_timestamp,
          i date default current_date, j uuid default gen_random_uuid(), k int[] default '{}',
          l text[] default array['a'], m real default 1.5, n interval default interval '1 day',
          o timestamp default (now() at time zone 'utc'), p text default lower('X'),
          q text default 'a'::text || 'b', r bit(3) default B'101', s int default null,
          t jsonb default '{"a": 1}'::jsonb, u jsonb default '{}', v numeric default 1e3,
          w numeric(5,2) default '1.50', x text default current_user, y int default extract(epoch from now())::int,
          z bigint default nextval('myseq'), aa text default E'a\nb', bb text default 'it''s',
          cc text default $$dollar$$, dd int default char_length('x'), ee int default coalesce(null, 1),
          ff int default greatest(1, 2), gg int default case when true then 1 else 2 end,
          hh date default '2020-01-01'::date, ii varchar(10) default 'v', jj char(2) default 'c',
          kk numeric default -1.5, ll bigint default 9999999999, mm smallint default 0,
          nn double precision default 0, oo text default 'a' || 'b', pp boolean default 'off',
          qq numeric default '+007.50', rr int default 1 + 2 * 3, ss text default null::text,
          tt text default upper(lower('a')), uu timestamptz default localtimestamp,
          vv text default substring('abc' from 2), ww text default trim('  x  '),
          xx int default -(1), yy double precision default pi(), zz text default md5('x')
        );
        "#,
    );
}

#[test]
fn check_constraints() {
    check(
        "checks.sql",
        r#"
        create type status as enum ('a', 'b', 'c');
        create table c (
          a int, b int, name varchar(50), email text, price numeric(10,2), st status,
          code char(3), ts timestamptz, arr int[], j jsonb, flag boolean, f float8,
          check (a in (1, 2, 3)), check (a not in (4, 5)), check (b between 1 and 10),
          check (b not between 20 and 30), check (name like 'a%'), check (name ilike 'b%'),
          check (email ~* '^[a-z]+@'), check (a is not null), check (a is distinct from b),
          check (a = any(array[1, 2])), check (length(name) between 1 and 10),
          check (price > 0 and price < 1000.50), check (coalesce(a, 0) >= 0),
          check (st in ('a', 'b') or st is null), check (lower(email) = email),
          check (not (a > 5)), check ((a + b) * 2 > a), check (name::text <> ''),
          check (date_trunc('day', ts) = ts), check (char_length(code) = 3),
          check (name similar to 'a%'), check (upper(name) not like 'A%'), check (arr @> array[1]),
          check (jsonb_typeof(j) = 'object'), check (j ? 'key'), check (a % 2 = 0),
          check (-a < 0), check (a <> all(array[1, 2])), check (flag = 't'), check (flag),
          check (f > 0), check (price >= -1.5), check (a in (1)), check (name in ('x', 'y')),
          check (code = 'abc'), check (name <> all('{a,b}')), check (st <> 'c'),
          check (a < b and b < 100 and a > -100), check (a > 0 or b > 0 or a + b > 0),
          check (case when a > 0 then b > 0 else true end), check (name is not null and email is not null),
          check (a in (b, 1, 2)), check (email not in ('x', name)), check (a between symmetric 1 and 5)
        );
        "#,
    );
}

#[test]
fn foreign_keys_and_alters() {
    check(
        "fks.sql",
        r#"
        create table users (id int primary key, email text unique, org int, unique (id, org));
        create table posts (
          id bigint generated by default as identity (start with 100 increment by 5) primary key,
          user_id int references users on delete cascade,
          parent bigint references posts,
          email text references users (email) on update set null,
          org int,
          foreign key (user_id, org) references users (id, org) match full
        );
        alter table posts add constraint posts_org_check check (org > 0) not valid;
        alter table posts add constraint posts_user_fk2 foreign key (user_id) references users (id) not valid;
        alter table posts validate constraint posts_user_fk2;
        alter table posts add column title text not null default 'x' check (title <> ''),
          add column slug text unique, add column n serial;
        alter table only posts alter column title set default 'y';
        alter table posts alter column org set not null, alter column email drop not null;
        alter table posts add column tmp int;
        create index on posts (tmp);
        alter table posts drop column tmp;
        alter table posts alter column parent set default 1;
        alter table posts alter column parent drop default;
        create table items (id smallint not null, qty int);
        alter table items alter column id add generated always as identity (increment by 2);
        alter table items alter column id set increment by 3;
        alter table items add primary key (id);
        alter table items alter column qty type bigint;
        alter table items add constraint items_qty_check check (qty > 0);
        alter table items drop constraint items_qty_check;
        alter table items add check (qty >= 0);
        "#,
    );
}

#[test]
fn indexes() {
    check(
        "indexes.sql",
        r#"
        create table t (a int, b int, c varchar(20), d text, j jsonb, ts timestamptz, arr int[]);
        create index on t using gin (j jsonb_path_ops);
        create index on t using gin (j jsonb_ops);
        create index on t using gin (arr);
        create index on t ((c::text));
        create index on t ((d::text));
        create index on t (lower(d));
        create index on t (a desc nulls last, b nulls first);
        create index on t (a desc, b asc nulls last);
        create index on t (d collate "C");
        create index on t (a) include (b, c);
        create index on t (c) where c in ('a', 'b');
        create unique index on t (a, b) nulls not distinct;
        create index on t ((a));
        create index on t using hash (d);
        create index on t using brin (ts);
        create index on t (d text_pattern_ops);
        create index on t (a int4_ops);
        create index on t (lower(d), upper(d));
        create index on t ((a + b));
        create index on t ((a + b), (a - b));
        create index on t (coalesce(a, 0));
        create index on t (lower(d) text_ops);
        create index named_one on t (b) where a > 0 and d like 'x%';
        create unique index if not exists named_one on t (c);
        create index on only t (ts desc);
        create index on t (a, a);
        "#,
    );
}

#[test]
fn sequences_and_identity() {
    check(
        "seqs.sql",
        r#"
        create sequence s1 increment by -1;
        create sequence s2 as smallint minvalue 10 maxvalue 100 start 20 cache 5 cycle;
        create sequence s3 as integer;
        alter sequence s3 as bigint;
        create sequence s4 as bigint no minvalue no maxvalue start with 5;
        alter sequence s4 increment by 10 maxvalue 1000;
        create table t (id int, i1 int generated always as identity, i2 smallint generated by default as identity (minvalue 5 cycle));
        alter sequence s1 owned by t.id;
        create sequence t_x_seq;
        create table owned (x int not null);
        alter sequence t_x_seq owned by owned.x;
        alter table only owned alter column x set default nextval('t_x_seq'::regclass);
        create sequence if not exists s1;
        "#,
    );
}

#[test]
fn schemas_enums_comments_quoting() {
    check(
        "schemas.sql",
        r#"
        create schema app;
        create schema if not exists app;
        create schema "Other";
        create extension if not exists citext with schema public;
        create extension earthdistance with schema "Other" cascade;
        set search_path = app, public;
        create type mood as enum ('happy', 'sad');
        alter type mood add value 'meh' before 'sad';
        alter type mood add value if not exists 'happy';
        alter type mood add value 'ecstatic' after 'happy';
        create table x (id serial primary key, m mood default 'happy', e citext, ms mood[]);
        create table public.y (id int primary key, x_id int references x, m app.mood);
        create table "Other"."Quoted Table" ("Col" int primary key, "weird""name" text, "UPPER" int check ("UPPER" > 0));
        create index "Idx Name" on "Other"."Quoted Table" ("weird""name");
        comment on table x is 'the x table';
        comment on column x.m is 'feeling';
        comment on constraint x_pkey on x is 'pk';
        comment on index "Other"."Idx Name" is 'an index';
        comment on sequence x_id_seq is 'seq';
        comment on type mood is 'moods';
        comment on table public.y is 'y';
        comment on table public.y is null;
        comment on column "Other"."Quoted Table"."Col" is '';
        reset search_path;
        create table z (m app.mood, g text generated always as (lower(e::text)) stored, e public.citext);
        "#,
    );
}

#[test]
fn typed_constants() {
    check(
        "probe.sql",
        r#"
        create table p (
          a timestamptz default '2020-01-01', b date default '2020-01-01', c jsonb default '{"a":1}',
          d interval default '24 hours', e text[] default '{"a","b"}', f float8 default 1e10,
          g numeric(5,1) default '1.55', h timestamp default '2020-01-01 10:00', i time default '10:00',
          j int check (j > '5'), k timestamptz check (k > '2020-01-01'), l json default '{"a":1}',
          m uuid default 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', n inet default '10.0.0.1/32', o bytea default '\x00'
        );
        "#,
    );
}

#[test]
fn probe_more() {
    check(
        "probe2.sql",
        r#"
        create type mood as enum ('happy', 'sad');
        create table t (
          id int generated by default as identity (sequence name t_custom_seq start 10) primary key,
          c text collate "C", d text, e varchar(10) default lower('X'), f numeric(5,1) default 1.55,
          g timestamp(0) default now(), h text default 1, i mood[] default '{happy}', j mood default 'happy'::mood,
          k int, l varchar(5), m varchar(5), n text generated always as (l || m) stored,
          o int check (o > 0) no inherit, p int, q int, "Mixed Case" int check ("Mixed Case" <> 0),
          r int check (r = r + 0)
        );
        create index on t (lower(c));
        create index on t (c collate "C");
        create index on t (d collate "C");
        create unique index t_k_uidx on t (k);
        create table u (k int references t (k), j mood check (j = 'happy'::mood));
        alter table t add constraint t_pq unique nulls not distinct (p, q);
        alter table t add constraint t_p_fk foreign key (p) references t (id) on delete set default not valid;
        create sequence s start with -5 minvalue -10 increment by 1;
        alter sequence s restart with 3;
        alter sequence s owned by none;
        create schema other;
        create table other.t (id int primary key);
        set search_path = other, public;
        create table v (t_id int references t);
        "#,
    );
}

#[test]
fn migrations_with_drops() {
    check(
        "migrations.sql",
        r#"
        create schema tmp;
        create table tmp.x (id int);
        create type mood as enum ('a', 'b');
        create type gone as enum ('x');
        create table a (id serial primary key, m mood, g gone, v int generated always as (id * 2) stored);
        create table b (id int primary key, a_id int references a, w int);
        create unique index b_w_idx on b (w);
        create table c (w int references b (w));
        create sequence lonely;
        create table d (id bigint default nextval('lonely'), x int);
        create index d_x_idx on d (x);
        drop table if exists nosuch;
        drop index d_x_idx;
        drop index if exists nosuch_idx;
        drop type gone cascade;
        drop sequence lonely cascade;
        drop schema tmp cascade;
        alter table a alter column v drop expression;
        drop table a cascade;
        drop table c;
        create unique index b_w2 on b (w);
        drop index b_w_idx;
        create table e (id int not null, k int not null);
        create unique index e_id_idx on e (id);
        alter table e add constraint e_pkey primary key using index e_id_idx;
        create unique index e_k_idx on e (k);
        alter table e add constraint e_k_uniq unique using index e_k_idx;
        "#,
    );
}

#[test]
fn json_and_cast_expressions() {
    check(
        "json.sql",
        r#"
        create table j (
          id int, data jsonb not null default '{}', price numeric(10,2), qty int, tags text[] default '{}',
          starts timestamptz, ends timestamptz, name text,
          total numeric generated always as (price * qty) stored,
          check ((data->>'n')::int > 0), check (data ? 'kind'), check (data @> '{"a": 1}'),
          check (ends > starts + interval '1 day'), check (tags <> '{}'), check (price::numeric > 0),
          check (jsonb_array_length(data->'items') < 10), check (data #>> '{a,b}' is not null),
          check (name ~ '^[a-z]+$'), check (position('x' in name) > 0), check (name is not distinct from 'x'),
          check (extract(year from starts) > 2000), check (coalesce(qty, 0) between 0 and 100),
          check (qty::bigint < 10000000000), check (cast(qty as numeric) < 1.5), check (nullif(qty, 0) is not null)
        );
        create index on j ((data->>'email'));
        create index on j (lower(data->>'email'));
        create index on j using gin ((data->'tags'));
        create index on j ((data->>'a'), (data->>'b'));
        create unique index on j (id) where (data->>'deleted') is null;
        create index on j (date_trunc('day', starts at time zone 'UTC'));
        create index on j (name varchar_pattern_ops);
        "#,
    );
}

/// Directives are comments: the database ignores them and so does the model.
#[test]
fn schema_with_directives() {
    check(
        "directives",
        "create schema app;\n\
         -- shale:renamed-from mood\n\
         create type app.feeling as enum ('sad', 'ok');\n\
         -- shale:renamed-from legacy.people\n\
         create table app.users (\n\
           id bigint generated always as identity primary key,\n\
           email text not null, -- shale:renamed-from mail\n\
           -- shale:backfill lower(email)\n\
           email_lower text not null,\n\
           constraint users_email_check check (email <> '') -- shale:renamed-from people_email_check\n\
         );\n\
         create index on app.users (email_lower); -- shale:renamed-from people_lower_idx\n\
         create sequence app.ticket_no; -- shale:renamed-from app.ticket\n",
    );
}

/// Many tables whose implicit names collide (63-byte truncation makes every table's
/// `…_pkey`, `…_fkey`, `…_check`, `…_seq`, `…_key` and `…_idx` the same name), in two
/// schemas, with names freed by drops and taken again: every numbered suffix must be the
/// one PostgreSQL picks, in the order it picks them.
#[test]
fn many_colliding_implicit_names() {
    const TABLES: usize = 30;
    let long = "n".repeat(58);
    let mut sql = String::from("create schema other;\n");
    for schema in ["public", "other"] {
        for i in 0..TABLES {
            let t = format!("{schema}.{long}{i:02}");
            let fk = if i > 0 {
                format!(" references {schema}.{long}{:02} (id)", i - 1)
            } else {
                String::new()
            };
            sql.push_str(&format!(
                "create table {t} (id serial primary key, g int generated always as identity, \
                 p int{fk}, n text check (length(n) > 0), unique (n), check (p <> id));\n\
                 create index on {t} (n);\n"
            ));
        }
    }
    // Names taken first by other objects, in another table of the schema.
    sql.push_str(
        "create table c1 (a int, constraint c2_a_check check (a > 1));\n\
         create index c3_pkey on c1 (a);\n\
         create table c4_a_key (x int);\n\
         create sequence c5_id_seq;\n\
         create table c2 (a int check (a > 0));\n\
         create table c3 (id int primary key);\n\
         create table c4 (a int unique);\n\
         create table c5 (id serial, g int generated by default as identity);\n",
    );
    // Freed names are taken again; names of dropped tables too.
    sql.push_str(&format!(
        "alter table c2 drop constraint c2_a_check1;\n\
         alter table c2 add check (a > 5), add check (a < 100);\n\
         alter table c1 drop constraint c2_a_check;\n\
         alter table c2 add check (a <> 7);\n\
         drop table {long}29;\n\
         drop table other.{long}05 cascade;\n\
         create table {long}30 (id serial primary key, n text unique);\n\
         alter table {long}28 drop column n;\n\
         alter table {long}28 add column m text unique check (m <> ''), \
           add column k serial, add foreign key (p) references {long}27 (id);\n\
         create index on {long}28 (m);\n"
    ));
    check("colliding_names.sql", &sql);

    // The names really do collide (the test is not trivially true).
    let parsed = parse("colliding_names.sql", &sql);
    let pkeys = parsed
        .tables
        .values()
        .flat_map(|t| t.constraints.keys())
        .filter(|n| n.starts_with(&long[..10]) && n.contains("_pkey"))
        .count();
    assert!(pkeys >= 2 * TABLES - 1, "{pkeys} primary keys");
    let c2 = &parsed.tables[&shale_model::QualName::new("public", "c2")];
    let names: Vec<&String> = c2.constraints.keys().collect();
    assert_eq!(
        names,
        ["c2_a_check", "c2_a_check1", "c2_a_check2"],
        "{names:?}"
    );
}
