//! Name indexes that make implicit naming O(1) per candidate name.
//!
//! Choosing `t_a_fkey`, `t_pkey` or `t_a_seq` asks "is this name taken in the schema?"
//! once per candidate. Answering by scanning every table's constraints made reading a
//! schema quadratic in its table count. These indexes answer from hash maps instead; the
//! builder keeps them true at every point where it changes a table's constraints or the
//! identity sequences (`Builder::sync_table_names`), and debug builds check them against
//! a fresh rebuild after every statement (`Builder::check_name_indexes`).

use shale_model::{Catalog, ColumnRef, ConstraintKind, Index, QualName, Table};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many constraints of a schema carry one name, and how many of those own an index
/// (primary keys and unique constraints, whose index is a relation of the same name).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Uses {
    constraints: u32,
    index_owning: u32,
}

/// What one table contributes to [`ConstraintNames`], kept so it can be taken back out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Contribution {
    schema: String,
    /// (key in `Table::constraints`, the constraint's own name, owns an index)
    names: Vec<(String, String, bool)>,
}

/// Constraint names by schema, over every table of a catalog.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ConstraintNames {
    by_table: HashMap<QualName, Contribution>,
    by_schema: HashMap<String, HashMap<String, Uses>>,
}

fn owns_index(k: &ConstraintKind) -> bool {
    matches!(
        k,
        ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
    )
}

impl ConstraintNames {
    /// The index of every table of `cat`.
    pub(crate) fn build(cat: &Catalog) -> ConstraintNames {
        let mut n = ConstraintNames::default();
        for (q, t) in &cat.tables {
            n.sync(q, Some(t));
        }
        n
    }

    /// Make the index true for the table stored under key `q` (`None`: no such table any
    /// more). Costs O(constraints of the table).
    pub(crate) fn sync(&mut self, q: &QualName, table: Option<&Table>) {
        if let Some(old) = self.by_table.remove(q) {
            if let Some(names) = self.by_schema.get_mut(&old.schema) {
                for (key, name, index) in &old.names {
                    if let Some(u) = names.get_mut(key) {
                        u.constraints -= 1;
                    }
                    if *index {
                        if let Some(u) = names.get_mut(name) {
                            u.index_owning -= 1;
                        }
                    }
                    for n in [key, name] {
                        if names.get(n) == Some(&Uses::default()) {
                            names.remove(n);
                        }
                    }
                }
                if names.is_empty() {
                    self.by_schema.remove(&old.schema);
                }
            }
        }
        let Some(t) = table else { return };
        if t.constraints.is_empty() {
            return;
        }
        let schema = t.name.schema.clone();
        let names = self.by_schema.entry(schema.clone()).or_default();
        let mut mine = Vec::with_capacity(t.constraints.len());
        for (key, c) in &t.constraints {
            let index = owns_index(&c.kind);
            names.entry(key.clone()).or_default().constraints += 1;
            if index {
                names.entry(c.name.clone()).or_default().index_owning += 1;
            }
            mine.push((key.clone(), c.name.clone(), index));
        }
        self.by_table.insert(
            q.clone(),
            Contribution {
                schema,
                names: mine,
            },
        );
    }

    fn uses(&self, schema: &str, name: &str) -> Uses {
        self.by_schema
            .get(schema)
            .and_then(|m| m.get(name))
            .copied()
            .unwrap_or_default()
    }

    /// Does a constraint of some table in `schema` have this name?
    pub(crate) fn constraint(&self, schema: &str, name: &str) -> bool {
        self.uses(schema, name).constraints > 0
    }

    /// Does a primary key or unique constraint in `schema` have this name (and so an
    /// index relation of this name exists)?
    pub(crate) fn index_owning(&self, schema: &str, name: &str) -> bool {
        self.uses(schema, name).index_owning > 0
    }
}

/// The catalog's indexes by table, each table's in name order (the order of
/// `Catalog::indexes`), so that a partition's indexes are found without scanning every
/// index of the catalog (`adoptable`: once per partition of each partitioned index, so
/// quadratic at 10,000 tables). Kept true like [`ConstraintNames`]: the builder calls
/// `Builder::sync_index` wherever it inserts or removes an index, and debug builds check
/// it against a fresh build after every statement.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct IndexesByTable {
    table_of: HashMap<QualName, QualName>,
    by_table: HashMap<QualName, BTreeSet<QualName>>,
}

impl IndexesByTable {
    pub(crate) fn build(cat: &Catalog) -> IndexesByTable {
        let mut n = IndexesByTable::default();
        for (q, ix) in &cat.indexes {
            n.sync(q, Some(ix));
        }
        n
    }

