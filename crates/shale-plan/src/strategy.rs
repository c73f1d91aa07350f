//! Expand/contract: a column rename or a rewriting type change carried out in two phases,
//! so that the application keeps working while it moves to the new column.
//!
//! - **Expand** adds the new column beside the old one (for a type change, under a shadow
//!   name, `<column>__shale_new`), a dual-write trigger that keeps both in step whichever
//!   one the application writes (with a cast for a type change), fills the new column for
//!   the existing rows (batched, resumable), makes it `NOT NULL` if wanted (online), and
//!   builds its indexes (`CONCURRENTLY`; under a temporary name when the final name is
//!   still taken by an index of the old column). The application can read and write the
//!   old column name throughout, and the data shows up in the new one.
//! - **Contract** (once every application instance uses the new column) checks that every
//!   row was copied, drops the trigger and its function, drops the old column, gives the
//!   shadow column and the temporary indexes their final names, and sets the new column's
//!   default and comment. It runs in one transaction.
//!
//! Each phase can be applied on its own ([`Plan::phase`]). Planning again after the expand
//! phase ran (both columns exist) gives the expand steps again (all idempotent: the
//! function and trigger are replaced, the backfill only fills what is missing) and the
//! contract steps, whatever the strategy: a half-done move is never left with a trigger
//! that writes a dropped column. Limits: one move per table at a time; columns that a
//! constraint, a foreign key, a generated column or an owned sequence involves, and
//! identity or generated columns, are refused (plan them with the direct strategy).

use crate::build::{deps, object_name, rank, Builder, Draft};
use crate::model::{Action, Plan};
use crate::rules::RuleId;
use crate::sql;
use crate::typechange::{classify, TypeChange};
use crate::{PlanError, PlanOptions};
use serde::{Deserialize, Serialize};
use shale_diff::{index_mentions_column, mentions_identifier, Change, ColumnPair};
use shale_model::{
    quote_ident, Catalog, Column, ConstraintKind, Index, IndexKeyExpr, ObjectId, QualName,
    RenameHint,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How column renames and rewriting type changes on existing tables are carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// One step each: `ALTER … RENAME COLUMN`, `ALTER COLUMN … TYPE` (callers must change
    /// at the same moment; a type change rewrites the table under an exclusive lock).
    #[default]
    Direct,
    /// Two phases ([`Phase`]): a new column kept in step with the old one by a trigger,
    /// then the old column dropped once the application moved.
    ExpandContract,
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strategy::Direct => "direct",
            Strategy::ExpandContract => "expand-contract",
        })
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "direct" => Ok(Strategy::Direct),
            "expand-contract" => Ok(Strategy::ExpandContract),
            _ => Err(format!(
                "unknown strategy `{s}` (expected direct or expand-contract)"
            )),
        }
    }
}

/// A phase of an expand/contract plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Additive: the application keeps working with the old and the new names.
    Expand,
    /// Removes what the application no longer uses.
    Contract,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Expand => "expand",
            Phase::Contract => "contract",
        })
    }
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "expand" => Ok(Phase::Expand),
            "contract" => Ok(Phase::Contract),
            _ => Err(format!("unknown phase `{s}` (expected expand or contract)")),
        }
    }
}

impl Plan {
    /// The steps of one phase, renumbered from 1 in the same order, with their
    /// dependencies on steps of the phase (dependencies on the other phase are dropped:
    /// that phase ran before, or runs after). A step without a phase belongs to the
    /// expand phase, so the expand phase of a plan without phases is the whole plan.
    pub fn phase(&self, phase: Phase) -> Plan {
        let mut ids = BTreeMap::new();
        let mut steps = Vec::new();
        for s in &self.steps {
            if s.phase.unwrap_or(Phase::Expand) == phase {
                let mut n = s.clone();
                n.id = steps.len() + 1;
                ids.insert(s.id, n.id);
                steps.push(n);
            }
        }
        for s in &mut steps {
            s.depends_on = s
                .depends_on
                .iter()
                .filter_map(|d| ids.get(d).copied())
                .collect();
        }
        let mut out = self.clone();
        out.steps = steps;
        out
    }

    /// True when the plan comes in phases (planned with [`Strategy::ExpandContract`], or
    /// finishing a move an expand phase started).
    pub fn has_phases(&self) -> bool {
        self.steps.iter().any(|s| s.phase.is_some())
    }
}

