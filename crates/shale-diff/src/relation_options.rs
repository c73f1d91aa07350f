//! Storage parameters of indexes and materialized views, and statistics targets of index
//! columns: changed in place (`ALTER INDEX … SET (…) / RESET (…)`, `ALTER MATERIALIZED
//! VIEW … SET (…) / RESET (…)`, `ALTER INDEX … ALTER COLUMN n SET STATISTICS t`), never
//! by re-creating the index or view. An index or view created by the diff gets its
//! parameters in its `CREATE` (`WITH (…)`), and its statistics targets as changes here.

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::{Catalog, Index, ObjectId, QualName};
use std::collections::{BTreeMap, BTreeSet};

/// One difference in the options of an index or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "relation_option_change", rename_all = "snake_case")]
pub enum RelationOptionChange {
    /// `ALTER INDEX|MATERIALIZED VIEW … SET (…), RESET (…)`.
    SetStorage {
        /// The index or the materialized view.
        object: ObjectId,
        /// The relation whose lock the step takes: the index's table or view, or the view.
        table: QualName,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `ALTER INDEX … ALTER COLUMN n SET STATISTICS t` (`None`: back to the default, -1).
    SetIndexStatistics {
        index: QualName,
        table: QualName,
        column: u16,
        from: Option<i32>,
        to: Option<i32>,
    },
}

impl RelationOptionChange {
    pub fn object(&self) -> ObjectId {
        match self {
            RelationOptionChange::SetStorage { object, .. } => object.clone(),
            RelationOptionChange::SetIndexStatistics { index, .. } => ObjectId::Index {
                name: index.clone(),
            },
        }
    }
}

/// Every index of `cat`, on tables and materialized views.
fn all_indexes(cat: &Catalog) -> BTreeMap<&QualName, &Index> {
    let mut out: BTreeMap<&QualName, &Index> = cat.indexes.iter().collect();
    for v in cat.views.values() {
        out.extend(v.indexes.iter());
    }
    out
}

fn statistics_changes(
    ix: &Index,
    before: &BTreeMap<u16, i32>,
    out: &mut Vec<RelationOptionChange>,
) {
    let cols: BTreeSet<u16> = before.keys().chain(ix.statistics.keys()).copied().collect();
    for c in cols {
        let (from, to) = (before.get(&c).copied(), ix.statistics.get(&c).copied());
        if from != to {
            out.push(RelationOptionChange::SetIndexStatistics {
                index: ix.name.clone(),
                table: ix.table.clone(),
                column: c,
                from,
                to,
            });
        }
    }
}

/// The option changes between `from` and `to`, given the changes already made (which
/// say what is created anew).
pub(crate) fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let mut created_indexes: BTreeSet<QualName> = BTreeSet::new();
    let mut created_views: BTreeSet<QualName> = BTreeSet::new();
    for c in out.iter() {
        match c {
            Change::CreateIndex { index, .. }
            | Change::Routine {
                routine: RoutineChange::CreateViewIndex { index, .. },
            } => {
                created_indexes.insert(index.name.clone());
            }
            Change::Routine {
                routine: RoutineChange::CreateView { view, .. },
            } => {
                created_views.insert(view.name.clone());
            }
            _ => {}
        }
    }
    let mut changes = Vec::new();
    let before = all_indexes(from);
    for (name, ix1) in all_indexes(to) {
        if created_indexes.contains(name) {
            statistics_changes(ix1, &BTreeMap::new(), &mut changes);
            continue;
        }
        let Some(ix0) = before.get(name) else {
            continue;
        };
        if ix0.storage != ix1.storage {
            changes.push(RelationOptionChange::SetStorage {
                object: ObjectId::Index { name: name.clone() },
                table: ix1.table.clone(),
                from: ix0.storage.clone(),
                to: ix1.storage.clone(),
            });
        }
        statistics_changes(ix1, &ix0.statistics, &mut changes);
    }
    for (name, v1) in &to.views {
        if !v1.materialized || created_views.contains(name) {
            continue;
        }
        let Some(v0) = from.views.get(name) else {
            continue;
        };
        if v0.storage != v1.storage {
            changes.push(RelationOptionChange::SetStorage {
                object: ObjectId::View { name: name.clone() },
                table: name.clone(),
                from: v0.storage.clone(),
                to: v1.storage.clone(),
            });
        }
    }
    out.extend(
        changes
            .into_iter()
            .map(|option| Change::RelationOption { option }),
    );
}
