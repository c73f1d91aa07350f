//! Table-level options beyond columns and constraints: partitioning, inheritance,
//! `UNLOGGED`, storage parameters, replica identity, `CLUSTER ON`, and per-column
//! statistics targets, storage and compression.
//!
//! They live in [`Catalog::table_options`](crate::Catalog::table_options), one entry per
//! table that has any non-default option, so a catalog without them serializes exactly as
//! before.
//!
//! Canonical conventions (both front ends follow them):
//! - A child table (a partition, or a table that `INHERITS`) lists in `Table::columns`
//!   only the columns it does not get from a parent (`attinhcount = 0`), and in
//!   `Table::constraints` only its own constraints (`conislocal`, no `conparentid`).
//!   A partition's indexes that belong to a partitioned index of the parent are not
//!   objects of their own: they are implied by the parent's index — unless PostgreSQL
//!   would not have made that index itself: one that backs a key of the partition's own
//!   (a local `PRIMARY KEY`/`UNIQUE` attached to a parent's plain index), or one whose
//!   name is not the one PostgreSQL gives (`<partition>_<columns>_idx`, maybe with a
//!   number), attached with `ALTER INDEX … ATTACH PARTITION` or adopted because it
//!   existed before the parent's index. Those stay objects of their own (the index, or
//!   the key) and are listed in [`Catalog::attached_indexes`](crate::Catalog).
//! - A partitioned index made `ON ONLY` the parent is `Index::invalid` while a partition
//!   has no index attached to it, as `pg_index.indisvalid` says.
//! - Storage parameters by name, values as PostgreSQL stores them in `reloptions`.
//! - Column options only when not the default: statistics target other than -1, storage
//!   other than the type's default, compression other than the default.

use crate::ident::{quote_ident, quote_literal, QualName};
use crate::types::Expr;
use crate::{Catalog, IndexKeyExpr, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A partition's index (own index, or the index of the partition's own key, named like
/// the key) attached to a partitioned index of the parent (an index, or the parent's key,
/// named like the key in the parent's schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedIndex {
    pub index: QualName,
    pub parent: QualName,
}

/// Everything about a table that is not a column or constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableOptions {
    pub table: QualName,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    /// Storage parameters (`fillfactor` → `70`), as `reloptions` holds them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, String>,
    /// `PARTITION BY …`: the table is partitioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<PartitionKey>,
    /// `PARTITION OF parent FOR VALUES …`: the table is a partition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (…)` parents, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualName>,
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
    /// The index the table is clustered on (same schema as the table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_on: Option<String>,
    /// Per-column options, only for columns with a non-default one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, ColumnOptions>,
    /// `EXCLUDE` constraints, by name (kept here so that `ConstraintKind` keeps its shape).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exclusions: BTreeMap<String, Exclusion>,
}

/// `CONSTRAINT name EXCLUDE USING method (element WITH operator, …) [WHERE (predicate)]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub name: String,
    /// Index access method (`gist`, `btree`, …).
    pub method: String,
    pub elements: Vec<ExclusionElement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Expr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The comment PostgreSQL gives schema `public` in a new database: the same as none.
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionElement {
    pub key: IndexKeyExpr,
    /// The operator's name (`=`, `&&`).
    pub operator: String,
}

impl fmt::Display for Exclusion {
    /// `EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (…)`, without the name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let els: Vec<String> = self
            .elements
            .iter()
            .map(|e| {
                let k = match &e.key {
                    IndexKeyExpr::Column(c) => quote_ident(c),
                    IndexKeyExpr::Expr(x) => format!("({})", x.sql.trim()),
                };
                format!("{k} WITH {}", e.operator)
            })
            .collect();
        write!(
            f,
            "EXCLUDE USING {} ({})",
            quote_ident(&self.method),
            els.join(", ")
        )?;
        if let Some(p) = &self.predicate {
            write!(f, " WHERE ({})", p.sql.trim())?;
        }
        if self.deferrable {
            f.write_str(" DEFERRABLE")?;
            if self.initially_deferred {
                f.write_str(" INITIALLY DEFERRED")?;
            }
        }
        Ok(())
    }
}

