//! Changes of domains, composite types and range types, and the re-creation of an enum
//! whose labels are removed or reordered (or of a domain whose base type changes).
//!
//! - A domain changes in place (`ALTER DOMAIN`): default, `NOT NULL`, checks added (kept
//!   `NOT VALID` when the desired check is), dropped, re-created when their expression
//!   changes, validated. A new base type or collation re-creates the domain.
//! - A composite type changes in place (`ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE`) when the
//!   kept attributes stay in order and new ones come last; otherwise it is unsupported
//!   (a reordered row type cannot be converted safely).
//! - A range type is dropped and created again on any change but its comment.
//! - Re-creating a type that columns use ([`TypeExtChange::RecreateType`]): the planner
//!   renames the old type aside, creates the new one, converts every column (defaults
//!   dropped and restored around it) and drops the old type.

use crate::Change;
use serde::Serialize;
use shale_model::{
    Attribute, Catalog, CompositeType, Domain, DomainCheck, EnumType, Expr, ObjectId, QualName,
    RangeType,
};

/// An existing column of a re-created type, converted to the new type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConvertedColumn {
    pub table: QualName,
    pub column: String,
    /// The column is an array of the type.
    pub array: bool,
    /// The default to drop before the conversion (it names the old type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_from: Option<Expr>,
    /// The default to set after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_to: Option<Expr>,
}

