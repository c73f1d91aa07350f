//! Name lookups over a catalog, built once on first use, so that the dependencies of an
//! expression cost what the expression costs, not the expression times the catalog.
//!
//! [`Catalog::dependencies`] asks, for each default, check, index expression, view or
//! policy, which user functions it calls and which user operators it uses. Answering by
//! testing every function and operator of the catalog against the expression made
//! planning quadratic (issue 13: 1,000 functions × 3,650 expressions). The expression is
//! now scanned once for the names it calls ([`crate::routines::called_names`]) and the
//! operator tokens it holds ([`crate::operators::operator_tokens`]), and each is looked up
//! here.
//!
//! The lookups are a cache: they are not part of the catalog's value (not compared, not
//! serialized, not cloned). They are rebuilt when the number of functions or operators
//! changed since they were built, and [`Catalog::forget_lookups`] drops them; the planner
//! calls it before it reads a catalog, which it then only borrows, so within a plan they
//! are always the catalog's.

use crate::Catalog;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Functions and operators by bare name (any schema, every overload).
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Function name → the keys of `Catalog::functions` with that name, in key order.
    pub(crate) functions: HashMap<String, Vec<String>>,
    /// Operator name → the keys of `Catalog::operators` with that name, in key order.
    pub(crate) operators: HashMap<String, Vec<String>>,
    /// The sizes of the maps the lookups were built from (a cheap staleness check).
    sizes: (usize, usize),
}

impl Names {
    fn build(cat: &Catalog) -> Names {
        let mut n = Names {
            sizes: (cat.functions.len(), cat.operators.len()),
            ..Names::default()
        };
        for (k, f) in &cat.functions {
            n.functions
                .entry(f.name.name.clone())
                .or_default()
                .push(k.clone());
        }
        for (k, o) in &cat.operators {
            n.operators
                .entry(o.name.name.clone())
                .or_default()
                .push(k.clone());
        }
        n
    }
}

/// The cache held by a [`Catalog`]: invisible to its equality, serialization and clones.
#[derive(Default)]
pub(crate) struct Lookups(Mutex<Option<Arc<Names>>>);

impl Clone for Lookups {
    fn clone(&self) -> Self {
        Lookups::default()
    }
}

impl PartialEq for Lookups {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Lookups {}

impl fmt::Debug for Lookups {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lookups")
    }
}

impl Catalog {
    /// The name lookups of this catalog, built now if there are none or the catalog's
    /// functions or operators changed in number since they were built.
    pub(crate) fn names(&self) -> Arc<Names> {
        let sizes = (self.functions.len(), self.operators.len());
        let mut slot = self.lookups.0.lock().unwrap_or_else(|p| p.into_inner());
        match &*slot {
            Some(n) if n.sizes == sizes => n.clone(),
            _ => {
                let n = Arc::new(Names::build(self));
                *slot = Some(n.clone());
                n
            }
        }
    }

    /// Drop the name lookups (the next dependency query rebuilds them). Call it after
    /// changing a catalog's functions or operators in place, before asking for
    /// dependencies again; the planner calls it on both catalogs it is given.
    pub fn forget_lookups(&self) {
        *self.lookups.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[cfg(test)]
mod tests {
    use crate::types::Expr;
    use crate::{Catalog, Function, FunctionBody, ObjectId, QualName, TypeRef};

    fn function(schema: &str, name: &str, arg: &str) -> Function {
        let mut f = Function::new(
            QualName::new(schema, name),
            TypeRef::builtin("integer"),
            "sql",
            FunctionBody::Source(Expr {
                sql: "SELECT 1".into(),
                canon: "SELECT 1".into(),
                refs: vec![],
            }),
        );
        if !arg.is_empty() {
            f.args.push(crate::FunctionArg {
                mode: crate::ArgMode::In,
                name: None,
                ty: TypeRef::builtin(arg),
                default: None,
            });
        }
        f
    }

    fn add(cat: &mut Catalog, f: Function) -> ObjectId {
        let id = f.id();
        cat.functions.insert(f.signature(), f);
        id
    }

    #[test]
    fn every_overload_in_every_schema_by_bare_name() {
        let mut cat = Catalog::default();
        let a = add(&mut cat, function("public", "f", ""));
        let b = add(&mut cat, function("public", "f", "integer"));
        let c = add(&mut cat, function("other", "f", "text"));
        add(&mut cat, function("public", "g", ""));
        let names = cat.names();
        let keys = &names.functions["f"];
        assert_eq!(keys.len(), 3);
        let ids: Vec<ObjectId> = keys.iter().map(|k| cat.functions[k].id()).collect();
        for id in [a, b, c] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        assert_eq!(names.functions["g"].len(), 1);
        assert!(!names.functions.contains_key("h"));
    }

    #[test]
    fn rebuilt_when_functions_are_added_and_forgotten_on_request() {
        let mut cat = Catalog::default();
        add(&mut cat, function("public", "f", ""));
        assert!(!cat.names().functions.contains_key("g"));
        add(&mut cat, function("public", "g", ""));
        assert!(cat.names().functions.contains_key("g"), "count changed");
        // Same count, different function: only forgetting makes the lookups true again.
        cat.functions.retain(|_, f| f.name.name != "g");
        add(&mut cat, function("public", "h", ""));
        cat.forget_lookups();
        let names = cat.names();
        assert!(names.functions.contains_key("h"));
        assert!(!names.functions.contains_key("g"));
    }

    #[test]
    fn not_part_of_the_value() {
        let mut cat = Catalog::default();
        add(&mut cat, function("public", "f", ""));
        let fresh = cat.clone();
        let _ = cat.names();
        assert_eq!(cat, fresh);
        let json = serde_json::to_string(&cat).unwrap();
        assert!(!json.contains("lookups"), "{json}");
    }
}
