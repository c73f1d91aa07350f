//! Compares two canonical catalogs and lists the changes that turn one into the other.
//!
//! [`diff`] knows nothing of SQL text or of execution order: it says *what* differs, as
//! plain data ([`Change`]), and `shale-plan` decides how and when. Rules:
//!
//! - An unchanged object yields nothing; the output is deterministic (catalog key order,
//!   then a fixed order of change kinds per object).
//! - A changed default is [`Change::SetDefault`], never a rebuild.
//! - Schema `public` is never created or dropped (every database has it), and neither is
//!   the `plpgsql` extension (installed in every database by default).
//! - An extension's version is compared only when the desired catalog names one.
//! - Columns are matched by name; their position is not compared (PostgreSQL cannot reorder
//!   columns, and a new column is always appended).
//! - Objects that PostgreSQL drops implicitly are not dropped again: the columns,
//!   constraints, indexes and owned sequences of a dropped table, the sequence owned by a
//!   dropped column. (Exception: a foreign key between two dropped tables is dropped
//!   first, see [`dropped_with_other_table`].)
//! - What cannot be done in place becomes a drop and an add of the object, both marked with
//!   `recreate: Some(why)`: a changed constraint or index, an index left INVALID by a
//!   failed `CREATE INDEX CONCURRENTLY` ([`LEFT_INVALID`]), a changed generation expression,
//!   and everything that depends on such an object (a foreign key whose referenced key is
//!   re-created, the indexes and constraints on a re-created column).
//! - What shale cannot do yet is a [`Change::Unsupported`] naming the object, so that the
//!   planner fails clearly instead of producing a wrong plan.

pub mod aggregates;
pub mod event_triggers;
pub mod foreign_data;
pub mod operators;
mod partitions;
pub mod publications;
mod renames;
pub mod rewrite_rules;
pub mod routines;
mod security;
pub mod statistics;
pub mod text_search;

pub use routines::RoutineChange;
pub use security::SecurityChange;
pub mod relation_options;
pub mod table_options;
pub mod user_types;

pub use renames::{
    apply_renames, rename_column_in_sql, rename_relation_in_sql, ColumnPair, RenameError, Renamed,
};

