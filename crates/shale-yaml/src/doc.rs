//! The YAML document as written by the user: serde structs, one per object kind.
//!
//! Every struct denies unknown keys. Short forms (a column given as just its type, a
//! primary key given as a list of columns, ...) are accepted by small visitors that hand a
//! mapping on to the derived deserializer of the long form, so that serde_yaml keeps the
//! line and column of any error.

use serde::de::{self, value::MapAccessDeserializer, value::SeqAccessDeserializer, MapAccess};
use serde::{Deserialize, Deserializer};
use shale_model::FkAction;
use std::fmt;

pub use crate::doc_families::*;

/// One YAML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(default)]
    pub schemas: Vec<SchemaItem>,
    #[serde(default)]
    pub extensions: Vec<ExtensionItem>,
    #[serde(default)]
    pub enums: OrderedMap<EnumDoc>,
    #[serde(default)]
    pub sequences: OrderedMap<SequenceDoc>,
    #[serde(default)]
    pub tables: OrderedMap<TableDoc>,
    #[serde(default)]
    pub collations: OrderedMap<CollationDoc>,
    #[serde(default)]
    pub domains: OrderedMap<DomainDoc>,
    #[serde(default)]
    pub composite_types: OrderedMap<CompositeDoc>,
    #[serde(default)]
    pub range_types: OrderedMap<RangeDoc>,
    #[serde(default)]
    pub functions: Vec<FunctionDoc>,
    #[serde(default)]
    pub procedures: Vec<FunctionDoc>,
    #[serde(default)]
    pub views: OrderedMap<ViewDoc>,
    #[serde(default)]
    pub default_privileges: Vec<DefaultPrivilegesDoc>,
    #[serde(default)]
    pub event_triggers: OrderedMap<EventTriggerDoc>,
    #[serde(default)]
    pub aggregates: Vec<crate::aggregates::AggregateDoc>,
    #[serde(default)]
    pub casts: Vec<crate::aggregates::CastDoc>,
    #[serde(default)]
    pub statistics: OrderedMap<crate::statistics::StatisticsDoc>,
    #[serde(default)]
    pub foreign_data_wrappers: OrderedMap<crate::foreign_data::WrapperDoc>,
    #[serde(default)]
    pub servers: OrderedMap<crate::foreign_data::ServerDoc>,
    #[serde(default)]
    pub foreign_tables: OrderedMap<crate::foreign_data::ForeignTableDoc>,
    #[serde(default)]
    pub publications: OrderedMap<crate::publications::PublicationDoc>,
    #[serde(default)]
    pub subscriptions: OrderedMap<crate::publications::SubscriptionDoc>,
    #[serde(default)]
    pub operators: Vec<crate::operators::OperatorDoc>,
    #[serde(default)]
    pub operator_families: Vec<crate::operators::FamilyDoc>,
    #[serde(default)]
    pub operator_classes: Vec<crate::operators::ClassDoc>,
    #[serde(default)]
    pub text_search_parsers: OrderedMap<crate::text_search::ParserDoc>,
    #[serde(default)]
    pub text_search_templates: OrderedMap<crate::text_search::TemplateDoc>,
    #[serde(default)]
    pub text_search_dictionaries: OrderedMap<crate::text_search::DictionaryDoc>,
    #[serde(default)]
    pub text_search_configurations: OrderedMap<crate::text_search::ConfigurationDoc>,
}

/// A mapping whose key order is kept (columns are in the order written) and whose keys
/// must be unique.
#[derive(Debug)]
pub struct OrderedMap<T>(pub Vec<(String, T)>);

impl<T> Default for OrderedMap<T> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrderedMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for V<T> {
            type Value = OrderedMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to definitions")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    if out.iter().any(|(n, _)| *n == k) {
                        // Fail while reading the value, so the error points at this entry.
                        m.next_value_seed(Duplicate(&k))?;
                    }
                    let v = m.next_value::<T>()?;
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Reading the value of a repeated key: always an error.
struct Duplicate<'a>(&'a str);