impl TableOptions {
    pub fn new(table: QualName) -> TableOptions {
        TableOptions {
            table,
            unlogged: false,
            storage: BTreeMap::new(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            replica_identity: ReplicaIdentity::Default,
            cluster_on: None,
            columns: BTreeMap::new(),
            exclusions: BTreeMap::new(),
        }
    }

    /// Nothing differs from a plain table's defaults.
    pub fn is_default(&self) -> bool {
        *self == TableOptions::new(self.table.clone())
    }

    /// The parents the table gets columns and constraints from.
    pub fn parents(&self) -> Vec<QualName> {
        let mut out: Vec<QualName> = self.partition_of.iter().map(|p| p.parent.clone()).collect();
        out.extend(self.inherits.iter().cloned());
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColumnOptions {
    /// `SET STATISTICS n` (absent: -1, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
    /// `SET STORAGE` other than the type's default: `plain`, `external`, `extended`, `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// `SET COMPRESSION`: `pglz` or `lz4` (absent: the server's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// An inherited column made `NOT NULL` in this child only (the parent's is nullable):
    /// `CREATE TABLE … PARTITION OF p (col NOT NULL)`, a key on the child.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_null: bool,
    /// A default of this child's own on an inherited column, other than the parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
}

impl ColumnOptions {
    pub fn is_default(&self) -> bool {
        *self == ColumnOptions::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// `PARTITION BY strategy (keys)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionKey {
    pub strategy: PartitionStrategy,
    pub keys: Vec<IndexKeyExpr>,
}

impl fmt::Display for PartitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| match k {
                IndexKeyExpr::Column(c) => quote_ident(c),
                IndexKeyExpr::Expr(e) => format!("({})", e.sql.trim()),
            })
            .collect();
        write!(f, "{} ({})", self.strategy.sql(), keys.join(", "))
    }
}

impl PartitionKey {
    /// Expressions among the keys (for dependencies).
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.keys.iter().filter_map(|k| match k {
            IndexKeyExpr::Expr(e) => Some(e),
            IndexKeyExpr::Column(_) => None,
        })
    }
}

/// A partition: its parent and bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: QualName,
    pub bound: PartitionBound,
}

/// One value of a partition bound, canonical: a number unquoted (`10`, `-1.5`), any other
/// constant as a quoted literal (`'2024-01-01'`), or a keyword (`NULL`, `MINVALUE`,
/// `MAXVALUE`, `TRUE`, `FALSE`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BoundValue(pub String);

impl BoundValue {
    /// The canonical spelling of a string constant: numbers lose their quotes (the
    /// catalog prints `bigint` bounds quoted, `integer` ones bare).
    pub fn from_string_constant(s: &str) -> BoundValue {
        let t = s.trim();
        let numeric = !t.is_empty()
            && t.parse::<f64>().is_ok()
            && t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
        if numeric {
            BoundValue(canonical_number(t))
        } else {
            BoundValue(quote_literal(s))
        }
    }
    pub fn number(s: &str) -> BoundValue {
        BoundValue(canonical_number(s))
    }
    pub fn keyword(k: &str) -> BoundValue {
        BoundValue(k.to_ascii_uppercase())
    }
}