/// The type re-created by [`TypeExtChange::RecreateType`].
// Plain data built once per changed type: boxing the larger variants buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Recreated {
    Enum {
        from: EnumType,
        to: EnumType,
        /// Labels of `from` missing from `to` (rows holding one fail to convert).
        removed: Vec<String>,
    },
    Domain {
        from: Domain,
        to: Domain,
    },
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeExtChange {
    CreateDomain {
        domain: Domain,
    },
    DropDomain {
        domain: Domain,
    },
    /// `ALTER DOMAIN … SET DEFAULT` / `DROP DEFAULT`.
    SetDomainDefault {
        name: QualName,
        from: Option<Expr>,
        to: Option<Expr>,
    },
    /// `ALTER DOMAIN … SET NOT NULL` / `DROP NOT NULL`.
    SetDomainNotNull {
        name: QualName,
        not_null: bool,
    },
    AddDomainCheck {
        name: QualName,
        check: DomainCheck,
        /// Why an existing check is dropped and added again.
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropDomainCheck {
        name: QualName,
        check: DomainCheck,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    ValidateDomainCheck {
        name: QualName,
        check: String,
    },
    CreateComposite {
        composite: CompositeType,
    },
    DropComposite {
        composite: CompositeType,
    },
    AddAttribute {
        name: QualName,
        attribute: Attribute,
    },
    DropAttribute {
        name: QualName,
        attribute: Attribute,
    },
    /// `ALTER TYPE … ALTER ATTRIBUTE … TYPE … [COLLATE …]`.
    AlterAttribute {
        name: QualName,
        from: Attribute,
        to: Attribute,
    },
    CreateRange {
        range: RangeType,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropRange {
        range: RangeType,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// Rename the old type aside, create the new one, convert `columns`, drop the old.
    RecreateType {
        name: QualName,
        recreated: Recreated,
        columns: Vec<ConvertedColumn>,
    },
}

impl TypeExtChange {
    /// The object the change is about (always the type).
    pub fn object(&self) -> ObjectId {
        let name = match self {
            TypeExtChange::CreateDomain { domain } | TypeExtChange::DropDomain { domain } => {
                &domain.name
            }
            TypeExtChange::CreateComposite { composite }
            | TypeExtChange::DropComposite { composite } => &composite.name,
            TypeExtChange::CreateRange { range, .. } | TypeExtChange::DropRange { range, .. } => {
                &range.name
            }
            TypeExtChange::SetDomainDefault { name, .. }
            | TypeExtChange::SetDomainNotNull { name, .. }
            | TypeExtChange::AddDomainCheck { name, .. }
            | TypeExtChange::DropDomainCheck { name, .. }
            | TypeExtChange::ValidateDomainCheck { name, .. }
            | TypeExtChange::AddAttribute { name, .. }
            | TypeExtChange::DropAttribute { name, .. }
            | TypeExtChange::AlterAttribute { name, .. }
            | TypeExtChange::RecreateType { name, .. } => name,
        };
        ObjectId::Type { name: name.clone() }
    }
}

fn wrap(c: TypeExtChange) -> Change {
    Change::TypeExt { type_change: c }
}

/// The columns of `to` that exist in `from` with the same type `name` (or an array of it):
/// those a re-creation converts. Columns created, dropped or retyped by the diff are left
/// to their own changes.
pub fn converted_columns(from: &Catalog, to: &Catalog, name: &QualName) -> Vec<ConvertedColumn> {
    let mut out = Vec::new();
    for (t, c) in to.columns_of_type(name) {
        let Some(c1) = to.tables.get(&t).and_then(|x| x.column(&c)) else {
            continue;
        };
        let Some(c0) = from.tables.get(&t).and_then(|x| x.column(&c)) else {
            continue;
        };
        if c0.ty != c1.ty || c1.generated.is_some() {
            continue;
        }
        out.push(ConvertedColumn {
            table: t,
            column: c,
            array: c1.ty.array,
            default_from: c0.default.clone(),
            default_to: c1.default.clone(),
        });
    }
    out
}

/// Why a type cannot be re-created by renaming it aside: views reading a column to be
/// converted (PostgreSQL refuses to change the type of a column a view uses) and functions
/// whose signature names the type (they would keep the old type and block its drop).
fn recreate_blocker(
    from: &Catalog,
    name: &QualName,
    columns: &[ConvertedColumn],
) -> Option<Change> {
    let mut users: Vec<String> = Vec::new();
    for v in from.views.values() {
        if columns.iter().any(|c| v.query.refs.contains(&c.table)) {
            users.push(format!("view {}", v.name));
        }
    }
    for f in from.functions.values() {
        let uses = |t: &shale_model::TypeRef| t.user_type().as_ref() == Some(name);
        if f.args.iter().any(|a| uses(&a.ty)) || f.returns.as_ref().is_some_and(uses) {
            users.push(format!("function {}", f.signature()));
        }
    }
    if users.is_empty() {
        return None;
    }
    Some(Change::Unsupported {
        object: ObjectId::Type { name: name.clone() },
        reason: format!(
            "re-creating the type needs its columns converted, but {} depend on it or on \
             those columns; drop them in one change and re-create them in the next",
            users.join(", ")
        ),
    })
}

/// The re-creation of enum `e0` as `e1` (labels removed or reordered).
pub fn recreate_enum(from: &Catalog, to: &Catalog, e0: &EnumType, e1: &EnumType) -> Change {
    let columns = converted_columns(from, to, &e1.name);
    if let Some(blocked) = recreate_blocker(from, &e1.name, &columns) {
        return blocked;
    }
    let removed = e0
        .labels
        .iter()
        .filter(|l| !e1.labels.contains(l))
        .cloned()
        .collect();
    wrap(TypeExtChange::RecreateType {
        name: e1.name.clone(),
        recreated: Recreated::Enum {
            from: e0.clone(),
            to: e1.clone(),
            removed,
        },
        columns,
    })
}

/// Creates, changes and drops of domains, composite and range types, appended to `out`
/// in catalog order (creates and changes first, then drops).
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let comment =
        |out: &mut Vec<Change>, name: &QualName, a: &Option<String>, b: &Option<String>| {
            if a != b {
                out.push(Change::SetComment {
                    object: ObjectId::Type { name: name.clone() },
                    from: a.clone(),
                    to: b.clone(),
                });
            }
        };
    for (name, d1) in &to.domains {
        match from.domains.get(name) {
            None => {
                out.push(wrap(TypeExtChange::CreateDomain { domain: d1.clone() }));
                comment(out, name, &None, &d1.comment);
            }
            Some(d0) => {
                if d0.base != d1.base || d0.collation != d1.collation {
                    let columns = converted_columns(from, to, name);
                    out.push(recreate_blocker(from, name, &columns).unwrap_or_else(|| {
                        wrap(TypeExtChange::RecreateType {
                            name: name.clone(),
                            recreated: Recreated::Domain {
                                from: d0.clone(),
                                to: d1.clone(),
                            },
                            columns,
                        })
                    }));
                } else {
                    domain_changes(d0, d1, out);
                }
                comment(out, name, &d0.comment, &d1.comment);
            }
        }
    }
    for (name, c1) in &to.composites {
        match from.composites.get(name) {
            None => {
                out.push(wrap(TypeExtChange::CreateComposite {
                    composite: c1.clone(),
                }));
                comment(out, name, &None, &c1.comment);
            }
            Some(c0) => {
                composite_changes(from, c0, c1, out);
                comment(out, name, &c0.comment, &c1.comment);
            }
        }
    }
    for (name, r1) in &to.ranges {
        match from.ranges.get(name) {
            None => {
                out.push(wrap(TypeExtChange::CreateRange {
                    range: r1.clone(),
                    recreate: None,
                }));
                comment(out, name, &None, &r1.comment);
            }
            Some(r0) => {
                let strip = |r: &RangeType| RangeType {
                    comment: None,
                    ..r.clone()
                };
                let stored: Vec<(QualName, String)> = from
                    .columns_of_type(name)
                    .into_iter()
                    .filter(|(t, c)| to.tables.get(t).and_then(|x| x.column(c)).is_some())
                    .collect();
                if strip(r0) != strip(r1) && !stored.is_empty() {
                    out.push(Change::Unsupported {
                        object: ObjectId::Type { name: name.clone() },
                        reason: format!(
                            "the range type's definition changes, and a range type can only be \
                             dropped and created again, which PostgreSQL refuses while column {}.{} \
                             stores it; create a new range type and migrate the column instead",
                            stored[0].0,
                            shale_model::quote_ident(&stored[0].1)
                        ),
                    });
                } else if strip(r0) != strip(r1) {
                    let why =
                        Some("its definition changed; a range type cannot be altered".to_string());
                    out.push(wrap(TypeExtChange::DropRange {
                        range: r0.clone(),
                        recreate: why.clone(),
                    }));
                    out.push(wrap(TypeExtChange::CreateRange {
                        range: r1.clone(),
                        recreate: why,
                    }));
                    comment(out, name, &None, &r1.comment);
                } else {
                    comment(out, name, &r0.comment, &r1.comment);
                }
            }
        }
    }
    for (name, d0) in &from.domains {
        if !to.domains.contains_key(name) {
            out.push(wrap(TypeExtChange::DropDomain { domain: d0.clone() }));
        }
    }
    for (name, c0) in &from.composites {
        if !to.composites.contains_key(name) {
            out.push(wrap(TypeExtChange::DropComposite {
                composite: c0.clone(),
            }));
        }
    }
    for (name, r0) in &from.ranges {
        if !to.ranges.contains_key(name) {
            out.push(wrap(TypeExtChange::DropRange {
                range: r0.clone(),
                recreate: None,
            }));
        }
    }
}

fn domain_changes(d0: &Domain, d1: &Domain, out: &mut Vec<Change>) {
    let name = &d1.name;
    if d0.default != d1.default {
        out.push(wrap(TypeExtChange::SetDomainDefault {
            name: name.clone(),
            from: d0.default.clone(),
            to: d1.default.clone(),
        }));
    }
    // Checks go before NOT NULL is set (a failing check is the likelier mistake) and
    // dropped ones before added ones (a name may be reused).
    // Why a check of both must be dropped and added again, if it must.
    let recreate_why = |c0: &DomainCheck, c1: &DomainCheck| {
        if c1.expr != c0.expr {
            Some("its expression changed".to_string())
        } else if c0.validated && !c1.validated {
            Some("it is wanted NOT VALID (a validated check cannot be un-validated)".to_string())
        } else {
            None
        }
    };
    for (cname, c0) in &d0.checks {
        let recreate = match d1.checks.get(cname) {
            None => None,
            Some(c1) => match recreate_why(c0, c1) {
                Some(why) => Some(why),
                None => continue,
            },
        };
        out.push(wrap(TypeExtChange::DropDomainCheck {
            name: name.clone(),
            check: c0.clone(),
            recreate,
        }));
    }
    for (cname, c1) in &d1.checks {
        let recreate = match d0.checks.get(cname) {
            Some(c0) => match recreate_why(c0, c1) {
                None => {
                    if !c0.validated && c1.validated {
                        out.push(wrap(TypeExtChange::ValidateDomainCheck {
                            name: name.clone(),
                            check: cname.clone(),
                        }));
                    }
                    continue;
                }
                why => why,
            },
            None => None,
        };
        out.push(wrap(TypeExtChange::AddDomainCheck {
            name: name.clone(),
            check: c1.clone(),
            recreate,
        }));
    }
    if d0.not_null != d1.not_null {
        out.push(wrap(TypeExtChange::SetDomainNotNull {
            name: name.clone(),
            not_null: d1.not_null,
        }));
    }
}

fn composite_changes(
    from: &Catalog,
    c0: &CompositeType,
    c1: &CompositeType,
    out: &mut Vec<Change>,
) {
    let name = &c1.name;
    // PostgreSQL refuses ALTER ATTRIBUTE … TYPE while a table column stores the type.
    let stored = from.columns_of_type(name);
    let altered: Vec<&str> = c1
        .attributes
        .iter()
        .filter(|a1| c0.attribute(&a1.name).is_some_and(|a0| a0 != *a1))
        .map(|a| a.name.as_str())
        .collect();
    if let (Some((t, c)), false) = (stored.first(), altered.is_empty()) {
        out.push(Change::Unsupported {
            object: ObjectId::Type { name: name.clone() },
            reason: format!(
                "attribute(s) {} change type or collation, which PostgreSQL refuses while column \
                 {t}.{} stores the type; add new attributes and migrate the values instead",
                altered.join(", "),
                shale_model::quote_ident(c)
            ),
        });
        return;
    }
    // Kept attributes must keep their relative order, and new ones come last.
    let kept0: Vec<&str> = c0
        .attributes
        .iter()
        .filter(|a| c1.attribute(&a.name).is_some())
        .map(|a| a.name.as_str())
        .collect();
    let kept1: Vec<&str> = c1
        .attributes
        .iter()
        .filter(|a| c0.attribute(&a.name).is_some())
        .map(|a| a.name.as_str())
        .collect();
    let first_new = c1
        .attributes
        .iter()
        .position(|a| c0.attribute(&a.name).is_none());
    let new_in_middle = first_new.is_some_and(|i| {
        c1.attributes[i..]
            .iter()
            .any(|a| c0.attribute(&a.name).is_some())
    });
    if kept0 != kept1 || new_in_middle {
        out.push(Change::Unsupported {
            object: ObjectId::Type { name: name.clone() },
            reason: format!(
                "attributes change from ({}) to ({}): PostgreSQL appends new attributes and \
                 cannot reorder them; add new attributes at the end, keep the others in order",
                c0.attributes
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                c1.attributes
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        return;
    }
    for a0 in &c0.attributes {
        if c1.attribute(&a0.name).is_none() {
            out.push(wrap(TypeExtChange::DropAttribute {
                name: name.clone(),
                attribute: a0.clone(),
            }));
        }
    }
    for a1 in &c1.attributes {
        match c0.attribute(&a1.name) {
            None => out.push(wrap(TypeExtChange::AddAttribute {
                name: name.clone(),
                attribute: a1.clone(),
            })),
            Some(a0) if a0 != a1 => out.push(wrap(TypeExtChange::AlterAttribute {
                name: name.clone(),
                from: a0.clone(),
                to: a1.clone(),
            })),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{Column, Schema, Table, TypeRef};

    fn q(n: &str) -> QualName {
        QualName::new("public", n)
    }

    fn base() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        c
    }

    fn check(name: &str, canon: &str, validated: bool) -> DomainCheck {
        DomainCheck {
            name: name.into(),
            expr: Expr::new(canon, canon),
            validated,
        }
    }

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::TypeExt { type_change } => serde_json::to_value(type_change).unwrap()
                    ["kind"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                Change::SetComment { .. } => "comment".into(),
                Change::Unsupported { .. } => "unsupported".into(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn domain_changes_in_place() {
        let mut a = base();
        let mut d0 = Domain::new(q("d"), TypeRef::builtin("integer"));
        d0.checks
            .insert("d_check".into(), check("d_check", "value > 0", true));
        d0.checks
            .insert("old".into(), check("old", "value < 9", true));
        d0.checks
            .insert("nv".into(), check("nv", "value <> 5", false));
        a.domains.insert(q("d"), d0.clone());
        let mut b = base();
        let mut d1 = d0.clone();
        d1.default = Some(Expr::new("1", "1"));
        d1.not_null = true;
        d1.checks.remove("old");
        d1.checks
            .insert("d_check".into(), check("d_check", "value > 1", true));
        d1.checks
            .insert("nv".into(), check("nv", "value <> 5", true));
        d1.checks
            .insert("new".into(), check("new", "value < 100", false));
        d1.comment = Some("x".into());
        b.domains.insert(q("d"), d1);
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(
            kinds(&out),
            vec![
                "set_domain_default",
                "drop_domain_check",
                "drop_domain_check",
                "add_domain_check",
                "add_domain_check",
                "validate_domain_check",
                "set_domain_not_null",
                "comment"
            ]
        );
        // Unchanged: nothing.
        let mut none = Vec::new();
        diff(&a, &a, &mut none);
        assert!(none.is_empty());
    }

    /// A validated check cannot be made NOT VALID in place: wanted NOT VALID, it is
    /// dropped and added again NOT VALID (and the other way it is only validated).
    #[test]
    fn domain_check_wanted_not_valid_is_recreated() {
        let mut a = base();
        let mut d0 = Domain::new(q("d"), TypeRef::builtin("integer"));
        d0.checks.insert("c".into(), check("c", "value >= 0", true));
        a.domains.insert(q("d"), d0.clone());
        let mut b = base();
        let mut d1 = d0;
        d1.checks
            .insert("c".into(), check("c", "value >= 0", false));
        b.domains.insert(q("d"), d1);
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(kinds(&out), vec!["drop_domain_check", "add_domain_check"]);
        for c in &out {
            let Change::TypeExt { type_change } = c else {
                panic!("{c:?}")
            };
            match type_change {
                TypeExtChange::DropDomainCheck { recreate, .. } => {
                    assert!(recreate.as_deref().unwrap().contains("NOT VALID"))
                }
                TypeExtChange::AddDomainCheck {
                    check, recreate, ..
                } => {
                    assert!(!check.validated);
                    assert!(recreate.as_deref().unwrap().contains("NOT VALID"));
                }
                other => panic!("{other:?}"),
            }
        }
        let mut back = Vec::new();
        diff(&b, &a, &mut back);
        assert_eq!(kinds(&back), vec!["validate_domain_check"]);
    }

    #[test]
    fn domain_base_change_recreates_and_converts_columns() {
        let mut a = base();
        a.domains
            .insert(q("d"), Domain::new(q("d"), TypeRef::builtin("integer")));
        let mut t = Table::new(q("t"));
        t.columns.push(Column::new("x", TypeRef::user(q("d"))));
        t.columns
            .push(Column::new("y", TypeRef::user(q("d")).array_of()));
        a.tables.insert(q("t"), t);
        let mut b = a.clone();
        b.domains
            .insert(q("d"), Domain::new(q("d"), TypeRef::builtin("bigint")));
        b.tables
            .get_mut(&q("t"))
            .unwrap()
            .columns
            .push(Column::new("z", TypeRef::user(q("d"))));
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        let [Change::TypeExt {
            type_change: TypeExtChange::RecreateType { columns, .. },
        }] = out.as_slice()
        else {
            panic!("{out:?}");
        };
        // The new column z is created with the new type by its own change.
        assert_eq!(
            columns
                .iter()
                .map(|c| (c.column.as_str(), c.array))
                .collect::<Vec<_>>(),
            vec![("x", false), ("y", true)]
        );
    }

    #[test]
    fn recreation_under_a_view_is_refused_clearly() {
        let mood = |labels: &[&str]| EnumType {
            name: q("mood"),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            comment: None,
        };
        let mut a = base();
        a.enums.insert(q("mood"), mood(&["a", "b"]));
        let mut t = Table::new(q("t"));
        t.columns.push(Column::new("m", TypeRef::user(q("mood"))));
        a.tables.insert(q("t"), t);
        let mut b = a.clone();
        b.enums.insert(q("mood"), mood(&["b", "a"]));
        assert!(matches!(
            recreate_enum(&a, &b, &a.enums[&q("mood")], &b.enums[&q("mood")]),
            Change::TypeExt { .. }
        ));
        let mut query = Expr::new("SELECT m FROM public.t", "SELECT m FROM public.t");
        query.refs = vec![q("t")];
        let v = shale_model::View::new(q("v"), vec!["m".into()], query);
        a.views.insert(q("v"), v);
        match recreate_enum(&a, &b, &a.enums[&q("mood")], &b.enums[&q("mood")]) {
            Change::Unsupported { reason, .. } => {
                assert!(reason.contains("view public.v"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn composite_attributes_and_reorders() {
        let attr = |n: &str, t: &str| Attribute {
            name: n.into(),
            ty: TypeRef::builtin(t),
            collation: None,
        };
        let comp = |attrs: Vec<Attribute>| CompositeType {
            name: q("c"),
            attributes: attrs,
            comment: None,
        };
        let mut a = base();
        a.composites.insert(
            q("c"),
            comp(vec![
                attr("a", "integer"),
                attr("b", "text"),
                attr("c", "text"),
            ]),
        );
        let mut b = base();
        b.composites.insert(
            q("c"),
            comp(vec![
                attr("a", "bigint"),
                attr("c", "text"),
                attr("d", "date"),
            ]),
        );
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(
            kinds(&out),
            vec!["drop_attribute", "alter_attribute", "add_attribute"]
        );
        let mut c = base();
        c.composites.insert(
            q("c"),
            comp(vec![
                attr("d", "date"),
                attr("a", "integer"),
                attr("b", "text"),
            ]),
        );
        let mut out = Vec::new();
        diff(&a, &c, &mut out);
        assert_eq!(kinds(&out), vec!["unsupported"]);
    }

    #[test]
    fn changes_postgres_refuses_while_a_column_stores_the_type_are_unsupported() {
        let attr = |t: &str| Attribute {
            name: "a".into(),
            ty: TypeRef::builtin(t),
            collation: None,
        };
        let comp = |t: &str| CompositeType {
            name: q("c"),
            attributes: vec![attr(t)],
            comment: None,
        };
        let mut table = Table::new(q("t"));
        table.columns.push(Column::new("x", TypeRef::user(q("c"))));
        table.columns.push(Column::new("r", TypeRef::user(q("r"))));
        let range = |diff_fn: bool| RangeType {
            name: q("r"),
            subtype: TypeRef::builtin("double precision"),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: diff_fn.then(|| QualName::new("pg_catalog", "float8mi")),
            multirange: None,
            comment: None,
        };
        let mut a = base();
        a.composites.insert(q("c"), comp("integer"));
        a.ranges.insert(q("r"), range(false));
        a.tables.insert(q("t"), table);
        let mut b = a.clone();
        b.composites.insert(q("c"), comp("bigint"));
        b.ranges.insert(q("r"), range(true));
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(kinds(&out), vec!["unsupported", "unsupported"]);
        // Without the table, both are planned.
        a.tables.clear();
        b.tables.clear();
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(
            kinds(&out),
            vec!["alter_attribute", "drop_range", "create_range"]
        );
    }

    #[test]
    fn range_change_is_drop_and_create() {
        let r = |diff_fn: Option<&str>| RangeType {
            name: q("r"),
            subtype: TypeRef::builtin("double precision"),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: diff_fn.map(|f| QualName::new("pg_catalog", f)),
            multirange: None,
            comment: None,
        };
        let mut a = base();
        a.ranges.insert(q("r"), r(None));
        let mut b = base();
        b.ranges.insert(q("r"), r(Some("float8mi")));
        let mut out = Vec::new();
        diff(&a, &b, &mut out);
        assert_eq!(kinds(&out), vec!["drop_range", "create_range"]);
    }
}
