//! Fingerprints of a schema model: one SHA-256 of the whole canonical catalog, and one per
//! object, so that a plan file can say which state it was planned from and `apply` can name
//! each object that drifted since.
//!
//! The hash is taken over the catalog as comparisons see it: an expression counts by its
//! normalized `canon` only (its printed `sql` and `refs` are left out, as `Expr`'s equality
//! leaves them out), and objects of kinds shale does not model (`unmodeled`, reported and
//! never changed) are left out. Two catalogs that compare equal therefore hash equal, whether
//! they came from files or from a database.
//!
//! SHA-256 comes from the RustCrypto `sha2` crate: widely used and maintained, and already in
//! the dependency tree (the PostgreSQL client uses it for SCRAM authentication).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use shale_model::{Catalog, ObjectId};
use std::collections::BTreeMap;

/// The fingerprint of one schema state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `sha256:<hex>` of the whole canonical catalog.
    pub hash: String,
    /// `sha256:<hex>` of each object, by its name as a reviewer reads it
    /// (`table public.users`, `index public.users_email_idx`).
    pub objects: BTreeMap<String, String>,
}

/// How one object differs between the fingerprint a plan expects and the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// In the database, not in the expected state.
    Appeared(String),
    /// In the expected state, not in the database.
    Disappeared(String),
    /// In both, with different definitions.
    Changed(String),
    /// The whole hashes differ but no object does (a part of the model with no object of
    /// its own, or a fingerprint made by another shale version).
    Other,
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Appeared(o) => write!(f, "{o}: appeared since the plan was made"),
            Drift::Disappeared(o) => write!(f, "{o}: gone since the plan was made"),
            Drift::Changed(o) => write!(f, "{o}: changed since the plan was made"),
            Drift::Other => write!(
                f,
                "the schema differs in a part that names no single object"
            ),
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The canonical JSON of `v`: expressions reduced to their `canon`.
fn canonical(v: &impl Serialize) -> Value {
    let mut value = serde_json::to_value(v).expect("model values always serialize");
    strip_printed(&mut value);
    value
}

/// Removes what equality ignores: the printed `sql` (and `refs`) of every expression (an
/// object holding both `sql` and `canon`).
fn strip_printed(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("canon") && m.contains_key("sql") {
                m.remove("sql");
                m.remove("refs");
            }
            for x in m.values_mut() {
                strip_printed(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_printed),
        _ => {}
    }
}

fn hash_value(v: &impl Serialize) -> String {
    let value = canonical(v);
    sha256(
        serde_json::to_string(&value)
            .expect("JSON values always serialize")
            .as_bytes(),
    )
}

/// The fingerprint of `cat`.
pub fn fingerprint(cat: &Catalog) -> Fingerprint {
    let mut whole = cat.clone();
    whole.unmodeled.clear();
    Fingerprint {
        hash: hash_value(&whole),
        objects: objects(cat),
    }
}

/// One hash per object of `cat`, by name.
fn objects(cat: &Catalog) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |name: String, h: String| {
        out.insert(name, h);
    };
    for (k, v) in &cat.schemas {
        add(
            ObjectId::Schema { name: k.clone() }.to_string(),
            hash_value(v),
        );
    }
    for (k, v) in &cat.schema_comments {
        add(format!("comment on schema {k}"), hash_value(v));
    }
    for (k, v) in &cat.extensions {
        add(
            ObjectId::Extension { name: k.clone() }.to_string(),
            hash_value(v),
        );
    }
    for (k, v) in &cat.enums {
        add(format!("enum {k}"), hash_value(v));
    }
    for (k, v) in &cat.domains {
        add(format!("domain {k}"), hash_value(v));
    }
    for (k, v) in &cat.composites {
        add(format!("composite type {k}"), hash_value(v));
    }
    for (k, v) in &cat.ranges {
        add(format!("range type {k}"), hash_value(v));
    }
    for (k, v) in &cat.collations {
        add(format!("collation {k}"), hash_value(v));
    }
    for (k, v) in &cat.sequences {
        add(format!("sequence {k}"), hash_value(v));
    }
    for (k, v) in &cat.tables {
        add(format!("table {k}"), hash_value(v));
    }
    for (k, v) in &cat.table_options {
        add(format!("options of table {k}"), hash_value(v));
    }
    for (k, v) in &cat.indexes {
        add(format!("index {k}"), hash_value(v));
    }
    for (k, v) in &cat.views {
        add(format!("view {k}"), hash_value(v));
    }
    for (k, v) in &cat.functions {
        add(format!("function {k}"), hash_value(v));
    }
    for ((t, n), v) in &cat.triggers {
        add(format!("trigger {n} on {t}"), hash_value(v));
    }
    for (k, v) in &cat.event_triggers {
        add(format!("event trigger {k}"), hash_value(v));
    }
    for ((t, n), v) in &cat.policies {
        add(format!("policy {n} on {t}"), hash_value(v));
    }
    for (k, v) in &cat.privileges {
        add(format!("privileges on {k}"), hash_value(v));
    }
    for v in cat.default_privileges.values() {
        add(v.id().to_string(), hash_value(v));
    }
    for (k, v) in &cat.owners {
        add(format!("owner of {k}"), hash_value(v));
    }
    out
}

/// How `actual` differs from `expected`, object by object (empty when the whole hashes
/// agree).
pub fn drift(expected: &Fingerprint, actual: &Fingerprint) -> Vec<Drift> {
    if expected.hash == actual.hash {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, h) in &expected.objects {
        match actual.objects.get(name) {
            None => out.push(Drift::Disappeared(name.clone())),
            Some(a) if a != h => out.push(Drift::Changed(name.clone())),
            Some(_) => {}
        }
    }
    for name in actual.objects.keys() {
        if !expected.objects.contains_key(name) {
            out.push(Drift::Appeared(name.clone()));
        }
    }
    if out.is_empty() {
        out.push(Drift::Other);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{Expr, Schema};

    fn cat() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        c
    }

    #[test]
    fn equal_catalogs_hash_equal_and_a_new_object_is_named() {
        let a = cat();
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        let mut b = cat();
        b.schemas
            .insert("app".into(), Schema { name: "app".into() });
        let d = drift(&fingerprint(&a), &fingerprint(&b));
        assert_eq!(d, vec![Drift::Appeared("schema app".into())]);
        let d = drift(&fingerprint(&b), &fingerprint(&a));
        assert_eq!(d, vec![Drift::Disappeared("schema app".into())]);
    }

    #[test]
    fn expressions_hash_by_canon_only() {
        let x = Expr::new("(a>0)", "(a > 0)");
        let y = Expr::new("((a > 0))", "(a > 0)");
        assert_eq!(hash_value(&x), hash_value(&y));
        let z = Expr::new("(a>0)", "(a > 1)");
        assert_ne!(hash_value(&x), hash_value(&z));
    }

    #[test]
    fn sha256_of_empty_input_is_the_known_value() {
        assert_eq!(
            sha256(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