    /// Make the lookup true for the index stored under key `q` (`None`: no such index).
    pub(crate) fn sync(&mut self, q: &QualName, index: Option<&Index>) {
        if let Some(old) = self.table_of.remove(q) {
            if let Some(set) = self.by_table.get_mut(&old) {
                set.remove(q);
                if set.is_empty() {
                    self.by_table.remove(&old);
                }
            }
        }
        if let Some(ix) = index {
            self.table_of.insert(q.clone(), ix.table.clone());
            self.by_table
                .entry(ix.table.clone())
                .or_default()
                .insert(q.clone());
        }
    }

    /// The names of `table`'s indexes, in name order.
    pub(crate) fn on(&self, table: &QualName) -> impl Iterator<Item = &QualName> {
        self.by_table.get(table).into_iter().flatten()
    }
}

/// The internal sequences of identity columns (not in the model, but they take relation
/// names), with a reverse index so "is this sequence name taken" is O(1).
#[derive(Debug, Default, Clone)]
pub(crate) struct IdentitySeqs {
    by_column: BTreeMap<ColumnRef, QualName>,
    names: HashMap<QualName, u32>,
}

impl IdentitySeqs {
    pub(crate) fn insert(&mut self, column: ColumnRef, seq: QualName) {
        *self.names.entry(seq.clone()).or_default() += 1;
        if let Some(old) = self.by_column.insert(column, seq) {
            self.forget(&old);
        }
    }

    fn forget(&mut self, seq: &QualName) {
        if let Some(n) = self.names.get_mut(seq) {
            *n -= 1;
            if *n == 0 {
                self.names.remove(seq);
            }
        }
    }

    pub(crate) fn remove(&mut self, column: &ColumnRef) {
        if let Some(old) = self.by_column.remove(column) {
            self.forget(&old);
        }
    }

    /// Keep the entries for which `keep` says yes.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&ColumnRef, &QualName) -> bool) {
        let gone: Vec<ColumnRef> = self
            .by_column
            .iter()
            .filter(|(c, s)| !keep(c, s))
            .map(|(c, _)| c.clone())
            .collect();
        for c in gone {
            self.remove(&c);
        }
    }

    /// Is `seq` the sequence of some identity column?
    pub(crate) fn contains(&self, seq: &QualName) -> bool {
        self.names.contains_key(seq)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &QualName> {
        self.by_column.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::Constraint;

    fn con(name: &str, kind: ConstraintKind) -> Constraint {
        Constraint {
            name: name.into(),
            kind,
            deferrable: false,
            initially_deferred: false,
            validated: true,
            comment: None,
            index_comment: None,
            index_invalid: false,
        }
    }

    fn pk(name: &str) -> Constraint {
        con(
            name,
            ConstraintKind::PrimaryKey {
                columns: vec!["id".into()],
                include: vec![],
            },
        )
    }

    #[test]
    fn constraint_names_follow_add_and_remove() {
        let mut n = ConstraintNames::default();
        let q1 = QualName::new("public", "a");
        let q2 = QualName::new("public", "b");
        let mut a = Table::new(q1.clone());
        a.constraints.insert("same".into(), pk("same"));
        let mut b = Table::new(q2.clone());
        let check = con(
            "same",
            ConstraintKind::Check {
                expr: shale_model::Expr::new("true", "true"),
                no_inherit: false,
            },
        );
        b.constraints.insert("same".into(), check);
        n.sync(&q1, Some(&a));
        n.sync(&q2, Some(&b));
        assert!(n.constraint("public", "same"));
        assert!(n.index_owning("public", "same"));
        assert!(!n.constraint("other", "same"));
        // Dropping the primary key leaves the check: still a constraint name, no index.
        a.constraints.clear();
        n.sync(&q1, Some(&a));
        assert!(n.constraint("public", "same"));
        assert!(!n.index_owning("public", "same"));
        n.sync(&q2, None);
        assert!(!n.constraint("public", "same"));
        assert_eq!(n, ConstraintNames::default());
    }

    #[test]
    fn identity_seqs_count_shared_names() {
        let mut s = IdentitySeqs::default();
        let col = |c: &str| ColumnRef {
            table: QualName::new("public", "t"),
            column: c.into(),
        };
        let seq = QualName::new("public", "t_id_seq");
        s.insert(col("a"), seq.clone());
        s.insert(col("b"), seq.clone());
        s.remove(&col("a"));
        assert!(s.contains(&seq));
        s.retain(|c, _| c.column != "b");
        assert!(!s.contains(&seq));
        s.insert(col("a"), seq.clone());
        s.insert(col("a"), QualName::new("public", "other"));
        assert!(!s.contains(&seq));
        assert_eq!(s.values().count(), 1);
    }
}
