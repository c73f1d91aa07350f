//! The canonical schema model.
//!
//! Every front end (SQL files, YAML files, a live database) produces a [`Catalog`]; the
//! diff compares two of them. The invariant the whole project rests on:
//! `model(parse(S)) == model(introspect(database after running S))` for any schema `S`.
//! So every field here is canonical: names are case-folded, implicit names are filled
//! in, types are spelled as `format_type` spells them, expressions compare by their
//! normalized form, and defaults that PostgreSQL fills in (sequence bounds, `ASC NULLS
//! LAST`, `NO ACTION`) are explicit values rather than absences.
//!
//! This crate is plain data: it depends on nothing of shale's and parses nothing.

pub mod aggregates;
pub mod casts;
pub mod directives;
pub mod event_triggers;
pub mod filter;
pub mod foreign_data;
pub mod ident;
mod lookup;
pub mod naming;
pub mod operators;
pub mod publications;
pub mod rewrite_rules;
pub mod routines;
pub mod security;
pub mod statements;
pub mod statistics;
pub mod table_options;
pub mod text_search;
pub mod types;
pub mod user_types;

pub use directives::*;

pub use aggregates::{Aggregate, AggregateKind, FinalModify};
pub use casts::{Cast, CastContext, CastMethod};
pub use event_triggers::{EventTrigger, EventTriggerEvent};

pub use foreign_data::{ForeignDataWrapper, ForeignServer, ForeignTable, Options, UserMapping};
pub use ident::{quote_ident, quote_literal, QualName};
pub use operators::{FamilyFunction, FamilyOperator, Operator, OperatorClass, OperatorFamily};
pub use publications::{Publication, PublicationTable, Subscription};
pub use rewrite_rules::{RewriteRule, RuleEvent};
pub use routines::{
    ArgMode, CheckOption, Function, FunctionArg, FunctionBody, Parallel, RoutineKind, Trigger,
    TriggerEnabled, TriggerEvent, TriggerTiming, Unmodeled, View, Volatility,
};
pub use security::{Acl, DefaultObjects, DefaultPrivileges, Grant, Policy, PolicyCommand};
pub use statements::IgnoredStatement;
pub use statistics::Statistics;
pub use table_options::{
    AttachedIndex, BoundValue, Collation, ColumnOptions, Exclusion, ExclusionElement,
    PartitionBound, PartitionKey, PartitionOf, PartitionStrategy, ReplicaIdentity, TableOptions,
};
pub use text_search::{TsConfiguration, TsDictionary, TsMapping, TsOption, TsParser, TsTemplate};
pub use types::{Expr, TypeRef};
pub use user_types::{Attribute, CompositeType, Domain, DomainCheck, RangeType};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A whole database's worth of user objects, keyed for lookup and stable ordering.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// User schemas. `public` is included when it exists.
    #[serde(with = "keyed")]
    pub schemas: BTreeMap<String, Schema>,
    #[serde(with = "keyed")]
    pub extensions: BTreeMap<String, Extension>,
    #[serde(with = "keyed")]
    pub enums: BTreeMap<QualName, EnumType>,
    #[serde(with = "keyed")]
    pub sequences: BTreeMap<QualName, Sequence>,
    #[serde(with = "keyed")]
    pub tables: BTreeMap<QualName, Table>,
    /// Indexes that do not back a constraint (those are implied by the constraint).
    #[serde(with = "keyed")]
    pub indexes: BTreeMap<QualName, Index>,
    /// Views and materialized views (added later: absent in older JSON).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<QualName, View>,
    /// Functions and procedures, keyed by signature (`public.f(integer, text)`).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Function>,
    /// Triggers, keyed by table and name.
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<(QualName, String), Trigger>,
    /// Objects of kinds shale does not model yet: reported, never diffed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmodeled: Vec<Unmodeled>,
    /// Statements of the files that are not schema (data, `DO`, roles): skipped, listed
    /// with the plan, never diffed; none from a database (see [`statements`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_statements: Vec<IgnoredStatement>,
    /// Event triggers, by name (database-wide; event_triggers.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub event_triggers: BTreeMap<String, EventTrigger>,
    /// Partitioning, inheritance and other table options, for tables that have any.
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub table_options: BTreeMap<QualName, TableOptions>,
    /// Comments on schemas, by schema name (`public`'s default comment counts as none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schema_comments: BTreeMap<String, String>,
    /// Collations created with `CREATE COLLATION` (table_options.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub collations: BTreeMap<QualName, Collation>,
    /// Domains (user_types.rs; absent in older JSON).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<QualName, Domain>,
    /// Composite types (`CREATE TYPE … AS (…)`).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub composites: BTreeMap<QualName, CompositeType>,
    /// Range types.
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub ranges: BTreeMap<QualName, RangeType>,
    /// Row-level security policies, keyed by table and name (security.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<(QualName, String), Policy>,
    /// Privileges that differ from a new object's (see [`security`]), by object.
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub privileges: BTreeMap<ObjectId, Acl>,
    /// `ALTER DEFAULT PRIVILEGES`, by role, schema and kind of object (security.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub default_privileges: BTreeMap<security::DefaultKey, DefaultPrivileges>,
    /// Owners, only when asked for (`--include owners`): empty otherwise, and then owners
    /// are never compared (they differ between environments). See [`security`].
    #[serde(
        default,
        with = "security::owners_serde",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub owners: BTreeMap<ObjectId, String>,
    /// Aggregates, keyed by signature like functions (aggregates.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub aggregates: BTreeMap<String, Aggregate>,
    /// Casts made by `CREATE CAST`, by source and target type (casts.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub casts: BTreeMap<(String, String), Cast>,
    /// Publications, by name (publications.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub publications: BTreeMap<String, Publication>,
    /// Subscriptions of this database, by name (publications.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub subscriptions: BTreeMap<String, Subscription>,
    /// Foreign-data wrappers, by name (foreign_data.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_data_wrappers: BTreeMap<String, ForeignDataWrapper>,
    /// Foreign servers, by name (foreign_data.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_servers: BTreeMap<String, ForeignServer>,
    /// User mappings, by server and user (foreign_data.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub user_mappings: BTreeMap<(String, String), UserMapping>,
    /// Foreign tables (foreign_data.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub foreign_tables: BTreeMap<QualName, ForeignTable>,
    /// Extended statistics (`CREATE STATISTICS`; statistics.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<QualName, Statistics>,
    /// Operators, keyed by signature (operators.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Operator>,
    /// Operator families with all their members, by name and method (operators.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub operator_families: BTreeMap<(QualName, String), OperatorFamily>,
    /// Operator classes, by name and method (operators.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub operator_classes: BTreeMap<(QualName, String), OperatorClass>,
    /// Rewrite rules, keyed by table and name (rewrite_rules.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub rewrite_rules: BTreeMap<(QualName, String), RewriteRule>,
    /// Partitions' indexes attached to a partitioned index that are not the ones
    /// PostgreSQL makes by itself (table_options.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub attached_indexes: BTreeMap<QualName, AttachedIndex>,
    /// Text search parsers (text_search.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_parsers: BTreeMap<QualName, TsParser>,
    /// Text search templates (text_search.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_templates: BTreeMap<QualName, TsTemplate>,
    /// Text search dictionaries (text_search.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_dictionaries: BTreeMap<QualName, TsDictionary>,
    /// Text search configurations (text_search.rs).
    #[serde(default, with = "keyed", skip_serializing_if = "BTreeMap::is_empty")]
    pub ts_configurations: BTreeMap<QualName, TsConfiguration>,
    /// Functions and operators by name, built on first use (lookup.rs): a cache, not
    /// part of the value (never compared, serialized or cloned).
    #[serde(skip)]
    lookups: lookup::Lookups,
}

