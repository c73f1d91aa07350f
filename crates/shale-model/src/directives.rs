//! Hints the desired state carries besides the schema itself: rename hints and backfill
//! declarations.
//!
//! They are kept apart from [`Catalog`](crate::Catalog) on purpose: a database has no
//! notion of "this column used to be called `mail`", so putting hints in the catalog would
//! break `model(parse(S)) == model(introspect(db after S))`. The front ends read them from
//! `-- shale:renamed-from …` / `-- shale:backfill …` comments (SQL) and `renamed_from:` /
//! `backfill:` keys (YAML); see `docs/DIRECTIVES.md`.
//!
//! Every name here is canonical, as in the catalog (case-folded, schema-qualified).

use crate::{ColumnRef, ObjectId};
use serde::{Deserialize, Serialize};

/// All hints of one desired state. Both lists are sorted (by object, by column) and hold
/// at most one entry per object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directives {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renames: Vec<RenameHint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backfills: Vec<Backfill>,
}

/// "`object` is what `from` was called before": rename instead of drop + create.
///
/// `object` is the object as the desired catalog names it. `from` is the same object as
/// the *current* state names it, of the same kind: for a column or constraint of a table
/// that is itself renamed, `from.table` is the table's old name; an index's old name is in
/// its old table's schema. A hint whose `from` does not exist in the current state (the
/// rename already happened) is meant to be ignored by the planner.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RenameHint {
    pub object: ObjectId,
    pub from: ObjectId,
}

/// How to fill a column for the rows that exist when it is added (an `UPDATE … SET
/// column = expr`), so that a `NOT NULL` column without `DEFAULT` can be added to a table
/// with rows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Backfill {
    /// The column as the desired catalog names it.
    pub column: ColumnRef,
    /// One SQL expression, as written (checked with PostgreSQL's parser to be exactly one
    /// expression, without comments). It is evaluated per existing row of the table.
    pub expr: String,
}

impl Directives {
    pub fn is_empty(&self) -> bool {
        self.renames.is_empty() && self.backfills.is_empty()
    }

    /// The old identity of `object` (a desired-state object), if it has a rename hint.
    pub fn renamed_from(&self, object: &ObjectId) -> Option<&ObjectId> {
        self.renames
            .iter()
            .find(|r| &r.object == object)
            .map(|r| &r.from)
    }

    /// The new identity of `old` (a current-state object), if a hint renames it.
    pub fn renamed_to(&self, old: &ObjectId) -> Option<&ObjectId> {
        self.renames
            .iter()
            .find(|r| &r.from == old)
            .map(|r| &r.object)
    }

    /// The backfill expression declared for `column` (a desired-state column).
    pub fn backfill(&self, column: &ColumnRef) -> Option<&str> {
        self.backfills
            .iter()
            .find(|b| &b.column == column)
            .map(|b| b.expr.as_str())
    }

    /// Sort both lists (the order every front end returns them in).
    pub fn sort(&mut self) {
        self.renames.sort();
        self.backfills.sort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::QualName;

    fn sample() -> Directives {
        let users = QualName::new("public", "users");
        Directives {
            renames: vec![RenameHint {
                object: ObjectId::Column {
                    table: users.clone(),
                    column: "email".into(),
                },
                from: ObjectId::Column {
                    table: users.clone(),
                    column: "mail".into(),
                },
            }],
            backfills: vec![Backfill {
                column: ColumnRef {
                    table: users,
                    column: "email_lower".into(),
                },
                expr: "lower(email)".into(),
            }],
        }
    }

    #[test]
    fn lookups() {
        let d = sample();
        let users = QualName::new("public", "users");
        let new = ObjectId::Column {
            table: users.clone(),
            column: "email".into(),
        };
        let old = ObjectId::Column {
            table: users.clone(),
            column: "mail".into(),
        };
        assert_eq!(d.renamed_from(&new), Some(&old));
        assert_eq!(d.renamed_to(&old), Some(&new));
        assert_eq!(d.renamed_from(&old), None);
        let col = ColumnRef {
            table: users,
            column: "email_lower".into(),
        };
        assert_eq!(d.backfill(&col), Some("lower(email)"));
        assert!(!d.is_empty());
        assert!(Directives::default().is_empty());
    }

    #[test]
    fn serde_round_trip_and_empty_default() {
        let d = sample();
        let json = serde_json::to_string(&d).unwrap();
        let back: Directives = serde_json::from_str(&json).unwrap();
        assert_eq!(d, back);
        let empty: Directives = serde_json::from_str("{}").unwrap();
        assert!(empty.is_empty());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    }
}
