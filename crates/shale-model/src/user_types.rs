//! Domains, composite types and range types.
//!
//! Canonical conventions (both front ends follow them):
//! - All three share the type namespace with enums (and tables' row types): each is an
//!   [`ObjectId::Type`], and a column of one is `TypeRef { schema: Some(..), name }`.
//! - A domain's `base` is spelled as `format_type` spells it, modifiers included
//!   (`numeric(10,2)`). `collation` only when it differs from the base type's default.
//!   `default` and check expressions are normalized with the base type as the value's type
//!   (`VALUE` is read as a column named `value` of that type). Checks are keyed by name;
//!   an unnamed check is named `{domain}_check` (then `{domain}_check1`, …). `NOT NULL` is
//!   a flag (PostgreSQL 15 keeps it in `pg_type.typnotnull`).
//! - A composite type's attributes are in attribute order, with a collation only when it
//!   differs from the attribute type's default.
//! - A range type's `subtype_opclass` and `collation` appear only when not the default for
//!   the subtype; `multirange` only when not the default name PostgreSQL (14+) gives it
//!   (see [`RangeType::default_multirange`]). Function names are schema-qualified
//!   (`pg_catalog.float8mi`).

use crate::ident::QualName;
use crate::types::{Expr, TypeRef};
use crate::{Catalog, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn yes() -> bool {
    true
}

/// A `CHECK` constraint of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCheck {
    pub name: String,
    pub expr: Expr,
    /// False for a check added `NOT VALID` and not validated since.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub validated: bool,
}

/// `CREATE DOMAIN name AS base …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: QualName,
    /// The underlying type, with its modifiers.
    #[serde(rename = "type")]
    pub base: TypeRef,
    /// Only a collation other than the base type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// Keyed by constraint name.
    #[serde(
        default,
        with = "crate::keyed",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub checks: BTreeMap<String, DomainCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Domain {
    pub fn new(name: QualName, base: TypeRef) -> Domain {
        Domain {
            name,
            base,
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
        }
    }
}

/// An attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<QualName>,
}

/// `CREATE TYPE name AS (attr type, …)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub name: QualName,
    /// In attribute order.
    pub attributes: Vec<Attribute>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl CompositeType {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

/// `CREATE TYPE name AS RANGE (subtype = …, …)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeType {
    pub name: QualName,
    pub subtype: TypeRef,
    /// Only an operator class other than the subtype's default btree class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_opclass: Option<QualName>,
    /// Only a collation other than the subtype's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_diff: Option<QualName>,
    /// The multirange type's name, only when not [`RangeType::default_multirange`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multirange: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl RangeType {
    /// The multirange name PostgreSQL 14+ chooses when none is given: the range's name
    /// with its first `range` replaced by `multirange`, else with `_multirange` appended
    /// (truncated to 63 bytes).
    pub fn default_multirange(name: &str) -> String {
        let full = match name.find("range") {
            Some(i) => format!("{}multi{}", &name[..i], &name[i..]),
            None => format!("{name}_multirange"),
        };
        let mut end = full.len().min(63);
        while !full.is_char_boundary(end) {
            end -= 1;
        }
        full[..end].to_string()
    }
    /// The multirange type's name in effect.
    pub fn multirange_name(&self) -> String {
        self.multirange
            .clone()
            .unwrap_or_else(|| Self::default_multirange(&self.name.name))
    }
}

impl Catalog {
    /// Is `q` a domain, composite or range type of this catalog?
    pub fn has_ext_type(&self, q: &QualName) -> bool {
        self.domains.contains_key(q)
            || self.composites.contains_key(q)
            || self.ranges.contains_key(q)
    }

    /// The type a value of `ty` has for operators and casts: a domain's innermost base
    /// type (PostgreSQL coerces a domain value to it), anything else unchanged. Expression
    /// normalizers type columns with it, so that the catalog's `(price)::numeric` on a
    /// domain column reads as the plain column, as the user wrote it.
    pub fn domain_base(&self, ty: &TypeRef) -> TypeRef {
        let mut t = ty.clone();
        for _ in 0..32 {
            let Some(d) = t.user_type().and_then(|q| self.domains.get(&q)) else {
                break;
            };
            let array = t.array;
            t = d.base.clone();
            if array {
                if t.array {
                    // An array of a domain over an array: no simpler type.
                    return ty.clone();
                }
                t.array = true;
            }
        }
        t
    }

    /// Every column (table and column name) whose type is `q` or an array of it.
    pub fn columns_of_type(&self, q: &QualName) -> Vec<(QualName, String)> {
        let mut out = Vec::new();
        for t in self.tables.values() {
            for c in &t.columns {
                if c.ty.user_type().as_ref() == Some(q) {
                    out.push((t.name.clone(), c.name.clone()));
                }
            }
        }
        out
    }

