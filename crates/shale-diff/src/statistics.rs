//! Extended statistics (`CREATE STATISTICS`).
//!
//! Rules, beyond those of the crate:
//! - The table, the kinds, the columns and the expressions cannot change in place: the
//!   statistics object is dropped and created again.
//! - The target changes in place (`ALTER STATISTICS … SET STATISTICS`), and so does the
//!   comment (a plain [`Change::SetComment`]).
//! - Statistics naming a column that the plan drops (and adds again) are dropped before
//!   and created after it: PostgreSQL drops them with the column. Statistics of a table
//!   that is dropped go with it (no step of their own).

use crate::Change;
use serde::Serialize;
use shale_model::{Catalog, ObjectId, Statistics};

/// One difference in extended statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "statistics_change", rename_all = "snake_case")]
pub enum StatisticsChange {
    /// `CREATE STATISTICS` (the target and the comment follow as changes of their own).
    Create {
        statistics: Statistics,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    Drop {
        statistics: Statistics,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER STATISTICS … SET STATISTICS`: `statistics` holds the new target.
    SetTarget {
        statistics: Statistics,
        from: Option<i32>,
    },
}

impl StatisticsChange {
    pub fn object(&self) -> ObjectId {
        match self {
            StatisticsChange::Create { statistics, .. }
            | StatisticsChange::Drop { statistics, .. }
            | StatisticsChange::SetTarget { statistics, .. } => statistics.id(),
        }
    }
}

fn definition(s: &Statistics) -> Statistics {
    Statistics {
        target: None,
        comment: None,
        ..s.clone()
    }
}

/// What of the definition differs, for the reason of a re-creation.
fn what_changed(s0: &Statistics, s1: &Statistics) -> String {
    let mut parts = Vec::new();
    if s0.table != s1.table {
        parts.push(format!("its table changes ({} to {})", s0.table, s1.table));
    }
    if s0.kinds != s1.kinds {
        parts.push(format!("its kinds change ({} to {})", kinds(s0), kinds(s1)));
    }
    if s0.columns != s1.columns || s0.exprs != s1.exprs {
        parts.push("its columns or expressions change".to_string());
    }
    parts.join(" and ")
}

fn kinds(s: &Statistics) -> String {
    if s.kinds.is_empty() {
        "expression only".into()
    } else {
        s.kinds.join(", ")
    }
}

/// Why `s0` goes with a column the changes in `out` drop, if it does.
fn column_dropped(out: &[Change], s0: &Statistics, from: &Catalog) -> Option<String> {
    out.iter().find_map(|c| match c {
        Change::DropColumn { table, column, .. }
            if *table == s0.table
                && from.dependencies(&s0.id()).contains(&ObjectId::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                }) =>
        {
            Some(format!(
                "column {}.{} is dropped and PostgreSQL drops the statistics with it",
                table,
                shale_model::quote_ident(&column.name)
            ))
        }
        _ => None,
    })
}

/// The changes in extended statistics that turn `from` into `to`, appended to `out`.
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let mut changes = Vec::new();
    let push = |changes: &mut Vec<Change>, c: StatisticsChange| {
        changes.push(Change::Statistics {
            statistics_change: c,
        });
    };
    for (name, s0) in &from.statistics {
        // Statistics of a dropped table go with it (`DROP TABLE` drops them).
        if !to.statistics.contains_key(name) && to.tables.contains_key(&s0.table) {
            push(
                &mut changes,
                StatisticsChange::Drop {
                    statistics: s0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (name, s1) in &to.statistics {
        let old = from.statistics.get(name);
        let recreate = old.and_then(|s0| {
            if definition(s0) != definition(s1) {
                Some(what_changed(s0, s1))
            } else {
                column_dropped(out, s0, from)
            }
        });
        match (old, recreate) {
            (Some(s0), None) => {
                if s0.target != s1.target {
                    push(
                        &mut changes,
                        StatisticsChange::SetTarget {
                            statistics: s1.clone(),
                            from: s0.target,
                        },
                    );
                }
                if s0.comment != s1.comment {
                    changes.push(Change::SetComment {
                        object: s1.id(),
                        from: s0.comment.clone(),
                        to: s1.comment.clone(),
                    });
                }
            }
            (old, recreate) => {
                if let Some(s0) = old {
                    push(
                        &mut changes,
                        StatisticsChange::Drop {
                            statistics: s0.clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                push(
                    &mut changes,
                    StatisticsChange::Create {
                        statistics: s1.clone(),
                        recreate,
                    },
                );
                if s1.target.is_some() {
                    push(
                        &mut changes,
                        StatisticsChange::SetTarget {
                            statistics: s1.clone(),
                            from: None,
                        },
                    );
                }
                if s1.comment.is_some() {
                    changes.push(Change::SetComment {
                        object: s1.id(),
                        from: None,
                        to: s1.comment.clone(),
                    });
                }
            }
        }
    }
    out.extend(changes);
}