/// Maps whose key is part of the value serialize as plain lists of values.
pub trait Keyed {
    type Key: Ord;
    fn key(&self) -> Self::Key;
}

macro_rules! keyed {
    ($t:ty, $k:ty, |$v:ident| $e:expr) => {
        impl Keyed for $t {
            type Key = $k;
            fn key(&self) -> $k {
                let $v = self;
                $e
            }
        }
    };
}
keyed!(Schema, String, |s| s.name.clone());
keyed!(Extension, String, |s| s.name.clone());
keyed!(EnumType, QualName, |s| s.name.clone());
keyed!(Sequence, QualName, |s| s.name.clone());
keyed!(Table, QualName, |s| s.name.clone());
keyed!(Index, QualName, |s| s.name.clone());
keyed!(Constraint, String, |s| s.name.clone());
keyed!(View, QualName, |s| s.name.clone());
keyed!(Function, String, |s| s.signature());
keyed!(Trigger, (QualName, String), |s| s.key());
keyed!(TableOptions, QualName, |s| s.table.clone());
keyed!(Collation, QualName, |s| s.name.clone());
keyed!(Policy, (QualName, String), |s| s.key());
keyed!(Acl, ObjectId, |s| s.object.clone());
keyed!(DefaultPrivileges, security::DefaultKey, |s| s.key());
keyed!(Domain, QualName, |s| s.name.clone());
keyed!(DomainCheck, String, |s| s.name.clone());
keyed!(CompositeType, QualName, |s| s.name.clone());
keyed!(RangeType, QualName, |s| s.name.clone());
keyed!(EventTrigger, String, |s| s.name.clone());
keyed!(Aggregate, String, |s| s.signature());
keyed!(Cast, (String, String), |s| s.key());
keyed!(Publication, String, |s| s.name.clone());
keyed!(Subscription, String, |s| s.name.clone());
keyed!(ForeignDataWrapper, String, |s| s.name.clone());
keyed!(ForeignServer, String, |s| s.name.clone());
keyed!(UserMapping, (String, String), |s| s.key());
keyed!(ForeignTable, QualName, |s| s.name.clone());
keyed!(Statistics, QualName, |s| s.name.clone());
keyed!(Operator, String, |s| s.signature());
keyed!(OperatorFamily, (QualName, String), |s| s.key());
keyed!(OperatorClass, (QualName, String), |s| s.key());
keyed!(RewriteRule, (QualName, String), |s| s.key());
keyed!(AttachedIndex, QualName, |s| s.index.clone());
keyed!(TsParser, QualName, |s| s.name.clone());
keyed!(TsTemplate, QualName, |s| s.name.clone());
keyed!(TsDictionary, QualName, |s| s.name.clone());
keyed!(TsConfiguration, QualName, |s| s.name.clone());