/// An index of the moved column, as the expand phase builds it.
#[derive(Debug, Clone)]
pub struct IndexMove {
    /// The index the expand phase builds (on the shadow column, under `build.name`).
    pub build: Index,
    /// Its final name, when the expand phase builds it under a temporary one.
    pub rename_to: Option<QualName>,
    /// It exists already (an expand phase built it).
    pub built: bool,
}

/// A column carried over in two phases.
#[derive(Debug, Clone)]
pub struct Move {
    pub table: QualName,
    /// The column as it is now.
    pub old: Column,
    /// The column as wanted (its final name and shape).
    pub new: Column,
    /// The new column's name during the expand phase: its final name for a rename, a
    /// shadow name for a type change.
    pub shadow: String,
    /// The new column exists already (an expand phase ran).
    pub expanded: bool,
    pub indexes: Vec<IndexMove>,
}

impl Move {
    fn is_rename(&self) -> bool {
        self.old.name != self.new.name
    }
}

/// PostgreSQL's longest identifier, in bytes.
const MAX_IDENT: usize = 63;

/// `name` + `suffix`, `name` shortened so the whole fits in 63 bytes.
fn with_suffix(name: &str, suffix: &str) -> String {
    let mut n: String = String::new();
    for c in name.chars() {
        if n.len() + c.len_utf8() + suffix.len() > MAX_IDENT {
            break;
        }
        n.push(c);
    }
    format!("{n}{suffix}")
}

/// The name a type-changed column has during the expand phase.
pub fn shadow_name(column: &str) -> String {
    with_suffix(column, "__shale_new")
}

/// The dual-write function of `table`.
pub fn sync_function(table: &QualName) -> QualName {
    QualName::new(
        table.schema.clone(),
        with_suffix(&format!("shale_sync_{}", table.name), ""),
    )
}

/// The dual-write trigger's name (triggers are named per table).
pub const SYNC_TRIGGER: &str = "shale_sync";

fn unsupported(m: &Move, why: String) -> PlanError {
    PlanError::Unsupported {
        object: ObjectId::Column {
            table: m.table.clone(),
            column: m.new.name.clone(),
        },
        reason: format!(
            "expand/contract cannot move this column yet: {why}; plan it with the direct \
             strategy"
        ),
    }
}

/// The columns to move in two phases: hinted column renames (`hints`, with
/// [`Strategy::ExpandContract`]) and rewriting type changes (with that strategy), plus the
/// moves an expand phase started (both columns of a hinted rename exist, or a shadow
/// column does), whatever the strategy. `from` is the current catalog with the other
/// renames applied.
pub fn moves(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
    both_exist: &[ColumnPair],
    changes: &[Change],
    opts: &PlanOptions,
) -> Result<Vec<Move>, PlanError> {
    let mut pairs: Vec<(QualName, String, String)> = both_exist
        .iter()
        .map(|p| (p.table.clone(), p.old.clone(), p.new.clone()))
        .collect();
    for h in hints {
        let (
            ObjectId::Column {
                table: t1,
                column: c1,
            },
            ObjectId::Column {
                table: t0,
                column: c0,
            },
        ) = (&h.object, &h.from)
        else {
            continue;
        };
        if t0 != t1 && from.tables.contains_key(t0) {
            return Err(PlanError::Rename {
                object: h.object.clone(),
                reason: format!(
                    "a column cannot move to another table (it is in {t0}); to rename the \
                     table too, hint the table's rename"
                ),
            });
        }
        // The table is named as wanted by now (its own rename, if any, is applied).
        let Some(t) = from.tables.get(t1) else {
            continue;
        };
        if t.column(c0).is_some() && c0 != c1 {
            pairs.push((t1.clone(), c0.clone(), c1.clone()));
        }
    }
    let mut out: Vec<Move> = Vec::new();
    let mut seen: BTreeSet<(QualName, String)> = BTreeSet::new();
    for (t, c0, c1) in pairs {
        let (Some(t0), Some(t1)) = (from.tables.get(&t), to.tables.get(&t)) else {
            continue;
        };
        let (Some(old), Some(new)) = (t0.column(&c0), t1.column(&c1)) else {
            continue;
        };
        if !seen.insert((t.clone(), c1.clone())) {
            continue;
        }
        out.push(Move {
            table: t.clone(),
            old: old.clone(),
            new: new.clone(),
            shadow: c1.clone(),
            expanded: t0.column(&c1).is_some(),
            indexes: Vec::new(),
        });
    }
    let mut retype = |t: &QualName, column: &str, out: &mut Vec<Move>| {
        let (Some(t0), Some(t1)) = (from.tables.get(t), to.tables.get(t)) else {
            return;
        };
        let (Some(old), Some(new)) = (t0.column(column), t1.column(column)) else {
            return;
        };
        if !seen.insert((t.clone(), column.to_string())) {
            return;
        }
        let shadow = shadow_name(column);
        out.push(Move {
            table: t.clone(),
            old: old.clone(),
            new: new.clone(),
            expanded: t0.column(&shadow).is_some(),
            shadow,
            indexes: Vec::new(),
        });
    };
    if opts.strategy == Strategy::ExpandContract {
        for c in changes {
            if let Change::AlterColumnType {
                table,
                column,
                from: f,
                to: t,
                ..
            } = c
            {
                if f != t && classify(f, t) != TypeChange::Coercible {
                    retype(table, column, &mut out);
                }
            }
        }
    }
    // Shadows an expand phase left.
    for (name, t1) in &to.tables {
        let Some(t0) = from.tables.get(name) else {
            continue;
        };
        for c in &t1.columns {
            let s = shadow_name(&c.name);
            if t0.column(&s).is_some() && t1.column(&s).is_none() && t0.column(&c.name).is_some() {
                retype(name, &c.name, &mut out);
            }
        }
    }
    for m in &mut out {
        check(m, from, to)?;
        m.indexes = index_moves(m, from, to)?;
    }
    Ok(out)
}