impl<'de> de::DeserializeSeed<'de> for Duplicate<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // Fail inside a visitor: serde_yaml then places the error at the value.
        struct V(String);
        impl V {
            fn fail<E: de::Error>(self) -> Result<(), E> {
                Err(E::custom(format!("duplicate name `{}`", self.0)))
            }
        }
        impl<'de> de::Visitor<'de> for V {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name not used before")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
                self.fail()
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
                self.fail()
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
                self.fail()
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
                self.fail()
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
                self.fail()
            }
            fn visit_unit<E: de::Error>(self) -> Result<(), E> {
                self.fail()
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
                self.fail()
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
                self.fail()
            }
        }
        d.deserialize_any(V(self.0.to_string()))
    }
}

/// Implements `Deserialize` for a type that has a short form (a string or a list) and a
/// long form (a mapping deserialized as `$full`).
macro_rules! short_or_long {
    ($ty:ident, $full:ty, $expecting:expr,
     str: |$s:ident| $from_str:expr,
     seq: |$q:ident| $from_seq:expr) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> de::Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    #[allow(unreachable_code, unused_variables)]
                    fn visit_str<E: de::Error>(self, $s: &str) -> Result<$ty, E> {
                        $from_str
                    }
                    #[allow(unreachable_code, unused_variables)]
                    fn visit_seq<A: de::SeqAccess<'de>>(self, $q: A) -> Result<$ty, A::Error> {
                        $from_seq
                    }
                    fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<$ty, A::Error> {
                        <$full>::deserialize(MapAccessDeserializer::new(m)).map(Into::into)
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

/// `pub struct $ty(pub $full);` (debuggable) with `From<$full>`: the value of a key that
/// takes a short form or the mapping `$full` (read by [`short_or_long!`]).
macro_rules! newtype {
    ($(#[$m:meta])* $ty:ident($full:ty)) => {
        $(#[$m])*
        #[derive(Debug)]
        pub struct $ty(pub $full);
        impl From<$full> for $ty {
            fn from(d: $full) -> Self {
                $ty(d)
            }
        }
    };
}

fn not_this<T, E: de::Error>(what: &str, expected: &str) -> Result<T, E> {
    Err(E::custom(format!(
        "invalid type: {what}, expected {expected}"
    )))
}

// ---------------------------------------------------------------------------------------
// Extensions

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDoc {
    pub name: String,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

newtype!(
    /// `- pgcrypto` or `- {name: citext, schema: ext, version: "1.6"}`.
    ExtensionItem(ExtensionDoc)
);
short_or_long!(ExtensionItem, ExtensionDoc, "an extension name or a mapping",
    str: |s| Ok(ExtensionItem(ExtensionDoc { name: s.to_string(), schema: None, version: None })),
    seq: |q| not_this("sequence", "an extension name or a mapping"));

// ---------------------------------------------------------------------------------------
// Enums

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumFull {
    #[serde(default)]
    pub schema: Option<String>,
    pub values: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
}

newtype!(
    /// `mood: [sad, ok, happy]` or `mood: {values: [...], comment: ...}`.
    EnumDoc(EnumFull)
);
short_or_long!(EnumDoc, EnumFull, "a list of labels or a mapping",
    str: |s| not_this("string", "a list of labels or a mapping"),
    seq: |q| Vec::<String>::deserialize(SeqAccessDeserializer::new(q))
        .map(|values| EnumDoc(EnumFull { schema: None, values, comment: None, grants: None, owner: None, renamed_from: None })));

// ---------------------------------------------------------------------------------------
// Sequences

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceDoc {
    #[serde(default)]
    pub schema: Option<String>,
    /// `smallint`, `integer` or `bigint` (the default).
    #[serde(default, rename = "type")]
    pub ty: Option<String>,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub increment: Option<i64>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub cache: Option<i64>,
    #[serde(default)]
    pub cycle: bool,
    /// `table.column` or `schema.table.column`.
    #[serde(default)]
    pub owned_by: Option<OwnedBy>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnedByFull {
    #[serde(default)]
    pub schema: Option<String>,
    pub table: String,
    pub column: String,
}

#[derive(Debug)]
pub enum OwnedBy {
    Dotted(String),
    Full(OwnedByFull),
}
impl From<OwnedByFull> for OwnedBy {
    fn from(d: OwnedByFull) -> Self {
        OwnedBy::Full(d)
    }
}
short_or_long!(OwnedBy, OwnedByFull, "`table.column` or a mapping",
    str: |s| Ok(OwnedBy::Dotted(s.to_string())),
    seq: |q| not_this("sequence", "`table.column` or a mapping"));

// ---------------------------------------------------------------------------------------
// Tables

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDoc {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub columns: OrderedMap<ColumnDoc>,
    #[serde(default)]
    pub primary_key: Option<PrimaryKeyDoc>,
    #[serde(default)]
    pub unique: Vec<UniqueDoc>,
    #[serde(default)]
    pub checks: Vec<CheckDoc>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeyDoc>,
    #[serde(default)]
    pub indexes: Vec<IndexDoc>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
    #[serde(default)]
    pub exclusions: Vec<ExclusionDoc>,
    #[serde(default)]
    pub unlogged: bool,
    /// Storage parameters (`WITH (fillfactor = 70)`).
    #[serde(default)]
    pub with: OrderedMap<Scalar>,
    /// `range (created_at)`, `list (region)`, `hash (id)`.
    #[serde(default)]
    pub partition_by: Option<String>,
    #[serde(default)]
    pub partition_of: Option<PartitionOfDoc>,
    #[serde(default)]
    pub inherits: Vec<NameRef>,
    /// `default`, `full`, `nothing` or `index <name>`.
    #[serde(default)]
    pub replica_identity: Option<String>,
    #[serde(default)]
    pub cluster_on: Option<String>,
    #[serde(default)]
    pub row_level_security: bool,
    #[serde(default)]
    pub force_row_level_security: bool,
    #[serde(default)]
    pub policies: OrderedMap<PolicyDoc>,
    #[serde(default)]
    pub triggers: OrderedMap<TriggerDoc>,
    /// A child's (partition's) own settings of columns it gets from its parents.
    #[serde(default)]
    pub inherited_columns: OrderedMap<InheritedColumnDoc>,
    /// Rewrite rules (`CREATE RULE`) on the table, by name.
    #[serde(default)]
    pub rules: OrderedMap<crate::rewrite_rules::RuleDoc>,
    #[serde(default)]
    pub grants: Option<Grants>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

/// What a child sets of its own on a column it gets from a parent.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InheritedColumnDoc {
    #[serde(default)]
    pub not_null: bool,
    /// A SQL expression.
    #[serde(default)]
    pub default: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnFull {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub not_null: Option<bool>,
    #[serde(default)]
    pub nullable: Option<bool>,
    /// A SQL expression (`now()`, `0`, `'draft'`).
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub identity: Option<IdentityDoc>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    #[serde(default)]
    pub generated: Option<String>,
    #[serde(default)]
    pub collation: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub primary_key: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub references: Option<ColumnReferences>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// Backfill: an SQL expression that fills the column for existing rows.
    #[serde(default)]
    pub backfill: Option<String>,
    #[serde(default)]
    pub statistics: Option<i32>,
    #[serde(default)]
    pub storage: Option<String>,
    #[serde(default)]
    pub compression: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
}

newtype!(
    /// `email: text` or `email: {type: text, not_null: true, ...}`.
    ColumnDoc(ColumnFull)
);
short_or_long!(ColumnDoc, ColumnFull, "a type name or a column mapping",
    str: |s| Ok(ColumnDoc(ColumnFull { ty: s.to_string(), ..Default::default() })),
    seq: |q| not_this("sequence", "a type name or a column mapping"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityFull {
    #[serde(default)]
    pub always: bool,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub increment: Option<i64>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub cache: Option<i64>,
    #[serde(default)]
    pub cycle: bool,
}

newtype!(
    /// `identity: always`, `identity: by_default` or a mapping with the sequence options.
    IdentityDoc(IdentityFull)
);
short_or_long!(IdentityDoc, IdentityFull, "`always`, `by_default` or a mapping",
    str: |s| {
        let always = match s {
            "always" => true,
            "by_default" | "by default" => false,
            _ => return Err(E::custom(format!(
                "unknown identity kind `{s}`, expected `always` or `by_default`"))),
        };
        Ok(IdentityDoc(IdentityFull {
            always, start: None, increment: None, min: None, max: None, cache: None, cycle: false,
        }))
    },
    seq: |q| not_this("sequence", "`always`, `by_default` or a mapping"));

/// Where a foreign key points: `users(id)`, `app.users(a, b)`, `users` (its primary key)
/// or `{table: users, columns: [id]}`.
#[derive(Debug, Clone)]
pub struct RefTarget {
    pub schema: Option<String>,
    pub table: String,
    /// Empty: the referenced table's primary key.
    pub columns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefTargetFull {
    #[serde(default)]
    pub schema: Option<String>,
    pub table: String,
    #[serde(default)]
    pub columns: Option<OneOrMany>,
    #[serde(default)]
    pub column: Option<String>,
}

impl RefTarget {
    /// Reads `table`, `schema.table`, `table(a)` or `schema.table(a, b)`.
    pub fn parse(s: &str) -> Result<RefTarget, String> {
        let s = s.trim();
        let (head, cols) = match s.find('(') {
            Some(i) => {
                let rest = &s[i + 1..];
                let Some(inner) = rest.strip_suffix(')') else {
                    return Err(format!(
                        "cannot read reference `{s}`: expected `table(column, ...)`"
                    ));
                };
                let cols: Vec<String> = inner.split(',').map(|c| c.trim().to_string()).collect();
                if cols.iter().any(|c| c.is_empty() || c.contains(['(', ')'])) {
                    return Err(format!(
                        "cannot read reference `{s}`: expected `table(column, ...)`"
                    ));
                }
                (s[..i].trim(), cols)
            }
            None => (s, Vec::new()),
        };
        if head.is_empty() {
            return Err(format!("cannot read reference `{s}`: no table named"));
        }
        let (schema, table) = match head.split_once('.') {
            Some((sch, t)) => (Some(sch.to_string()), t.to_string()),
            None => (None, head.to_string()),
        };
        Ok(RefTarget {
            schema,
            table,
            columns: cols,
        })
    }
}

fn ref_target_from_full<E: de::Error>(f: RefTargetFull) -> Result<RefTarget, E> {
    let columns = match (f.columns, f.column) {
        (Some(_), Some(_)) => {
            return Err(E::custom("give either `column` or `columns`, not both"));
        }
        (Some(c), None) => c.0,
        (None, Some(c)) => vec![c],
        (None, None) => Vec::new(),
    };
    Ok(RefTarget {
        schema: f.schema,
        table: f.table,
        columns,
    })
}

impl<'de> Deserialize<'de> for RefTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RefTarget;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`table(column)` or a mapping with `table` and `columns`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RefTarget, E> {
                RefTarget::parse(s).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<RefTarget, A::Error> {
                let f = RefTargetFull::deserialize(MapAccessDeserializer::new(m))?;
                ref_target_from_full(f)
            }
        }
        d.deserialize_any(V)
    }
}

/// The options a foreign key has besides its columns and target.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FkOptions {
    #[serde(default)]
    pub on_delete: Option<Action>,
    #[serde(default)]
    pub on_update: Option<Action>,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub not_valid: bool,
    #[serde(default)]
    pub match_full: bool,
}

/// A column's `references:` mapping form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnReferencesFull {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub schema: Option<String>,
    pub table: String,
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default)]
    pub on_delete: Option<Action>,
    #[serde(default)]
    pub on_update: Option<Action>,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub not_valid: bool,
    #[serde(default)]
    pub match_full: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
}

/// `references: users(id)` or `references: {table: users, column: id, on_delete: cascade}`.
#[derive(Debug)]
pub struct ColumnReferences {
    pub name: Option<String>,
    pub target: RefTarget,
    pub options: FkOptions,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
}

impl<'de> Deserialize<'de> for ColumnReferences {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = ColumnReferences;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`table(column)` or a mapping with `table`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ColumnReferences, E> {
                let target = RefTarget::parse(s).map_err(E::custom)?;
                if target.columns.len() > 1 {
                    return Err(E::custom(format!(
                        "a column references one column, `{s}` names {}",
                        target.columns.len()
                    )));
                }
                Ok(ColumnReferences {
                    name: None,
                    target,
                    options: FkOptions::default(),
                    comment: None,
                    renamed_from: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<ColumnReferences, A::Error> {
                let f = ColumnReferencesFull::deserialize(MapAccessDeserializer::new(m))?;
                Ok(ColumnReferences {
                    name: f.name,
                    target: RefTarget {
                        schema: f.schema,
                        table: f.table,
                        columns: f.column.into_iter().collect(),
                    },
                    options: FkOptions {
                        on_delete: f.on_delete,
                        on_update: f.on_update,
                        deferrable: f.deferrable,
                        initially_deferred: f.initially_deferred,
                        not_valid: f.not_valid,
                        match_full: f.match_full,
                    },
                    comment: f.comment,
                    renamed_from: f.renamed_from,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A referential action: `cascade`, `restrict`, `set null`, `set default`, `no action`
/// (spaces or underscores, any case).
#[derive(Debug, Clone, Copy)]
pub struct Action(pub FkAction);

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let norm = s
            .to_ascii_lowercase()
            .replace('_', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let a = match norm.as_str() {
            "no action" => FkAction::NoAction,
            "restrict" => FkAction::Restrict,
            "cascade" => FkAction::Cascade,
            "set null" => FkAction::SetNull,
            "set default" => FkAction::SetDefault,
            _ => {
                return Err(de::Error::custom(format!(
                    "unknown referential action `{s}`, expected one of `no_action`, \
                     `restrict`, `cascade`, `set_null`, `set_default`"
                )))
            }
        };
        Ok(Action(a))
    }
}

/// A list of names, or one name.
#[derive(Debug, Clone, Default)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a column name or a list of column names")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![s.to_string()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, q: A) -> Result<OneOrMany, A::Error> {
                Vec::<String>::deserialize(SeqAccessDeserializer::new(q)).map(OneOrMany)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKeyFull {
    #[serde(default)]
    pub name: Option<String>,
    pub columns: OneOrMany,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// The comment on the index that backs the key (`COMMENT ON INDEX`).
    #[serde(default)]
    pub index_comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// A partition's key attached to the parent's partitioned index (see `IndexDoc`).
    #[serde(default)]
    pub attach_to: Option<IndexRef>,
    /// Added `ONLY` to a partitioned table (`ALTER TABLE ONLY … ADD`): its index is
    /// invalid while a partition has no index attached to it.
    #[serde(default)]
    pub only: bool,
}

newtype!(
    /// `primary_key: [a, b]` or a mapping.
    PrimaryKeyDoc(PrimaryKeyFull)
);
fn pk_from_cols(columns: Vec<String>) -> PrimaryKeyDoc {
    PrimaryKeyDoc(PrimaryKeyFull {
        columns: OneOrMany(columns),
        ..Default::default()
    })
}
short_or_long!(PrimaryKeyDoc, PrimaryKeyFull, "a list of columns or a mapping",
    str: |s| Ok(pk_from_cols(vec![s.to_string()])),
    seq: |q| Vec::<String>::deserialize(SeqAccessDeserializer::new(q)).map(pk_from_cols));

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniqueFull {
    #[serde(default)]
    pub name: Option<String>,
    pub columns: OneOrMany,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// The comment on the index that backs the key (`COMMENT ON INDEX`).
    #[serde(default)]
    pub index_comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// A partition's key attached to the parent's partitioned index (see `IndexDoc`).
    #[serde(default)]
    pub attach_to: Option<IndexRef>,
    /// Added `ONLY` to a partitioned table (`ALTER TABLE ONLY … ADD`): its index is
    /// invalid while a partition has no index attached to it.
    #[serde(default)]
    pub only: bool,
}

newtype!(
    /// `- [a, b]` or a mapping.
    UniqueDoc(UniqueFull)
);
fn unique_from_cols(columns: Vec<String>) -> UniqueDoc {
    UniqueDoc(UniqueFull {
        columns: OneOrMany(columns),
        ..Default::default()
    })
}
short_or_long!(UniqueDoc, UniqueFull, "a list of columns or a mapping",
    str: |s| Ok(unique_from_cols(vec![s.to_string()])),
    seq: |q| Vec::<String>::deserialize(SeqAccessDeserializer::new(q)).map(unique_from_cols));

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFull {
    #[serde(default)]
    pub name: Option<String>,
    pub expr: String,
    #[serde(default)]
    pub not_valid: bool,
    #[serde(default)]
    pub no_inherit: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
}

newtype!(
    /// `- price > 0` or a mapping.
    CheckDoc(CheckFull)
);
short_or_long!(CheckDoc, CheckFull, "an expression or a mapping",
    str: |s| Ok(CheckDoc(CheckFull { expr: s.to_string(), ..Default::default() })),
    seq: |q| not_this("sequence", "an expression or a mapping"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKeyDoc {
    #[serde(default)]
    pub name: Option<String>,
    pub columns: OneOrMany,
    pub references: RefTarget,
    #[serde(default)]
    pub on_delete: Option<Action>,
    #[serde(default)]
    pub on_update: Option<Action>,
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub initially_deferred: bool,
    #[serde(default)]
    pub not_valid: bool,
    #[serde(default)]
    pub match_full: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexDoc {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    #[serde(default)]
    pub keys: Option<Vec<KeyDoc>>,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub using: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default, rename = "where")]
    pub predicate: Option<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Rename hint: the name this object had before (see docs/DIRECTIVES.md).
    #[serde(default)]
    pub renamed_from: Option<String>,
    /// Storage parameters (`WITH (…)`).
    #[serde(default)]
    pub with: OrderedMap<Scalar>,
    /// A partition's index attached to the parent's partitioned index (`ALTER INDEX
    /// parent ATTACH PARTITION`).
    #[serde(default)]
    pub attach_to: Option<IndexRef>,
    /// `CREATE INDEX … ON ONLY`: not made on the partitions (invalid while a partition
    /// has no index attached).
    #[serde(default)]
    pub only: bool,
}

/// Another index by name: `name` (in the schema of the index naming it), `schema.name`
/// (split at the first dot), or `{schema: ..., name: ...}` when a name holds a dot.
#[derive(Debug, Clone)]
pub struct IndexRef {
    pub schema: Option<String>,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexRefFull {
    #[serde(default)]
    schema: Option<String>,
    name: String,
}

impl From<IndexRefFull> for IndexRef {
    fn from(f: IndexRefFull) -> Self {
        IndexRef {
            schema: f.schema,
            name: f.name,
        }
    }
}

short_or_long!(IndexRef, IndexRefFull, "`name`, `schema.name` or a mapping with `schema` and `name`",
    str: |s| Ok(match s.split_once('.') {
        Some((sch, n)) => IndexRef { schema: Some(sch.to_string()), name: n.to_string() },
        None => IndexRef { schema: None, name: s.to_string() },
    }),
    seq: |q| not_this("sequence", "an index name"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nulls {
    First,
    Last,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFull {
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default)]
    pub expr: Option<String>,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub nulls: Option<Nulls>,
    #[serde(default)]
    pub opclass: Option<String>,
    #[serde(default)]
    pub collation: Option<String>,
    /// Statistics target of an expression key (`ALTER INDEX … ALTER COLUMN n SET
    /// STATISTICS`).
    #[serde(default)]
    pub statistics: Option<i32>,
}

newtype!(
    /// `- email` (a column) or `- {expr: lower(email)}` / `- {column: created_at, desc: true}`.
    KeyDoc(KeyFull)
);
short_or_long!(KeyDoc, KeyFull, "a column name or a key mapping",
    str: |s| Ok(KeyDoc(KeyFull { column: Some(s.to_string()), ..Default::default() })),
    seq: |q| not_this("sequence", "a column name or a key mapping"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_reference_strings() {
        let r = RefTarget::parse("app.users(a, b)").unwrap();
        assert_eq!(r.schema.as_deref(), Some("app"));
        assert_eq!(r.table, "users");
        assert_eq!(r.columns, vec!["a", "b"]);
        let r = RefTarget::parse("users").unwrap();
        assert!(r.columns.is_empty() && r.schema.is_none());
        assert!(RefTarget::parse("users(id").is_err());
        assert!(RefTarget::parse("(id)").is_err());
        assert!(RefTarget::parse("users(a,)").is_err());
    }
}