mod keyed {
    use super::Keyed;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S, V>(map: &BTreeMap<V::Key, V>, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        V: Keyed + Serialize,
    {
        s.collect_seq(map.values())
    }

    pub fn deserialize<'de, D, V>(d: D) -> Result<BTreeMap<V::Key, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Keyed + Deserialize<'de>,
    {
        let items = Vec::<V>::deserialize(d)?;
        Ok(items.into_iter().map(|v| (v.key(), v)).collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    /// The schema its objects live in.
    pub schema: String,
    /// Compared only when the desired state names a version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub name: QualName,
    /// Labels in sort order.
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: QualName,
    /// `smallint`, `integer` or `bigint`.
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `OWNED BY table.column`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<ColumnRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Sequence {
    /// A sequence with PostgreSQL's defaults for `data_type` and the sign of `increment`.
    pub fn with_defaults(name: QualName, data_type: &str, increment: i64) -> Sequence {
        let max = match data_type {
            "smallint" => i16::MAX as i64,
            "integer" => i32::MAX as i64,
            _ => i64::MAX,
        };
        let min = match data_type {
            "smallint" => i16::MIN as i64,
            "integer" => i32::MIN as i64,
            _ => i64::MIN,
        };
        let (min_value, max_value) = if increment > 0 { (1, max) } else { (min, -1) };
        Sequence {
            name,
            data_type: data_type.to_string(),
            start: if increment > 0 { min_value } else { max_value },
            increment,
            min_value,
            max_value,
            cache: 1,
            cycle: false,
            owned_by: None,
            comment: None,
        }
    }
}

/// A column of a table: `table.column`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ColumnRef {
    pub table: QualName,
    pub column: String,
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.table, quote_ident(&self.column))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: QualName,
    /// In definition order (the order `CREATE TABLE` gives them).
    pub columns: Vec<Column>,
    /// Keyed by constraint name (names are unique per table).
    #[serde(with = "keyed")]
    pub constraints: BTreeMap<String, Constraint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `ENABLE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY` (applies to the owner too).
    #[serde(default, skip_serializing_if = "is_false")]
    pub rls_forced: bool,
}

impl Table {
    pub fn new(name: QualName) -> Table {
        Table {
            name,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            comment: None,
            rls_enabled: false,
            rls_forced: false,
        }
    }
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .values()
            .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: TypeRef,
    pub not_null: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Expr>,
    /// Only a collation other than the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: TypeRef) -> Column {
        Column {
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub always: bool,
    /// The identity sequence's options (its name is internal and not modelled).
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl Identity {
    /// PostgreSQL's defaults for an identity column of `data_type`.
    pub fn with_defaults(always: bool, data_type: &str) -> Identity {
        let s = Sequence::with_defaults(QualName::new("", ""), data_type, 1);
        Identity {
            always,
            start: s.start,
            increment: s.increment,
            min_value: s.min_value,
            max_value: s.max_value,
            cache: s.cache,
            cycle: s.cycle,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    /// False for a constraint added `NOT VALID` and not validated since.
    pub validated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A primary key's or unique constraint's other comment: the one on the index that
    /// backs it (`COMMENT ON INDEX`), which PostgreSQL keeps apart from the constraint's
    /// own (`pg_description` of `conindid`). It follows the constraint through renames
    /// and goes with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_comment: Option<String>,
    /// A partitioned table's primary key or unique constraint added `ONLY` to it (as
    /// pg_dump writes them) whose index is invalid (`pg_index.indisvalid`) while a
    /// partition has no index attached to it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub index_invalid: bool,
}

impl Constraint {
    /// The constraint as `ADD CONSTRAINT` makes it: without its comments, which are
    /// separate steps.
    pub fn without_comments(&self) -> Constraint {
        Constraint {
            comment: None,
            index_comment: None,
            ..self.clone()
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        include: Vec<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        nulls_not_distinct: bool,
    },
    Check {
        expr: Expr,
        #[serde(default, skip_serializing_if = "is_false")]
        no_inherit: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        ref_table: QualName,
        ref_columns: Vec<String>,
        on_update: FkAction,
        on_delete: FkAction,
        #[serde(default, skip_serializing_if = "is_false")]
        match_full: bool,
    },
}

impl ConstraintKind {
    /// Columns of the table the constraint covers (empty for a check).
    pub fn columns(&self) -> &[String] {
        match self {
            ConstraintKind::PrimaryKey { columns, .. }
            | ConstraintKind::Unique { columns, .. }
            | ConstraintKind::ForeignKey { columns, .. } => columns,
            ConstraintKind::Check { .. } => &[],
        }
    }
    pub fn is_foreign_key(&self) -> bool {
        matches!(self, ConstraintKind::ForeignKey { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Indexes live in their table's schema.
    pub name: QualName,
    pub table: QualName,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Access method: `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`, ...
    pub method: String,
    pub keys: Vec<IndexKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Expr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Left INVALID by a failed `CREATE INDEX CONCURRENTLY` (`pg_index.indisvalid` is
    /// false): it exists, slows writes, and serves no query. Always false from files.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invalid: bool,
    /// Storage parameters (`WITH (fillfactor = 70)`), as `reloptions` holds them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, String>,
    /// Statistics targets of expression columns (`ALTER INDEX … ALTER COLUMN 2 SET
    /// STATISTICS 500`), by column number counted from 1; the default (-1) is absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub statistics: BTreeMap<u16, i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    pub key: IndexKeyExpr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<QualName>,
    /// Only an operator class other than the type's default for the method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<QualName>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub descending: bool,
    /// Explicit even when it is the default (`NULLS FIRST` for `DESC`, `NULLS LAST` otherwise).
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexKeyExpr {
    Column(String),
    Expr(Expr),
}

/// Identifies any object the model holds: the nodes of the dependency graph and the
/// subjects of changes and plan steps.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ObjectId {
    Schema {
        name: String,
    },
    Extension {
        name: String,
    },
    Type {
        name: QualName,
    },
    Sequence {
        name: QualName,
    },
    Table {
        name: QualName,
    },
    Column {
        table: QualName,
        column: String,
    },
    Constraint {
        table: QualName,
        name: String,
    },
    Index {
        name: QualName,
    },
    /// A view or materialized view.
    View {
        name: QualName,
    },
    /// A function or procedure: its name and identity argument types (`integer, text`).
    Function {
        name: QualName,
        args: String,
    },
    Trigger {
        table: QualName,
        name: String,
    },
    /// A row-level security policy.
    Policy {
        table: QualName,
        name: String,
    },
    /// The privileges granted on an object.
    Privileges {
        on: Box<ObjectId>,
    },
    /// `ALTER DEFAULT PRIVILEGES` for a role (`None`: the one running shale), a schema
    /// (`None`: all) and a kind of object (`TABLES`, …).
    DefaultPrivileges {
        role: Option<String>,
        schema: Option<String>,
        objects: String,
    },
    /// A collation made by `CREATE COLLATION`.
    Collation {
        name: QualName,
    },
    /// An event trigger (database-wide).
    EventTrigger {
        name: String,
    },
    /// An aggregate: its name and identity argument types (like a function).
    Aggregate {
        name: QualName,
        args: String,
    },
    /// A cast between two types (as [`TypeRef`] prints them).
    Cast {
        source: String,
        target: String,
    },
    /// A publication (publications.rs).
    Publication {
        name: String,
    },
    /// A subscription (publications.rs).
    Subscription {
        name: String,
    },
    /// A foreign-data wrapper (foreign_data.rs).
    ForeignDataWrapper {
        name: String,
    },
    /// A foreign server.
    ForeignServer {
        name: String,
    },
    /// A user mapping: its server and user (`PUBLIC`, `CURRENT_USER` or a role).
    UserMapping {
        server: String,
        user: String,
    },
    /// A foreign table.
    ForeignTable {
        name: QualName,
    },
    /// Extended statistics (`CREATE STATISTICS`).
    Statistics {
        name: QualName,
    },
    /// An operator: name and argument types (`text, text`; `NONE, integer`).
    Operator {
        name: QualName,
        args: String,
    },
    /// An operator family of an index access method.
    OperatorFamily {
        name: QualName,
        method: String,
    },
    /// An operator class of an index access method.
    OperatorClass {
        name: QualName,
        method: String,
    },
    /// A rewrite rule (`CREATE RULE`) of a table or view.
    Rule {
        table: QualName,
        name: String,
    },
    /// A text search parser (text_search.rs).
    TextSearchParser {
        name: QualName,
    },
    /// A text search template.
    TextSearchTemplate {
        name: QualName,
    },
    /// A text search dictionary.
    TextSearchDictionary {
        name: QualName,
    },
    /// A text search configuration.
    TextSearchConfiguration {
        name: QualName,
    },
}

impl ObjectId {
    pub fn kind(&self) -> &'static str {
        match self {
            ObjectId::Schema { .. } => "schema",
            ObjectId::Extension { .. } => "extension",
            ObjectId::Type { .. } => "type",
            ObjectId::Sequence { .. } => "sequence",
            ObjectId::Table { .. } => "table",
            ObjectId::Column { .. } => "column",
            ObjectId::Constraint { .. } => "constraint",
            ObjectId::Index { .. } => "index",
            ObjectId::View { .. } => "view",
            ObjectId::Function { .. } => "function",
            ObjectId::Trigger { .. } => "trigger",
            ObjectId::Policy { .. } => "policy",
            ObjectId::Privileges { .. } => "privileges",
            ObjectId::DefaultPrivileges { .. } => "default privileges",
            ObjectId::Collation { .. } => "collation",
            ObjectId::EventTrigger { .. } => "event trigger",
            ObjectId::Aggregate { .. } => "aggregate",
            ObjectId::Cast { .. } => "cast",
            ObjectId::Publication { .. } => "publication",
            ObjectId::Subscription { .. } => "subscription",
            ObjectId::ForeignDataWrapper { .. } => "foreign data wrapper",
            ObjectId::ForeignServer { .. } => "server",
            ObjectId::UserMapping { .. } => "user mapping",
            ObjectId::ForeignTable { .. } => "foreign table",
            ObjectId::Statistics { .. } => "statistics",
            ObjectId::Operator { .. } => "operator",
            ObjectId::OperatorFamily { .. } => "operator family",
            ObjectId::OperatorClass { .. } => "operator class",
            ObjectId::Rule { .. } => "rule",
            ObjectId::TextSearchParser { .. } => "text search parser",
            ObjectId::TextSearchTemplate { .. } => "text search template",
            ObjectId::TextSearchDictionary { .. } => "text search dictionary",
            ObjectId::TextSearchConfiguration { .. } => "text search configuration",
        }
    }
}

/// `kind name` as a reviewer reads it: `table public.users`, `column public.users.email`.
impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.kind())?;
        match self {
            ObjectId::Schema { name }
            | ObjectId::Extension { name }
            | ObjectId::EventTrigger { name }
            | ObjectId::Publication { name }
            | ObjectId::Subscription { name }
            | ObjectId::ForeignDataWrapper { name }
            | ObjectId::ForeignServer { name } => f.write_str(&quote_ident(name)),
            ObjectId::UserMapping { server, user } => write!(
                f,
                "for {} server {}",
                foreign_data::user_sql(user),
                quote_ident(server)
            ),
            ObjectId::ForeignTable { name } => write!(f, "{name}"),
            ObjectId::Type { name }
            | ObjectId::Collation { name }
            | ObjectId::Sequence { name }
            | ObjectId::Table { name }
            | ObjectId::Index { name }
            | ObjectId::Statistics { name }
            | ObjectId::TextSearchParser { name }
            | ObjectId::TextSearchTemplate { name }
            | ObjectId::TextSearchDictionary { name }
            | ObjectId::TextSearchConfiguration { name } => write!(f, "{name}"),
            ObjectId::Column { table, column } => write!(f, "{table}.{}", quote_ident(column)),
            ObjectId::Constraint { table, name } => write!(f, "{} on {table}", quote_ident(name)),
            ObjectId::View { name } => write!(f, "{name}"),
            ObjectId::Function { name, args } => write!(f, "{name}({args})"),
            ObjectId::Aggregate { name, args } if args.is_empty() => write!(f, "{name}(*)"),
            ObjectId::Aggregate { name, args } => write!(f, "{name}({args})"),
            ObjectId::Cast { source, target } => write!(f, "({source} AS {target})"),
            ObjectId::Operator { name, args } => {
                write!(f, "{}({args})", operators::op_name(name))
            }
            ObjectId::OperatorFamily { name, method }
            | ObjectId::OperatorClass { name, method } => {
                write!(f, "{name} USING {}", quote_ident(method))
            }
            ObjectId::Trigger { table, name } => {
                f.write_str(&routines::trigger_display(table, name))
            }
            ObjectId::Policy { table, name } => write!(f, "{} on {table}", quote_ident(name)),
            ObjectId::Rule { table, name } => {
                f.write_str(&rewrite_rules::rule_display(table, name))
            }
            ObjectId::Privileges { on } => write!(f, "on {on}"),
            ObjectId::DefaultPrivileges {
                role,
                schema,
                objects,
            } => {
                write!(f, "on {objects}")?;
                if let Some(r) = role {
                    write!(f, " for role {}", quote_ident(r))?;
                }
                if let Some(s) = schema {
                    write!(f, " in schema {}", quote_ident(s))?;
                }
                Ok(())
            }
        }
    }
}

impl Catalog {
    /// The objects `id` needs to exist (its direct dependencies in this catalog).
    /// The dependency graph of the planner is made of these edges.
    pub fn dependencies(&self, id: &ObjectId) -> Vec<ObjectId> {
        let mut out = Vec::new();
        let schema = |s: &str| ObjectId::Schema {
            name: s.to_string(),
        };
        let col = |t: &QualName, c: &str| ObjectId::Column {
            table: t.clone(),
            column: c.to_string(),
        };
        match id {
            ObjectId::Schema { .. } => {}
            ObjectId::Extension { name } => {
                if let Some(e) = self.extensions.get(name) {
                    out.push(schema(&e.schema));
                }
            }
            ObjectId::Type { name } | ObjectId::Sequence { name } => {
                out.push(schema(&name.schema));
            }
            ObjectId::Table { name } => out.push(schema(&name.schema)),
            ObjectId::Column { table, column } => {
                out.push(ObjectId::Table {
                    name: table.clone(),
                });
                if let Some(c) = self.tables.get(table).and_then(|t| t.column(column)) {
                    self.type_dependency(&c.ty, &mut out);
                    for e in c.default.iter().chain(c.generated.iter()) {
                        self.expr_dependencies(e, &mut out);
                    }
                }
            }
            ObjectId::Constraint { table, name } => {
                out.push(ObjectId::Table {
                    name: table.clone(),
                });
                if let Some(c) = self.tables.get(table).and_then(|t| t.constraints.get(name)) {
                    for column in c.kind.columns() {
                        out.push(col(table, column));
                    }
                    match &c.kind {
                        ConstraintKind::ForeignKey {
                            ref_table,
                            ref_columns,
                            ..
                        } => {
                            out.push(ObjectId::Table {
                                name: ref_table.clone(),
                            });
                            for rc in ref_columns {
                                out.push(col(ref_table, rc));
                            }
                            // The referenced key must exist first (and be dropped last).
                            if let Some(key) = self.key_for(ref_table, ref_columns) {
                                out.push(key);
                            }
                        }
                        ConstraintKind::Check { expr, .. } => {
                            self.expr_dependencies(expr, &mut out)
                        }
                        _ => {}
                    }
                }
            }
            ObjectId::Index { name } => {
                if let Some(ix) = self.indexes.get(name) {
                    out.push(ObjectId::Table {
                        name: ix.table.clone(),
                    });
                    for k in &ix.keys {
                        match &k.key {
                            IndexKeyExpr::Column(c) => out.push(col(&ix.table, c)),
                            IndexKeyExpr::Expr(e) => self.expr_dependencies(e, &mut out),
                        }
                    }
                    for c in &ix.include {
                        out.push(col(&ix.table, c));
                    }
                    if let Some(p) = &ix.predicate {
                        self.expr_dependencies(p, &mut out);
                    }
                    // The partitions' own indexes it adopts exist before it.
                    out.extend(self.attached_to(name));
                }
            }
            ObjectId::View { .. } | ObjectId::Function { .. } | ObjectId::Trigger { .. } => {}
            ObjectId::Policy { .. }
            | ObjectId::Privileges { .. }
            | ObjectId::DefaultPrivileges { .. } => {}
            ObjectId::Collation { name } => out.push(schema(&name.schema)),
            ObjectId::EventTrigger { .. } => {}
            ObjectId::Aggregate { .. } | ObjectId::Cast { .. } => {}
            ObjectId::Publication { .. } | ObjectId::Subscription { .. } => {}
            ObjectId::ForeignDataWrapper { .. }
            | ObjectId::ForeignServer { .. }
            | ObjectId::UserMapping { .. }
            | ObjectId::ForeignTable { .. } => {}
            ObjectId::Statistics { .. } => {}
            ObjectId::Operator { .. }
            | ObjectId::OperatorFamily { .. }
            | ObjectId::OperatorClass { .. } => {}
            ObjectId::Rule { .. } => {}
            ObjectId::TextSearchParser { .. }
            | ObjectId::TextSearchTemplate { .. }
            | ObjectId::TextSearchDictionary { .. }
            | ObjectId::TextSearchConfiguration { .. } => {}
        }
        self.routine_dependencies(id, &mut out);
        self.aggregate_dependencies(id, &mut out);
        self.cast_dependencies(id, &mut out);
        self.publication_dependencies(id, &mut out);
        self.foreign_data_dependencies(id, &mut out);
        self.event_trigger_dependencies(id, &mut out);
        self.statistics_dependencies(id, &mut out);
        self.rewrite_rule_dependencies(id, &mut out);
        self.table_options_dependencies(id, &mut out);
        self.security_dependencies(id, &mut out);
        self.user_types_dependencies(id, &mut out);
        self.operator_dependencies(id, &mut out);
        self.text_search_dependencies(id, &mut out);
        out.sort();
        out.dedup();
        out.retain(|d| d != id);
        out
    }

    fn type_dependency(&self, ty: &TypeRef, out: &mut Vec<ObjectId>) {
        if let Some(q) = ty.user_type() {
            if self.enums.contains_key(&q) || self.has_ext_type(&q) {
                out.push(ObjectId::Type { name: q });
            } else if self.tables.contains_key(&q) {
                // A table's row type (a domain or column over it).
                out.push(ObjectId::Table { name: q });
            } else if self.views.contains_key(&q) {
                out.push(ObjectId::View { name: q });
            } else if let Some(ext) = self.extensions.values().find(|e| e.schema == q.schema) {
                // An extension type (citext, hstore, ...): needs its extension.
                out.push(ObjectId::Extension {
                    name: ext.name.clone(),
                });
            }
        }
    }

    pub(crate) fn expr_dependencies(&self, e: &Expr, out: &mut Vec<ObjectId>) {
        for r in &e.refs {
            if self.sequences.contains_key(r) {
                out.push(ObjectId::Sequence { name: r.clone() });
            } else if self.enums.contains_key(r) || self.has_ext_type(r) {
                out.push(ObjectId::Type { name: r.clone() });
            } else if self.tables.contains_key(r) {
                out.push(ObjectId::Table { name: r.clone() });
            } else if self.ts_configurations.contains_key(r) {
                // `'cfg'::regconfig` (text_search.rs).
                out.push(ObjectId::TextSearchConfiguration { name: r.clone() });
            }
        }
    }

    /// The primary key, unique constraint or unique index of `table` on exactly `columns`.
    pub fn key_for(&self, table: &QualName, columns: &[String]) -> Option<ObjectId> {
        let same = |a: &[String]| {
            let mut x = a.to_vec();
            let mut y = columns.to_vec();
            x.sort();
            y.sort();
            x == y
        };
        if let Some(t) = self.tables.get(table) {
            for c in t.constraints.values() {
                if matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                ) && same(c.kind.columns())
                {
                    return Some(ObjectId::Constraint {
                        table: table.clone(),
                        name: c.name.clone(),
                    });
                }
            }
        }
        self.indexes
            .values()
            .find(|ix| {
                ix.unique
                    && &ix.table == table
                    && ix.predicate.is_none()
                    && ix
                        .keys
                        .iter()
                        .all(|k| matches!(k.key, IndexKeyExpr::Column(_)))
                    && same(
                        &ix.keys
                            .iter()
                            .filter_map(|k| match &k.key {
                                IndexKeyExpr::Column(c) => Some(c.clone()),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    )
            })
            .map(|ix| ObjectId::Index {
                name: ix.name.clone(),
            })
    }

    /// Every object in the catalog, in a stable order.
    pub fn objects(&self) -> Vec<ObjectId> {
        let mut out = Vec::new();
        out.extend(
            self.schemas
                .keys()
                .map(|n| ObjectId::Schema { name: n.clone() }),
        );
        out.extend(
            self.extensions
                .keys()
                .map(|n| ObjectId::Extension { name: n.clone() }),
        );
        out.extend(
            self.enums
                .keys()
                .chain(self.domains.keys())
                .chain(self.composites.keys())
                .chain(self.ranges.keys())
                .map(|n| ObjectId::Type { name: n.clone() }),
        );
        out.extend(
            self.sequences
                .keys()
                .map(|n| ObjectId::Sequence { name: n.clone() }),
        );
        for t in self.tables.values() {
            out.push(ObjectId::Table {
                name: t.name.clone(),
            });
            for c in &t.columns {
                out.push(ObjectId::Column {
                    table: t.name.clone(),
                    column: c.name.clone(),
                });
            }
            for c in t.constraints.keys() {
                out.push(ObjectId::Constraint {
                    table: t.name.clone(),
                    name: c.clone(),
                });
            }
        }
        out.extend(
            self.indexes
                .keys()
                .map(|n| ObjectId::Index { name: n.clone() }),
        );
        out.extend(self.functions.values().map(|f| f.id()));
        for v in self.views.values() {
            out.push(ObjectId::View {
                name: v.name.clone(),
            });
            out.extend(
                v.indexes
                    .keys()
                    .map(|n| ObjectId::Index { name: n.clone() }),
            );
        }
        out.extend(self.triggers.values().map(|t| t.id()));
        out.extend(self.policies.values().map(|p| p.id()));
        out.extend(self.event_triggers.values().map(|e| e.id()));
        out.extend(self.aggregates.values().map(|a| a.id()));
        out.extend(self.casts.values().map(|c| c.id()));
        out.extend(self.publications.values().map(|p| p.id()));
        out.extend(self.subscriptions.values().map(|p| p.id()));
        out.extend(self.foreign_data_wrappers.values().map(|w| w.id()));
        out.extend(self.foreign_servers.values().map(|w| w.id()));
        out.extend(self.user_mappings.values().map(|w| w.id()));
        out.extend(self.foreign_tables.values().map(|w| w.id()));
        out.extend(self.statistics.values().map(|s| s.id()));
        out.extend(self.operators.values().map(|o| o.id()));
        out.extend(self.operator_families.values().map(|o| o.id()));
        out.extend(self.operator_classes.values().map(|o| o.id()));
        out.extend(self.rewrite_rules.values().map(|r| r.id()));
        out.extend(self.ts_parsers.values().map(|o| o.id()));
        out.extend(self.ts_templates.values().map(|o| o.id()));
        out.extend(self.ts_dictionaries.values().map(|o| o.id()));
        out.extend(self.ts_configurations.values().map(|o| o.id()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Catalog {
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let users = QualName::new("public", "users");
        let mut t = Table::new(users.clone());
        let mut id = Column::new("id", TypeRef::builtin("integer"));
        id.not_null = true;
        t.columns.push(id);
        t.constraints.insert(
            "users_pkey".into(),
            Constraint {
                name: "users_pkey".into(),
                kind: ConstraintKind::PrimaryKey {
                    columns: vec!["id".into()],
                    include: vec![],
                },
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
                index_comment: None,
                index_invalid: false,
            },
        );
        cat.tables.insert(users.clone(), t);
        let posts = QualName::new("public", "posts");
        let mut p = Table::new(posts.clone());
        p.columns
            .push(Column::new("user_id", TypeRef::builtin("integer")));
        p.constraints.insert(
            "posts_user_id_fkey".into(),
            Constraint {
                name: "posts_user_id_fkey".into(),
                kind: ConstraintKind::ForeignKey {
                    columns: vec!["user_id".into()],
                    ref_table: users,
                    ref_columns: vec!["id".into()],
                    on_update: FkAction::NoAction,
                    on_delete: FkAction::Cascade,
                    match_full: false,
                },
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
                index_comment: None,
                index_invalid: false,
            },
        );
        cat.tables.insert(posts, p);
        cat
    }

    #[test]
    fn foreign_key_depends_on_referenced_key() {
        let cat = sample();
        let deps = cat.dependencies(&ObjectId::Constraint {
            table: QualName::new("public", "posts"),
            name: "posts_user_id_fkey".into(),
        });
        assert!(deps.contains(&ObjectId::Constraint {
            table: QualName::new("public", "users"),
            name: "users_pkey".into()
        }));
        assert!(deps.contains(&ObjectId::Table {
            name: QualName::new("public", "users")
        }));
    }

    #[test]
    fn sequence_defaults_match_postgres() {
        let s = Sequence::with_defaults(QualName::new("public", "s"), "integer", 1);
        assert_eq!((s.start, s.min_value, s.max_value), (1, 1, 2147483647));
        let d = Sequence::with_defaults(QualName::new("public", "s"), "bigint", -1);
        assert_eq!((d.start, d.min_value, d.max_value), (-1, i64::MIN, -1));
    }

    #[test]
    fn serializes_round_trip() {
        let cat = sample();
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(cat, back);
    }
}