    /// Dependencies of domains, composite and range types (the part of
    /// [`Catalog::dependencies`] for these kinds).
    pub(crate) fn user_types_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        let ObjectId::Type { name } = id else {
            return;
        };
        if let Some(d) = self.domains.get(name) {
            self.type_dependency(&d.base, out);
            for e in d.default.iter().chain(d.checks.values().map(|c| &c.expr)) {
                self.expr_dependencies(e, out);
                for r in &e.refs {
                    for f in self.overloads(r) {
                        out.push(f.id());
                    }
                }
            }
        } else if let Some(c) = self.composites.get(name) {
            for a in &c.attributes {
                self.type_dependency(&a.ty, out);
            }
        } else if let Some(r) = self.ranges.get(name) {
            self.type_dependency(&r.subtype, out);
            for f in r.canonical.iter().chain(r.subtype_diff.iter()) {
                for func in self.overloads(f) {
                    out.push(func.id());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Schema, Table};

    fn sample() -> Catalog {
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let email = QualName::new("public", "email");
        let mut d = Domain::new(email.clone(), TypeRef::builtin("text"));
        d.checks.insert(
            "email_check".into(),
            DomainCheck {
                name: "email_check".into(),
                expr: Expr::new("VALUE ~ '@'", "(value ~ '@')"),
                validated: true,
            },
        );
        cat.domains.insert(email.clone(), d);
        let pair = QualName::new("public", "pair");
        cat.composites.insert(
            pair.clone(),
            CompositeType {
                name: pair.clone(),
                attributes: vec![Attribute {
                    name: "e".into(),
                    ty: TypeRef::user(email.clone()),
                    collation: None,
                }],
                comment: None,
            },
        );
        let t = QualName::new("public", "t");
        let mut table = Table::new(t.clone());
        table
            .columns
            .push(Column::new("a", TypeRef::user(email.clone())));
        table
            .columns
            .push(Column::new("p", TypeRef::user(pair.clone()).array_of()));
        cat.tables.insert(t, table);
        cat
    }

    #[test]
    fn columns_and_attributes_need_their_types() {
        let cat = sample();
        let email = ObjectId::Type {
            name: QualName::new("public", "email"),
        };
        let pair = ObjectId::Type {
            name: QualName::new("public", "pair"),
        };
        let t = QualName::new("public", "t");
        let deps = cat.dependencies(&ObjectId::Column {
            table: t.clone(),
            column: "a".into(),
        });
        assert!(deps.contains(&email), "{deps:?}");
        let deps = cat.dependencies(&ObjectId::Column {
            table: t,
            column: "p".into(),
        });
        assert!(deps.contains(&pair), "{deps:?}");
        assert!(cat.dependencies(&pair).contains(&email));
        assert!(cat.dependencies(&email).contains(&ObjectId::Schema {
            name: "public".into()
        }));
    }

    #[test]
    fn domain_bases() {
        let mut cat = sample();
        let inner = QualName::new("public", "inner");
        cat.domains.insert(
            inner.clone(),
            Domain::new(inner.clone(), TypeRef::builtin("integer")),
        );
        let outer = QualName::new("public", "outer");
        cat.domains.insert(
            outer.clone(),
            Domain::new(outer.clone(), TypeRef::user(inner)),
        );
        assert_eq!(
            cat.domain_base(&TypeRef::user(outer.clone())),
            TypeRef::builtin("integer")
        );
        assert_eq!(
            cat.domain_base(&TypeRef::user(outer).array_of()),
            TypeRef::builtin("integer").array_of()
        );
        let pair = TypeRef::user(QualName::new("public", "pair"));
        assert_eq!(cat.domain_base(&pair), pair);
    }

    #[test]
    fn multirange_default_names() {
        assert_eq!(
            RangeType::default_multirange("floatrange"),
            "floatmultirange"
        );
        assert_eq!(RangeType::default_multirange("my_rng"), "my_rng_multirange");
        assert_eq!(RangeType::default_multirange("rangex"), "multirangex");
    }

    #[test]
    fn serde_round_trip_and_old_json() {
        let cat = sample();
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
        assert_eq!(
            cat.columns_of_type(&QualName::new("public", "pair")),
            vec![(QualName::new("public", "t"), "p".to_string())]
        );
        let old: Catalog = serde_json::from_str(
            r#"{"schemas":[],"extensions":[],"enums":[],"sequences":[],"tables":[],"indexes":[]}"#,
        )
        .unwrap();
        assert!(old.domains.is_empty() && old.composites.is_empty() && old.ranges.is_empty());
    }
}