/// Refuses what the two phases cannot carry yet.
fn check(m: &Move, from: &Catalog, to: &Catalog) -> Result<(), PlanError> {
    for c in [&m.old, &m.new] {
        if c.identity.is_some() || c.generated.is_some() {
            return Err(unsupported(
                m,
                format!(
                    "{} is an identity or generated column",
                    quote_ident(&c.name)
                ),
            ));
        }
    }
    let involves = |cat: &Catalog, column: &str| -> Option<String> {
        let t = cat.tables.get(&m.table)?;
        for c in t.constraints.values() {
            let hit = match &c.kind {
                ConstraintKind::Check { expr, .. } => mentions_identifier(&expr.canon, column),
                ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } => columns.iter().chain(include).any(|x| x == column),
                ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|x| x == column),
            };
            if hit {
                return Some(format!(
                    "constraint {} involves column {}",
                    quote_ident(&c.name),
                    quote_ident(column)
                ));
            }
        }
        for other in cat.tables.values() {
            for c in other.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                {
                    if ref_table == &m.table && ref_columns.iter().any(|x| x == column) {
                        return Some(format!(
                            "foreign key {} on {} references column {}",
                            quote_ident(&c.name),
                            other.name,
                            quote_ident(column)
                        ));
                    }
                }
            }
        }
        for c in &t.columns {
            if c.name != column
                && c.generated
                    .as_ref()
                    .is_some_and(|g| mentions_identifier(&g.canon, column))
            {
                return Some(format!(
                    "generated column {} uses column {}",
                    quote_ident(&c.name),
                    quote_ident(column)
                ));
            }
        }
        None
    };
    if let Some(why) = involves(from, &m.old.name).or_else(|| involves(to, &m.new.name)) {
        return Err(unsupported(m, why));
    }
    if let Some(s) = from.sequences.values().find(|s| {
        s.owned_by
            .as_ref()
            .is_some_and(|o| o.table == m.table && o.column == m.old.name)
    }) {
        return Err(unsupported(
            m,
            format!(
                "sequence {} is owned by column {}",
                s.name,
                quote_ident(&m.old.name)
            ),
        ));
    }
    if m.expanded {
        let shadow = from.tables.get(&m.table).and_then(|t| t.column(&m.shadow));
        if shadow.is_some_and(|s| s.ty != m.new.ty || s.collation != m.new.collation) {
            return Err(unsupported(
                m,
                format!(
                    "the column {} an earlier expand phase added does not have the wanted \
                     type; finish or undo that move first",
                    quote_ident(&m.shadow)
                ),
            ));
        }
    }
    Ok(())
}