use serde::Serialize;
use shale_model::{
    Catalog, Column, ColumnRef, Constraint, ConstraintKind, EnumType, Expr, Extension, Identity,
    Index, IndexKeyExpr, ObjectId, QualName, Sequence, Table, TypeRef,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One difference between two catalogs, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    AlterExtensionVersion {
        name: String,
        from: Option<String>,
        to: String,
    },
    /// `ALTER EXTENSION … SET SCHEMA`.
    SetExtensionSchema {
        name: String,
        from: String,
        to: String,
    },
    CreateEnum {
        enum_type: EnumType,
    },
    DropEnum {
        enum_type: EnumType,
    },
    /// `ALTER TYPE … ADD VALUE`. Emitted in the order they must run: each position names a
    /// label that exists by then.
    AddEnumValue {
        name: QualName,
        label: String,
        position: EnumPosition,
    },
    /// Without `owned_by`: ownership is a separate [`Change::SetSequenceOwner`] because the
    /// owning column usually needs the sequence to exist first.
    CreateSequence {
        sequence: Sequence,
    },
    DropSequence {
        sequence: Sequence,
    },
    /// Options differ (data type, bounds, start, increment, cache, cycle).
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    SetSequenceOwner {
        name: QualName,
        from: Option<ColumnRef>,
        to: Option<ColumnRef>,
    },
    /// A new table with its columns and the constraints `CREATE TABLE` can hold: every
    /// constraint except foreign keys and `NOT VALID` checks (those follow as
    /// [`Change::AddConstraint`]; PostgreSQL would mark a `NOT VALID` check of a new table
    /// valid).
    CreateTable {
        table: Table,
    },
    DropTable {
        table: Table,
    },
    AddColumn {
        table: QualName,
        column: Column,
        /// Why an existing column is dropped and added again (`None` for a new column).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropColumn {
        table: QualName,
        column: Column,
        /// Why the column is dropped only to be added again (`None` for a real drop).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// A type and/or collation change (`ALTER COLUMN … TYPE … COLLATE …`).
    AlterColumnType {
        table: QualName,
        column: String,
        from: TypeRef,
        to: TypeRef,
        from_collation: Option<QualName>,
        to_collation: Option<QualName>,
    },
    SetNotNull {
        table: QualName,
        column: String,
    },
    DropNotNull {
        table: QualName,
        column: String,
    },
    SetDefault {
        table: QualName,
        column: String,
        /// The default before (`None` when there was none, or it was dropped for a type change).
        from: Option<Expr>,
        to: Expr,
    },
    DropDefault {
        table: QualName,
        column: String,
        from: Expr,
    },
    AddIdentity {
        table: QualName,
        column: String,
        identity: Identity,
    },
    DropIdentity {
        table: QualName,
        column: String,
    },
    AlterIdentity {
        table: QualName,
        column: String,
        from: Identity,
        to: Identity,
    },
    /// A generated column becomes a plain column, keeping its values
    /// (`ALTER COLUMN … DROP EXPRESSION`, PostgreSQL 13+).
    DropExpression {
        table: QualName,
        column: String,
    },
    AddConstraint {
        table: QualName,
        constraint: Constraint,
        /// The table is created by this diff.
        new_table: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropConstraint {
        table: QualName,
        constraint: Constraint,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// From `NOT VALID` to valid.
    ValidateConstraint {
        table: QualName,
        constraint: Constraint,
    },
    CreateIndex {
        index: Index,
        /// The index's table is created by this diff.
        new_table: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropIndex {
        index: Index,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `COMMENT ON … IS …` (`to: None` removes the comment).
    SetComment {
        object: ObjectId,
        from: Option<String>,
        to: Option<String>,
    },
    /// `ALTER … RENAME` (and, for a table, sequence or type that changes schema, `SET
    /// SCHEMA`) of `from` (named as in the current catalog) to `to`. Only from
    /// [`apply_renames`]: [`diff`] itself never guesses a rename.
    Rename {
        from: ObjectId,
        to: ObjectId,
        /// For a rename that follows another (a table's `users_pkey` becoming
        /// `accounts_pkey`): the hinted object whose rename implies it.
        #[serde(skip_serializing_if = "Option::is_none")]
        implied_by: Option<ObjectId>,
    },
    /// Views, materialized views, functions, procedures, triggers: see [`routines`].
    Routine {
        routine: RoutineChange,
    },
    /// A table option (partitions, inheritance, storage, …): see [`table_options`].
    TableOption {
        option: table_options::TableExtChange,
    },
    /// Row-level security, policies and privileges (security.rs).
    Security(SecurityChange),
    /// Domains, composite and range types, and re-created enums: see [`user_types`].
    TypeExt {
        type_change: user_types::TypeExtChange,
    },
    /// Event triggers: see [`event_triggers`].
    EventTrigger {
        event_trigger_change: event_triggers::EventTriggerChange,
    },
    /// Storage parameters of an index or materialized view, statistics of an index
    /// column: see [`relation_options`].
    RelationOption {
        option: relation_options::RelationOptionChange,
    },
    /// Aggregates and casts: see [`aggregates`].
    Aggregate {
        aggregate_change: Box<aggregates::AggregateChange>,
    },
    /// Publications and subscriptions: see [`publications`].
    Publication {
        publication_change: publications::PublicationChange,
    },
    /// Foreign-data wrappers, servers, user mappings, foreign tables: see [`foreign_data`].
    ForeignData {
        foreign_data_change: foreign_data::ForeignDataChange,
    },
    /// Extended statistics: see [`statistics`].
    Statistics {
        statistics_change: statistics::StatisticsChange,
    },
    /// A difference shale cannot turn into SQL yet; the planner refuses it.
    Unsupported {
        object: ObjectId,
        reason: String,
    },
    /// Operators, operator families and classes: see [`operators`].
    Operator {
        operator_change: operators::OperatorChange,
    },
    /// Rewrite rules: see [`rewrite_rules`].
    RewriteRule {
        rule_change: rewrite_rules::RewriteRuleChange,
    },
    /// Text search parsers, templates, dictionaries, configurations: see [`text_search`].
    TextSearch {
        text_search_change: text_search::TextSearchChange,
    },
}

/// Where `ALTER TYPE … ADD VALUE` puts the new label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// At the end (only for an enum without labels).
    End,
}

impl Change {
    /// The object the change is about.
    pub fn object(&self) -> ObjectId {
        let col = |t: &QualName, c: &str| ObjectId::Column {
            table: t.clone(),
            column: c.to_string(),
        };
        let con = |t: &QualName, c: &Constraint| ObjectId::Constraint {
            table: t.clone(),
            name: c.name.clone(),
        };
        match self {
            Change::CreateSchema { name } | Change::DropSchema { name } => {
                ObjectId::Schema { name: name.clone() }
            }
            Change::CreateExtension { extension } | Change::DropExtension { extension } => {
                ObjectId::Extension {
                    name: extension.name.clone(),
                }
            }
            Change::AlterExtensionVersion { name, .. }
            | Change::SetExtensionSchema { name, .. } => ObjectId::Extension { name: name.clone() },
            Change::CreateEnum { enum_type } | Change::DropEnum { enum_type } => ObjectId::Type {
                name: enum_type.name.clone(),
            },
            Change::AddEnumValue { name, .. } => ObjectId::Type { name: name.clone() },
            Change::CreateSequence { sequence } | Change::DropSequence { sequence } => {
                ObjectId::Sequence {
                    name: sequence.name.clone(),
                }
            }
            Change::AlterSequence { to, .. } => ObjectId::Sequence {
                name: to.name.clone(),
            },
            Change::SetSequenceOwner { name, .. } => ObjectId::Sequence { name: name.clone() },
            Change::CreateTable { table } | Change::DropTable { table } => ObjectId::Table {
                name: table.name.clone(),
            },
            Change::AddColumn { table, column, .. } | Change::DropColumn { table, column, .. } => {
                col(table, &column.name)
            }
            Change::AlterColumnType { table, column, .. }
            | Change::SetNotNull { table, column }
            | Change::DropNotNull { table, column }
            | Change::SetDefault { table, column, .. }
            | Change::DropDefault { table, column, .. }
            | Change::AddIdentity { table, column, .. }
            | Change::DropIdentity { table, column }
            | Change::AlterIdentity { table, column, .. }
            | Change::DropExpression { table, column } => col(table, column),
            Change::AddConstraint {
                table, constraint, ..
            }
            | Change::DropConstraint {
                table, constraint, ..
            }
            | Change::ValidateConstraint { table, constraint } => con(table, constraint),
            Change::CreateIndex { index, .. } | Change::DropIndex { index, .. } => {
                ObjectId::Index {
                    name: index.name.clone(),
                }
            }
            Change::SetComment { object, .. } | Change::Unsupported { object, .. } => {
                object.clone()
            }
            Change::Rename { to, .. } => to.clone(),
            Change::Security(s) => s.object(),
            Change::TypeExt { type_change } => type_change.object(),
            Change::TableOption { option } => option.object(),
            Change::RelationOption { option } => option.object(),
            Change::Routine { routine } => routine.object(),
            Change::EventTrigger {
                event_trigger_change,
            } => event_trigger_change.object(),
            Change::Aggregate { aggregate_change } => aggregate_change.object(),
            Change::Publication { publication_change } => publication_change.object(),
            Change::ForeignData {
                foreign_data_change,
            } => foreign_data_change.object(),
            Change::Statistics { statistics_change } => statistics_change.object(),
            Change::Operator { operator_change } => operator_change.object(),
            Change::RewriteRule { rule_change } => rule_change.object(),
            Change::TextSearch { text_search_change } => text_search_change.object(),
        }
    }
}

/// Why an index is re-created although its definition is the wanted one.
pub const LEFT_INVALID: &str = "it was left INVALID by a failed CREATE INDEX CONCURRENTLY";

/// Why a partitioned table's key whose index is invalid is re-created when it is wanted
/// valid.
pub const LEFT_INVALID_KEY: &str =
    "its index is invalid (added ONLY to the partitioned table, and a partition has no index attached to it)";

/// The schema every database has; never created or dropped.
const PUBLIC: &str = "public";
/// The extension every database has; never created or dropped.
const PLPGSQL: &str = "plpgsql";
/// Extensions whose control file says `relocatable = false` (PostgreSQL's contrib and
/// PostGIS): `ALTER EXTENSION … SET SCHEMA` fails on them, and re-creating one drops
/// everything that uses its types, so a change of schema is refused.
const NOT_RELOCATABLE: &[&str] = &[
    "adminpack",
    "postgis",
    "postgis_raster",
    "postgis_tiger_geocoder",
    "postgis_topology",
    "xml2",
];

/// Two constraints equal but for their comment and whether they are validated. Compared
/// field by field rather than on stripped clones (a clone per constraint dominated diffs
/// of large schemas); the exhaustive pattern makes a new field a compile error here.
fn same_constraint_definition(c0: &Constraint, c1: &Constraint) -> bool {
    let Constraint {
        name,
        kind,
        deferrable,
        initially_deferred,
        validated: _,
        comment: _,
        index_comment: _,
        index_invalid: _,
    } = c0;
    *name == c1.name
        && *kind == c1.kind
        && *deferrable == c1.deferrable
        && *initially_deferred == c1.initially_deferred
}

/// Two indexes equal but for their comment and whether they were left invalid (see
/// [`same_constraint_definition`] for why not on clones).
fn same_index_definition(ix0: &Index, ix1: &Index) -> bool {
    let Index {
        name,
        table,
        unique,
        method,
        keys,
        include,
        predicate,
        nulls_not_distinct,
        comment: _,
        invalid: _,
        storage: _,
        statistics: _,
    } = ix0;
    *name == ix1.name
        && *table == ix1.table
        && *unique == ix1.unique
        && *method == ix1.method
        && *keys == ix1.keys
        && *include == ix1.include
        && *predicate == ix1.predicate
        && *nulls_not_distinct == ix1.nulls_not_distinct
}

/// The changes that turn `from` into `to`, in a deterministic order.
pub fn diff(from: &Catalog, to: &Catalog) -> Vec<Change> {
    // A plain ↔ partitioned conversion moves the old table aside first (table_options.rs).
    let conv = table_options::conversions(from, to);
    if conv.before.is_empty() {
        return diff_catalogs(from, to);
    }
    conv.around(diff_catalogs(&conv.catalog, to))
}

/// [`diff`] of catalogs without conversions left to make.
pub fn diff_catalogs(from: &Catalog, to: &Catalog) -> Vec<Change> {
    let mut d = Differ {
        from,
        to,
        out: Vec::new(),
        recreated_columns: BTreeSet::new(),
        dropped_columns: BTreeSet::new(),
        removed_keys: BTreeSet::new(),
        operators: going_by_name(from, to),
        attached_from: table_options::attached_by_parent(from),
        attached_to: table_options::attached_by_parent(to),
    };
    d.run();
    d.out
}

struct Differ<'a> {
    from: &'a Catalog,
    to: &'a Catalog,
    out: Vec<Change>,
    /// Columns dropped and added again (a changed generation expression).
    recreated_columns: BTreeSet<(QualName, String)>,
    /// Columns that disappear, explicitly or with their table, or are re-created.
    dropped_columns: BTreeSet<(QualName, String)>,
    /// Constraints and unique indexes (of `from`) that are dropped or re-created: a
    /// foreign key referencing one of them must be re-created too.
    removed_keys: BTreeSet<ObjectId>,
    /// Operator names with an operator dropped or re-created, and text search
    /// configurations that go, with why ([`going_by_name`]): a generated column using one
    /// is re-created around it.
    operators: BTreeMap<QualName, String>,
    /// The partitions' indexes attached to each partitioned index, per side.
    attached_from: BTreeMap<&'a QualName, BTreeSet<&'a QualName>>,
    attached_to: BTreeMap<&'a QualName, BTreeSet<&'a QualName>>,
}

/// What expressions name and `to` drops or re-creates, by name, with why: the operator
/// names (of `from`) with an operator that goes, and the text search configurations that
/// go (nothing to compute for a catalog without either). An expression that still names
/// one (see [`uses_going`]) keeps PostgreSQL from dropping it, so what holds it is
/// dropped before and created again after.
pub(crate) fn going_by_name(from: &Catalog, to: &Catalog) -> BTreeMap<QualName, String> {
    let mut out = text_search::going_configurations(from, to);
    if !from.operators.is_empty() {
        let functions = routines::going_functions(from, to);
        out.extend(operators::recreated_operators(from, to, &functions));
    }
    out
}

/// Whether `e` names `q`, an entry of [`going_by_name`]: an operator by its name in the
/// normalized text (the normalizer drops operator schemas), a text search configuration
/// among the expression's references (`'public.cfg'::regconfig`).
pub(crate) fn uses_going(e: &Expr, q: &QualName) -> bool {
    if shale_model::operators::is_operator_name(&q.name) {
        shale_model::operators::uses_operator(&e.canon, &q.name)
    } else {
        e.refs.contains(q)
    }
}

impl Differ<'_> {
    fn run(&mut self) {
        self.classify_columns();
        self.schemas();
        self.extensions();
        self.enums();
        self.sequences();
        self.tables();
        self.indexes();
        self.drops_of_tables();
        self.drops_of_enums_and_schemas();
        let security = security::diff(self.from, self.to);
        self.out.extend(security.into_iter().map(Change::Security));
        table_options::diff(self.from, self.to, &mut self.out);
        routines::diff(self.from, self.to, &mut self.out);
        user_types::diff(self.from, self.to, &mut self.out);
        event_triggers::diff(self.from, self.to, &mut self.out);
        relation_options::diff(self.from, self.to, &mut self.out);
        aggregates::diff(self.from, self.to, &mut self.out);
        publications::diff(self.from, self.to, &mut self.out);
        foreign_data::diff(self.from, self.to, &mut self.out);
        statistics::diff(self.from, self.to, &mut self.out);
        operators::diff(self.from, self.to, &mut self.out);
        text_search::diff(self.from, self.to, &mut self.out);
        // Last: a rule is dropped around what the other families drop or change.
        rewrite_rules::diff(self.from, self.to, &mut self.out);
    }

    fn push(&mut self, c: Change) {
        self.out.push(c);
    }

    /// `object` is built only when the comment changed: an id per unchanged column of a
    /// large schema was a measurable share of the diff.
    fn comment(
        &mut self,
        object: impl FnOnce() -> ObjectId,
        from: &Option<String>,
        to: &Option<String>,
    ) {
        if from != to {
            self.push(Change::SetComment {
                object: object(),
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    /// The comments of a constraint `c1` of `table` (`c0`: as it is now, if it stays):
    /// its own, and for a key the one on the index that backs it.
    fn constraint_comments(&mut self, table: &QualName, c0: Option<&Constraint>, c1: &Constraint) {
        let none = None;
        let (from, from_index) = c0.map_or((&none, &none), |c| (&c.comment, &c.index_comment));
        self.comment(
            || ObjectId::Constraint {
                table: table.clone(),
                name: c1.name.clone(),
            },
            from,
            &c1.comment,
        );
        self.comment(
            || ObjectId::Index {
                name: QualName::new(table.schema.clone(), c1.name.clone()),
            },
            from_index,
            &c1.index_comment,
        );
    }

    /// Which columns are re-created or disappear; needed before constraints and indexes
    /// are compared.
    fn classify_columns(&mut self) {
        for (name, t0) in &self.from.tables {
            match self.to.tables.get(name) {
                None => {
                    for c in &t0.columns {
                        self.dropped_columns.insert((name.clone(), c.name.clone()));
                    }
                }
                Some(t1) => {
                    for c0 in &t0.columns {
                        match t1.column(&c0.name) {
                            None if self.joined_column(name, &c0.name).is_some() => {}
                            None => {
                                self.dropped_columns.insert((name.clone(), c0.name.clone()));
                            }
                            Some(c1) => {
                                if recreate_reason(t0, t1, c0, c1, &self.operators).is_some() {
                                    self.recreated_columns
                                        .insert((name.clone(), c0.name.clone()));
                                    self.dropped_columns.insert((name.clone(), c0.name.clone()));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Column `column` of `table` as the child has it from the parent `table` joins: a
    /// column of its own that the parent has becomes the inherited one, keeping what the
    /// table had (its default, `NOT NULL`), compared with what the child has of the
    /// parent's (`Catalog::child_column`).
    fn joined_column(&self, table: &QualName, column: &str) -> Option<Column> {
        let joins = self.from.table_opts(table).parents().is_empty()
            && !self.to.table_opts(table).parents().is_empty();
        joins.then(|| self.to.child_column(table, column)).flatten()
    }

    /// Column `column` of `table` as the child had it from the parents it leaves (all of
    /// them: table_options.rs then leaves its `NOT NULL` and default to this): the table
    /// keeps it as its own, compared with the desired column.
    fn left_column(&self, table: &QualName, column: &str) -> Option<Column> {
        let leaves = !self.from.table_opts(table).parents().is_empty()
            && self.to.table_opts(table).parents().is_empty();
        leaves
            .then(|| self.from.child_column(table, column))
            .flatten()
    }

    fn schemas(&mut self) {
        for name in self.to.schemas.keys() {
            if name != PUBLIC && !self.from.schemas.contains_key(name) {
                self.push(Change::CreateSchema { name: name.clone() });
            }
        }
    }

    fn extensions(&mut self) {
        for (name, e1) in &self.to.extensions {
            if name == PLPGSQL {
                continue;
            }
            match self.from.extensions.get(name) {
                None => self.push(Change::CreateExtension {
                    extension: e1.clone(),
                }),
                Some(e0) => {
                    if e0.schema != e1.schema && NOT_RELOCATABLE.contains(&name.as_str()) {
                        self.push(Change::Unsupported {
                            object: ObjectId::Extension { name: name.clone() },
                            reason: format!(
                                "extension {name} cannot move from schema {} to {}: it is not \
                                 relocatable (ALTER EXTENSION … SET SCHEMA fails), and dropping \
                                 and re-creating it would drop every object that uses it; move \
                                 it by hand or keep schema {} in the desired state",
                                e0.schema, e1.schema, e0.schema
                            ),
                        });
                    } else if e0.schema != e1.schema {
                        self.push(Change::SetExtensionSchema {
                            name: name.clone(),
                            from: e0.schema.clone(),
                            to: e1.schema.clone(),
                        });
                    }
                    if let Some(v) = &e1.version {
                        if e0.version.as_ref() != Some(v) {
                            self.push(Change::AlterExtensionVersion {
                                name: name.clone(),
                                from: e0.version.clone(),
                                to: v.clone(),
                            });
                        }
                    }
                }
            }
        }
        for (name, e0) in &self.from.extensions {
            if name != PLPGSQL && !self.to.extensions.contains_key(name) {
                self.push(Change::DropExtension {
                    extension: e0.clone(),
                });
            }
        }
    }

    fn enums(&mut self) {
        for (name, e1) in &self.to.enums {
            let object = || ObjectId::Type { name: name.clone() };
            match self.from.enums.get(name) {
                None => {
                    self.push(Change::CreateEnum {
                        enum_type: e1.clone(),
                    });
                    self.comment(object, &None, &e1.comment);
                }
                Some(e0) => {
                    match enum_additions(&e0.labels, &e1.labels) {
                        Some(adds) => {
                            for (label, position) in adds {
                                self.push(Change::AddEnumValue {
                                    name: name.clone(),
                                    label,
                                    position,
                                });
                            }
                        }
                        // Labels removed or reordered: re-create the type (user_types.rs).
                        None => self.push(user_types::recreate_enum(self.from, self.to, e0, e1)),
                    }
                    self.comment(object, &e0.comment, &e1.comment);
                }
            }
        }
    }

    fn sequences(&mut self) {
        for (name, s1) in &self.to.sequences {
            let object = || ObjectId::Sequence { name: name.clone() };
            match self.from.sequences.get(name) {
                None => {
                    self.push(Change::CreateSequence {
                        sequence: Sequence {
                            owned_by: None,
                            ..s1.clone()
                        },
                    });
                    if s1.owned_by.is_some() {
                        self.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            from: None,
                            to: s1.owned_by.clone(),
                        });
                    }
                    self.comment(object, &None, &s1.comment);
                }
                Some(s0) => {
                    let strip = |s: &Sequence| Sequence {
                        owned_by: None,
                        comment: None,
                        ..s.clone()
                    };
                    if strip(s0) != strip(s1) {
                        self.push(Change::AlterSequence {
                            from: s0.clone(),
                            to: s1.clone(),
                        });
                    }
                    let owner_goes = s0.owned_by.as_ref().is_some_and(|o| {
                        self.dropped_columns
                            .contains(&(o.table.clone(), o.column.clone()))
                    });
                    if s0.owned_by != s1.owned_by {
                        self.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            from: s0.owned_by.clone(),
                            to: s1.owned_by.clone(),
                        });
                    } else if owner_goes {
                        // The owning column is re-created: dropping it would drop the
                        // sequence, so release it first and own it again afterwards.
                        self.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            from: s0.owned_by.clone(),
                            to: None,
                        });
                        self.push(Change::SetSequenceOwner {
                            name: name.clone(),
                            from: None,
                            to: s1.owned_by.clone(),
                        });
                    }
                    self.comment(object, &s0.comment, &s1.comment);
                }
            }
        }
        for (name, s0) in &self.from.sequences {
            if self.to.sequences.contains_key(name) {
                continue;
            }
            // A sequence owned by a column that goes away goes away with it.
            let implicit = s0.owned_by.as_ref().is_some_and(|o| {
                self.dropped_columns
                    .contains(&(o.table.clone(), o.column.clone()))
            });
            if !implicit {
                self.push(Change::DropSequence {
                    sequence: s0.clone(),
                });
            }
        }
    }

    fn tables(&mut self) {
        // Keys (constraints) that go away: needed to re-create foreign keys on them.
        for (name, t0) in &self.from.tables {
            let t1 = self.to.tables.get(name);
            for c0 in t0.constraints.values() {
                let gone = match t1.and_then(|t| t.constraints.get(&c0.name)) {
                    None => true,
                    Some(c1) => self.constraint_recreate(name, c0, c1).is_some(),
                };
                if gone {
                    self.removed_keys.insert(ObjectId::Constraint {
                        table: name.clone(),
                        name: c0.name.clone(),
                    });
                }
            }
        }
        for (name, ix0) in &self.from.indexes {
            if !ix0.unique {
                continue;
            }
            let gone = match self.to.indexes.get(name) {
                None => true,
                Some(ix1) => self.index_recreate(ix0, ix1).is_some(),
            };
            if gone {
                self.removed_keys
                    .insert(ObjectId::Index { name: name.clone() });
            }
        }

        for (name, t1) in &self.to.tables {
            match self.from.tables.get(name) {
                None => self.create_table(t1),
                Some(t0) => self.alter_table(t0, t1),
            }
        }
    }

    fn create_table(&mut self, t1: &Table) {
        let name = &t1.name;
        // A key added ONLY (its index invalid) is added after the partitions exist.
        let inline = |c: &Constraint| !c.kind.is_foreign_key() && c.validated && !c.index_invalid;
        let mut table = t1.clone();
        table.constraints.retain(|_, c| inline(c));
        table.comment = None;
        for c in &mut table.columns {
            c.comment = None;
        }
        for c in table.constraints.values_mut() {
            c.comment = None;
            c.index_comment = None;
        }
        self.push(Change::CreateTable { table });
        for c in t1.constraints.values().filter(|c| !inline(c)) {
            self.push(Change::AddConstraint {
                table: name.clone(),
                constraint: c.without_comments(),
                new_table: true,
                recreate: None,
            });
        }
        self.comment(
            || ObjectId::Table { name: name.clone() },
            &None,
            &t1.comment,
        );
        for c in &t1.columns {
            self.comment(
                || ObjectId::Column {
                    table: name.clone(),
                    column: c.name.clone(),
                },
                &None,
                &c.comment,
            );
        }
        for c in t1.constraints.values() {
            self.constraint_comments(name, None, c);
        }
    }

    fn alter_table(&mut self, t0: &Table, t1: &Table) {
        let name = &t1.name;
        // Constraints first dropped (in `from` key order), so that the column drops that
        // follow them in the output read naturally; the planner orders them anyway.
        let mut re_adds = Vec::new();
        for c0 in t0.constraints.values() {
            match t1.constraints.get(&c0.name) {
                None => self.push(Change::DropConstraint {
                    table: name.clone(),
                    constraint: c0.clone(),
                    recreate: None,
                }),
                Some(c1) => {
                    if let Some(why) = self.constraint_recreate(name, c0, c1) {
                        self.push(Change::DropConstraint {
                            table: name.clone(),
                            constraint: c0.clone(),
                            recreate: Some(why.clone()),
                        });
                        re_adds.push((c1, why));
                    }
                }
            }
        }

        for c0 in &t0.columns {
            if t1.column(&c0.name).is_none() {
                match self.joined_column(name, &c0.name) {
                    Some(c1) => self.alter_column(name, c0, &c1),
                    None => self.push(Change::DropColumn {
                        table: name.clone(),
                        column: c0.clone(),
                        recreate: None,
                    }),
                }
            }
        }
        for c1 in &t1.columns {
            let object = || ObjectId::Column {
                table: name.clone(),
                column: c1.name.clone(),
            };
            match t0.column(&c1.name) {
                None => match self.left_column(name, &c1.name) {
                    Some(c0) => {
                        self.alter_column(name, &c0, c1);
                        self.comment(object, &None, &c1.comment);
                    }
                    None => {
                        self.push(Change::AddColumn {
                            table: name.clone(),
                            column: Column {
                                comment: None,
                                ..c1.clone()
                            },
                            recreate: None,
                        });
                        self.comment(object, &None, &c1.comment);
                    }
                },
                Some(c0) if recreate_reason(t0, t1, c0, c1, &self.operators).is_some() => {
                    let why = recreate_reason(t0, t1, c0, c1, &self.operators).unwrap_or_default();
                    self.push(Change::DropColumn {
                        table: name.clone(),
                        column: c0.clone(),
                        recreate: Some(why.clone()),
                    });
                    self.push(Change::AddColumn {
                        table: name.clone(),
                        column: Column {
                            comment: None,
                            ..c1.clone()
                        },
                        recreate: Some(why),
                    });
                    self.comment(object, &None, &c1.comment);
                }
                Some(c0) => self.alter_column(name, c0, c1),
            }
        }

        for c1 in t1.constraints.values() {
            if !t0.constraints.contains_key(&c1.name) {
                self.push(Change::AddConstraint {
                    table: name.clone(),
                    constraint: c1.without_comments(),
                    new_table: false,
                    recreate: None,
                });
                self.constraint_comments(name, None, c1);
            }
        }
        for (c1, why) in re_adds {
            self.push(Change::AddConstraint {
                table: name.clone(),
                constraint: c1.without_comments(),
                new_table: false,
                recreate: Some(why),
            });
            self.constraint_comments(name, None, c1);
        }
        for c0 in t0.constraints.values() {
            let Some(c1) = t1.constraints.get(&c0.name) else {
                continue;
            };
            if self.constraint_recreate(name, c0, c1).is_some() {
                continue;
            }
            if !c0.validated && c1.validated {
                self.push(Change::ValidateConstraint {
                    table: name.clone(),
                    constraint: c1.clone(),
                });
            }
            self.constraint_comments(name, Some(c0), c1);
        }
        self.comment(
            || ObjectId::Table { name: name.clone() },
            &t0.comment,
            &t1.comment,
        );
    }

    fn alter_column(&mut self, table: &QualName, c0: &Column, c1: &Column) {
        let column = c1.name.clone();
        let t = || table.clone();
        let type_changed = c0.ty != c1.ty || c0.collation != c1.collation;

        if c0.identity.is_some() && c1.identity.is_none() {
            self.push(Change::DropIdentity {
                table: t(),
                column: column.clone(),
            });
        }
        if c0.generated.is_some() && c1.generated.is_none() {
            self.push(Change::DropExpression {
                table: t(),
                column: column.clone(),
            });
        }
        // A default may not convert to the new type: drop it around a type change.
        let default_dropped = match &c0.default {
            Some(d0) if c1.default.is_none() || type_changed => {
                self.push(Change::DropDefault {
                    table: t(),
                    column: column.clone(),
                    from: d0.clone(),
                });
                true
            }
            _ => false,
        };
        if type_changed {
            self.push(Change::AlterColumnType {
                table: t(),
                column: column.clone(),
                from: c0.ty.clone(),
                to: c1.ty.clone(),
                from_collation: c0.collation.clone(),
                to_collation: c1.collation.clone(),
            });
        }
        if let Some(d1) = &c1.default {
            if default_dropped || c0.default.as_ref() != Some(d1) {
                self.push(Change::SetDefault {
                    table: t(),
                    column: column.clone(),
                    from: if default_dropped {
                        None
                    } else {
                        c0.default.clone()
                    },
                    to: d1.clone(),
                });
            }
        }
        if !c0.not_null && c1.not_null {
            self.push(Change::SetNotNull {
                table: t(),
                column: column.clone(),
            });
        }
        if c0.not_null && !c1.not_null {
            self.push(Change::DropNotNull {
                table: t(),
                column: column.clone(),
            });
        }
        match (&c0.identity, &c1.identity) {
            (None, Some(i1)) => self.push(Change::AddIdentity {
                table: t(),
                column: column.clone(),
                identity: i1.clone(),
            }),
            (Some(i0), Some(i1)) => {
                // A type change moves bounds that were the old type's defaults to the new
                // type's defaults (PostgreSQL does so for the identity sequence).
                let i0 = rebase_identity(i0, &c0.ty, &c1.ty);
                if &i0 != i1 {
                    self.push(Change::AlterIdentity {
                        table: t(),
                        column: column.clone(),
                        from: i0,
                        to: i1.clone(),
                    });
                }
            }
            _ => {}
        }
        self.comment(
            move || ObjectId::Column { table: t(), column },
            &c0.comment,
            &c1.comment,
        );
    }

    /// Why constraint `c0` (in `from`) must be dropped and added as `c1`, if it must.
    fn constraint_recreate(
        &self,
        table: &QualName,
        c0: &Constraint,
        c1: &Constraint,
    ) -> Option<String> {
        if !same_constraint_definition(c0, c1) {
            return Some("its definition changed".into());
        }
        if c0.index_invalid && !c1.index_invalid {
            return Some(LEFT_INVALID_KEY.into());
        }
        if !c0.index_invalid && c1.index_invalid {
            return Some(
                "it is wanted added ONLY to the partitioned table, its index invalid until each partition has one attached".into(),
            );
        }
        if c0.validated && !c1.validated {
            return Some(
                "it is wanted NOT VALID (a validated constraint cannot be un-validated)".into(),
            );
        }
        if let Some(col) = self.constraint_recreated_column(table, c0) {
            return Some(format!("column {col} is re-created"));
        }
        if let ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            ..
        } = &c0.kind
        {
            // Both ends change type: PostgreSQL checks the pair after each change, so the
            // key is dropped before the first and added after the last.
            let retyped = |t: &QualName, col: &str| {
                let ty = |cat: &Catalog| {
                    cat.tables
                        .get(t)
                        .and_then(|x| x.column(col))
                        .map(|c| c.ty.clone())
                };
                matches!((ty(self.from), ty(self.to)), (Some(a), Some(b)) if a != b)
            };
            if let Some((col, _)) = columns
                .iter()
                .zip(ref_columns)
                .find(|(c, r)| retyped(table, c) && retyped(ref_table, r))
            {
                return Some(format!(
                    "column {table}.{} and the column it references change type",
                    shale_model::quote_ident(col)
                ));
            }
            if let Some(key) = self.from.key_for(ref_table, ref_columns) {
                if self.removed_keys.contains(&key) {
                    let kept = match &key {
                        ObjectId::Index { name } => self.to.indexes.contains_key(name),
                        ObjectId::Constraint { table, name } => self
                            .to
                            .tables
                            .get(table)
                            .is_some_and(|t| t.constraints.contains_key(name)),
                        _ => false,
                    };
                    let how = if kept { "re-created" } else { "dropped" };
                    return Some(format!("the key it references ({key}) is {how}"));
                }
            }
        }
        None
    }

    /// A re-created column this constraint covers (its own or, for a foreign key, a
    /// referenced one).
    fn constraint_recreated_column(&self, table: &QualName, c: &Constraint) -> Option<String> {
        let hit = |t: &QualName, col: &str| {
            self.recreated_columns
                .contains(&(t.clone(), col.to_string()))
                .then(|| format!("{}.{}", t, shale_model::quote_ident(col)))
        };
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, include }
            | ConstraintKind::Unique {
                columns, include, ..
            } => columns
                .iter()
                .chain(include)
                .find_map(|col| hit(table, col)),
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                ..
            } => columns
                .iter()
                .find_map(|col| hit(table, col))
                .or_else(|| ref_columns.iter().find_map(|col| hit(ref_table, col))),
            ConstraintKind::Check { expr, .. } => self
                .recreated_columns
                .iter()
                .filter(|(t, _)| t == table)
                .find(|(_, col)| mentions_identifier(&expr.canon, col))
                .map(|(t, col)| format!("{}.{}", t, shale_model::quote_ident(col))),
        }
    }

    /// Why index `ix0` (in `from`) must be dropped and created as `ix1`, if it must.
    fn index_recreate(&self, ix0: &Index, ix1: &Index) -> Option<String> {
        if !same_index_definition(ix0, ix1) {
            return Some("its definition changed".into());
        }
        if ix0.invalid && !ix1.invalid {
            return Some(LEFT_INVALID.into());
        }
        if self.attached_from.get(&ix0.name) != self.attached_to.get(&ix1.name) {
            // PostgreSQL has no DETACH for an index (table_options.rs attaches again).
            return Some(
                "the partitions' indexes attached to it change (PostgreSQL cannot detach one)"
                    .into(),
            );
        }
        self.recreated_columns
            .iter()
            .filter(|(t, _)| *t == ix0.table)
            .find(|(_, col)| index_mentions_column(ix0, col))
            .map(|(t, col)| {
                format!(
                    "column {}.{} is re-created",
                    t,
                    shale_model::quote_ident(col)
                )
            })
    }

    fn indexes(&mut self) {
        for (name, ix0) in &self.from.indexes {
            if !self.to.tables.contains_key(&ix0.table) {
                continue; // dropped with its table
            }
            match self.to.indexes.get(name) {
                None => self.push(Change::DropIndex {
                    index: ix0.clone(),
                    recreate: None,
                }),
                Some(ix1) => {
                    if let Some(why) = self.index_recreate(ix0, ix1) {
                        self.push(Change::DropIndex {
                            index: ix0.clone(),
                            recreate: Some(why.clone()),
                        });
                        self.push(Change::CreateIndex {
                            index: Index {
                                comment: None,
                                ..ix1.clone()
                            },
                            new_table: false,
                            recreate: Some(why),
                        });
                        self.comment(
                            || ObjectId::Index { name: name.clone() },
                            &None,
                            &ix1.comment,
                        );
                    } else {
                        self.comment(
                            || ObjectId::Index { name: name.clone() },
                            &ix0.comment,
                            &ix1.comment,
                        );
                    }
                }
            }
        }
        for (name, ix1) in &self.to.indexes {
            // Handled above, unless the index of that name went with its dropped table:
            // then the name is taken again by an index of another table.
            if self
                .from
                .indexes
                .get(name)
                .is_some_and(|ix0| self.to.tables.contains_key(&ix0.table))
            {
                continue;
            }
            self.push(Change::CreateIndex {
                index: Index {
                    comment: None,
                    ..ix1.clone()
                },
                new_table: !self.from.tables.contains_key(&ix1.table),
                recreate: None,
            });
            self.comment(
                || ObjectId::Index { name: name.clone() },
                &None,
                &ix1.comment,
            );
        }
    }

    fn drops_of_tables(&mut self) {
        for (name, t0) in &self.from.tables {
            if self.to.tables.contains_key(name) {
                continue;
            }
            // Foreign keys between two dropped tables are dropped first: each table
            // would otherwise need the other gone before it (a cycle).
            for c in t0.constraints.values() {
                if dropped_with_other_table(self.to, name, c) {
                    self.push(Change::DropConstraint {
                        table: name.clone(),
                        constraint: c.clone(),
                        recreate: None,
                    });
                }
            }
            self.push(Change::DropTable { table: t0.clone() });
        }
    }

    fn drops_of_enums_and_schemas(&mut self) {
        for (name, e0) in &self.from.enums {
            if !self.to.enums.contains_key(name) {
                self.push(Change::DropEnum {
                    enum_type: e0.clone(),
                });
            }
        }
        for name in self.from.schemas.keys() {
            if name != PUBLIC && !self.to.schemas.contains_key(name) {
                self.push(Change::DropSchema { name: name.clone() });
            }
        }
    }
}

/// A drop and an add in the same diff that may be one object renamed, which no hint said:
/// the planner flags the drop (it loses the data a rename would keep).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PossibleRename {
    pub dropped: ObjectId,
    pub added: ObjectId,
}

/// Drops and adds among `changes` that look like renames: a column dropped and a column
/// of the same type (and collation) added to the same table, or a table dropped and a
/// table with the same columns (names and types, in order) created.
pub fn possible_renames(changes: &[Change]) -> Vec<PossibleRename> {
    // The added columns and created tables, grouped by what a drop must match, in the
    // order of `changes`: one pass, instead of one pass per drop (quadratic when a whole
    // schema is dropped, as in the rollback of a plan from empty; issue 13).
    let shape = |t: &Table| {
        t.columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone(), c.collation.clone()))
            .collect::<Vec<_>>()
    };
    let mut adds: HashMap<(&QualName, &TypeRef, &Option<QualName>), Vec<&Change>> = HashMap::new();
    let mut creates: HashMap<_, Vec<&Change>> = HashMap::new();
    for a in changes {
        match a {
            Change::AddColumn {
                table,
                column,
                recreate: None,
            } => adds
                .entry((table, &column.ty, &column.collation))
                .or_default()
                .push(a),
            Change::CreateTable { table } if !table.columns.is_empty() => {
                creates.entry(shape(table)).or_default().push(a)
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for d in changes {
        let matches = match d {
            Change::DropColumn {
                table,
                column,
                recreate: None,
            } => adds.get(&(table, &column.ty, &column.collation)),
            Change::DropTable { table } if !creates.is_empty() => creates.get(&shape(table)),
            _ => None,
        };
        for a in matches.into_iter().flatten() {
            out.push(PossibleRename {
                dropped: d.object(),
                added: a.object(),
            });
        }
    }
    out
}

/// A foreign key of dropped table `table` that references another table dropped too:
/// [`diff`] drops it explicitly before the tables (the planner relies on this rule).
pub fn dropped_with_other_table(to: &Catalog, table: &QualName, c: &Constraint) -> bool {
    match &c.kind {
        ConstraintKind::ForeignKey { ref_table, .. } => {
            ref_table != table && !to.tables.contains_key(ref_table)
        }
        _ => false,
    }
}

/// Why column `c0` of `t0` cannot be changed in place into `c1` of `t1`, if it cannot: its
/// generation expression changes, a plain column becomes generated, or a column its
/// expression uses changes type (PostgreSQL refuses that while the expression exists).
/// (Generated → plain is `DROP EXPRESSION`.)
fn recreate_reason(
    t0: &Table,
    t1: &Table,
    c0: &Column,
    c1: &Column,
    operators: &BTreeMap<QualName, String>,
) -> Option<String> {
    if let Some(why) = generated_over_going_operator(c0, c1, operators) {
        return Some(why);
    }
    match (&c0.generated, &c1.generated) {
        (Some(g0), Some(g1)) if g0 != g1 => Some(
            "its generation expression changed (PostgreSQL before 17 cannot change it in place)"
                .into(),
        ),
        (None, Some(_)) => Some(
            "it becomes a generated column (an existing column cannot be made generated)".into(),
        ),
        (Some(g0), Some(_)) => t0
            .columns
            .iter()
            .filter(|a| a.name != c0.name && mentions_identifier(&g0.canon, &a.name))
            .find(|a| {
                t1.column(&a.name)
                    .is_some_and(|b| b.ty != a.ty || b.collation != a.collation)
            })
            .map(|a| {
                format!(
                    "column {} it is computed from changes type",
                    shale_model::quote_ident(&a.name)
                )
            }),
        _ => None,
    }
}

/// Why a generated column that stays must be dropped and added again because an operator
/// or text search configuration its expression uses, before and after, is dropped and
/// created again (`operators`: [`going_by_name`]; PostgreSQL refuses to drop either while
/// a column uses it).
pub(crate) fn generated_over_going_operator(
    c0: &Column,
    c1: &Column,
    operators: &BTreeMap<QualName, String>,
) -> Option<String> {
    let (g0, g1) = (c0.generated.as_ref()?, c1.generated.as_ref()?);
    operators
        .iter()
        .find_map(|(o, why)| (uses_going(g0, o) && uses_going(g1, o)).then(|| why.clone()))
}

/// The labels to add, with positions valid at the time each is added, when `to` keeps
/// every label of `from` in the same order; `None` otherwise.
fn enum_additions(from: &[String], to: &[String]) -> Option<Vec<(String, EnumPosition)>> {
    // `from` must be a subsequence of `to`.
    let mut it = to.iter();
    for l in from {
        it.find(|x| *x == l)?;
    }
    let old: BTreeSet<&String> = from.iter().collect();
    let mut adds = Vec::new();
    for (i, label) in to.iter().enumerate() {
        if old.contains(label) {
            continue;
        }
        let position = if i > 0 {
            // The label before it exists by now: an old one, or one added just before.
            EnumPosition::After(to[i - 1].clone())
        } else if let Some(first) = from.first() {
            EnumPosition::Before(first.clone())
        } else {
            EnumPosition::End
        };
        adds.push((label.clone(), position));
    }
    Some(adds)
}

fn int_type_bounds(ty: &TypeRef) -> Option<(i64, i64)> {
    if ty.schema.is_some() || ty.array {
        return None;
    }
    match ty.name.as_str() {
        "smallint" => Some((i16::MIN as i64, i16::MAX as i64)),
        "integer" => Some((i32::MIN as i64, i32::MAX as i64)),
        "bigint" => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// The identity as PostgreSQL leaves it after the column's type changes from `from` to
/// `to`: bounds that were the old type's defaults become the new type's.
fn rebase_identity(i: &Identity, from: &TypeRef, to: &TypeRef) -> Identity {
    let (Some((omin, omax)), Some((nmin, nmax))) = (int_type_bounds(from), int_type_bounds(to))
    else {
        return i.clone();
    };
    if from == to {
        return i.clone();
    }
    let mut out = i.clone();
    if i.increment > 0 {
        if i.max_value == omax {
            out.max_value = nmax;
        }
    } else if i.min_value == omin {
        out.min_value = nmin;
    }
    out
}

/// Does `ix` involve column `col` (as a key, an included column, or inside an expression
/// or predicate)?
pub fn index_mentions_column(ix: &Index, col: &str) -> bool {
    ix.keys.iter().any(|k| match &k.key {
        IndexKeyExpr::Column(c) => c == col,
        IndexKeyExpr::Expr(e) => mentions_identifier(&e.canon, col),
    }) || ix.include.iter().any(|c| c == col)
        || ix
            .predicate
            .as_ref()
            .is_some_and(|p| mentions_identifier(&p.canon, col))
}

/// Does the SQL expression text name the identifier `name` anywhere (as a bare or quoted
/// identifier, outside string literals)? A conservative dependency test: a function or
/// field of the same name counts too, which at worst re-creates an object needlessly.
pub fn mentions_identifier(sql: &str, name: &str) -> bool {
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // String literal: '' is an escaped quote.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
        } else if c == '"' {
            let mut ident = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        ident.push('"');
                        i += 2;
                        continue;
                    }
                    break;
                }
                ident.push(chars[i]);
                i += 1;
            }
            i += 1;
            if ident == name {
                return true;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
            if word == name {
                return true;
            }
        } else if c.is_ascii_digit() {
            // A number (possibly 1e10 or 0x1F): skip it whole, it is not an identifier.
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests;
