//! Changes → draft steps: SQL, risk, and what each step creates, needs, removes and
//! releases (the raw material of the ordering graph).

use crate::model::{Action, Risk};
use crate::rules::{rule_for, RuleId, Vars};
use crate::sql;
use crate::typechange::{self, TypeChange};
use crate::{PlanError, PlanOptions};
use shale_diff::{Change, EnumPosition, PossibleRename};
use shale_model::{
    quote_ident, quote_literal, Catalog, Column, ColumnRef, Constraint, ConstraintKind, Directives,
    Expr, Index, IndexKeyExpr, ObjectId, QualName,
};
use std::collections::BTreeSet;

/// Priority classes for the topological sort (lower runs first when both are ready):
/// drops of dependents first, then creates from schemas down to comments, then drops of
/// extensions.
pub mod rank {
    pub const DROP_FK: u8 = 0;
    pub const DROP_INDEX: u8 = 1;
    pub const DROP_CONSTRAINT: u8 = 2;
    pub const DROP_COLUMN: u8 = 3;
    pub const DROP_TABLE: u8 = 4;
    pub const DROP_SEQUENCE: u8 = 5;
    pub const DROP_TYPE: u8 = 6;
    /// Last of all: what uses an extension's functions (defaults, checks, index operator
    /// classes) is not modelled, so every other step runs first.
    pub const DROP_EXTENSION: u8 = 30;
    pub const DROP_SCHEMA: u8 = 8;
    pub const RENAME: u8 = 9;
    pub const SCHEMA: u8 = 10;
    pub const EXTENSION: u8 = 11;
    pub const TYPE: u8 = 12;
    pub const SEQUENCE: u8 = 13;
    pub const TABLE: u8 = 14;
    pub const COLUMN: u8 = 15;
    pub const CONSTRAINT: u8 = 16;
    pub const INDEX: u8 = 17;
    pub const FK: u8 = 18;
    pub const VALIDATE: u8 = 19;
    pub const OWNED_BY: u8 = 20;
    pub const COMMENT: u8 = 21;
}

/// A step before ordering.
#[derive(Debug, Clone)]
pub struct Draft {
    pub object: ObjectId,
    pub action: Action,
    pub sql: String,
    pub risk: Risk,
    pub transactional: bool,
    pub commit_after: bool,
    pub rank: u8,
    /// Objects that exist, in their desired shape, once this step ran (created or altered).
    pub creates: Vec<ObjectId>,
    /// Objects whose creating/altering steps must run first.
    pub needs: Vec<ObjectId>,
    /// Objects gone once this step ran.
    pub removes: Vec<ObjectId>,
    /// Objects this step stops depending on: their drops must wait for it.
    pub releases: Vec<ObjectId>,
    /// Objects whose drops must run before this step.
    pub after_drops_of: Vec<ObjectId>,
    /// Relation/type names (one namespace per schema) created and removed: a drop of a
    /// name runs before a create of the same name.
    pub names_created: Vec<QualName>,
    pub names_removed: Vec<QualName>,
    /// Drafts (by position in the builder's output) that must run before this one.
    pub after: Vec<usize>,
    /// The phase of an expand/contract plan.
    pub phase: Option<crate::Phase>,
}

impl Draft {
    pub fn new(object: ObjectId, action: Action, sql: String, risk: Risk, rank: u8) -> Draft {
        Draft {
            object,
            action,
            sql,
            risk,
            transactional: true,
            commit_after: false,
            rank,
            creates: Vec::new(),
            needs: Vec::new(),
            removes: Vec::new(),
            releases: Vec::new(),
            after_drops_of: Vec::new(),
            names_created: Vec::new(),
            names_removed: Vec::new(),
            after: Vec::new(),
            phase: None,
        }
    }
}

/// The objects `id` needs in `cat`: the model's dependencies, plus every column of the
/// table for a check constraint or an expression/partial index (their expressions name
/// columns the model does not list).
pub fn deps(cat: &Catalog, id: &ObjectId) -> Vec<ObjectId> {
    let mut out = cat.dependencies(id);
    let all_columns = |table: &QualName, out: &mut Vec<ObjectId>| {
        if let Some(t) = cat.tables.get(table) {
            for c in &t.columns {
                out.push(ObjectId::Column {
                    table: table.clone(),
                    column: c.name.clone(),
                });
            }
        }
    };
    match id {
        ObjectId::Constraint { table, name } => {
            let is_check = cat
                .tables
                .get(table)
                .and_then(|t| t.constraints.get(name))
                .is_some_and(|c| matches!(c.kind, ConstraintKind::Check { .. }));
            if is_check {
                all_columns(table, &mut out);
            }
        }
        ObjectId::Index { name } => {
            if let Some(ix) = cat.indexes.get(name) {
                let exprs = ix.predicate.is_some()
                    || ix
                        .keys
                        .iter()
                        .any(|k| matches!(k.key, IndexKeyExpr::Expr(_)));
                if exprs {
                    all_columns(&ix.table, &mut out);
                }
            }
        }
        _ => {}
    }
    out.sort();
    out.dedup();
    out.retain(|d| d != id);
    out
}

/// The name part of an object's display (`public.users.email` for a column).
pub fn object_name(o: &ObjectId) -> String {
    let s = o.to_string();
    s[o.kind().len() + 1..].to_string()
}

fn col_id(table: &QualName, column: &str) -> ObjectId {
    ObjectId::Column {
        table: table.clone(),
        column: column.to_string(),
    }
}

fn con_id(table: &QualName, name: &str) -> ObjectId {
    ObjectId::Constraint {
        table: table.clone(),
        name: name.to_string(),
    }
}

fn is_key(c: &Constraint) -> bool {
    matches!(
        c.kind,
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
    )
}

/// Functions whose value differs per row: a column added with such a default is computed
/// for every existing row (a table rewrite).
const VOLATILE: &[&str] = &[
    "nextval",
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "txid_current",
    "gen_random_bytes",
    "random_normal",
    "uuidv7",
];

fn is_volatile(e: &Expr) -> bool {
    VOLATILE.iter().any(|f| {
        shale_diff::mentions_identifier(&e.canon, f) || shale_diff::mentions_identifier(&e.sql, f)
    })
}

pub struct Builder<'a> {
    /// The current catalog, with the hinted renames applied.
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub opts: &'a PlanOptions,
    pub directives: &'a Directives,
    pub out: Vec<Draft>,
    /// Unhinted drops and adds that look like renames.
    possible: Vec<PossibleRename>,
    /// The last rename step: renames run one after the other, in the diff's order.
    pub(crate) last_rename: Option<usize>,
    /// Tables renamed or with renamed parts: every other step on them runs after the
    /// renames (their SQL uses the new names).
    pub(crate) renamed_tables: BTreeSet<QualName>,
    /// The backfill drafts.
    backfills: Vec<usize>,
    /// The plain ↔ partitioned conversions' steps (conversions.rs).
    pub(crate) conversions: Vec<crate::conversions::Conversion>,
    /// The desired tables by the relation name of each key's index (schema, constraint
    /// name), made on first use (a comment on such an index needs its constraint).
    key_tables: std::cell::OnceCell<std::collections::HashMap<QualName, QualName>>,
}

impl<'a> Builder<'a> {
    pub fn new(
        from: &'a Catalog,
        to: &'a Catalog,
        opts: &'a PlanOptions,
        directives: &'a Directives,
    ) -> Self {
        Builder {
            from,
            to,
            opts,
            directives,
            out: Vec::new(),
            possible: Vec::new(),
            last_rename: None,
            renamed_tables: BTreeSet::new(),
            backfills: Vec::new(),
            conversions: Vec::new(),
            key_tables: std::cell::OnceCell::new(),
        }
    }

    /// The desired table whose key's index is named `index`.
    fn key_table(&self, index: &QualName) -> Option<&QualName> {
        self.key_tables
            .get_or_init(|| {
                let mut m = std::collections::HashMap::new();
                for t in self.to.tables.values() {
                    for c in t.constraints.values().filter(|c| is_key(c)) {
                        m.insert(
                            QualName::new(t.name.schema.clone(), c.name.clone()),
                            t.name.clone(),
                        );
                    }
                }
                m
            })
            .get(index)
    }

