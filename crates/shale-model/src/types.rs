//! Column types and SQL expressions in canonical form.

use crate::ident::{quote_ident, QualName};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A column or attribute type.
///
/// Built-in types (those in `pg_catalog`) are named exactly as `format_type` prints them,
/// modifiers included: `integer`, `character varying(20)`, `numeric(10,2)`,
/// `timestamp(3) with time zone`. Every other type (enums, extension types such as
/// `citext`) is schema-qualified. Array dimensions are not enforced by PostgreSQL and are
/// not part of the model: `int[][]` and `int[]` are the same type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TypeRef {
    /// `None` for a built-in `pg_catalog` type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Canonical name; for built-ins, with its modifiers.
    pub name: String,
    /// The modifiers of a non-built-in type (an extension's, such as PostGIS's
    /// `geometry(Polygon,4326)`), exactly as `format_type` prints them after the name:
    /// `(Polygon,4326)`. `None` when the type has none (or they print as nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typmod: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub array: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl TypeRef {
    pub fn builtin(name: impl Into<String>) -> Self {
        TypeRef {
            schema: None,
            name: name.into(),
            typmod: None,
            array: false,
        }
    }
    pub fn user(q: QualName) -> Self {
        TypeRef {
            schema: Some(q.schema),
            name: q.name,
            typmod: None,
            array: false,
        }
    }
    /// The same type with the modifiers of a non-built-in type (see [`TypeRef::typmod`]).
    pub fn with_typmod(mut self, typmod: Option<String>) -> Self {
        self.typmod = typmod.filter(|m| !m.is_empty());
        self
    }
    pub fn array_of(mut self) -> Self {
        self.array = true;
        self
    }
    /// The user-defined type this refers to, if it is not a built-in.
    pub fn user_type(&self) -> Option<QualName> {
        self.schema
            .as_ref()
            .map(|s| QualName::new(s.clone(), self.name.clone()))
    }
    /// The element type of an array type (itself otherwise).
    pub fn element(&self) -> TypeRef {
        TypeRef {
            array: false,
            ..self.clone()
        }
    }
}

/// Prints valid SQL: `character varying(20)[]`, `public.mood`, `"My Schema"."Status"[]`.
impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            None => f.write_str(&self.name)?,
            Some(s) => write!(f, "{}.{}", quote_ident(s), quote_ident(&self.name))?,
        }
        if let Some(m) = &self.typmod {
            f.write_str(m)?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// A SQL expression (default, check, index expression, predicate, generated column).
///
/// `sql` is the text to print in DDL, as written by the user or as deparsed by the
/// catalog. `canon` is the normalized form that comparisons use: both front ends compute
/// it with the same normalizer, so `CHECK (a>0)` and the catalog's `CHECK ((a > 0))`
/// are equal. Equality and hashing look only at `canon`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expr {
    pub sql: String,
    pub canon: String,
    /// Relations the expression names (e.g. the sequence in `nextval('s'::regclass)`),
    /// found by the normalizer; used for ordering, not for equality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<QualName>,
}

impl Expr {
    pub fn new(sql: impl Into<String>, canon: impl Into<String>) -> Self {
        Expr {
            sql: sql.into(),
            canon: canon.into(),
            refs: Vec::new(),
        }
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.canon == other.canon
    }
}
impl Eq for Expr {}

impl std::hash::Hash for Expr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.canon.hash(state)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_display() {
        assert_eq!(
            TypeRef::builtin("character varying(20)")
                .array_of()
                .to_string(),
            "character varying(20)[]"
        );
        assert_eq!(
            TypeRef::user(QualName::new("My Schema", "mood")).to_string(),
            "\"My Schema\".mood"
        );
    }

    #[test]
    fn expr_equality_uses_canon_only() {
        let a = Expr::new("a>0", "(a > 0)");
        let b = Expr::new("((a > 0))", "(a > 0)");
        assert_eq!(a, b);
        assert_ne!(a, Expr::new("a>0", "(a > 1)"));
    }
}