/// The wanted indexes of the moved column, as the expand phase builds them.
fn index_moves(m: &Move, from: &Catalog, to: &Catalog) -> Result<Vec<IndexMove>, PlanError> {
    let mut out = Vec::new();
    for ix in to.indexes.values() {
        if ix.table != m.table || !index_mentions_column(ix, &m.new.name) {
            continue;
        }
        let mut build = Index {
            comment: None,
            ..ix.clone()
        };
        if m.shadow != m.new.name {
            rename_in_index(&mut build, &m.new.name, &m.shadow);
        }
        let final_taken = from.indexes.get(&ix.name);
        let same = |a: &Index, b: &Index| {
            Index {
                name: b.name.clone(),
                comment: None,
                ..a.clone()
            } == *b
        };
        let (name, rename_to) = match final_taken {
            Some(existing) if m.is_rename() && same(existing, &build) => (ix.name.clone(), None),
            None if m.is_rename() => (ix.name.clone(), None),
            Some(existing)
                if !index_mentions_column(existing, &m.old.name)
                    && !index_mentions_column(existing, &m.shadow) =>
            {
                return Err(unsupported(
                    m,
                    format!(
                        "index {} is wanted on the new column, but an index of that name \
                         exists on other columns",
                        ix.name
                    ),
                ));
            }
            _ => (
                QualName::new(
                    ix.name.schema.clone(),
                    with_suffix(&ix.name.name, "__shale_new"),
                ),
                Some(ix.name.clone()),
            ),
        };
        build.name = name;
        let built = from
            .indexes
            .get(&build.name)
            .is_some_and(|e| same(e, &build));
        out.push(IndexMove {
            build,
            rename_to,
            built,
        });
    }
    Ok(out)
}

fn rename_in_index(ix: &mut Index, c0: &str, c1: &str) {
    for k in &mut ix.keys {
        match &mut k.key {
            IndexKeyExpr::Column(c) if c == c0 => *c = c1.to_string(),
            IndexKeyExpr::Expr(e) => {
                e.sql = shale_diff::rename_column_in_sql(&e.sql, c0, c1);
                e.canon = shale_diff::rename_column_in_sql(&e.canon, c0, c1);
            }
            _ => {}
        }
    }
    for c in &mut ix.include {
        if c == c0 {
            *c = c1.to_string();
        }
    }
    if let Some(p) = &mut ix.predicate {
        p.sql = shale_diff::rename_column_in_sql(&p.sql, c0, c1);
        p.canon = shale_diff::rename_column_in_sql(&p.canon, c0, c1);
    }
}

/// `changes` without those the moves carry out themselves: everything on the moved
/// columns (old, new, shadow), the drops of indexes that go with the old column or that
/// an expand phase built, the creates of the new column's indexes, and changes of the
/// dual-write trigger and function.
pub fn without_moved(changes: Vec<Change>, moves: &[Move]) -> Vec<Change> {
    if moves.is_empty() {
        return changes;
    }
    let mut columns: BTreeSet<(QualName, String)> = BTreeSet::new();
    for m in moves {
        for c in [&m.old.name, &m.new.name, &m.shadow] {
            columns.insert((m.table.clone(), c.clone()));
        }
    }
    let sync: BTreeSet<String> = moves.iter().map(|m| sync_function(&m.table).name).collect();
    let index_on = |ix: &Index, old: bool| {
        moves.iter().any(|m| {
            ix.table == m.table
                && if old {
                    index_mentions_column(ix, &m.old.name) || index_mentions_column(ix, &m.shadow)
                } else {
                    index_mentions_column(ix, &m.new.name)
                }
        })
    };
    changes
        .into_iter()
        .filter(|c| {
            match c {
                Change::DropIndex { index, .. } => return !index_on(index, true),
                Change::CreateIndex { index, .. } => return !index_on(index, false),
                _ => {}
            }
            let o = c.object();
            match &o {
                ObjectId::Column { table, column } => {
                    !columns.contains(&(table.clone(), column.clone()))
                }
                ObjectId::Index { name } => {
                    // Comments of the indexes the moves build are set with them.
                    !(matches!(c, Change::SetComment { .. })
                        && moves.iter().any(|m| {
                            m.indexes.iter().any(|i| {
                                &i.build.name == name || i.rename_to.as_ref() == Some(name)
                            })
                        }))
                }
                other => {
                    // The dual-write trigger and function, once the model knows them.
                    let kind = other.kind();
                    !((kind == "function" || kind == "trigger")
                        && sync.iter().any(|f| {
                            other.to_string().contains(f.as_str())
                                || other.to_string().contains(SYNC_TRIGGER)
                        }))
                }
            }
        })
        .collect()
}