fn canonical_number(s: &str) -> String {
    let s = s.trim().trim_start_matches('+');
    match s.parse::<i128>() {
        Ok(i) => i.to_string(),
        Err(_) => s.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PartitionBound {
    Default,
    List {
        values: Vec<BoundValue>,
    },
    Range {
        from: Vec<BoundValue>,
        to: Vec<BoundValue>,
    },
    Hash {
        modulus: i64,
        remainder: i64,
    },
}

/// `DEFAULT` or `FOR VALUES …`, as in `CREATE TABLE … PARTITION OF`.
impl fmt::Display for PartitionBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[BoundValue]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>().join(", ");
        match self {
            PartitionBound::Default => f.write_str("DEFAULT"),
            PartitionBound::List { values } => write!(f, "FOR VALUES IN ({})", list(values)),
            PartitionBound::Range { from, to } => {
                write!(f, "FOR VALUES FROM ({}) TO ({})", list(from), list(to))
            }
            PartitionBound::Hash { modulus, remainder } => write!(
                f,
                "FOR VALUES WITH (MODULUS {modulus}, REMAINDER {remainder})"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaIdentity {
    #[default]
    Default,
    Full,
    Nothing,
    /// `USING INDEX name` (an index of the table's schema).
    Index(String),
}

impl ReplicaIdentity {
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }
    /// The clause after `REPLICA IDENTITY`.
    pub fn sql(&self) -> String {
        match self {
            ReplicaIdentity::Default => "DEFAULT".into(),
            ReplicaIdentity::Full => "FULL".into(),
            ReplicaIdentity::Nothing => "NOTHING".into(),
            ReplicaIdentity::Index(i) => format!("USING INDEX {}", quote_ident(i)),
        }
    }
}

/// `CREATE COLLATION name (provider = …, locale = …, deterministic = …)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    pub name: QualName,
    /// `libc` or `icu`.
    pub provider: String,
    /// The ICU locale (`icu`), or `LC_COLLATE`/`LC_CTYPE` when both are the same (`libc`).
    pub locale: String,
    /// `LC_CTYPE` of a `libc` collation when it differs from `LC_COLLATE` (`locale`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lc_ctype: Option<String>,
    pub deterministic: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl fmt::Display for Collation {
    /// `CREATE COLLATION …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CREATE COLLATION {} (provider = {}",
            self.name,
            quote_ident(&self.provider)
        )?;
        match &self.lc_ctype {
            Some(ct) => write!(
                f,
                ", lc_collate = {}, lc_ctype = {}",
                quote_literal(&self.locale),
                quote_literal(ct)
            )?,
            None => write!(f, ", locale = {}", quote_literal(&self.locale))?,
        }
        if !self.deterministic {
            f.write_str(", deterministic = false")?;
        }
        f.write_str(")")
    }
}

impl Catalog {
    /// The options of `table` (a plain table's defaults when it has none).
    pub fn table_opts(&self, table: &QualName) -> TableOptions {
        self.table_options
            .get(table)
            .cloned()
            .unwrap_or_else(|| TableOptions::new(table.clone()))
    }

    /// Drop entries that hold only defaults, column options of columns that are gone, and
    /// entries of tables that are gone: both front ends call it last.
    pub fn prune_table_options(&mut self) {
        let schemas = &self.schemas;
        self.schema_comments.retain(|s, c| {
            schemas.contains_key(s) && !(s == "public" && c == PUBLIC_SCHEMA_COMMENT)
        });
        let tables = &self.tables;
        self.table_options.retain(|q, _| tables.contains_key(q));
        // A child's NOT NULL or default on an inherited column that its parents' column
        // has anyway is not its own (a parent made NOT NULL later, say).
        let mut same_as_parent: Vec<(QualName, String, bool, bool)> = Vec::new();
        for (q, o) in &self.table_options {
            for (name, c) in &o.columns {
                if let Some(p) = self.inherited_column(q, name, 0) {
                    same_as_parent.push((
                        q.clone(),
                        name.clone(),
                        c.not_null && p.not_null,
                        c.default.is_some() && c.default == p.default,
                    ));
                }
            }
        }
        for (q, name, nn, def) in same_as_parent {
            if let Some(c) = self
                .table_options
                .get_mut(&q)
                .and_then(|o| o.columns.get_mut(&name))
            {
                if nn {
                    c.not_null = false;
                }
                if def {
                    c.default = None;
                }
            }
        }
        for o in self.table_options.values_mut() {
            o.columns.retain(|_, c| !c.is_default());
        }
        self.table_options.retain(|_, o| !o.is_default());
        let gone: Vec<QualName> = self
            .attached_indexes
            .values()
            .filter(|a| {
                self.index_object(&a.index).is_none() || self.index_object(&a.parent).is_none()
            })
            .map(|a| a.index.clone())
            .collect();
        for q in gone {
            self.attached_indexes.remove(&q);
        }
    }

    /// The object an index name stands for in the model: the index, or the primary key
    /// or unique constraint of a table of its schema whose index it is.
    pub fn index_object(&self, index: &QualName) -> Option<ObjectId> {
        if self.indexes.contains_key(index) {
            return Some(ObjectId::Index {
                name: index.clone(),
            });
        }
        self.tables
            .values()
            .filter(|t| t.name.schema == index.schema)
            .find(|t| {
                t.constraints.get(&index.name).is_some_and(|c| {
                    matches!(
                        c.kind,
                        crate::ConstraintKind::PrimaryKey { .. }
                            | crate::ConstraintKind::Unique { .. }
                    )
                })
            })
            .map(|t| ObjectId::Constraint {
                table: t.name.clone(),
                name: index.name.clone(),
            })
    }

    /// The partitions' indexes (or keys) listed as attached to `parent`.
    pub fn attached_to(&self, parent: &QualName) -> Vec<ObjectId> {
        self.attached_indexes
            .values()
            .filter(|a| a.parent == *parent)
            .filter_map(|a| self.index_object(&a.index))
            .collect()
    }

    /// The column `name` as `table`'s parents define it (the nearest that declares it).
    fn inherited_column(
        &self,
        table: &QualName,
        name: &str,
        depth: usize,
    ) -> Option<&crate::Column> {
        if depth > 32 {
            return None;
        }
        self.table_opts(table).parents().iter().find_map(|p| {
            self.tables
                .get(p)
                .and_then(|t| t.column(name))
                .or_else(|| self.inherited_column(p, name, depth + 1))
        })
    }

    /// The column `name` that child `table` gets from its parents, as the child has it:
    /// the parent's definition with the child's own `NOT NULL` and default on it (what
    /// the child keeps as its own when it leaves the parent). Without an identity.
    pub fn child_column(&self, table: &QualName, name: &str) -> Option<crate::Column> {
        let p = self.inherited_column(table, name, 0)?;
        let own = self
            .table_options
            .get(table)
            .and_then(|o| o.columns.get(name));
        let mut c = crate::Column {
            comment: None,
            identity: None,
            ..p.clone()
        };
        if let Some(o) = own {
            c.not_null |= o.not_null;
            if o.default.is_some() {
                c.default = o.default.clone();
            }
        }
        Some(c)
    }

    /// Every column `table` has, its parents' first (as PostgreSQL numbers them).
    pub fn all_column_names(&self, table: &QualName) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_columns(table, &mut out, 0);
        out
    }

    fn collect_columns(&self, table: &QualName, out: &mut Vec<String>, depth: usize) {
        if depth > 32 {
            return;
        }
        for p in self.table_opts(table).parents() {
            self.collect_columns(&p, out, depth + 1);
        }
        if let Some(t) = self.tables.get(table) {
            for c in &t.columns {
                if !out.contains(&c.name) {
                    out.push(c.name.clone());
                }
            }
        }
    }

    /// The table's columns (its own or inherited) are a partition's or child's.
    pub fn is_child_table(&self, table: &QualName) -> bool {
        !self.table_opts(table).parents().is_empty()
    }

    /// Table-option dependencies of `id`: a child needs its parents; a table clustered on
    /// or identified by an index needs nothing more (those are separate steps).
    pub(crate) fn table_options_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        // A column (or an index key) with a collation of the catalog needs it.
        let coll = |c: &Option<QualName>, out: &mut Vec<ObjectId>| {
            if let Some(c) = c {
                if self.collations.contains_key(c) {
                    out.push(ObjectId::Collation { name: c.clone() });
                }
            }
        };
        match id {
            ObjectId::Column { table, column } => {
                if let Some(c) = self.tables.get(table).and_then(|t| t.column(column)) {
                    coll(&c.collation, out);
                }
            }
            ObjectId::Index { name } => {
                if let Some(ix) = self.indexes.get(name) {
                    for k in &ix.keys {
                        coll(&k.collation, out);
                    }
                }
            }
            _ => {}
        }
        if let ObjectId::Table { name } = id {
            if let Some(o) = self.table_options.get(name) {
                for p in o.parents() {
                    out.push(ObjectId::Table { name: p });
                }
                if let Some(k) = &o.partition_by {
                    for e in k.exprs() {
                        for r in &e.refs {
                            if self.sequences.contains_key(r) {
                                out.push(ObjectId::Sequence { name: r.clone() });
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_values_are_canonical() {
        assert_eq!(BoundValue::from_string_constant("10").0, "10");
        assert_eq!(BoundValue::from_string_constant("+10").0, "10");
        assert_eq!(
            BoundValue::from_string_constant("2024-01-01").0,
            "'2024-01-01'"
        );
        assert_eq!(BoundValue::from_string_constant("it's").0, "'it''s'");
        assert_eq!(BoundValue::number("007").0, "7");
    }

    #[test]
    fn bound_display() {
        let b = PartitionBound::Range {
            from: vec![BoundValue::keyword("minvalue")],
            to: vec![BoundValue::number("100")],
        };
        assert_eq!(b.to_string(), "FOR VALUES FROM (MINVALUE) TO (100)");
        let h = PartitionBound::Hash {
            modulus: 4,
            remainder: 1,
        };
        assert_eq!(h.to_string(), "FOR VALUES WITH (MODULUS 4, REMAINDER 1)");
    }

    #[test]
    fn defaults_are_pruned() {
        let mut cat = Catalog::default();
        let q = QualName::new("public", "t");
        cat.tables.insert(q.clone(), crate::Table::new(q.clone()));
        let mut o = TableOptions::new(q.clone());
        o.columns.insert("a".into(), ColumnOptions::default());
        cat.table_options.insert(q.clone(), o.clone());
        let gone = QualName::new("public", "gone");
        let mut g = TableOptions::new(gone.clone());
        g.unlogged = true;
        cat.table_options.insert(gone, g);
        cat.prune_table_options();
        assert!(cat.table_options.is_empty());
        o.unlogged = true;
        cat.table_options.insert(q.clone(), o);
        cat.prune_table_options();
        assert!(cat.table_options[&q].columns.is_empty());
        assert!(cat.table_options[&q].unlogged);
    }
}
