//! The document keys for views, routines, triggers, domains, composite and range types,
//! row-level security, policies, privileges, default privileges and table options.
//! Like `doc.rs`: every struct denies unknown keys, so serde_yaml reports the line and
//! column of a wrong key or a value of the wrong type.

use crate::doc::{CheckDoc, IndexDoc, OrderedMap};
use serde::de::{self, value::MapAccessDeserializer, MapAccess};
use serde::{Deserialize, Deserializer};
use shale_model::QualName;
use std::fmt;

// ---------------------------------------------------------------------------------------
// Schemas

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFull {
    pub name: String,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

/// `- app` or `- {name: app, comment: ..., grants: {...}}`.
#[derive(Debug)]
pub struct SchemaItem(pub SchemaFull);

impl<'de> Deserialize<'de> for SchemaItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = SchemaItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a schema name or a mapping")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SchemaItem, E> {
                Ok(SchemaItem(SchemaFull {
                    name: s.to_string(),
                    comment: None,
                    grants: None,
                    owner: None,
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<SchemaItem, A::Error> {
                SchemaFull::deserialize(MapAccessDeserializer::new(m)).map(SchemaItem)
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------
// Privileges

/// `{role: [select, "update with grant option"], PUBLIC: [usage]}`: the complete set of
/// privileges roles other than the owner hold on an object.
pub type Grants = OrderedMap<Vec<String>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultPrivilegesDoc {
    /// The role whose future objects get these privileges (default: the role running
    /// the files).
    #[serde(default)]
    pub role: Option<String>,
    /// Only objects created in this schema (added to the global defaults).
    #[serde(default)]
    pub schema: Option<String>,
    /// `tables`, `sequences`, `functions`, `types` or `schemas`.
    pub on: String,
    pub grants: Grants,
}

// ---------------------------------------------------------------------------------------
// Views

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewDoc {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub materialized: bool,
    pub query: String,
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    #[serde(default)]
    pub security_barrier: Option<bool>,
    #[serde(default)]
    pub security_invoker: Option<bool>,
    /// `local` or `cascaded`.
    #[serde(default)]
    pub check_option: Option<String>,
    /// Materialized views: `false` for `WITH NO DATA`.
    #[serde(default = "yes")]
    pub with_data: bool,
    /// Materialized views: storage parameters (`WITH (…)`).
    #[serde(default)]
    pub with: crate::doc::OrderedMap<Scalar>,
    #[serde(default)]
    pub indexes: Vec<IndexDoc>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub column_comments: OrderedMap<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub column_grants: OrderedMap<Grants>,
    #[serde(default)]
    pub triggers: OrderedMap<TriggerDoc>,
    /// Rewrite rules (`CREATE RULE`) on the view, by name.
    #[serde(default)]
    pub rules: OrderedMap<crate::rewrite_rules::RuleDoc>,
}

fn yes() -> bool {
    true
}

// ---------------------------------------------------------------------------------------
// Functions and procedures

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgFull {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    /// `in` (default), `out`, `inout`, `variadic`.
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
}

/// `- integer` (an unnamed argument) or `- {name: x, type: integer, mode: inout}`.
#[derive(Debug)]
pub struct ArgDoc(pub ArgFull);

impl<'de> Deserialize<'de> for ArgDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = ArgDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type or an argument mapping")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ArgDoc, E> {
                Ok(ArgDoc(ArgFull {
                    ty: s.to_string(),
                    ..Default::default()
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<ArgDoc, A::Error> {
                ArgFull::deserialize(MapAccessDeserializer::new(m)).map(ArgDoc)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionDoc {
    /// `name` or `schema.name`.
    pub name: String,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub args: Vec<ArgDoc>,
    /// A type, or `setof type` (functions only).
    #[serde(default)]
    pub returns: Option<String>,
    /// `RETURNS TABLE (...)`: output column → type (functions only).
    #[serde(default)]
    pub returns_table: Option<OrderedMap<String>>,
    pub language: String,
    /// `immutable`, `stable` or `volatile` (default).
    #[serde(default)]
    pub volatility: Option<String>,
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub security_definer: bool,
    #[serde(default)]
    pub leakproof: bool,
    /// `unsafe` (default), `restricted` or `safe`.
    #[serde(default)]
    pub parallel: Option<String>,
    #[serde(default)]
    pub cost: Option<Number>,
    #[serde(default)]
    pub rows: Option<Number>,
    /// `SET name = value` options.
    #[serde(default, rename = "set")]
    pub config: OrderedMap<String>,
    /// The body as a string (`AS $$…$$`).
    #[serde(default)]
    pub body: Option<String>,
    /// A SQL-standard body: `RETURN expr` or `BEGIN ATOMIC … END`.
    #[serde(default)]
    pub sql_body: Option<String>,
    /// A C function's shared library (`AS 'obj_file', 'link_symbol'`).
    #[serde(default)]
    pub obj_file: Option<String>,
    /// The symbol in `obj_file` that implements a C function.
    #[serde(default)]
    pub link_symbol: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

/// A number given as a YAML number or a string (`cost: 10`, `cost: "0.5"`).
#[derive(Debug, Clone)]
pub struct Number(pub String);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Number, E> {
                if s.trim().parse::<f64>().is_ok() {
                    Ok(Number(s.trim().to_string()))
                } else {
                    Err(E::custom(format!("`{s}` is not a number")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------
// Event triggers

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTriggerDoc {
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite` (or `login`).
    pub event: String,
    /// `WHEN TAG IN (...)`: command tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The function it executes: `name` or `schema.name`.
    pub function: NameRef,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Triggers

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerDoc {
    /// `before`, `after` or `instead_of`.
    pub timing: String,
    /// `insert`, `update`, `delete`, `truncate`.
    pub events: Vec<String>,
    #[serde(default)]
    pub update_of: Vec<String>,
    /// `row` or `statement` (default).
    #[serde(default)]
    pub for_each: Option<String>,
    #[serde(default)]
    pub when: Option<String>,
    /// `name` or `schema.name` of the trigger function.
    pub function: NameRef,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub constraint: bool,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    /// Constraint triggers: `FROM` the referenced table.
    #[serde(default)]
    pub from: Option<NameRef>,
    #[serde(default)]
    pub referencing: Option<ReferencingDoc>,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferencingDoc {
    #[serde(default)]
    pub old_table: Option<String>,
    #[serde(default)]
    pub new_table: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Policies

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// `all` (default), `select`, `insert`, `update`, `delete`.
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub restrictive: bool,
    /// Default: `[PUBLIC]`.
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub using: Option<String>,
    #[serde(default)]
    pub with_check: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Types

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainDoc {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub collation: Option<String>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub not_null: bool,
    #[serde(default)]
    pub checks: Vec<CheckDoc>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeFull {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub collation: Option<String>,
}

/// `street: text` or `street: {type: text, collation: C}`.
#[derive(Debug)]
pub struct AttributeDoc(pub AttributeFull);

impl<'de> Deserialize<'de> for AttributeDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = AttributeDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type or an attribute mapping")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<AttributeDoc, E> {
                Ok(AttributeDoc(AttributeFull {
                    ty: s.to_string(),
                    collation: None,
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<AttributeDoc, A::Error> {
                AttributeFull::deserialize(MapAccessDeserializer::new(m)).map(AttributeDoc)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub attributes: OrderedMap<AttributeDoc>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub subtype: String,
    #[serde(default)]
    pub subtype_opclass: Option<String>,
    #[serde(default)]
    pub collation: Option<String>,
    #[serde(default)]
    pub canonical: Option<String>,
    #[serde(default)]
    pub subtype_diff: Option<String>,
    #[serde(default)]
    pub multirange: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Table options

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionOfDoc {
    /// `table` or `schema.table`.
    pub parent: NameRef,
    /// `default`, or what follows `FOR VALUES`: `FROM (…) TO (…)`, `IN (…)`,
    /// `WITH (MODULUS m, REMAINDER r)`.
    pub bound: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionElementDoc {
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default)]
    pub expr: Option<String>,
    /// The operator: `=`, `&&`, …
    pub with: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionDoc {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub using: Option<String>,
    pub elements: Vec<ExclusionElementDoc>,
    #[serde(default, rename = "where")]
    pub predicate: Option<String>,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A storage parameter value: a number, a boolean or a string, kept as written.
#[derive(Debug, Clone)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a boolean or a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar, E> {
                Ok(Scalar(s.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------
// Collations

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollationDoc {
    #[serde(default)]
    pub schema: Option<String>,
    /// `libc` (default) or `icu`.
    #[serde(default)]
    pub provider: Option<String>,
    pub locale: String,
    /// libc: an `LC_CTYPE` other than `locale` (which is then `LC_COLLATE`).
    #[serde(default)]
    pub lc_ctype: Option<String>,
    #[serde(default = "yes")]
    pub deterministic: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A reference to another object: `name` (schema `public`), `schema.name` (split at the
/// first dot), or `{schema: ..., name: ...}` when a name holds a dot.
#[derive(Debug, Clone)]
pub struct NameRef(pub QualName);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameRefFull {
    #[serde(default)]
    schema: Option<String>,
    name: String,
}

impl<'de> Deserialize<'de> for NameRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = NameRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`name`, `schema.name` or a mapping with `schema` and `name`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<NameRef, E> {
                Ok(NameRef(match s.split_once('.') {
                    Some((sch, n)) => QualName::new(sch, n),
                    None => QualName::new("public", s),
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<NameRef, A::Error> {
                let f = NameRefFull::deserialize(MapAccessDeserializer::new(m))?;
                Ok(NameRef(QualName::new(
                    f.schema.unwrap_or_else(|| "public".to_string()),
                    f.name,
                )))
            }
        }
        d.deserialize_any(V)
    }
}
