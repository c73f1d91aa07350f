//! Operators, operator families and classes read from files (shale-sql's operators.rs).

use shale_model::{Catalog, QualName, TypeRef};
use shale_sql::{parse_sources, SourceFile, SqlError};

fn parse(text: &str) -> Result<Catalog, SqlError> {
    parse_sources(&[SourceFile {
        path: "schema.sql".into(),
        text: text.into(),
    }])
}

const FUNCS: &str = "
create function abs_lt(int, int) returns bool language sql immutable as 'select abs($1) < abs($2)';
create function abs_gt(int, int) returns bool language sql immutable as 'select abs($1) > abs($2)';
create function abs_ge(int, int) returns bool language sql immutable as 'select abs($1) >= abs($2)';
create function abs_cmp(int, int) returns int language sql immutable as 'select 0';
";

#[test]
fn operators_and_their_symmetric_links() {
    let cat = parse(&format!(
        "{FUNCS}
create operator #< (function = abs_lt, leftarg = int4, rightarg = integer, commutator = #>,
    negator = #>=, restrict = scalarltsel);
create operator #> (procedure = abs_gt, leftarg = int, rightarg = int);
create operator ~~~ (rightarg = text, function = reverse);
comment on operator #< (int, int) is 'less';
alter operator #< (int, int) set (restrict = none, join = scalarltjoinsel);"
    ))
    .unwrap();
    let lt = &cat.operators["public.#<(integer, integer)"];
    assert_eq!(lt.function, QualName::new("public", "abs_lt"));
    assert_eq!(lt.commutator, Some(QualName::new("public", "#>")));
    assert_eq!(lt.negator, Some(QualName::new("public", "#>=")));
    assert_eq!(lt.restrict, None);
    assert_eq!(
        lt.join,
        Some(QualName::new("pg_catalog", "scalarltjoinsel"))
    );
    assert_eq!(lt.comment.as_deref(), Some("less"));
    // Created later, #> is #<'s commutator already (PostgreSQL filled the shell).
    let gt = &cat.operators["public.#>(integer, integer)"];
    assert_eq!(gt.commutator, Some(QualName::new("public", "#<")));
    let rev = &cat.operators["public.~~~(NONE, text)"];
    assert_eq!(rev.left, None);
    assert_eq!(rev.function, QualName::new("pg_catalog", "reverse"));
    // Dropping #< clears the link on #>.
    let cat = parse(&format!(
        "{FUNCS}
create operator #< (function = abs_lt, leftarg = int, rightarg = int, commutator = #>);
create operator #> (function = abs_gt, leftarg = int, rightarg = int);
drop operator #< (int, int);"
    ))
    .unwrap();
    assert_eq!(
        cat.operators["public.#>(integer, integer)"].commutator,
        None
    );
    assert_eq!(cat.operators.len(), 1);
}

#[test]
fn a_class_holds_its_header_and_its_family_the_members() {
    let cat = parse(&format!(
        "{FUNCS}
create operator #< (function = abs_lt, leftarg = int, rightarg = int);
create operator class abs_ops default for type int using btree as
    operator 1 #<, function 1 abs_cmp(int, int);
create operator family other_ops using btree;
alter operator family other_ops using btree add operator 1 #< (int, int),
    function 1 (int, int) abs_cmp(int, int);
comment on operator family abs_ops using btree is 'fam';
comment on operator class abs_ops using btree is 'cls';"
    ))
    .unwrap();
    let key = (QualName::new("public", "abs_ops"), "btree".to_string());
    let class = &cat.operator_classes[&key];
    assert!(class.default);
    assert_eq!(class.family, QualName::new("public", "abs_ops"));
    assert_eq!(class.ty, TypeRef::builtin("integer"));
    assert_eq!(class.comment.as_deref(), Some("cls"));
    let fam = &cat.operator_families[&key];
    assert_eq!(fam.comment.as_deref(), Some("fam"));
    assert_eq!(
        fam.operators[0].add_sql(),
        "OPERATOR 1 public.#< (integer, integer)"
    );
    assert_eq!(
        fam.functions[0].add_sql(),
        "FUNCTION 1 (integer, integer) public.abs_cmp(integer, integer)"
    );
    // The same members added to a family by ALTER OPERATOR FAMILY read the same.
    let other = &cat.operator_families[&(QualName::new("public", "other_ops"), "btree".into())];
    assert_eq!(other.operators, fam.operators);
    assert_eq!(other.functions, fam.functions);

    // Members dropped, then the family.
    let cat = parse(&format!(
        "{FUNCS}
create operator #< (function = abs_lt, leftarg = int, rightarg = int);
create operator family f using btree;
alter operator family f using btree add operator 1 #< (int, int);
alter operator family f using btree drop operator 1 (int, int);"
    ))
    .unwrap();
    assert!(cat
        .operator_families
        .values()
        .all(|f| f.operators.is_empty()));
    let cat = parse(&format!(
        "{FUNCS}
create operator class c for type int using btree as function 1 abs_cmp(int, int);
drop operator family c using btree;"
    ))
    .unwrap();
    assert!(cat.operator_families.is_empty() && cat.operator_classes.is_empty());
}

#[test]
fn bad_operator_statements_are_errors_at_their_line() {
    let e = parse("create operator #< (leftarg = int, rightarg = int);").unwrap_err();
    assert_eq!(e.message, "operator function must be specified");
    assert_eq!(e.line, 1);
    let e = parse(&format!(
        "{FUNCS}\ncreate operator #< (function = abs_lt, leftarg = int, rightarg = int);\n\
         create operator #< (function = abs_lt, leftarg = int, rightarg = int);"
    ))
    .unwrap_err();
    assert!(e.message.contains("already exists"), "{e}");
    assert_eq!(e.line, 8, "{e}");
    let e = parse("comment on operator family nosuch using btree is 'x';").unwrap_err();
    assert!(e.message.contains("does not exist"), "{e}");
    let e =
        parse("alter operator family nosuch using btree add operator 1 < (int, int);").unwrap_err();
    assert!(e.message.contains("does not exist"), "{e}");
    let e = parse("drop operator #< (int, int);").unwrap_err();
    assert!(e.message.contains("does not exist"), "{e}");
}
