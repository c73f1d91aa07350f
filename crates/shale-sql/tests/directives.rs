//! `-- shale:renamed-from` and `-- shale:backfill`: every placement, every error.

use shale_model::{Backfill, ColumnRef, Directives, ObjectId, QualName, RenameHint};
use shale_sql::{parse_sources, parse_sources_with_directives, SourceFile, SqlError};

fn files(fs: &[(&str, &str)]) -> Vec<SourceFile> {
    fs.iter()
        .map(|(p, t)| SourceFile {
            path: p.to_string(),
            text: t.to_string(),
        })
        .collect()
}

fn dirs(text: &str) -> Directives {
    match parse_sources_with_directives(&files(&[("schema.sql", text)])) {
        Ok((_, d)) => d,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn err(text: &str) -> SqlError {
    match parse_sources_with_directives(&files(&[("schema.sql", text)])) {
        Ok((_, d)) => panic!("expected an error, got {d:?}"),
        Err(e) => e,
    }
}

fn q(s: &str, n: &str) -> QualName {
    QualName::new(s, n)
}
fn table(s: &str, n: &str) -> ObjectId {
    ObjectId::Table { name: q(s, n) }
}
fn column(t: &str, c: &str) -> ObjectId {
    ObjectId::Column {
        table: q("public", t),
        column: c.into(),
    }
}
fn rename(object: ObjectId, from: ObjectId) -> RenameHint {
    RenameHint { object, from }
}
fn one_rename(text: &str) -> RenameHint {
    let d = dirs(text);
    assert!(d.backfills.is_empty(), "{d:?}");
    match d.renames.as_slice() {
        [r] => r.clone(),
        other => panic!("expected one rename, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Placements

#[test]
fn column_rename_on_the_line_before() {
    let r = one_rename(
        "create table users (\n  id int primary key,\n  -- shale:renamed-from mail\n  email text\n);\n",
    );
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
}

#[test]
fn column_rename_at_the_end_of_the_line() {
    let r = one_rename(
        "create table users (\n  id int primary key,\n  email text not null, -- shale:renamed-from mail\n  name text\n);\n",
    );
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
    // on the last column, after no comma
    let r = one_rename(
        "create table users (\n  id int,\n  email text -- shale:renamed-from mail\n);\n",
    );
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
}

#[test]
fn column_rename_in_alter_table_add_column() {
    let base = "create table users (id int);\n";
    let r = one_rename(&format!(
        "{base}-- shale:renamed-from mail\nalter table users add column email text;\n"
    ));
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
    let r = one_rename(&format!(
        "{base}alter table users\n  add column email text; -- shale:renamed-from mail\n"
    ));
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
    let r = one_rename(&format!(
        "{base}alter table users\n  add column a int,\n  -- shale:renamed-from mail\n  add column email text;\n"
    ));
    assert_eq!(r, rename(column("users", "email"), column("users", "mail")));
}

#[test]
fn table_rename_before_and_trailing_and_qualified() {
    let r = one_rename("-- shale:renamed-from people\ncreate table users (id int);\n");
    assert_eq!(
        r,
        rename(table("public", "users"), table("public", "people"))
    );
    let r = one_rename("create table users ( -- shale:renamed-from people\n  id int\n);\n");
    assert_eq!(
        r,
        rename(table("public", "users"), table("public", "people"))
    );
    // a one-line statement: the table, not its column
    let r = one_rename("create table users (id int); -- shale:renamed-from people\n");
    assert_eq!(
        r,
        rename(table("public", "users"), table("public", "people"))
    );
    let r = one_rename(
        "create schema legacy;\ncreate schema app;\n-- shale:renamed-from legacy.users\ncreate table app.users (id int);\n",
    );
    assert_eq!(r, rename(table("app", "users"), table("legacy", "users")));
    // unqualified: the new object's schema, whatever the search_path
    let r = one_rename(
        "create schema app;\nset search_path = app;\n-- shale:renamed-from people\ncreate table users (id int);\n",
    );
    assert_eq!(r, rename(table("app", "users"), table("app", "people")));
}

#[test]
fn names_fold_like_sql() {
    let r = one_rename("-- shale:renamed-from People\ncreate table users (id int);\n");
    assert_eq!(r.from, table("public", "people"));
    let r = one_rename("-- shale:renamed-from \"People\"\ncreate table \"Users\" (id int);\n");
    assert_eq!(
        r,
        rename(table("public", "Users"), table("public", "People"))
    );
    let r = one_rename(
        "create table t (\n  --shale:renamed-from   \"first name\"   \n  \"given name\" text\n);\n",
    );
    assert_eq!(
        r,
        rename(column("t", "given name"), column("t", "first name"))
    );
}

#[test]
fn columns_and_constraints_of_a_renamed_table_come_from_the_old_table() {
    let d = dirs(
        "create schema legacy;\n\
         -- shale:renamed-from legacy.people\n\
         create table users (\n\
           id int,\n\
           email text, -- shale:renamed-from mail\n\
           constraint users_pk primary key (id) -- shale:renamed-from people_pk\n\
         );\n\
         -- shale:renamed-from people_mail_idx\n\
         create index users_email_idx on users (email);\n",
    );
    assert_eq!(
        d.renames,
        vec![
            rename(table("public", "users"), table("legacy", "people")),
            rename(
                column("users", "email"),
                ObjectId::Column {
                    table: q("legacy", "people"),
                    column: "mail".into()
                }
            ),
            rename(
                ObjectId::Constraint {
                    table: q("public", "users"),
                    name: "users_pk".into()
                },
                ObjectId::Constraint {
                    table: q("legacy", "people"),
                    name: "people_pk".into()
                }
            ),
            rename(
                ObjectId::Index {
                    name: q("public", "users_email_idx")
                },
                ObjectId::Index {
                    name: q("legacy", "people_mail_idx")
                }
            ),
        ]
    );
}

#[test]
fn index_rename_before_and_trailing() {
    let base = "create table users (id int, email text);\n";
    let want = rename(
        ObjectId::Index {
            name: q("public", "users_email_idx"),
        },
        ObjectId::Index {
            name: q("public", "users_mail_idx"),
        },
    );
    let r = one_rename(&format!(
        "{base}-- shale:renamed-from users_mail_idx\ncreate index on users (email);\n"
    ));
    assert_eq!(r, want);
    let r = one_rename(&format!(
        "{base}create index users_email_idx on users (email); -- shale:renamed-from public.users_mail_idx\n"
    ));
    assert_eq!(r, want);
}

#[test]
fn table_constraint_renames() {
    let con = |n: &str| ObjectId::Constraint {
        table: q("public", "orders"),
        name: n.into(),
    };
    let r = one_rename(
        "create table orders (\n  id int,\n  total int,\n  -- shale:renamed-from positive_total\n  constraint total_positive check (total > 0)\n);\n",
    );
    assert_eq!(r, rename(con("total_positive"), con("positive_total")));
    // an unnamed table constraint gets PostgreSQL's name
    let r = one_rename(
        "create table orders (\n  id int,\n  total int,\n  check (total > 0), -- shale:renamed-from positive_total\n  unique (id)\n);\n",
    );
    assert_eq!(r, rename(con("orders_total_check"), con("positive_total")));
    let r = one_rename(
        "create table orders (id int, total int);\nalter table orders\n  -- shale:renamed-from orders_pk\n  add constraint orders_pkey primary key (id);\n",
    );
    assert_eq!(r, rename(con("orders_pkey"), con("orders_pk")));
    let r = one_rename(
        "create table customers (id int primary key);\ncreate table orders (id int, customer_id int);\nalter table orders add foreign key (customer_id) references customers; -- shale:renamed-from orders_customer_fk\n",
    );
    assert_eq!(
        r,
        rename(con("orders_customer_id_fkey"), con("orders_customer_fk"))
    );
}

#[test]
fn enum_and_sequence_renames() {
    let r = one_rename("-- shale:renamed-from mood\ncreate type feeling as enum ('sad', 'ok');\n");
    assert_eq!(
        r,
        rename(
            ObjectId::Type {
                name: q("public", "feeling")
            },
            ObjectId::Type {
                name: q("public", "mood")
            }
        )
    );
    let r = one_rename("create sequence order_no start 100; -- shale:renamed-from invoice_no\n");
    assert_eq!(
        r,
        rename(
            ObjectId::Sequence {
                name: q("public", "order_no")
            },
            ObjectId::Sequence {
                name: q("public", "invoice_no")
            }
        )
    );
}

#[test]
fn backfill_before_and_trailing() {
    let d = dirs(
        "create table users (\n  id int,\n  email text,\n  -- shale:backfill lower(email)\n  email_lower text not null,\n  created date not null -- shale:backfill  coalesce(now()::date, '2020-01-01')  \n);\n",
    );
    assert!(d.renames.is_empty());
    let col = |c: &str| ColumnRef {
        table: q("public", "users"),
        column: c.into(),
    };
    assert_eq!(
        d.backfills,
        vec![
            Backfill {
                column: col("created"),
                expr: "coalesce(now()::date, '2020-01-01')".into()
            },
            Backfill {
                column: col("email_lower"),
                expr: "lower(email)".into()
            },
        ]
    );
    assert_eq!(d.backfill(&col("email_lower")), Some("lower(email)"));
}

#[test]
fn stacked_directives_and_plain_comments_between() {
    let d = dirs(
        "create table users (\n  id int,\n  -- shale:renamed-from mail\n  -- the address, lower-cased\n  -- shale:backfill lower(mail)\n  email text not null\n);\n",
    );
    assert_eq!(
        d.renames,
        vec![rename(column("users", "email"), column("users", "mail"))]
    );
    assert_eq!(d.backfills.len(), 1);
    assert_eq!(d.backfills[0].expr, "lower(mail)");
}

#[test]
fn comment_text_inside_strings_is_not_a_directive() {
    let d = dirs(
        "create table t (id int, note text default '-- shale:renamed-from x');\ncomment on table t is $$\n-- shale:bogus\n$$;\n",
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn directives_do_not_change_the_catalog() {
    let plain = "create table users (\n  id int primary key,\n  email text not null\n);\ncreate index on users (email);\n";
    let hinted = "-- shale:renamed-from people\ncreate table users (\n  id int primary key,\n  -- shale:backfill 'x'\n  email text not null -- shale:renamed-from mail\n);\ncreate index on users (email); -- shale:renamed-from people_email_idx\n";
    let a = parse_sources(&files(&[("a.sql", plain)])).unwrap();
    let (b, d) = parse_sources_with_directives(&files(&[("b.sql", hinted)])).unwrap();
    assert_eq!(a, b);
    assert_eq!(d.renames.len(), 3);
    assert_eq!(parse_sources(&files(&[("b.sql", hinted)])).unwrap(), a);
}

#[test]
fn directives_across_files() {
    let (_, d) = parse_sources_with_directives(&files(&[
        (
            "01.sql",
            "-- shale:renamed-from people\ncreate table users (id int);\n",
        ),
        (
            "02.sql",
            "alter table users add column email text not null; -- shale:backfill 'unknown'\n",
        ),
    ]))
    .unwrap();
    assert_eq!(d.renames.len(), 1);
    assert_eq!(d.backfills[0].column.column, "email");
}

// ---------------------------------------------------------------------------------------
// Errors

fn assert_at(e: &SqlError, line: usize, column: usize, needle: &str) {
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert!(e.message.contains(needle), "`{needle}` not in: {e}");
    assert_eq!(e.file, "schema.sql");
}

#[test]
fn directive_on_nothing() {
    // a blank line between
    let e = err("-- shale:renamed-from people\n\ncreate table users (id int);\n");
    assert_at(&e, 1, 1, "blank line (line 2)");
    // end of file
    let e = err("create table users (id int);\n  -- shale:renamed-from people\n");
    assert_at(&e, 2, 3, "nothing follows");
    // the next line is not an object
    let e = err(
        "create table users (id int);\n-- shale:renamed-from x\ncomment on table users is 'u';\n",
    );
    assert_at(&e, 2, 1, "the next line (line 3) defines no table, column");
    // the continuation of a column
    let e = err("create table users (\n  email text\n  -- shale:backfill 'x'\n  not null\n);\n");
    assert_at(&e, 3, 3, "not attached");
    // at the end of the closing line
    let e = err("create table users (\n  id int\n); -- shale:renamed-from people\n");
    assert_at(&e, 3, 4, "this line defines no");
    // a column constraint is not a target of its own
    let e = err("create table users (\n  id int\n    -- shale:renamed-from users_pk\n    constraint users_pkey primary key\n);\n");
    assert_at(&e, 3, 5, "not attached");
}

#[test]
fn unknown_and_malformed_directives() {
    let e = err("create table users (\n  email text -- shale:renmed-from mail\n);\n");
    assert_at(&e, 2, 14, "unknown directive `shale:renmed-from`");
    assert!(
        e.message.contains("did you mean `shale:renamed-from`"),
        "{e}"
    );
    let e = err("-- shale:renamed_from people\ncreate table users (id int);\n");
    assert!(
        e.message.contains("did you mean `shale:renamed-from`"),
        "{e}"
    );
    let e = err("-- shale:rollback x\ncreate table users (id int);\n");
    assert!(!e.message.contains("did you mean"), "{e}");
    assert!(e.message.contains("shale:backfill"), "{e}");
    let e = err("-- shale: renamed-from people\ncreate table users (id int);\n");
    assert_at(&e, 1, 1, "followed directly by a directive name");
    let e = err("-- shale:renamed-from\ncreate table users (id int);\n");
    assert_at(&e, 1, 1, "needs the object's old name");
    let e = err("-- shale:renamed-from old people\ncreate table users (id int);\n");
    assert_at(&e, 1, 23, "cannot read the old name `old people`");
    let e = err("-- shale:renamed-from a.b.c\ncreate table users (id int);\n");
    assert_at(&e, 1, 23, "too many dots");
    let e = err("-- shale:renamed-from \"Open\ncreate table users (id int);\n");
    assert_at(&e, 1, 23, "not closed");
    let e = err("/* shale:renamed-from people */\ncreate table users (id int);\n");
    assert_at(&e, 1, 1, "directives are `--` comments");
}

#[test]
fn backfill_must_be_one_expression() {
    let e = err("create table t (\n  a text,\n  b text not null -- shale:backfill lower(a))\n);\n");
    assert_at(&e, 3, 45, "needs one SQL expression");
    let e = err(
        "create table t (\n  a text,\n  b text not null -- shale:backfill 1; drop table t\n);\n",
    );
    assert!(e.message.contains("needs one SQL expression"), "{e}");
    let e = err("create table t (\n  a text,\n  b text not null -- shale:backfill a from t\n);\n");
    assert!(e.message.contains("needs one SQL expression"), "{e}");
    let e = err(
        "create table t (\n  a text,\n  b text not null -- shale:backfill lower(a) -- why\n);\n",
    );
    assert_at(&e, 3, 46, "contains a comment");
    let e = err("create table t (\n  a text,\n  b text not null -- shale:backfill\n);\n");
    assert_at(&e, 3, 19, "needs an SQL expression");
}

#[test]
fn backfill_applies_to_plain_columns_only() {
    let e = err("-- shale:backfill 1\ncreate table t (a int);\n");
    assert_at(&e, 1, 1, "applies to a column, not to table public.t");
    let e = err("create table t (\n  a int,\n  b int generated always as (a * 2) stored -- shale:backfill 0\n);\n");
    assert_at(&e, 3, 44, "generated column");
    let e =
        err("create table t (\n  id int generated always as identity -- shale:backfill 0\n);\n");
    assert_at(&e, 2, 39, "identity column");
    let e = err(
        "create table t (\n  -- shale:backfill 1\n  -- shale:backfill 2\n  a int not null\n);\n",
    );
    assert_at(&e, 3, 3, "two backfills (the other at schema.sql:2)");
}

#[test]
fn ambiguous_line() {
    let e = err("create table t (\n  -- shale:renamed-from x\n  a int, b int\n);\n");
    assert_at(&e, 2, 3, "column public.t.a and column public.t.b");
    let e = err("create table t (id int);\nalter table t add column a int, add column b int; -- shale:renamed-from x\n");
    assert!(e.message.contains("ambiguous"), "{e}");
}

#[test]
fn target_must_survive_to_the_desired_schema() {
    let e = err("create table t (\n  id int,\n  a int -- shale:renamed-from b\n);\nalter table t drop column a;\n");
    assert_at(
        &e,
        3,
        9,
        "column public.t.a, which is not in the desired schema",
    );
    let e = err("-- shale:renamed-from old\ncreate table t (id int);\ndrop table t;\n");
    assert_at(&e, 1, 1, "not in the desired schema");
}

#[test]
fn rename_consistency() {
    let e = err("-- shale:renamed-from users\ncreate table users (id int);\n");
    assert_at(&e, 1, 23, "names table public.users itself");
    let e = err("create table people (id int);\n-- shale:renamed-from people\ncreate table users (id int);\n");
    assert_at(
        &e,
        2,
        23,
        "table public.people is also defined in the desired schema",
    );
    let e = err(
        "create table t (\n  -- shale:renamed-from x\n  -- shale:renamed-from y\n  a int\n);\n",
    );
    assert_at(&e, 3, 3, "two rename hints (the other at schema.sql:2)");
    let e = err(
        "create table t (\n  a int, -- shale:renamed-from x\n  b int -- shale:renamed-from x\n);\n",
    );
    assert_at(&e, 3, 31, "are both renamed from column public.t.x");
    let e = err("create table t (\n  a int -- shale:renamed-from public.t.x\n);\n");
    assert_at(&e, 2, 31, "too many dots");
    let e = err("create table t (\n  a int -- shale:renamed-from t.x\n);\n");
    assert_at(&e, 2, 31, "plain name");
    let e = err("create schema s;\ncreate table t (a int);\ncreate index i on t (a); -- shale:renamed-from s.j\n");
    assert_at(&e, 3, 48, "index is in its table's schema");
}

#[test]
fn errors_name_the_file_they_are_in() {
    let e = parse_sources_with_directives(&files(&[
        ("01.sql", "create table users (id int);\n"),
        (
            "02.sql",
            "-- comment\n\n  -- shale:renamd-from x\ncreate table t (id int);\n",
        ),
    ]))
    .unwrap_err();
    assert_eq!((e.file.as_str(), e.line, e.column), ("02.sql", 3, 3), "{e}");
    assert!(
        e.to_string().starts_with("02.sql:3:3: unknown directive"),
        "{e}"
    );
    assert!(e.snippet.contains("shale:renamd-from"), "{e}");
}

#[test]
fn windows_line_endings() {
    let d = dirs(
        "create table users (\r\n  id int,\r\n  -- shale:renamed-from mail\r\n  email text not null, -- shale:backfill 'x'\r\n  b int\r\n);\r\n",
    );
    assert_eq!(
        d.renames,
        vec![rename(column("users", "email"), column("users", "mail"))]
    );
    assert_eq!(d.backfills[0].expr, "'x'");
    let e = err("create table users (\r\n  -- shale:renamed-from x\r\n\r\n  b int\r\n);\r\n");
    assert_at(&e, 2, 3, "blank line (line 3)");
}