impl Builder<'_> {
    fn phased(&mut self, mut d: Draft, phase: Phase, after: &mut Option<usize>) -> usize {
        d.phase = Some(phase);
        d.after.extend(*after);
        let i = self.push(d);
        *after = Some(i);
        i
    }

    /// The steps of the moves, table by table.
    pub fn build_moves(&mut self, moves: &[Move]) {
        let mut tables: Vec<QualName> = moves.iter().map(|m| m.table.clone()).collect();
        tables.dedup();
        let mut done = BTreeSet::new();
        for t in tables {
            if !done.insert(t.clone()) {
                continue;
            }
            let ms: Vec<&Move> = moves.iter().filter(|m| m.table == t).collect();
            self.build_table_moves(&t, &ms);
        }
        // A table renamed by the plan is renamed before the moves' steps use its new name.
        self.after_renames();
    }

    fn build_table_moves(&mut self, t: &QualName, ms: &[&Move]) {
        let first = self.out.len();
        let table_id = ObjectId::Table { name: t.clone() };
        let mut chain: Option<usize> = None;
        let col = |c: &str| ObjectId::Column {
            table: t.clone(),
            column: c.to_string(),
        };
        // Expand: the new columns.
        for m in ms.iter().filter(|m| !m.expanded) {
            let bare = Column {
                name: m.shadow.clone(),
                not_null: false,
                default: None,
                identity: None,
                generated: None,
                comment: None,
                ..m.new.clone()
            };
            let object = col(&m.shadow);
            let risk = self.risk(RuleId::AddColumnNullable, &object, |v| {
                v.detail = format!(
                    " (expand: takes over from {} through a dual-write trigger)",
                    quote_ident(&m.old.name)
                );
            });
            let mut d = Draft::new(
                object.clone(),
                Action::Create,
                format!("ALTER TABLE {t} ADD COLUMN {}", sql::column_def(&bare)),
                risk,
                rank::COLUMN,
            );
            d.needs = deps(self.to, &col(&m.new.name));
            d.needs.retain(|n| n != &object);
            d.creates = vec![object];
            d.commit_after = true;
            self.phased(d, Phase::Expand, &mut chain);
        }
        // Expand: the dual-write function and trigger.
        let pairs: Vec<sql::SyncPair> = ms
            .iter()
            .map(|m| sql::SyncPair {
                old: m.old.name.clone(),
                old_type: m.old.ty.clone(),
                new: m.shadow.clone(),
                new_type: m.new.ty.clone(),
            })
            .collect();
        let function = sync_function(t);
        let olds: Vec<String> = ms.iter().map(|m| quote_ident(&m.old.name)).collect();
        let news: Vec<String> = ms.iter().map(|m| quote_ident(&m.shadow)).collect();
        let risk = self.risk(
            RuleId::ExpandDualWriteFunction,
            &col(&ms[0].old.name),
            |v| {
                v.object = format!("{t}.{}", olds.join(", "));
                v.detail = format!(" {function}");
            },
        );
        let d = Draft::new(
            table_id.clone(),
            Action::Alter,
            sql::sync_function(&function, &pairs),
            risk,
            rank::COLUMN,
        );
        self.phased(d, Phase::Expand, &mut chain);
        let risk = self.risk(RuleId::ExpandDualWrite, &col(&ms[0].old.name), |v| {
            v.object = format!("{t}.{}", olds.join(", "));
            v.detail = news.join(", ");
        });
        let d = Draft::new(
            table_id.clone(),
            Action::Alter,
            format!(
                "CREATE OR REPLACE TRIGGER {SYNC_TRIGGER} BEFORE INSERT OR UPDATE ON {t} FOR \
                 EACH ROW EXECUTE FUNCTION {function}()"
            ),
            risk,
            rank::COLUMN,
        );
        let trigger = self.phased(d, Phase::Expand, &mut chain);
        // Expand: backfills, NOT NULL, indexes.
        for m in ms {
            let object = col(&m.shadow);
            let source = if m.old.ty == m.new.ty {
                quote_ident(&m.old.name)
            } else {
                format!("{}::{}", quote_ident(&m.old.name), m.new.ty)
            };
            let risk = self.risk(RuleId::BackfillColumn, &object, |v| {
                v.detail = format!(" from {} (expand)", quote_ident(&m.old.name));
            });
            let mut d = Draft::new(
                object.clone(),
                Action::Alter,
                sql::backfill(
                    t,
                    &m.shadow,
                    &source,
                    false,
                    Some(&format!("{} IS NOT NULL", quote_ident(&m.old.name))),
                ),
                risk,
                rank::COLUMN,
            );
            d.transactional = false;
            d.after.push(trigger);
            let fill = self.phased(d, Phase::Expand, &mut chain);
            let is_not_null = self
                .from
                .tables
                .get(t)
                .and_then(|x| x.column(&m.shadow))
                .is_some_and(|c| c.not_null);
            if m.new.not_null && !is_not_null {
                let start = self.out.len();
                self.set_not_null(object.clone(), t, &m.shadow, vec![fill]);
                for d in &mut self.out[start..] {
                    d.phase = Some(Phase::Expand);
                }
                chain = Some(self.out.len() - 1);
            }
            for ix in m.indexes.iter().filter(|i| !i.built) {
                let start = self.out.len();
                self.create_index(
                    ObjectId::Index {
                        name: ix.build.name.clone(),
                    },
                    &ix.build,
                    false,
                    None,
                );
                let d = &mut self.out[start];
                d.phase = Some(Phase::Expand);
                d.after.extend(chain);
                d.needs.push(object.clone());
                chain = Some(start);
            }
        }
        let expand_steps: Vec<usize> = (first..self.out.len()).collect();

        // Contract: check, drop the trigger and function, drop the old columns, final names.
        let checks: Vec<String> = ms
            .iter()
            .map(|m| {
                format!(
                    "({} IS NULL AND {} IS NOT NULL)",
                    quote_ident(&m.shadow),
                    quote_ident(&m.old.name)
                )
            })
            .collect();
        let risk = self.risk(RuleId::ContractVerify, &col(&ms[0].old.name), |v| {
            v.object = format!("{t}.{}", olds.join(", "));
        });
        let mut d = Draft::new(
            table_id.clone(),
            Action::Validate,
            sql::contract_check(t, &checks.join(" OR ")),
            risk,
            rank::COLUMN,
        );
        d.after = expand_steps;
        self.phased(d, Phase::Contract, &mut chain);
        for (what, sql) in [
            (
                format!("trigger {SYNC_TRIGGER}"),
                format!("DROP TRIGGER IF EXISTS {SYNC_TRIGGER} ON {t}"),
            ),
            (
                format!("function {function}"),
                format!("DROP FUNCTION IF EXISTS {function}()"),
            ),
        ] {
            let risk = self.risk(RuleId::ContractDropDualWrite, &col(&ms[0].old.name), |v| {
                v.object = format!("{t}.{}", olds.join(", "));
                v.detail = format!("{} ({what})", news.join(", "));
            });
            let d = Draft::new(table_id.clone(), Action::Alter, sql, risk, rank::COLUMN);
            self.phased(d, Phase::Contract, &mut chain);
        }
        for m in ms {
            let object = col(&m.old.name);
            let risk = self.risk(RuleId::ContractDropOldColumn, &object, |v| {
                v.detail = format!("{t}.{}", quote_ident(&m.shadow));
            });
            let d = self.drop(
                vec![object],
                format!("ALTER TABLE {t} DROP COLUMN {}", quote_ident(&m.old.name)),
                risk,
                rank::COLUMN,
            );
            self.phased(d, Phase::Contract, &mut chain);
        }
        for m in ms.iter().filter(|m| !m.is_rename()) {
            let object = col(&m.new.name);
            let risk = self.risk(RuleId::RenameColumn, &object, |v| {
                v.object = format!("{t}.{}", quote_ident(&m.shadow));
                v.detail = format!(
                    " to {} (contract: the new column takes the final name)",
                    quote_ident(&m.new.name)
                );
            });
            let mut d = Draft::new(
                object.clone(),
                Action::Rename,
                format!(
                    "ALTER TABLE {t} RENAME COLUMN {} TO {}",
                    quote_ident(&m.shadow),
                    quote_ident(&m.new.name)
                ),
                risk,
                rank::COLUMN,
            );
            d.creates = vec![object];
            self.phased(d, Phase::Contract, &mut chain);
        }
        for ix in ms.iter().flat_map(|m| &m.indexes) {
            let Some(final_name) = &ix.rename_to else {
                continue;
            };
            let object = ObjectId::Index {
                name: final_name.clone(),
            };
            let risk = self.risk(RuleId::RenameIndex, &object, |v| {
                v.object = object_name(&ObjectId::Index {
                    name: ix.build.name.clone(),
                });
                v.detail = format!(
                    " to {} (contract: the index of the new column takes the final name)",
                    quote_ident(&final_name.name)
                );
            });
            let mut d = Draft::new(
                object.clone(),
                Action::Rename,
                format!(
                    "ALTER INDEX {} RENAME TO {}",
                    ix.build.name,
                    quote_ident(&final_name.name)
                ),
                risk,
                rank::COLUMN,
            );
            d.creates = vec![object];
            d.names_removed.push(ix.build.name.clone());
            d.names_created.push(final_name.clone());
            self.phased(d, Phase::Contract, &mut chain);
        }
        for m in ms {
            let object = col(&m.new.name);
            if let Some(default) = &m.new.default {
                let risk = self.risk(RuleId::SetDefault, &object, |v| {
                    v.detail = format!(" to {}", default.sql.trim());
                });
                let d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    format!(
                        "ALTER TABLE {t} ALTER COLUMN {} SET DEFAULT {}",
                        quote_ident(&m.new.name),
                        sql::b_expr(&default.sql)
                    ),
                    risk,
                    rank::COLUMN,
                );
                self.phased(d, Phase::Contract, &mut chain);
            }
            if m.new.comment.is_some() {
                self.comment_step(&object, &m.new.comment, Phase::Contract, &mut chain);
            }
            for ix in &m.indexes {
                let wanted = ix.rename_to.as_ref().unwrap_or(&ix.build.name);
                let comment = self.to.indexes.get(wanted).and_then(|i| i.comment.clone());
                if comment.is_some() {
                    let object = ObjectId::Index {
                        name: wanted.clone(),
                    };
                    self.comment_step(&object, &comment, Phase::Contract, &mut chain);
                }
            }
        }
    }

    fn comment_step(
        &mut self,
        object: &ObjectId,
        comment: &Option<String>,
        phase: Phase,
        chain: &mut Option<usize>,
    ) {
        let start = self.out.len();
        self.comment(object, &None, comment);
        let d = &mut self.out[start];
        d.phase = Some(phase);
        d.after.extend(*chain);
        *chain = Some(start);
    }

    /// Phases for the steps the moves did not place: in a phased plan, the expand phase,
    /// unless they need what only the contract phase makes.
    pub fn assign_phases(&mut self, moves: &[Move]) {
        if self.opts.strategy != Strategy::ExpandContract && moves.is_empty() {
            return;
        }
        loop {
            let contract: BTreeSet<ObjectId> = self
                .out
                .iter()
                .filter(|d| d.phase == Some(Phase::Contract))
                .flat_map(|d| d.creates.iter().cloned())
                .collect();
            let contract_steps: BTreeSet<usize> = (0..self.out.len())
                .filter(|&i| self.out[i].phase == Some(Phase::Contract))
                .collect();
            let mut changed = false;
            for d in self.out.iter_mut().filter(|d| d.phase.is_none()) {
                if d.needs.iter().any(|n| contract.contains(n))
                    || d.after.iter().any(|a| contract_steps.contains(a))
                {
                    d.phase = Some(Phase::Contract);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for d in &mut self.out {
            if d.phase.is_none() {
                d.phase = Some(Phase::Expand);
            }
        }
    }
}
