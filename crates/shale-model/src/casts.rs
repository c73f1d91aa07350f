//! Casts (`CREATE CAST`): `pg_cast` rows made by users (database-wide, not in a schema).
//!
//! Canonical conventions (both front ends follow them):
//! - A cast is keyed by its source and target types, spelled as [`TypeRef`] prints them.
//! - A cast through a function names it with its identity argument types, which is how
//!   PostgreSQL finds it (`WITH FUNCTION public.to_meters(public.feet)`).
//! - The context is explicit (`e`, `a`, `i` in `castcontext`).

use crate::ident::QualName;
use crate::{Catalog, ObjectId, TypeRef};
use serde::{Deserialize, Serialize};

/// How the cast converts (`castmethod`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CastMethod {
    /// `WITH FUNCTION name(args)`.
    Function { name: QualName, args: Vec<TypeRef> },
    /// `WITHOUT FUNCTION` (binary-coercible).
    Binary,
    /// `WITH INOUT` (through the types' text forms).
    Inout,
}

/// When the cast applies (`castcontext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CastContext {
    /// Only written out (`::`, `CAST`): the default.
    #[default]
    Explicit,
    /// `AS ASSIGNMENT`.
    Assignment,
    /// `AS IMPLICIT`.
    Implicit,
}

fn is_explicit(c: &CastContext) -> bool {
    *c == CastContext::Explicit
}

impl CastContext {
    /// From `castcontext`.
    pub fn from_code(c: &str) -> Option<CastContext> {
        match c {
            "e" => Some(CastContext::Explicit),
            "a" => Some(CastContext::Assignment),
            "i" => Some(CastContext::Implicit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cast {
    pub source: TypeRef,
    pub target: TypeRef,
    pub method: CastMethod,
    #[serde(default, skip_serializing_if = "is_explicit")]
    pub context: CastContext,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Cast {
    /// The key in [`Catalog::casts`]: `(source, target)` as printed.
    pub fn key(&self) -> (String, String) {
        (self.source.to_string(), self.target.to_string())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::Cast {
            source: self.source.to_string(),
            target: self.target.to_string(),
        }
    }

    /// `(source AS target)`, as `DROP CAST`/`COMMENT ON CAST` name it.
    pub fn target_sql(&self) -> String {
        format!("({} AS {})", self.source, self.target)
    }

    /// The function it calls, as an object id.
    pub fn function_id(&self) -> Option<ObjectId> {
        match &self.method {
            CastMethod::Function { name, args } => Some(ObjectId::Function {
                name: name.clone(),
                args: args
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => None,
        }
    }

    /// `CREATE CAST (…) WITH FUNCTION …|WITHOUT FUNCTION|WITH INOUT [AS …]`.
    pub fn create_sql(&self) -> String {
        let how = match &self.method {
            CastMethod::Function { name, args } => format!(
                "WITH FUNCTION {name}({})",
                args.iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CastMethod::Binary => "WITHOUT FUNCTION".into(),
            CastMethod::Inout => "WITH INOUT".into(),
        };
        let ctx = match self.context {
            CastContext::Explicit => "",
            CastContext::Assignment => " AS ASSIGNMENT",
            CastContext::Implicit => " AS IMPLICIT",
        };
        format!("CREATE CAST {} {how}{ctx}", self.target_sql())
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP CAST {}", self.target_sql())
    }
}

impl Catalog {
    /// Dependencies of casts (the part of [`Catalog::dependencies`] for them): the
    /// function it calls and the user types it converts between.
    pub(crate) fn cast_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        if let ObjectId::Cast { source, target } = id {
            let Some(c) = self.casts.get(&(source.clone(), target.clone())) else {
                return;
            };
            self.type_dependency(&c.source, out);
            self.type_dependency(&c.target, out);
            if let Some(f) = c.function_id() {
                let ObjectId::Function { name, args } = &f else {
                    return;
                };
                if self.functions.contains_key(&format!("{name}({args})")) {
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Expr, Function, FunctionArg, FunctionBody};

    #[test]
    fn sql_and_dependencies() {
        let c = Cast {
            source: TypeRef::user(QualName::new("public", "feet")),
            target: TypeRef::builtin("integer"),
            method: CastMethod::Function {
                name: QualName::new("public", "to_int"),
                args: vec![TypeRef::user(QualName::new("public", "feet"))],
            },
            context: CastContext::Assignment,
            comment: None,
        };
        assert_eq!(
            c.create_sql(),
            "CREATE CAST (public.feet AS integer) WITH FUNCTION public.to_int(public.feet) AS ASSIGNMENT"
        );
        assert_eq!(c.drop_sql(), "DROP CAST (public.feet AS integer)");
        let mut cat = Catalog::default();
        cat.casts.insert(c.key(), c.clone());
        assert!(cat.dependencies(&c.id()).is_empty());
        let mut f = Function::new(
            QualName::new("public", "to_int"),
            TypeRef::builtin("integer"),
            "sql",
            FunctionBody::Source(Expr {
                sql: "select 1".into(),
                canon: "select 1".into(),
                refs: vec![],
            }),
        );
        f.args.push(FunctionArg {
            name: None,
            mode: crate::ArgMode::In,
            ty: TypeRef::user(QualName::new("public", "feet")),
            default: None,
        });
        cat.functions.insert(f.signature(), f.clone());
        assert_eq!(cat.dependencies(&c.id()), vec![f.id()]);
        assert_eq!(c.id().to_string(), "cast (public.feet AS integer)");
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