    fn vars(&self, object: &ObjectId) -> Vars {
        let table = match object {
            ObjectId::Column { table, .. } | ObjectId::Constraint { table, .. } => {
                table.to_string()
            }
            ObjectId::Table { name } => name.to_string(),
            ObjectId::Index { name } => self
                .to
                .indexes
                .get(name)
                .or_else(|| self.from.indexes.get(name))
                .map(|ix| ix.table.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        };
        Vars {
            object: object_name(object),
            table,
            ..Vars::default()
        }
    }

    pub(crate) fn risk(&self, id: RuleId, object: &ObjectId, f: impl FnOnce(&mut Vars)) -> Risk {
        let mut v = self.vars(object);
        f(&mut v);
        rule_for(id).risk(&v)
    }

    /// `object` (a function or an operator) is dropped and created again: a default
    /// using it is dropped before (that `DROP DEFAULT` must not wait for the new version)
    /// and set again after (that `SET DEFAULT` does not release the old version: the drop
    /// did). Call it before pushing the drop.
    pub(crate) fn defaults_around(&mut self, object: &ObjectId) {
        for d in self.out.iter_mut() {
            if matches!(d.object, ObjectId::Column { .. }) {
                if d.sql.ends_with(" DROP DEFAULT") {
                    d.needs.retain(|n| n != object);
                } else if d.sql.contains(" SET DEFAULT ") {
                    d.releases.retain(|n| n != object);
                }
            }
        }
    }

    /// A create/alter step: creates `object`, needs its dependencies in `to`.
    pub(crate) fn create(
        &self,
        object: ObjectId,
        action: Action,
        sql: String,
        risk: Risk,
        rank: u8,
    ) -> Draft {
        let mut d = Draft::new(object.clone(), action, sql, risk, rank);
        d.needs = deps(self.to, &object);
        d.creates = vec![object];
        d
    }

    /// An alter step on an existing object: creates it in its new shape, needs its
    /// dependencies in `to`, releases its dependencies in `from`.
    fn alter(&self, object: ObjectId, sql: String, risk: Risk, rank: u8) -> Draft {
        let mut d = self.create(object.clone(), Action::Alter, sql, risk, rank);
        d.releases = deps(self.from, &object);
        d
    }

    /// A drop step: removes `removes` (the first is the object), releases what they
    /// needed in `from`.
    pub(crate) fn drop(&self, removes: Vec<ObjectId>, sql: String, risk: Risk, rank: u8) -> Draft {
        let mut d = Draft::new(removes[0].clone(), Action::Drop, sql, risk, rank);
        let mut rel: Vec<ObjectId> = removes.iter().flat_map(|o| deps(self.from, o)).collect();
        rel.sort();
        rel.dedup();
        rel.retain(|o| !removes.contains(o));
        d.releases = rel;
        d.removes = removes;
        d
    }

    pub fn expand(&mut self, changes: &[Change]) -> Result<(), PlanError> {
        for c in changes {
            if let Change::Unsupported { object, reason } = c {
                return Err(PlanError::Unsupported {
                    object: object.clone(),
                    reason: reason.clone(),
                });
            }
        }
        self.possible = shale_diff::possible_renames(changes);
        for c in changes {
            self.change(c)?;
        }
        self.after_renames();
        self.backfills_after_adds();
        self.order_conversions(changes);
        crate::event_triggers::order_around_other_steps(self);
        Ok(())
    }

    /// A backfill's expression may use any column of its table: it runs after the steps
    /// that add columns to the table (those pushed after it too).
    fn backfills_after_adds(&mut self) {
        for &b in &self.backfills {
            let ObjectId::Column { table, column } = self.out[b].object.clone() else {
                continue;
            };
            let adds: Vec<usize> = (0..self.out.len())
                .filter(|&i| {
                    self.out[i].action == Action::Create
                        && matches!(&self.out[i].object, ObjectId::Column { table: t, column: c }
                            if *t == table && *c != column)
                })
                .collect();
            self.out[b].after.extend(adds);
            self.out[b].after.sort_unstable();
            self.out[b].after.dedup();
        }
    }

    pub(crate) fn push(&mut self, d: Draft) -> usize {
        self.out.push(d);
        self.out.len() - 1
    }

    /// The table a step on `o` works on, if any.
    fn table_of(&self, o: &ObjectId) -> Option<QualName> {
        match o {
            ObjectId::Table { name } => Some(name.clone()),
            ObjectId::Column { table, .. } | ObjectId::Constraint { table, .. } => {
                Some(table.clone())
            }
            ObjectId::Index { name } => self
                .to
                .indexes
                .get(name)
                .or_else(|| self.from.indexes.get(name))
                .map(|ix| ix.table.clone()),
            _ => None,
        }
    }

    /// Every step on a table touched by a rename runs after the rename steps (they
    /// create the table under its new name, see [`Builder::rename`]).
    pub(crate) fn after_renames(&mut self) {
        if self.renamed_tables.is_empty() {
            return;
        }
        for i in 0..self.out.len() {
            if self.out[i].action == Action::Rename {
                continue;
            }
            if let Some(t) = self.table_of(&self.out[i].object) {
                if self.renamed_tables.contains(&t) {
                    self.out[i].needs.push(ObjectId::Table { name: t });
                }
            }
        }
    }

    /// Functions the default of `table`.`column` (desired catalog) calls whose body reads
    /// `table` (SQL bodies name the relations they read): the default cannot be set before
    /// the function exists, nor the function created (its body checked) before the table
    /// and its columns.
    fn looped_functions(&self, table: &QualName, column: &str) -> Vec<ObjectId> {
        let t = ObjectId::Table {
            name: table.clone(),
        };
        deps(self.to, &col_id(table, column))
            .into_iter()
            .filter(|d| matches!(d, ObjectId::Function { .. }) && deps(self.to, d).contains(&t))
            .collect()
    }

    /// `SET DEFAULT` of a column created by an earlier step, after the function the
    /// default calls (which reads the table: see [`Self::looped_functions`]).
    fn set_deferred_default(
        &mut self,
        table: &QualName,
        column: &str,
        to: shale_model::Expr,
    ) -> Result<(), PlanError> {
        self.change(&Change::SetDefault {
            table: table.clone(),
            column: column.to_string(),
            from: None,
            to,
        })
    }

    fn change(&mut self, c: &Change) -> Result<(), PlanError> {
        let object = c.object();
        match c {
            Change::CreateSchema { name } => {
                let risk = self.risk(RuleId::CreateSchema, &object, |_| {});
                let d = self.create(
                    object,
                    Action::Create,
                    format!("CREATE SCHEMA {}", quote_ident(name)),
                    risk,
                    rank::SCHEMA,
                );
                self.push(d);
            }
            Change::DropSchema { name } => {
                let risk = self.risk(RuleId::DropSchema, &object, |_| {});
                let d = self.drop(
                    vec![object],
                    format!("DROP SCHEMA {}", quote_ident(name)),
                    risk,
                    rank::DROP_SCHEMA,
                );
                self.push(d);
            }
            Change::CreateExtension { extension: e } => {
                let mut sql = format!(
                    "CREATE EXTENSION {} WITH SCHEMA {}",
                    quote_ident(&e.name),
                    quote_ident(&e.schema)
                );
                if let Some(v) = &e.version {
                    sql.push_str(&format!(" VERSION {}", quote_literal(v)));
                }
                let risk = self.risk(RuleId::CreateExtension, &object, |v| {
                    v.detail = format!(" in schema {}", quote_ident(&e.schema));
                });
                let d = self.create(object, Action::Create, sql, risk, rank::EXTENSION);
                self.push(d);
            }
            Change::DropExtension { extension: e } => {
                let risk = self.risk(RuleId::DropExtension, &object, |_| {});
                let d = self.drop(
                    vec![object],
                    format!("DROP EXTENSION {}", quote_ident(&e.name)),
                    risk,
                    rank::DROP_EXTENSION,
                );
                self.push(d);
            }
            Change::AlterExtensionVersion { name, from, to } => {
                let risk = self.risk(RuleId::UpdateExtension, &object, |v| {
                    v.detail = match from {
                        Some(f) => format!(" from version {f} to {to}"),
                        None => format!(" to version {to}"),
                    };
                });
                let d = self.alter(
                    object,
                    format!(
                        "ALTER EXTENSION {} UPDATE TO {}",
                        quote_ident(name),
                        quote_literal(to)
                    ),
                    risk,
                    rank::EXTENSION,
                );
                self.push(d);
            }
            Change::SetExtensionSchema { name, from, to } => {
                let risk = self.risk(RuleId::MoveExtension, &object, |v| {
                    v.detail = format!(" from schema {} to {}", quote_ident(from), quote_ident(to));
                });
                let mut d = self.alter(
                    object,
                    format!(
                        "ALTER EXTENSION {} SET SCHEMA {}",
                        quote_ident(name),
                        quote_ident(to)
                    ),
                    risk,
                    rank::EXTENSION,
                );
                d.needs.push(ObjectId::Schema { name: to.clone() });
                d.releases.push(ObjectId::Schema { name: from.clone() });
                self.push(d);
            }
            Change::CreateEnum { enum_type } => {
                let labels: Vec<String> =
                    enum_type.labels.iter().map(|l| quote_literal(l)).collect();
                let risk = self.risk(RuleId::CreateEnum, &object, |_| {});
                let mut d = self.create(
                    object,
                    Action::Create,
                    format!(
                        "CREATE TYPE {} AS ENUM ({})",
                        enum_type.name,
                        labels.join(", ")
                    ),
                    risk,
                    rank::TYPE,
                );
                d.names_created.push(enum_type.name.clone());
                self.push(d);
            }
            Change::DropEnum { enum_type } => {
                let risk = self.risk(RuleId::DropEnum, &object, |_| {});
                let mut d = self.drop(
                    vec![object],
                    format!("DROP TYPE {}", enum_type.name),
                    risk,
                    rank::DROP_TYPE,
                );
                d.names_removed.push(enum_type.name.clone());
                self.push(d);
            }
            Change::AddEnumValue {
                name,
                label,
                position,
            } => {
                let (pos_sql, pos_text) = match position {
                    EnumPosition::Before(l) => (
                        format!(" BEFORE {}", quote_literal(l)),
                        format!(" before {}", quote_literal(l)),
                    ),
                    EnumPosition::After(l) => (
                        format!(" AFTER {}", quote_literal(l)),
                        format!(" after {}", quote_literal(l)),
                    ),
                    EnumPosition::End => (String::new(), String::new()),
                };
                let risk = self.risk(RuleId::AddEnumValue, &object, |v| {
                    v.detail = format!("{}{pos_text}", quote_literal(label));
                });
                let mut d = self.create(
                    object,
                    Action::Alter,
                    format!(
                        "ALTER TYPE {name} ADD VALUE {}{pos_sql}",
                        quote_literal(label)
                    ),
                    risk,
                    rank::TYPE,
                );
                d.commit_after = true;
                self.push(d);
            }
            Change::CreateSequence { sequence } => {
                let risk = self.risk(RuleId::CreateSequence, &object, |_| {});
                let mut d = self.create(
                    object,
                    Action::Create,
                    sql::create_sequence(sequence),
                    risk,
                    rank::SEQUENCE,
                );
                d.names_created.push(sequence.name.clone());
                self.push(d);
            }
            Change::DropSequence { sequence } => {
                let risk = self.risk(RuleId::DropSequence, &object, |_| {});
                let mut d = self.drop(
                    vec![object],
                    format!("DROP SEQUENCE {}", sequence.name),
                    risk,
                    rank::DROP_SEQUENCE,
                );
                d.names_removed.push(sequence.name.clone());
                self.push(d);
            }
            Change::AlterSequence { from, to } => {
                let opts = sql::alter_sequence_options(from, to);
                let narrows = from.data_type != to.data_type
                    || to.max_value < from.max_value
                    || to.min_value > from.min_value;
                let id = if narrows {
                    RuleId::AlterSequenceRange
                } else {
                    RuleId::AlterSequence
                };
                let risk = self.risk(id, &object, |v| {
                    v.detail = format!(" ({})", opts.join(", "));
                });
                let d = self.alter(
                    object,
                    sql::alter_sequence_sql(from, to),
                    risk,
                    rank::SEQUENCE,
                );
                self.push(d);
            }
            Change::SetSequenceOwner { name, from, to } => {
                let owner = |o: &Option<ColumnRef>| match o {
                    Some(c) => c.to_string(),
                    None => "NONE".to_string(),
                };
                let risk = self.risk(RuleId::SetSequenceOwner, &object, |v| {
                    v.detail = match to {
                        Some(c) => format!("column {c}"),
                        None => "no column (OWNED BY NONE)".into(),
                    };
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    format!("ALTER SEQUENCE {name} OWNED BY {}", owner(to)),
                    risk,
                    if to.is_some() {
                        rank::OWNED_BY
                    } else {
                        rank::DROP_COLUMN
                    },
                );
                // Not a creator of the sequence: columns using the sequence must not wait
                // for their own ownership.
                d.needs.push(object);
                if let Some(c) = to {
                    d.needs.push(col_id(&c.table, &c.column));
                }
                if let Some(c) = from {
                    d.releases.push(col_id(&c.table, &c.column));
                    d.releases.push(ObjectId::Table {
                        name: c.table.clone(),
                    });
                }
                self.push(d);
            }
            Change::CreateTable { table } => {
                // A default calling a function that reads this table (a SQL body) is set
                // by a later step: the function can only be created (its body checked)
                // once the table exists.
                let mut looped = Vec::new();
                let mut deferred: Vec<(String, shale_model::Expr)> = Vec::new();
                for c in &table.columns {
                    let Some(e) = &c.default else {
                        continue;
                    };
                    let fs = self.looped_functions(&table.name, &c.name);
                    if !fs.is_empty() {
                        looped.extend(fs);
                        deferred.push((c.name.clone(), e.clone()));
                    }
                }
                let mut shown = table.clone();
                for c in shown.columns.iter_mut() {
                    if deferred.iter().any(|(n, _)| *n == c.name) {
                        c.default = None;
                    }
                }
                let table = &shown;
                let risk = self.risk(RuleId::CreateTable, &object, |_| {});
                let mut d = Draft::new(
                    object.clone(),
                    Action::Create,
                    crate::table_options::create_table_sql(self.to, table),
                    risk,
                    rank::TABLE,
                );
                let mut creates = vec![object];
                creates.extend(table.columns.iter().map(|c| col_id(&table.name, &c.name)));
                creates.extend(table.constraints.keys().map(|c| con_id(&table.name, c)));
                let mut needs: Vec<ObjectId> =
                    creates.iter().flat_map(|o| deps(self.to, o)).collect();
                needs.sort();
                needs.dedup();
                needs.retain(|o| !creates.contains(o) && !looped.contains(o));
                d.needs = needs;
                d.creates = creates;
                d.names_created.push(table.name.clone());
                for c in table.constraints.values().filter(|c| is_key(c)) {
                    d.names_created
                        .push(QualName::new(table.name.schema.clone(), c.name.clone()));
                }
                self.push(d);
                for (column, to) in deferred {
                    self.set_deferred_default(&table.name, &column, to)?;
                }
            }
            Change::DropTable { table } => {
                let name = &table.name;
                let mut removes = vec![object.clone()];
                removes.extend(table.columns.iter().map(|c| col_id(name, &c.name)));
                // Foreign keys to other dropped tables are dropped by their own steps.
                removes.extend(
                    table
                        .constraints
                        .values()
                        .filter(|c| !shale_diff::dropped_with_other_table(self.to, name, c))
                        .map(|c| con_id(name, &c.name)),
                );
                let mut names = vec![name.clone()];
                for c in table.constraints.values().filter(|c| is_key(c)) {
                    names.push(QualName::new(name.schema.clone(), c.name.clone()));
                }
                for ix in self.from.indexes.values().filter(|ix| &ix.table == name) {
                    removes.push(ObjectId::Index {
                        name: ix.name.clone(),
                    });
                    names.push(ix.name.clone());
                }
                let owned: Vec<QualName> = self
                    .from
                    .sequences
                    .values()
                    .filter(|s| s.owned_by.as_ref().is_some_and(|o| &o.table == name))
                    .filter(|s| !self.to.sequences.contains_key(&s.name))
                    .map(|s| s.name.clone())
                    .collect();
                for s in &owned {
                    removes.push(ObjectId::Sequence { name: s.clone() });
                    names.push(s.clone());
                }
                let renamed_to = self.possibly_renamed_to(&object);
                let mut risk = self.risk(RuleId::DropTable, &object, |v| {
                    if !owned.is_empty() {
                        v.detail = format!(
                            ", with the sequence(s) it owns ({})",
                            owned
                                .iter()
                                .map(|s| s.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                });
                self.flag_possible_rename(&object, &renamed_to, &mut risk);
                let mut d = self.drop(
                    removes,
                    format!("DROP TABLE {name}"),
                    risk,
                    rank::DROP_TABLE,
                );
                d.names_removed = names;
                self.push(d);
            }
            Change::AddColumn {
                table,
                column,
                recreate,
            } => {
                // A default calling a new function that reads this table: the function is
                // created (its body checked) once the column exists, and the default set
                // after it. Only for a nullable new column (existing rows get NULL; a NOT
                // NULL one could not be added without its default).
                // A function that exists already, unchanged, is called by the ADD COLUMN.
                let looped: Vec<ObjectId> = match &column.default {
                    Some(_) if recreate.is_none() && !column.not_null => self
                        .looped_functions(table, &column.name)
                        .into_iter()
                        .filter(|id| {
                            let same =
                                |c: &'a Catalog| c.functions.values().find(|f| f.id() == *id);
                            same(self.from).is_none() || same(self.from) != same(self.to)
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let Some(default_expr) = column.default.clone().filter(|_| !looped.is_empty())
                else {
                    self.add_column(object, table, column, recreate.as_deref())?;
                    return Ok(());
                };
                let bare = shale_model::Column {
                    default: None,
                    ..column.clone()
                };
                let before = self.out.len();
                self.add_column(object.clone(), table, &bare, None)?;
                let default = column.default.as_ref().map(|e| e.sql.trim().to_string());
                for d in &mut self.out[before..] {
                    d.needs.retain(|o| !looped.contains(o));
                    if d.sql.contains(" ADD COLUMN ") {
                        d.risk.reason = format!(
                            "{}; its default {} is set by a later step, after the function it calls (which reads this table): existing rows get NULL, not that default",
                            d.risk.reason,
                            default.as_deref().unwrap_or_default()
                        );
                    }
                }
                self.set_deferred_default(table, &column.name, default_expr)?;
            }
            Change::DropColumn {
                table,
                column,
                recreate,
            } => {
                let owned: Vec<QualName> = self
                    .from
                    .sequences
                    .values()
                    .filter(|s| {
                        s.owned_by
                            .as_ref()
                            .is_some_and(|o| &o.table == table && o.column == column.name)
                    })
                    .filter(|s| !self.to.sequences.contains_key(&s.name))
                    .map(|s| s.name.clone())
                    .collect();
                let renamed_to = self.possibly_renamed_to(&object);
                let id = match recreate {
                    Some(_) if column.generated.is_some() => RuleId::RecreateGeneratedColumn,
                    Some(_) => RuleId::ReplaceWithGeneratedColumn,
                    None if !renamed_to.is_empty() => RuleId::PossibleRename,
                    None => RuleId::DropColumn,
                };
                let mut risk = self.risk(id, &object, |v| {
                    v.detail = match recreate {
                        Some(why) => why.clone(),
                        None => renamed_to
                            .iter()
                            .map(|o| format!("column {}", object_name(o)))
                            .collect::<Vec<_>>()
                            .join(" or "),
                    };
                });
                self.flag_possible_rename(&object, &renamed_to, &mut risk);
                let mut removes = vec![object];
                removes.extend(owned.iter().map(|s| ObjectId::Sequence { name: s.clone() }));
                let mut d = self.drop(
                    removes,
                    format!(
                        "ALTER TABLE {table} DROP COLUMN {}",
                        quote_ident(&column.name)
                    ),
                    risk,
                    rank::DROP_COLUMN,
                );
                d.names_removed = owned;
                self.push(d);
            }
            Change::AlterColumnType {
                table,
                column,
                from,
                to,
                from_collation,
                to_collation,
            } => {
                let mut sql = format!(
                    "ALTER TABLE {table} ALTER COLUMN {} TYPE {to}",
                    quote_ident(column)
                );
                if let Some(c) = to_collation {
                    sql.push_str(&format!(" COLLATE {c}"));
                }
                let is_enum = |t: &shale_model::TypeRef| match &t.schema {
                    Some(s) => {
                        let q = QualName::new(s.clone(), t.name.clone());
                        self.from.enums.contains_key(&q) || self.to.enums.contains_key(&q)
                    }
                    None => false,
                };
                let using = typechange::using(from, to, column, &is_enum);
                if let Some((expr, _)) = &using {
                    sql.push_str(&format!(" USING {expr}"));
                }
                let via_text = if using.as_ref().is_some_and(|(_, t)| *t) {
                    format!(
                        " (no cast from {from} to {to}: converted through its text form, and a value the new type does not read fails the step)"
                    )
                } else {
                    String::new()
                };
                let coll = |c: &Option<QualName>| match c {
                    Some(c) => c.to_string(),
                    None => "the default".to_string(),
                };
                let coll_detail = if from_collation != to_collation {
                    format!(
                        ", collation from {} to {}",
                        coll(from_collation),
                        coll(to_collation)
                    )
                } else {
                    String::new()
                };
                let (id, detail) = if from == to {
                    (
                        RuleId::SetCollation,
                        format!(" from {} to {}", coll(from_collation), coll(to_collation)),
                    )
                } else {
                    let id = match typechange::classify(from, to) {
                        _ if !via_text.is_empty() => RuleId::AlterTypeLossy,
                        TypeChange::Coercible if coll_detail.is_empty() => {
                            RuleId::AlterTypeCoercible
                        }
                        TypeChange::Coercible | TypeChange::Rewrite => RuleId::AlterTypeRewrite,
                        TypeChange::Lossy => RuleId::AlterTypeLossy,
                    };
                    (id, format!(" from {from} to {to}{coll_detail}{via_text}"))
                };
                let risk = self.risk(id, &object, |v| v.detail = detail);
                let mut d = self.alter(object, sql, risk, rank::COLUMN);
                // PostgreSQL refuses while a generated column uses it: those are dropped
                // (and re-added) by the plan, first.
                d.after_drops_of = self.generated_columns_using(table, column);
                // Indexes and constraints on the column that the plan drops go first, so
                // PostgreSQL does not rebuild them for the new type (an operator class or a
                // check may not fit it).
                d.after_drops_of
                    .extend(self.objects_on_column_before(table, column));
                self.push(d);
            }
            Change::SetNotNull { table, column } => {
                let cref = ColumnRef {
                    table: table.clone(),
                    column: column.clone(),
                };
                let mut after = Vec::new();
                if let Some(expr) = self.directives.backfill(&cref) {
                    after.push(self.backfill(object.clone(), table, column, expr));
                }
                self.set_not_null(object, table, column, after);
            }
            Change::DropNotNull { table, column } => {
                let risk = self.risk(RuleId::DropNotNull, &object, |_| {});
                let mut d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP NOT NULL",
                        quote_ident(column)
                    ),
                    risk,
                    rank::COLUMN,
                );
                // PostgreSQL refuses while a primary key covers the column.
                d.after_drops_of = self.primary_keys_covering(table, column);
                self.push(d);
            }
            Change::SetDefault {
                table,
                column,
                from,
                to,
            } => {
                let risk = self.risk(RuleId::SetDefault, &object, |v| {
                    v.detail = format!(" to {}", to.sql.trim());
                });
                let calls_looped = !self.looped_functions(table, column).is_empty();
                let mut d = self.alter(
                    object.clone(),
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {}",
                        quote_ident(column),
                        sql::b_expr(&to.sql)
                    ),
                    risk,
                    rank::COLUMN,
                );
                if calls_looped {
                    // The default calls a function reading this table, which is created
                    // once the table's columns exist: that function must not wait for
                    // this step (it runs after the function).
                    d.creates.retain(|o| *o != object);
                }
                // It releases the configurations the default it replaces names, not those
                // of a default dropped by an earlier step (around a re-created one).
                d.releases.retain(|o| match o {
                    ObjectId::TextSearchConfiguration { name } => {
                        from.as_ref().is_some_and(|e| e.refs.contains(name))
                    }
                    _ => true,
                });
                self.push(d);
            }
            Change::DropDefault {
                table,
                column,
                from,
            } => {
                // A NULL default reads `NULL` in files and `NULL::character varying` in
                // the catalog: shown as its canonical `NULL`, so both plans say the same.
                let shown = if from.canon == "NULL" {
                    "NULL"
                } else {
                    from.sql.trim()
                };
                let risk = self.risk(RuleId::DropDefault, &object, |v| {
                    v.detail = format!(" ({shown})");
                });
                let mut d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP DEFAULT",
                        quote_ident(column)
                    ),
                    risk,
                    rank::COLUMN,
                );
                // No default is left to need a configuration (the one set again after a
                // re-created configuration waits for it).
                d.needs
                    .retain(|o| !matches!(o, ObjectId::TextSearchConfiguration { .. }));
                self.push(d);
            }
            Change::AddIdentity {
                table,
                column,
                identity,
            } => {
                let ty = self
                    .to
                    .tables
                    .get(table)
                    .and_then(|t| t.column(column))
                    .map(|c| c.ty.clone())
                    .unwrap_or_else(|| shale_model::TypeRef::builtin("integer"));
                let risk = self.risk(RuleId::AddIdentity, &object, |v| {
                    v.detail = format!(" starting at {}", identity.start);
                });
                let mut d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} ADD {}",
                        quote_ident(column),
                        sql::identity_clause(identity, &ty)
                    ),
                    risk,
                    rank::COLUMN,
                );
                // PostgreSQL names the identity's sequence <table>_<column>_seq, or
                // …_seq1 while that name is taken (by the sequence of the serial this
                // column was): a drop of that name runs first.
                let seq = QualName::new(
                    table.schema.clone(),
                    sql::implicit_name(&table.name, column, "seq"),
                );
                // The column stops using that sequence at DROP DEFAULT, not here.
                d.releases
                    .retain(|o| !matches!(o, ObjectId::Sequence { name } if *name == seq));
                d.names_created.push(seq);
                self.push(d);
            }
            Change::DropIdentity { table, column } => {
                let risk = self.risk(RuleId::DropIdentity, &object, |_| {});
                let mut d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP IDENTITY",
                        quote_ident(column)
                    ),
                    risk,
                    rank::COLUMN,
                );
                // The identity's sequence goes with it, and frees its name
                // (<table>_<column>_seq, which a serial going back creates). It needs
                // nothing the plan makes (not the desired default's sequence of that name).
                d.needs.clear();
                d.names_removed.push(QualName::new(
                    table.schema.clone(),
                    sql::implicit_name(&table.name, column, "seq"),
                ));
                self.push(d);
            }
            Change::AlterIdentity {
                table,
                column,
                from,
                to,
            } => {
                let mut o = Vec::new();
                if from.always != to.always {
                    o.push(if to.always {
                        "SET GENERATED ALWAYS".to_string()
                    } else {
                        "SET GENERATED BY DEFAULT".to_string()
                    });
                }
                if from.increment != to.increment {
                    o.push(format!("SET INCREMENT BY {}", to.increment));
                }
                if from.min_value != to.min_value {
                    o.push(format!("SET MINVALUE {}", to.min_value));
                }
                if from.max_value != to.max_value {
                    o.push(format!("SET MAXVALUE {}", to.max_value));
                }
                if from.start != to.start {
                    o.push(format!("SET START WITH {}", to.start));
                }
                if from.cache != to.cache {
                    o.push(format!("SET CACHE {}", to.cache));
                }
                if from.cycle != to.cycle {
                    o.push(
                        if to.cycle {
                            "SET CYCLE"
                        } else {
                            "SET NO CYCLE"
                        }
                        .to_string(),
                    );
                }
                let risk = self.risk(RuleId::AlterIdentity, &object, |v| {
                    v.detail = format!(" ({})", o.join(", "));
                });
                let d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} {}",
                        quote_ident(column),
                        o.join(" ")
                    ),
                    risk,
                    rank::COLUMN,
                );
                self.push(d);
            }
            Change::DropExpression { table, column } => {
                let risk = self.risk(RuleId::DropExpression, &object, |_| {});
                let d = self.alter(
                    object,
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} DROP EXPRESSION",
                        quote_ident(column)
                    ),
                    risk,
                    rank::COLUMN,
                );
                self.push(d);
            }
            Change::AddConstraint {
                table,
                constraint,
                new_table,
                recreate,
            } => self.add_constraint(object, table, constraint, *new_table, recreate.as_deref()),
            Change::DropConstraint {
                table,
                constraint,
                recreate,
            } => {
                let id = if is_key(constraint) {
                    RuleId::DropKey
                } else {
                    RuleId::DropConstraint
                };
                let risk = self.risk(id, &object, |v| {
                    if let Some(why) = recreate {
                        v.detail = format!(" (added again below because {why})");
                    }
                });
                let mut d = self.drop(
                    vec![object],
                    format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {}",
                        quote_ident(&constraint.name)
                    ),
                    risk,
                    if constraint.kind.is_foreign_key() {
                        rank::DROP_FK
                    } else {
                        rank::DROP_CONSTRAINT
                    },
                );
                if is_key(constraint) {
                    d.names_removed
                        .push(QualName::new(table.schema.clone(), constraint.name.clone()));
                }
                self.push(d);
            }
            Change::ValidateConstraint { table, constraint } => {
                let d = self.validate_step(object, table, constraint);
                self.push(d);
            }
            Change::CreateIndex {
                index,
                new_table,
                recreate,
            } => self.create_index(object, index, *new_table, recreate.as_deref()),
            Change::DropIndex { index, recreate } => {
                // An INVALID index is rebuilt the way it was being built: CONCURRENTLY.
                let rebuild = index.invalid && recreate.is_some();
                let concurrently = (self.opts.online || rebuild)
                    && !crate::table_options::is_partitioned(self.from, &index.table);
                let id = if rebuild {
                    RuleId::RebuildInvalidIndex
                } else if concurrently {
                    RuleId::DropIndexConcurrently
                } else {
                    RuleId::DropIndex
                };
                let risk = self.risk(id, &object, |v| {
                    v.table = index.table.to_string();
                    v.detail = match recreate {
                        _ if rebuild => " (dropped here, built again below)".into(),
                        Some(why) => format!(" (created again below because {why})"),
                        None if index.invalid => format!(" ({})", shale_diff::LEFT_INVALID),
                        None => String::new(),
                    };
                });
                // The partitions' own indexes attached to it go with it; a partition's
                // key attached to it only with CASCADE (the diff adds it again).
                let attached = self.from.attached_to(&index.name);
                let cascade = attached
                    .iter()
                    .any(|o| matches!(o, ObjectId::Constraint { .. }));
                let mut d = self.drop(
                    vec![object],
                    format!(
                        "DROP INDEX {}{}{}",
                        if concurrently { "CONCURRENTLY " } else { "" },
                        index.name,
                        if cascade { " CASCADE" } else { "" }
                    ),
                    risk,
                    rank::DROP_INDEX,
                );
                d.transactional = !concurrently;
                d.names_removed.push(index.name.clone());
                for o in attached {
                    match o {
                        ObjectId::Index { name } => d.names_removed.push(name),
                        ObjectId::Constraint { table, name } => {
                            d.names_removed.push(QualName::new(table.schema, name))
                        }
                        _ => {}
                    }
                }
                self.push(d);
            }
            Change::SetComment { object, from, to } => self.comment(object, from, to),
            Change::Rename {
                from,
                to,
                implied_by,
            } => self.rename(from, to, implied_by.as_ref()),
            Change::TableOption { option } => self.table_option(option),
            Change::RelationOption { option } => self.relation_option(option),
            Change::Routine { routine } => crate::routines::expand(self, routine),
            Change::Security(s) => self.security(s),
            Change::TypeExt { type_change } => self.user_types(type_change),
            Change::EventTrigger {
                event_trigger_change,
            } => self.event_trigger(event_trigger_change),
            Change::Aggregate { aggregate_change } => self.aggregate(aggregate_change),
            Change::Publication { publication_change } => self.publication(publication_change),
            Change::ForeignData {
                foreign_data_change,
            } => self.foreign_data(foreign_data_change),
            Change::Statistics { statistics_change } => self.statistics(statistics_change),
            Change::Operator { operator_change } => self.operator(operator_change),
            Change::TextSearch { text_search_change } => self.text_search(text_search_change),
            Change::RewriteRule { rule_change } => self.rewrite_rule(rule_change),
            Change::Unsupported { .. } => {
                // Refused in `expand` before any step is built.
            }
        }
        Ok(())
    }

    /// Constraints of `from` that cover `column` with a key (a primary key keeps its
    /// columns NOT NULL).
    fn primary_keys_covering(&self, table: &QualName, column: &str) -> Vec<ObjectId> {
        self.from
            .tables
            .get(table)
            .map(|t| {
                t.constraints
                    .values()
                    .filter(|c| {
                        matches!(c.kind, ConstraintKind::PrimaryKey { .. })
                            && c.kind.columns().iter().any(|x| x == column)
                    })
                    .map(|c| con_id(table, &c.name))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Constraints and indexes of `from` on `table` that involve `column`.
    fn objects_on_column_before(&self, table: &QualName, column: &str) -> Vec<ObjectId> {
        let mut out = Vec::new();
        if let Some(t) = self.from.tables.get(table) {
            for c in t.constraints.values() {
                let involved = match &c.kind {
                    ConstraintKind::Check { expr, .. } => {
                        shale_diff::mentions_identifier(&expr.canon, column)
                    }
                    ConstraintKind::PrimaryKey { columns, include }
                    | ConstraintKind::Unique {
                        columns, include, ..
                    } => columns.iter().chain(include).any(|x| x == column),
                    ConstraintKind::ForeignKey { columns, .. } => {
                        columns.iter().any(|x| x == column)
                    }
                };
                if involved {
                    out.push(con_id(table, &c.name));
                }
            }
        }
        for ix in self.from.indexes.values().filter(|ix| &ix.table == table) {
            if shale_diff::index_mentions_column(ix, column) {
                out.push(ObjectId::Index {
                    name: ix.name.clone(),
                });
            }
        }
        // Foreign keys of other tables that reference the column.
        for t in self.from.tables.values() {
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                {
                    if ref_table == table && ref_columns.iter().any(|r| r == column) {
                        out.push(con_id(&t.name, &c.name));
                    }
                }
            }
        }
        // PostgreSQL refuses to change the type of a column a policy uses.
        for p in self.from.policies.values().filter(|p| &p.table == table) {
            let uses = p
                .using
                .iter()
                .chain(p.with_check.iter())
                .any(|e| shale_diff::mentions_identifier(&e.canon, column));
            if uses {
                out.push(p.id());
            }
        }
        out
    }

    /// Generated columns of `table` in `from` whose expression uses `column`.
    fn generated_columns_using(&self, table: &QualName, column: &str) -> Vec<ObjectId> {
        self.from
            .tables
            .get(table)
            .map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.name != column)
                    .filter(|c| {
                        c.generated
                            .as_ref()
                            .is_some_and(|g| shale_diff::mentions_identifier(&g.canon, column))
                    })
                    .map(|c| col_id(table, &c.name))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn add_column(
        &mut self,
        object: ObjectId,
        table: &QualName,
        column: &Column,
        recreate: Option<&str>,
    ) -> Result<(), PlanError> {
        let cref = ColumnRef {
            table: table.clone(),
            column: column.name.clone(),
        };
        let fills_itself = column.identity.is_some() || column.generated.is_some();
        if recreate.is_none() {
            if let Some(expr) = self.directives.backfill(&cref) {
                if fills_itself {
                    return Err(PlanError::Backfill {
                        column: cref,
                        reason: "an identity or generated column fills its existing rows \
                                 itself; remove the backfill directive"
                            .into(),
                    });
                }
                self.add_column_backfilled(object, table, column, expr);
                return Ok(());
            }
            if column.not_null
                && column.default.is_none()
                && !fills_itself
                && !self.opts.empty_tables.contains(table)
            {
                return Err(PlanError::NotNullWithoutDefault { column: cref });
            }
        }
        let (id, detail) = if let Some(why) = recreate {
            (RuleId::AddColumnRewrite, format!(" again because {why}"))
        } else if column.generated.is_some() {
            (
                RuleId::AddColumnRewrite,
                " (a stored generated column)".to_string(),
            )
        } else if column.identity.is_some() {
            (
                RuleId::AddColumnRewrite,
                " (an identity column)".to_string(),
            )
        } else if let Some(d) = column.default.as_ref().filter(|d| is_volatile(d)) {
            (
                RuleId::AddColumnRewrite,
                format!(" with volatile default {}", d.sql.trim()),
            )
        } else if column.not_null && column.default.is_none() {
            let detail = if self.opts.empty_tables.contains(table) {
                format!(
                    " ({table} had no rows when planned; PostgreSQL checks again under the \
                     step's lock and fails it if rows appeared)"
                )
            } else {
                String::new()
            };
            (RuleId::AddColumnNotNull, detail)
        } else if column.not_null {
            (RuleId::AddColumnNotNullDefault, String::new())
        } else if let Some(d) = &column.default {
            (
                RuleId::AddColumnNullable,
                format!(" with default {}", d.sql.trim()),
            )
        } else {
            (RuleId::AddColumnNullable, String::new())
        };
        let risk = self.risk(id, &object, |v| v.detail = detail);
        let d = self.create(
            object,
            Action::Create,
            format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(column)),
            risk,
            rank::COLUMN,
        );
        self.push(d);
        Ok(())
    }

    /// A column added to an existing table with a declared backfill: added nullable and
    /// without default, given its default (for rows inserted from now on), filled for the
    /// existing rows, then made `NOT NULL` if it is wanted so.
    fn add_column_backfilled(
        &mut self,
        object: ObjectId,
        table: &QualName,
        column: &Column,
        expr: &str,
    ) {
        let bare = Column {
            not_null: false,
            default: None,
            ..column.clone()
        };
        let risk = self.risk(RuleId::AddColumnNullable, &object, |v| {
            v.detail = " (filled by the backfill that follows)".into();
        });
        let mut add = self.create(
            object.clone(),
            Action::Create,
            format!("ALTER TABLE {table} ADD COLUMN {}", sql::column_def(&bare)),
            risk,
            rank::COLUMN,
        );
        // The backfill must not run inside the transaction holding the table's lock.
        add.commit_after = true;
        let mut last = self.push(add);
        if let Some(default) = &column.default {
            let risk = self.risk(RuleId::SetDefault, &object, |v| {
                v.detail = format!(" to {} (for rows inserted from now on)", default.sql.trim());
            });
            let mut d = self.create(
                object.clone(),
                Action::Alter,
                format!(
                    "ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {}",
                    quote_ident(&column.name),
                    sql::b_expr(&default.sql)
                ),
                risk,
                rank::COLUMN,
            );
            d.after.push(last);
            d.commit_after = true;
            last = self.push(d);
        }
        let fill = self.backfill(object.clone(), table, &column.name, expr);
        self.out[fill].after.push(last);
        if column.not_null {
            self.set_not_null(object, table, &column.name, vec![fill]);
        }
    }

    /// The batched `UPDATE` that fills `column` where it is NULL with `expr`.
    fn backfill(&mut self, object: ObjectId, table: &QualName, column: &str, expr: &str) -> usize {
        let wanted_not_null = self
            .to
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .is_some_and(|c| c.not_null);
        let risk = self.risk(RuleId::BackfillColumn, &object, |v| {
            v.detail = format!(" with {}", expr.trim());
        });
        let mut d = Draft::new(
            object,
            Action::Alter,
            sql::backfill(table, column, expr, wanted_not_null, None),
            risk,
            rank::COLUMN,
        );
        // Commits batch by batch: outside a transaction block. Runs after the steps adding
        // other columns of the table (see `backfills_after_adds`): the expression may use them.
        d.transactional = false;
        let i = self.push(d);
        self.backfills.push(i);
        i
    }

    /// `SET NOT NULL` on a column of an existing table, after the drafts `after`. Online,
    /// without the long lock of a scan: a `CHECK (col IS NOT NULL) NOT VALID` (brief
    /// lock), `VALIDATE` (scans without blocking writes), `SET NOT NULL` (PostgreSQL 12+
    /// skips the scan when a valid check proves it), then the check is dropped.
    pub(crate) fn set_not_null(
        &mut self,
        object: ObjectId,
        table: &QualName,
        column: &str,
        mut after: Vec<usize>,
    ) {
        // Whatever else changes the column first (a type change, a default).
        after.extend(
            self.out
                .iter()
                .enumerate()
                .filter(|(_, d)| d.object == object)
                .map(|(i, _)| i),
        );
        after.sort_unstable();
        after.dedup();
        let set_sql = format!(
            "ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL",
            quote_ident(column)
        );
        if !self.opts.online {
            let risk = self.risk(RuleId::SetNotNull, &object, |_| {});
            let mut d = self.alter(object, set_sql, risk, rank::COLUMN);
            d.after = after;
            self.push(d);
            return;
        }
        let helper = self.not_null_check_name(table, column);
        let hid = con_id(table, &helper);
        let col = quote_ident(column);
        let name = quote_ident(&helper);

        let risk = self.risk(RuleId::AddNotNullCheck, &object, |_| {});
        let mut add = Draft::new(
            hid.clone(),
            Action::Create,
            format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({col} IS NOT NULL) NOT VALID"
            ),
            risk,
            rank::COLUMN,
        );
        add.after = after;
        // The validation must not share the transaction (and the lock) of the add.
        add.commit_after = true;
        let add = self.push(add);

        let risk = self.risk(RuleId::ValidateConstraint, &hid, |v| {
            v.table = table.to_string();
        });
        let mut validate = Draft::new(
            hid.clone(),
            Action::Validate,
            format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name}"),
            risk,
            rank::COLUMN,
        );
        validate.after.push(add);
        validate.commit_after = true;
        let validate = self.push(validate);

        let risk = self.risk(RuleId::SetNotNullValidated, &object, |_| {});
        let mut set = self.alter(object.clone(), set_sql, risk, rank::COLUMN);
        set.after.push(validate);
        let set = self.push(set);

        let risk = self.risk(RuleId::DropNotNullCheck, &object, |_| {});
        let mut drop = Draft::new(
            hid,
            Action::Drop,
            format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
            risk,
            rank::COLUMN,
        );
        drop.after.push(set);
        self.push(drop);
    }

    /// `<table>_<column>_not_null_check`, shortened to 63 bytes as PostgreSQL shortens
    /// implicit names, with a number added if a constraint of the table has the name already.
    /// Not `<table>_<column>_not_null`: from PostgreSQL 18 that is the name SET NOT NULL gives
    /// the column's own NOT NULL constraint, which would then be named `…_not_null1`.
    fn not_null_check_name(&self, table: &QualName, column: &str) -> String {
        let taken = |n: &str| {
            [self.from, self.to].iter().any(|c| {
                c.tables
                    .get(table)
                    .is_some_and(|t| t.constraints.contains_key(n))
            })
        };
        let mut i = 0;
        loop {
            let label = if i == 0 {
                "not_null_check".to_string()
            } else {
                format!("not_null_check{i}")
            };
            let name = sql::implicit_name(&table.name, column, &label);
            if !taken(&name) {
                return name;
            }
            i += 1;
        }
    }

    /// Columns that a drop may be a rename of (to an added column), per the diff.
    fn possibly_renamed_to(&self, dropped: &ObjectId) -> Vec<ObjectId> {
        self.possible
            .iter()
            .filter(|p| &p.dropped == dropped)
            .map(|p| p.added.clone())
            .collect()
    }

    /// Puts the rename hint that would keep the data in the drop's mitigation.
    fn flag_possible_rename(&self, dropped: &ObjectId, added: &[ObjectId], risk: &mut Risk) {
        if added.is_empty() {
            return;
        }
        let hints: Vec<String> = added
            .iter()
            .map(|a| match (dropped, a) {
                (ObjectId::Column { column: old, .. }, ObjectId::Column { column: new, .. }) => {
                    format!(
                        "possible rename of {} to {}: add `-- shale:renamed-from {}` above \
                         column {} (YAML: `renamed_from: {}`)",
                        object_name(dropped),
                        object_name(a),
                        quote_ident(old),
                        quote_ident(new),
                        old
                    )
                }
                (ObjectId::Table { name: old }, ObjectId::Table { name: new }) => {
                    let old_name = if old.schema == new.schema {
                        quote_ident(&old.name)
                    } else {
                        old.to_string()
                    };
                    format!(
                        "possible rename of table {old} to {new}: add `-- shale:renamed-from \
                         {old_name}` above CREATE TABLE {new}"
                    )
                }
                _ => format!("possible rename of {dropped} to {a}"),
            })
            .collect();
        let hints = hints.join("; ");
        risk.mitigation = Some(match dropped {
            // The rule is about the possible rename already.
            ObjectId::Column { .. } => format!("{hints}; else approve the drop"),
            _ => match risk.mitigation.take() {
                Some(m) => format!("{hints}; else: {m}"),
                None => hints,
            },
        });
    }

    /// `ALTER … RENAME` (and `SET SCHEMA` for a relation or type that changes schema).
    fn rename(&mut self, from: &ObjectId, to: &ObjectId, implied_by: Option<&ObjectId>) {
        let implied = implied_by
            .map(|b| format!(" (follows the rename of {b})"))
            .unwrap_or_default();
        let relation = |kind: &str, q0: &QualName, q1: &QualName| {
            let mut sqls = Vec::new();
            if q0.schema != q1.schema {
                sqls.push(format!(
                    "ALTER {kind} {q0} SET SCHEMA {}",
                    quote_ident(&q1.schema)
                ));
            }
            if q0.name != q1.name {
                let now = QualName::new(q1.schema.clone(), q0.name.clone());
                sqls.push(format!(
                    "ALTER {kind} {now} RENAME TO {}",
                    quote_ident(&q1.name)
                ));
            }
            sqls
        };
        let mut creates = vec![to.clone()];
        let mut names: Option<(QualName, QualName)> = None;
        let mut schema: Option<String> = None;
        let (rule, sqls) =
            match (from, to) {
                (ObjectId::Table { name: q0 }, ObjectId::Table { name: q1 }) => {
                    self.renamed_tables.insert(q1.clone());
                    if let Some(t) = self.from.tables.get(q1) {
                        creates.extend(t.columns.iter().map(|c| col_id(q1, &c.name)));
                        creates.extend(t.constraints.keys().map(|c| con_id(q1, c)));
                    }
                    creates.extend(self.from.indexes.values().filter(|ix| &ix.table == q1).map(
                        |ix| ObjectId::Index {
                            name: ix.name.clone(),
                        },
                    ));
                    names = Some((q0.clone(), q1.clone()));
                    schema = Some(q1.schema.clone());
                    (RuleId::RenameTable, relation("TABLE", q0, q1))
                }
                (ObjectId::Type { name: q0 }, ObjectId::Type { name: q1 }) => {
                    names = Some((q0.clone(), q1.clone()));
                    schema = Some(q1.schema.clone());
                    (RuleId::RenameType, relation("TYPE", q0, q1))
                }
                (ObjectId::Sequence { name: q0 }, ObjectId::Sequence { name: q1 }) => {
                    names = Some((q0.clone(), q1.clone()));
                    schema = Some(q1.schema.clone());
                    (RuleId::RenameSequence, relation("SEQUENCE", q0, q1))
                }
                (
                    ObjectId::Column {
                        table, column: c0, ..
                    },
                    ObjectId::Column { column: c1, .. },
                ) => {
                    self.renamed_tables.insert(table.clone());
                    creates.push(ObjectId::Table {
                        name: table.clone(),
                    });
                    (
                        RuleId::RenameColumn,
                        vec![format!(
                            "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                            quote_ident(c0),
                            quote_ident(c1)
                        )],
                    )
                }
                (
                    ObjectId::Constraint {
                        table, name: n0, ..
                    },
                    ObjectId::Constraint { name: n1, .. },
                ) => {
                    self.renamed_tables.insert(table.clone());
                    creates.push(ObjectId::Table {
                        name: table.clone(),
                    });
                    let key = self
                        .from
                        .tables
                        .get(table)
                        .and_then(|t| t.constraints.get(n1))
                        .is_some_and(is_key);
                    if key {
                        names = Some((
                            QualName::new(table.schema.clone(), n0.clone()),
                            QualName::new(table.schema.clone(), n1.clone()),
                        ));
                    }
                    (
                        RuleId::RenameConstraint,
                        vec![format!(
                            "ALTER TABLE {table} RENAME CONSTRAINT {} TO {}",
                            quote_ident(n0),
                            quote_ident(n1)
                        )],
                    )
                }
                (ObjectId::Index { name: q0 }, ObjectId::Index { name: q1 }) => {
                    if let Some(t) = self.table_of(to) {
                        self.renamed_tables.insert(t.clone());
                        creates.push(ObjectId::Table { name: t });
                    }
                    names = Some((q0.clone(), q1.clone()));
                    (RuleId::RenameIndex, relation("INDEX", q0, q1))
                }
                _ => return,
            };
        let new_name = match to {
            ObjectId::Column { column, .. } => quote_ident(column),
            ObjectId::Constraint { name, .. } => quote_ident(name),
            other => object_name(other),
        };
        let risk = self.risk(rule, to, |v| {
            v.object = object_name(from);
            v.detail = format!(" to {new_name}{implied}");
        });
        for sql in sqls {
            let mut d = Draft::new(to.clone(), Action::Rename, sql, risk.clone(), rank::RENAME);
            d.creates = creates.clone();
            if let Some(s) = &schema {
                d.needs.push(ObjectId::Schema { name: s.clone() });
            }
            if let Some((old, new)) = &names {
                d.names_removed.push(old.clone());
                d.names_created.push(new.clone());
            }
            d.after.extend(self.last_rename);
            let i = self.push(d);
            self.last_rename = Some(i);
        }
    }

    fn add_constraint(
        &mut self,
        object: ObjectId,
        table: &QualName,
        c: &Constraint,
        new_table: bool,
        recreate: Option<&str>,
    ) {
        let mut again = recreate
            .map(|why| format!(" (again, because {why})"))
            .unwrap_or_default();
        // A key wanted invalid on a partitioned table: added ONLY to it, as pg_dump does;
        // the partitions' indexes attached to it are their own steps.
        let only = if is_key(c) && c.index_invalid {
            "ONLY "
        } else {
            ""
        };
        if is_key(c) && !new_table && self.opts.online && only.is_empty() {
            if !crate::table_options::is_partitioned(self.to, table) {
                return self.add_key_online(object, table, c, &again);
            }
            // PostgreSQL builds no partitioned index CONCURRENTLY, nor attaches one USING
            // INDEX: the partitions' keys are built online, then adopted.
            match self.partitioned_key_online(&object, table, c, &again) {
                Ok(()) => return,
                Err(why) => {
                    again = format!(
                        "{again} (blocking: PostgreSQL builds no partitioned table's key CONCURRENTLY, and not per partition here: {why})"
                    )
                }
            }
        }
        let is_fk = c.kind.is_foreign_key();
        let is_check = matches!(c.kind, ConstraintKind::Check { .. });
        let can_defer_validation = is_fk || is_check;
        let wanted_not_valid = can_defer_validation && !c.validated;
        // Online: validate separately, on existing tables only.
        // PostgreSQL before 18 refuses a NOT VALID foreign key on a partitioned table: it
        // is added (and checked) in one step there.
        let partitioned_fk = is_fk && crate::table_options::is_partitioned(self.to, table);
        let split = can_defer_validation
            && !wanted_not_valid
            && !new_table
            && self.opts.online
            && !partitioned_fk;
        if partitioned_fk && !new_table && self.opts.online && !wanted_not_valid {
            again.push_str(
                " (in one step: PostgreSQL before 18 refuses NOT VALID foreign keys on partitioned tables)",
            );
        }
        let not_valid = wanted_not_valid || split;
        let reference = match &c.kind {
            ConstraintKind::ForeignKey { ref_table, .. } => ref_table.to_string(),
            _ => String::new(),
        };
        let kept_unchecked = " (wanted NOT VALID: existing rows stay unchecked)";
        let (id, detail) = match &c.kind {
            ConstraintKind::ForeignKey { .. } if new_table => {
                (RuleId::AddForeignKeyNewTable, again.clone())
            }
            ConstraintKind::ForeignKey { .. } if wanted_not_valid => (
                RuleId::AddForeignKeyNotValid,
                format!("{again}{kept_unchecked}"),
            ),
            ConstraintKind::ForeignKey { .. } if split => {
                (RuleId::AddForeignKeyNotValid, again.clone())
            }
            ConstraintKind::ForeignKey { .. } => (RuleId::AddForeignKey, again.clone()),
            _ if new_table => (
                RuleId::AddConstraintNewTable,
                if not_valid {
                    " NOT VALID".into()
                } else {
                    again.clone()
                },
            ),
            ConstraintKind::Check { .. } if wanted_not_valid => {
                (RuleId::AddCheckNotValid, format!("{again}{kept_unchecked}"))
            }
            ConstraintKind::Check { .. } if split => (RuleId::AddCheckNotValid, again.clone()),
            ConstraintKind::Check { .. } => (RuleId::AddCheck, again.clone()),
            ConstraintKind::PrimaryKey { .. } => (RuleId::AddPrimaryKey, again.clone()),
            ConstraintKind::Unique { .. } => (RuleId::AddUnique, again.clone()),
        };
        let risk = self.risk(id, &object, |v| {
            v.detail = detail;
            v.reference = reference;
        });
        let mut d = self.create(
            object.clone(),
            Action::Create,
            format!(
                "ALTER TABLE {only}{table} ADD {}{}",
                sql::constraint_def(c),
                if not_valid { " NOT VALID" } else { "" }
            ),
            risk,
            if is_fk { rank::FK } else { rank::CONSTRAINT },
        );
        if is_key(c) {
            d.names_created
                .push(QualName::new(table.schema.clone(), c.name.clone()));
        }
        if !only.is_empty() {
            // Added ONLY once the partitions exist, so that none gets an index of it.
            d.needs.extend(
                crate::partitions::partitions_of(self.to, table)
                    .into_iter()
                    .map(|p| ObjectId::Table { name: p }),
            );
        }
        // The validation must not share the transaction (and the lock) of the add.
        d.commit_after = split;
        self.push(d);
        if split {
            let v = self.validate_step(object, table, c);
            self.push(v);
        }
    }

    /// A primary key or unique constraint on an existing table, online: its index is
    /// built `CONCURRENTLY` (named as the constraint), then attached with
    /// `ADD CONSTRAINT … USING INDEX`, which only takes a brief lock.
    fn add_key_online(&mut self, object: ObjectId, table: &QualName, c: &Constraint, again: &str) {
        let (kind, columns, include, nulls_not_distinct) = match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } => {
                ("PRIMARY KEY", columns, include, false)
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => ("UNIQUE", columns, include, *nulls_not_distinct),
            _ => unreachable!("add_key_online is called for keys only"),
        };
        let what = if kind == "UNIQUE" {
            "unique constraint"
        } else {
            "primary key"
        };
        let mut sql = format!(
            "CREATE UNIQUE INDEX CONCURRENTLY {} ON {table} ({})",
            quote_ident(&c.name),
            sql::idents(columns)
        );
        if !include.is_empty() {
            sql.push_str(&format!(" INCLUDE ({})", sql::idents(include)));
        }
        if nulls_not_distinct {
            sql.push_str(" NULLS NOT DISTINCT");
        }
        let risk = self.risk(RuleId::AddKeyIndexConcurrently, &object, |v| {
            v.detail = format!("{what}{again}");
        });
        let mut build = Draft::new(object.clone(), Action::Create, sql, risk, rank::CONSTRAINT);
        build.needs = deps(self.to, &object);
        build.transactional = false;
        build
            .names_created
            .push(QualName::new(table.schema.clone(), c.name.clone()));
        self.push(build);

        let mut attach_sql = format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} {kind} USING INDEX {}",
            quote_ident(&c.name),
            quote_ident(&c.name)
        );
        if c.deferrable || c.initially_deferred {
            attach_sql.push_str(" DEFERRABLE");
            if c.initially_deferred {
                attach_sql.push_str(" INITIALLY DEFERRED");
            }
        }
        let risk = self.risk(RuleId::AttachKeyIndex, &object, |v| {
            v.detail = what.to_string();
        });
        let attach = self.create(object, Action::Create, attach_sql, risk, rank::CONSTRAINT);
        self.push(attach);
    }

    fn validate_step(&self, object: ObjectId, table: &QualName, c: &Constraint) -> Draft {
        let risk = self.risk(RuleId::ValidateConstraint, &object, |_| {});
        let mut d = self.create(
            object.clone(),
            Action::Validate,
            format!(
                "ALTER TABLE {table} VALIDATE CONSTRAINT {}",
                quote_ident(&c.name)
            ),
            risk,
            rank::VALIDATE,
        );
        d.needs.push(object);
        d
    }

    pub(crate) fn create_index(
        &mut self,
        object: ObjectId,
        ix: &Index,
        new_table: bool,
        recreate: Option<&str>,
    ) {
        let rebuild = !new_table
            && recreate.is_some()
            && self.from.indexes.get(&ix.name).is_some_and(|i| i.invalid);
        let partitioned = crate::table_options::is_partitioned(self.to, &ix.table);
        if partitioned && ix.invalid {
            return self.create_index_only(object, ix);
        }
        let concurrently = !new_table && (self.opts.online || rebuild) && !partitioned;
        let mut blocking_why = String::new();
        if partitioned && !new_table && (self.opts.online || rebuild) {
            let again = recreate
                .map(|why| format!(" (again, because {why})"))
                .unwrap_or_default();
            match self.partitioned_index_online(&object, ix, &again) {
                Ok(()) => return,
                Err(why) => blocking_why = why,
            }
        }
        let detail = match recreate {
            _ if partitioned && !new_table && self.opts.online => format!(
                " (PostgreSQL cannot build a partitioned table's index CONCURRENTLY, and not ON ONLY then per partition here: {blocking_why})"
            ),
            _ if rebuild => " (built again CONCURRENTLY)".into(),
            Some(why) => format!(" (again, because {why})"),
            None => String::new(),
        };
        let id = if rebuild {
            RuleId::RebuildInvalidIndex
        } else if new_table {
            RuleId::AddIndexNewTable
        } else if ix.unique {
            RuleId::AddUniqueIndex
        } else if concurrently {
            RuleId::AddIndexConcurrently
        } else {
            RuleId::AddIndexBlocking
        };
        let risk = self.risk(id, &object, |v| {
            v.table = ix.table.to_string();
            v.detail = detail;
            v.detail_lock = if concurrently {
                "SHARE UPDATE EXCLUSIVE".into()
            } else {
                "SHARE".into()
            };
        });
        let mut d = self.create(
            object,
            Action::Create,
            sql::create_index(ix, concurrently),
            risk,
            rank::INDEX,
        );
        d.transactional = !concurrently;
        d.names_created.push(ix.name.clone());
        self.push(d);
    }

    /// A partitioned index wanted invalid: made `ON ONLY` its table, so that only the
    /// partitions' indexes attached to it (their own steps) belong to it.
    fn create_index_only(&mut self, object: ObjectId, ix: &Index) {
        let risk = self.risk(RuleId::PartitionedIndexOnly, &object, |v| {
            v.table = ix.table.to_string();
        });
        let mut d = self.create(
            object,
            Action::Create,
            crate::partitions::only_sql(ix, &ix.table, &ix.name.name),
            risk,
            rank::INDEX,
        );
        d.names_created.push(ix.name.clone());
        self.push(d);
    }

    pub(crate) fn comment(
        &mut self,
        object: &ObjectId,
        from: &Option<String>,
        to: &Option<String>,
    ) {
        let target = match object {
            ObjectId::Schema { name } => format!("SCHEMA {}", quote_ident(name)),
            ObjectId::Extension { name } => format!("EXTENSION {}", quote_ident(name)),
            ObjectId::Type { name } => format!("TYPE {name}"),
            ObjectId::Sequence { name } => format!("SEQUENCE {name}"),
            ObjectId::Table { name } => format!("TABLE {name}"),
            ObjectId::Column { table, column } => {
                format!("COLUMN {table}.{}", quote_ident(column))
            }
            ObjectId::Constraint { table, name } => {
                format!("CONSTRAINT {} ON {table}", quote_ident(name))
            }
            // INDEX name, and the kinds added since (VIEW, FUNCTION …) the same way.
            other => format!("{} {}", other.kind().to_uppercase(), object_name(other)),
        };
        // Schema public without a comment in the model has the one PostgreSQL gives it in
        // a new database (the model reads that one as none): removing a comment restores
        // it, so that the result is what a new database loaded with the schema has.
        let public_default = match object {
            ObjectId::Schema { name } if name == "public" && to.is_none() => {
                Some(shale_model::table_options::PUBLIC_SCHEMA_COMMENT.to_string())
            }
            _ => None,
        };
        let verb = match (from, to) {
            (None, _) => "sets",
            (_, None) if public_default.is_some() => "restores the default",
            (_, None) => "removes",
            _ => "changes",
        };
        let risk = self.risk(RuleId::Comment, object, |v| v.detail = verb.to_string());
        let literal = sql::comment_literal(if public_default.is_some() {
            &public_default
        } else {
            to
        });
        let mut d = Draft::new(
            object.clone(),
            Action::Comment,
            format!("COMMENT ON {target} IS {literal}"),
            risk,
            rank::COMMENT,
        );
        d.needs.push(object.clone());
        // The index of a key is made by its constraint.
        if let ObjectId::Index { name } = object {
            if !self.to.indexes.contains_key(name) {
                if let Some(t) = self.key_table(name) {
                    d.needs.push(ObjectId::Constraint {
                        table: t.clone(),
                        name: name.name.clone(),
                    });
                }
            }
        }
        self.push(d);
    }
}
