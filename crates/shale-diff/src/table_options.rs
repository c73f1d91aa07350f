//! Differences in table options ([`shale_model::TableOptions`]): partitions attached and
//! detached, inheritance, `UNLOGGED`, storage parameters, replica identity, `CLUSTER ON`,
//! column statistics/storage/compression.
//!
//! A new table's `UNLOGGED`, storage parameters, partition key, partition bound and
//! parents are part of its `CREATE TABLE` (the planner reads them from the desired
//! catalog); everything else is a [`TableExtChange`]. Converting a plain table to a
//! partitioned one (or back) needs a new table and a copy of its rows: [`conversions`]
//! moves the old table aside ([`TableExtChange::ConvertAside`]) so that the rest of the
//! diff creates the new one with what depends on it and drops the old one, and
//! [`TableExtChange::ConvertCopy`] copies the rows in between. Changing the partition key
//! (or converting a table that is a partition) is refused with a [`Change::Unsupported`]
//! that says how to do it.

use crate::Change;
use serde::Serialize;
use shale_model::{
    Catalog, Collation, ColumnOptions, Constraint, ConstraintKind, Exclusion, ObjectId,
    PartitionBound, QualName, ReplicaIdentity, TableOptions,
};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TableExtChange {
    /// `ALTER TABLE … SET UNLOGGED` / `SET LOGGED`.
    SetUnlogged { table: QualName, unlogged: bool },
    /// `ALTER TABLE … SET (k = v, …)` and/or `RESET (k, …)`.
    SetStorage {
        table: QualName,
        set: Vec<(String, String)>,
        reset: Vec<String>,
    },
    /// `ALTER TABLE … REPLICA IDENTITY …`.
    ReplicaIdentity {
        table: QualName,
        from: ReplicaIdentity,
        to: ReplicaIdentity,
    },
    /// `ALTER TABLE … CLUSTER ON index` / `SET WITHOUT CLUSTER`.
    ClusterOn { table: QualName, to: Option<String> },
    /// `ALTER TABLE … ALTER COLUMN … SET STATISTICS | STORAGE | COMPRESSION`.
    ColumnOptions {
        table: QualName,
        column: String,
        from: ColumnOptions,
        to: ColumnOptions,
    },
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES …`.
    AttachPartition {
        table: QualName,
        parent: QualName,
        bound: PartitionBound,
        /// The parent's checks added to the table just before (PostgreSQL's ATTACH wants
        /// them there; they become the inherited ones).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        checks: Vec<ObjectId>,
        /// The table's own indexes dropped first (ATTACH would adopt them under a name
        /// that is not a copy's).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        drops_first: Vec<ObjectId>,
    },
    /// `ALTER TABLE parent DETACH PARTITION table`.
    DetachPartition {
        table: QualName,
        parent: QualName,
        /// The copies of the parent's indexes and constraints the table keeps as its own
        /// (partitions.rs): dropping one waits for the detach.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        copies: Vec<ObjectId>,
        /// The parent's indexes and constraints the plan drops (with their copies):
        /// the detach waits for them, so the table keeps no copy of them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        parent_drops: Vec<ObjectId>,
    },
    /// `ALTER TABLE … INHERIT parent`.
    Inherit { table: QualName, parent: QualName },
    /// `ALTER TABLE … NO INHERIT parent`.
    NoInherit { table: QualName, parent: QualName },
    /// `ALTER TABLE … ADD CONSTRAINT … EXCLUDE …` (`recreate`: why it is added again).
    AddExclusion {
        table: QualName,
        exclusion: Exclusion,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER TABLE … DROP CONSTRAINT` of an exclusion constraint.
    DropExclusion {
        table: QualName,
        exclusion: Exclusion,
    },
    /// `CREATE COLLATION`.
    CreateCollation { collation: Collation },
    /// `DROP COLLATION`.
    DropCollation { collation: Collation },
    /// A plain ↔ partitioned conversion, first half: the old table moves aside
    /// (`ALTER TABLE … RENAME TO aside`) with its key constraints and indexes (their names
    /// are taken by the new table's), see [`conversions`].
    ConvertAside {
        table: QualName,
        aside: QualName,
        /// Key and exclusion constraints of the old table: (name, name aside).
        constraints: Vec<(String, String)>,
        /// Indexes of the old table: (index, name aside).
        indexes: Vec<(QualName, String)>,
        /// Identity columns of the old table: (column, name aside of its identity
        /// sequence), so that the new table's identity sequence takes the usual name.
        identities: Vec<(String, String)>,
    },
    /// A plain ↔ partitioned conversion, second half: the old table's rows copied into
    /// the new one (`INSERT … SELECT`), once it and its partitions exist.
    ConvertCopy {
        table: QualName,
        aside: QualName,
        /// The columns copied (in both tables, not generated in the new one).
        columns: Vec<String>,
        /// `FROM ONLY`: the old table is plain (its inheritance children keep their rows).
        only: bool,
        /// `OVERRIDING SYSTEM VALUE`: an identity column `GENERATED ALWAYS` is copied.
        overriding: bool,
        /// The old table's partitions (dropped after the copy).
        partitions: Vec<QualName>,
        /// Identity columns of both tables: the new identity continues where the old one
        /// stopped.
        identities: Vec<String>,
        /// Columns of the old table the new one lacks (their values are not copied).
        not_copied: Vec<String>,
    },
    /// `ALTER INDEX parent ATTACH PARTITION index`: a partition's own index or key
    /// (`object`) becomes the partition of the partitioned index `parent` (a no-op when
    /// PostgreSQL adopted it already).
    AttachIndex {
        table: QualName,
        index: QualName,
        parent: QualName,
        object: ObjectId,
    },
}

impl TableExtChange {
    pub fn table(&self) -> &QualName {
        match self {
            TableExtChange::SetUnlogged { table, .. }
            | TableExtChange::SetStorage { table, .. }
            | TableExtChange::ReplicaIdentity { table, .. }
            | TableExtChange::ClusterOn { table, .. }
            | TableExtChange::ColumnOptions { table, .. }
            | TableExtChange::AttachPartition { table, .. }
            | TableExtChange::DetachPartition { table, .. }
            | TableExtChange::Inherit { table, .. }
            | TableExtChange::NoInherit { table, .. }
            | TableExtChange::AddExclusion { table, .. }
            | TableExtChange::DropExclusion { table, .. }
            | TableExtChange::ConvertAside { table, .. }
            | TableExtChange::ConvertCopy { table, .. } => table,
            TableExtChange::AttachIndex { table, .. } => table,
            TableExtChange::CreateCollation { collation }
            | TableExtChange::DropCollation { collation } => &collation.name,
        }
    }

    pub fn object(&self) -> ObjectId {
        match self {
            TableExtChange::ColumnOptions { table, column, .. } => ObjectId::Column {
                table: table.clone(),
                column: column.clone(),
            },
            TableExtChange::AddExclusion {
                table, exclusion, ..
            }
            | TableExtChange::DropExclusion { table, exclusion } => ObjectId::Constraint {
                table: table.clone(),
                name: exclusion.name.clone(),
            },
            TableExtChange::CreateCollation { collation }
            | TableExtChange::DropCollation { collation } => ObjectId::Collation {
                name: collation.name.clone(),
            },
            TableExtChange::AttachIndex { object, .. } => object.clone(),
            other => ObjectId::Table {
                name: other.table().clone(),
            },
        }
    }
}

/// Table-option changes between `from` and `to`, appended to `out`; column changes that
/// only reflect a table joining or leaving a parent are removed from `out`.
pub(crate) fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let mut extra = Vec::new();
    for (name, t) in &to.tables {
        let new = TableOptions::new(name.clone());
        let b = to.table_opts(name);
        let existing = from.tables.contains_key(name);
        let a = if existing {
            from.table_opts(name)
        } else {
            // CREATE TABLE carries these.
            let mut n = new.clone();
            n.unlogged = b.unlogged;
            n.storage = b.storage.clone();
            n.partition_by = b.partition_by.clone();
            n.partition_of = b.partition_of.clone();
            n.inherits = b.inherits.clone();
            n
        };
        if a.partition_by != b.partition_by {
            let what = match (&a.partition_by, &b.partition_by) {
                (None, Some(_)) => "a plain table cannot become a partitioned one in place",
                (Some(_), None) => "a partitioned table cannot become a plain one in place",
                _ => "the partition key of a table cannot be changed in place",
            };
            extra.push(Change::Unsupported {
                object: ObjectId::Table { name: name.clone() },
                reason: format!(
                    "{what}: create the new table under another name, copy the rows \
                     (INSERT … SELECT), then swap the names in one transaction (rename hints \
                     keep shale from dropping the old one); shale refuses to drop and re-create \
                     {t} with its data.{steps}",
                    t = t.name,
                    steps = conversion_steps(from, name)
                ),
            });
            continue;
        }
        if a.partition_of != b.partition_of {
            if let Some(p) = &a.partition_of {
                // Left as a table of its own: what it keeps of the parent's objects,
                // compared with what is wanted. (Attached elsewhere, PostgreSQL adopts
                // the copies that match the new parent's indexes.)
                let (copies, parent_drops) = if b.partition_of.is_none() {
                    crate::partitions::detach_copies(from, out, name, &p.parent)
                } else {
                    (Vec::new(), Vec::new())
                };
                crate::partitions::diff_copies(to, name, &copies, out, &mut extra);
                extra.push(ext(TableExtChange::DetachPartition {
                    table: name.clone(),
                    parent: p.parent.clone(),
                    copies: copies.iter().map(|c| c.id(name)).collect(),
                    parent_drops,
                }));
            }
            if let Some(p) = &b.partition_of {
                // ATTACH refuses a table that lacks one of the parent's checks (by name):
                // it is added first, and merges into the inherited one.
                let mut checks = Vec::new();
                let parent = to.tables.get(&p.parent);
                let own = from.tables.get(name);
                for c in parent.iter().flat_map(|t| t.constraints.values()) {
                    let inherited = matches!(
                        c.kind,
                        ConstraintKind::Check {
                            no_inherit: false,
                            ..
                        }
                    );
                    if inherited && own.is_some_and(|t| !t.constraints.contains_key(&c.name)) {
                        extra.push(Change::AddConstraint {
                            table: name.clone(),
                            constraint: Constraint {
                                comment: None,
                                ..c.clone()
                            },
                            new_table: false,
                            recreate: None,
                        });
                        checks.push(ObjectId::Constraint {
                            table: name.clone(),
                            name: c.name.clone(),
                        });
                    }
                }
                extra.push(ext(TableExtChange::AttachPartition {
                    table: name.clone(),
                    parent: p.parent.clone(),
                    bound: p.bound.clone(),
                    checks,
                    drops_first: Vec::new(),
                }));
            }
        }
        for p in &a.inherits {
            if !b.inherits.contains(p) {
                extra.push(ext(TableExtChange::NoInherit {
                    table: name.clone(),
                    parent: p.clone(),
                }));
            }
        }
        for p in &b.inherits {
            if !a.inherits.contains(p) {
                extra.push(ext(TableExtChange::Inherit {
                    table: name.clone(),
                    parent: p.clone(),
                }));
            }
        }
        if a.unlogged != b.unlogged {
            extra.push(ext(TableExtChange::SetUnlogged {
                table: name.clone(),
                unlogged: b.unlogged,
            }));
        }
        let set: Vec<(String, String)> = b
            .storage
            .iter()
            .filter(|(k, v)| a.storage.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let reset: Vec<String> = a
            .storage
            .keys()
            .filter(|k| !b.storage.contains_key(*k))
            .cloned()
            .collect();
        if !set.is_empty() || !reset.is_empty() {
            extra.push(ext(TableExtChange::SetStorage {
                table: name.clone(),
                set,
                reset,
            }));
        }
        if a.replica_identity != b.replica_identity {
            extra.push(ext(TableExtChange::ReplicaIdentity {
                table: name.clone(),
                from: a.replica_identity.clone(),
                to: b.replica_identity.clone(),
            }));
        }
        if a.cluster_on != b.cluster_on {
            extra.push(ext(TableExtChange::ClusterOn {
                table: name.clone(),
                to: b.cluster_on.clone(),
            }));
        }
        let mut cols: Vec<&String> = a.columns.keys().chain(b.columns.keys()).collect();
        cols.sort();
        cols.dedup();
        // A table leaving every parent keeps its inherited columns' NOT NULL and default
        // as its own: the Differ compares them as columns (`Catalog::child_column`).
        // Likewise for a table joining a parent, the other way.
        let orphaned = !a.parents().is_empty() && b.parents().is_empty();
        let adopted = existing && a.parents().is_empty() && !b.parents().is_empty();
        for c in cols {
            let mut x = a.columns.get(c).cloned().unwrap_or_default();
            let mut y = b.columns.get(c).cloned().unwrap_or_default();
            if orphaned {
                x.not_null = y.not_null;
                x.default = y.default.clone();
            }
            if adopted {
                y.not_null = x.not_null;
                y.default = x.default.clone();
            }
            // A column that goes away takes its options with it (a child's inherited
            // columns stay while a parent has them).
            let stays = t.column(c).is_some() || to.all_column_names(name).contains(c);
            if x != y && stays {
                extra.push(ext(TableExtChange::ColumnOptions {
                    table: name.clone(),
                    column: c.clone(),
                    from: x,
                    to: y,
                }));
            }
        }
        let bare = |x: &Exclusion| Exclusion {
            comment: None,
            ..x.clone()
        };
        for (n, x) in &a.exclusions {
            match b.exclusions.get(n) {
                Some(y) if bare(y) == bare(x) => {
                    if x.comment != y.comment {
                        extra.push(exclusion_comment(name, n, &x.comment, &y.comment));
                    }
                }
                Some(y) => {
                    extra.push(ext(TableExtChange::DropExclusion {
                        table: name.clone(),
                        exclusion: x.clone(),
                    }));
                    extra.push(ext(TableExtChange::AddExclusion {
                        table: name.clone(),
                        exclusion: y.clone(),
                        recreate: Some("its definition changed".into()),
                    }));
                    if y.comment.is_some() {
                        extra.push(exclusion_comment(name, n, &None, &y.comment));
                    }
                }
                None => extra.push(ext(TableExtChange::DropExclusion {
                    table: name.clone(),
                    exclusion: x.clone(),
                })),
            }
        }
        for (n, y) in &b.exclusions {
            if !a.exclusions.contains_key(n) {
                extra.push(ext(TableExtChange::AddExclusion {
                    table: name.clone(),
                    exclusion: y.clone(),
                    recreate: None,
                }));
                if y.comment.is_some() {
                    extra.push(exclusion_comment(name, n, &None, &y.comment));
                }
            }
        }
        // A table joining a parent: its columns now come from the parent (and stay);
        // one leaving keeps them as its own.
        let joined: Vec<String> = b
            .parents()
            .iter()
            .filter(|p| !a.parents().contains(p))
            .flat_map(|p| to.all_column_names(p))
            .collect();
        let left: Vec<String> = a
            .parents()
            .iter()
            .filter(|p| !b.parents().contains(p))
            .flat_map(|p| from.all_column_names(p))
            .collect();
        // Keys, checks, foreign keys and indexes a child gets from its parent: joining,
        // an own one of the same definition is taken over (attached); leaving, the
        // parent's copy stays as the table's own.
        let joined_parents: Vec<QualName> = b
            .parents()
            .into_iter()
            .filter(|p| !a.parents().contains(p))
            .collect();
        // (A detached partition's copies are compared by name: partitions.rs.)
        let left_parents: Vec<QualName> = a
            .inherits
            .iter()
            .filter(|p| !b.parents().contains(p))
            .cloned()
            .collect();
        let parent_has_con = |cat: &Catalog, ps: &[QualName], k: &shale_model::ConstraintKind| {
            ps.iter().any(|p| {
                cat.tables
                    .get(p)
                    .is_some_and(|t| t.constraints.values().any(|c| &c.kind == k))
            })
        };
        // The parents' index `ix` matches (adopted by ATTACH), if any, and whether `ix`
        // has the name of the copy PostgreSQL would make for it.
        fn parent_index<'c>(
            cat: &'c Catalog,
            ps: &[QualName],
            ix: &shale_model::Index,
        ) -> Option<&'c shale_model::Index> {
            ps.iter().find_map(|p| {
                cat.indexes.values().find(|pi| {
                    &pi.table == p
                        && pi.keys == ix.keys
                        && pi.unique == ix.unique
                        && pi.method == ix.method
                        && pi.predicate == ix.predicate
                        && pi.include == ix.include
                })
            })
        }
        let parent_has_index = |cat: &Catalog, ps: &[QualName], ix: &shale_model::Index| {
            parent_index(cat, ps, ix).is_some()
        };
        let is_copy_name = |cat: &Catalog, ps: &[QualName], ix: &shale_model::Index| {
            parent_index(cat, ps, ix).is_some_and(|pi| {
                shale_model::naming::is_implied_index_name(&ix.name.name, &name.name, pi)
            })
        };
        if existing && (!joined_parents.is_empty() || !left_parents.is_empty()) {
            out.retain(|c| match c {
                Change::DropConstraint {
                    table, constraint, ..
                } if table == name => !parent_has_con(to, &joined_parents, &constraint.kind),
                Change::AddConstraint {
                    table, constraint, ..
                } if table == name => !parent_has_con(from, &left_parents, &constraint.kind),
                // An index the parent's adopts stays only under the name PostgreSQL
                // gives a copy (else it would stay an own index attached to it; it is
                // dropped before the attach, which makes the copy).
                Change::DropIndex { index, .. } if &index.table == name => {
                    !parent_has_index(to, &joined_parents, index)
                        || !is_copy_name(to, &joined_parents, index)
                }
                Change::CreateIndex { index, .. } if &index.table == name => {
                    !parent_has_index(from, &left_parents, index)
                }
                _ => true,
            });
        }
        if existing && !joined_parents.is_empty() {
            let drops: Vec<ObjectId> = out
                .iter()
                .filter_map(|c| match c {
                    Change::DropIndex { index, .. } if &index.table == name => {
                        Some(ObjectId::Index {
                            name: index.name.clone(),
                        })
                    }
                    _ => None,
                })
                .collect();
            for c in extra.iter_mut() {
                if let Change::TableOption {
                    option:
                        TableExtChange::AttachPartition {
                            table, drops_first, ..
                        },
                } = c
                {
                    if table == name {
                        drops_first.clone_from(&drops);
                    }
                }
            }
        }
        if existing && (!joined.is_empty() || !left.is_empty()) {
            out.retain(|c| match c {
                Change::DropColumn { table, column, .. } => {
                    !(table == name && joined.contains(&column.name))
                }
                Change::AddColumn { table, column, .. } => {
                    !(table == name && left.contains(&column.name))
                }
                _ => true,
            });
        }
    }
    // Collations: created, dropped; a changed one cannot be altered.
    let bare = |c: &Collation| Collation {
        comment: None,
        ..c.clone()
    };
    for (n, c) in &to.collations {
        let object = ObjectId::Collation { name: n.clone() };
        match from.collations.get(n) {
            None => {
                extra.push(ext(TableExtChange::CreateCollation {
                    collation: c.clone(),
                }));
                if c.comment.is_some() {
                    extra.push(Change::SetComment {
                        object,
                        from: None,
                        to: c.comment.clone(),
                    });
                }
            }
            Some(old) if bare(old) != bare(c) => extra.push(Change::Unsupported {
                object,
                reason: format!(
                    "collation {n} cannot be changed in place: create a new collation, \
                     move the columns to it (ALTER COLUMN … TYPE … COLLATE), then drop the old one"
                ),
            }),
            Some(old) if old.comment != c.comment => extra.push(Change::SetComment {
                object,
                from: old.comment.clone(),
                to: c.comment.clone(),
            }),
            Some(_) => {}
        }
    }
    for (n, c) in &from.collations {
        if !to.collations.contains_key(n) {
            extra.push(ext(TableExtChange::DropCollation {
                collation: c.clone(),
            }));
        }
    }
    // Schema comments (a new schema's too; a dropped one takes its comment along).
    for s in to.schemas.keys() {
        let (x, y) = (from.schema_comments.get(s), to.schema_comments.get(s));
        if x != y {
            extra.push(Change::SetComment {
                object: ObjectId::Schema { name: s.clone() },
                from: x.cloned(),
                to: y.cloned(),
            });
        }
    }
    out.extend(extra);
    attached_indexes(from, to, out);
}

/// Constraint `c1` (of `table`) added again, for `why`, and its comment set again.
fn add_again(out: &mut Vec<Change>, table: &QualName, c1: &shale_model::Constraint, why: String) {
    out.push(Change::AddConstraint {
        table: table.clone(),
        constraint: shale_model::Constraint {
            comment: None,
            ..c1.clone()
        },
        new_table: false,
        recreate: Some(why),
    });
    if c1.comment.is_some() {
        out.push(Change::SetComment {
            object: ObjectId::Constraint {
                table: table.clone(),
                name: c1.name.clone(),
            },
            from: None,
            to: c1.comment.clone(),
        });
    }
}

/// The partitions' indexes attached to each partitioned index of `cat`.
pub(crate) fn attached_by_parent(cat: &Catalog) -> BTreeMap<&QualName, BTreeSet<&QualName>> {
    let mut out: BTreeMap<&QualName, BTreeSet<&QualName>> = BTreeMap::new();
    for a in cat.attached_indexes.values() {
        out.entry(&a.parent).or_default().insert(&a.index);
    }
    out
}

/// Partitions' own indexes and keys attached to partitioned indexes
/// ([`Catalog::attached_indexes`]). PostgreSQL has no `DETACH` for an index: a
/// partitioned index whose set of attached indexes changes is re-created by the Differ
/// (`index_recreate`; dropping it drops the partitions' indexes attached to it, which
/// are made again when wanted, and foreign keys referencing it are re-created as for
/// any removed key), and each wanted attachment that is new, or whose index or parent is (re-)created, is an
/// `ATTACH PARTITION` after both exist.
fn attached_indexes(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let dropped = |out: &[Change], n: &QualName| {
        out.iter()
            .any(|c| matches!(c, Change::DropIndex { index, .. } if index.name == *n))
    };
    let created = |out: &[Change], n: &QualName| {
        out.iter().any(|c| match c {
            Change::CreateIndex { index, .. } => index.name == *n,
            Change::AddConstraint {
                table, constraint, ..
            } => table.schema == n.schema && constraint.name == n.name,
            _ => false,
        })
    };
    // 2. A partition's own index attached to a dropped partitioned index goes with it
    // (a key with `DROP INDEX … CASCADE`).
    for a in from.attached_indexes.values() {
        if !dropped(out, &a.parent) {
            continue;
        }
        if let Some(ObjectId::Constraint { table, name }) = from.index_object(&a.index) {
            out.retain(|c| {
                !matches!(c, Change::DropConstraint { table: t, constraint, .. }
                    if *t == table && constraint.name == name)
            });
            let wanted = to.tables.get(&table).and_then(|t| t.constraints.get(&name));
            if let Some(c1) = wanted {
                if !created(out, &a.index) {
                    let why = format!(
                        "it goes with the partitioned index {} its index is attached to",
                        a.parent
                    );
                    add_again(out, &table, c1, why);
                }
            }
            continue;
        }
        if !from.indexes.contains_key(&a.index) {
            continue;
        }
        out.retain(|c| !matches!(c, Change::DropIndex { index, .. } if index.name == a.index));
        let Some(ix1) = to.indexes.get(&a.index) else {
            continue;
        };
        if created(out, &a.index) {
            continue;
        }
        let why = format!(
            "it goes with the partitioned index {} it is attached to",
            a.parent
        );
        out.push(Change::CreateIndex {
            index: shale_model::Index {
                comment: None,
                ..ix1.clone()
            },
            new_table: false,
            recreate: Some(why),
        });
        if ix1.comment.is_some() {
            out.push(Change::SetComment {
                object: ObjectId::Index {
                    name: a.index.clone(),
                },
                from: None,
                to: ix1.comment.clone(),
            });
        }
    }
    // 3. The attachments to make.
    for a in to.attached_indexes.values() {
        let same = from.attached_indexes.get(&a.index) == Some(a);
        if same && !created(out, &a.index) && !created(out, &a.parent) {
            continue;
        }
        let Some(object) = to.index_object(&a.index) else {
            continue;
        };
        let table = match &object {
            ObjectId::Index { name } => to.indexes[name].table.clone(),
            ObjectId::Constraint { table, .. } => table.clone(),
            _ => continue,
        };
        out.push(ext(TableExtChange::AttachIndex {
            table,
            index: a.index.clone(),
            parent: a.parent.clone(),
            object,
        }));
    }
}

fn exclusion_comment(
    table: &QualName,
    name: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> Change {
    Change::SetComment {
        object: ObjectId::Constraint {
            table: table.clone(),
            name: name.to_string(),
        },
        from: from.clone(),
        to: to.clone(),
    }
}

fn ext(change: TableExtChange) -> Change {
    Change::TableOption { option: change }
}

/// The manual steps of a plain ↔ partitioned conversion of `table`, naming what depends
/// on it in `from` (what the swap leaves on the old table or drops with it).
fn conversion_steps(from: &Catalog, table: &QualName) -> String {
    let mut deps: Vec<String> = Vec::new();
    let ix: Vec<String> = from
        .indexes
        .values()
        .filter(|i| i.table == *table)
        .map(|i| i.name.to_string())
        .collect();
    if !ix.is_empty() {
        deps.push(format!("indexes {}", ix.join(", ")));
    }
    let mut fks: Vec<String> = Vec::new();
    for t in from.tables.values() {
        for c in t.constraints.values() {
            if let shale_model::ConstraintKind::ForeignKey { ref_table, .. } = &c.kind {
                if ref_table == table && t.name != *table {
                    fks.push(format!(
                        "{} on {}",
                        shale_model::quote_ident(&c.name),
                        t.name
                    ));
                }
            }
        }
    }
    if !fks.is_empty() {
        deps.push(format!("foreign keys referencing it {}", fks.join(", ")));
    }
    let views: Vec<String> = from
        .views
        .values()
        .filter(|v| v.query.refs.contains(table))
        .map(|v| v.name.to_string())
        .collect();
    if !views.is_empty() {
        deps.push(format!("views {}", views.join(", ")));
    }
    let triggers: Vec<String> = from
        .triggers
        .keys()
        .filter(|(t, _)| t == table)
        .map(|(_, n)| shale_model::quote_ident(n))
        .collect();
    if !triggers.is_empty() {
        deps.push(format!("triggers {}", triggers.join(", ")));
    }
    let policies: Vec<String> = from
        .policies
        .keys()
        .filter(|(t, _)| t == table)
        .map(|(_, n)| shale_model::quote_ident(n))
        .collect();
    if !policies.is_empty() {
        deps.push(format!("policies {}", policies.join(", ")));
    }
    if from.privileges.contains_key(&ObjectId::Table {
        name: table.clone(),
    }) {
        deps.push("its grants".into());
    }
    let new = QualName::new(table.schema.clone(), format!("{}_new", table.name));
    let old = QualName::new(table.schema.clone(), format!("{}_old", table.name));
    let mut s = format!(
        " Steps: (1) CREATE TABLE {new} as desired (with its partitions); (2) copy the \
         rows: INSERT INTO {new} SELECT * FROM {t} (in key ranges for a large table, \
         then again for rows written meanwhile, or stop writes); (3) in one transaction: \
         ALTER TABLE {t} RENAME TO {o}; ALTER TABLE {new} RENAME TO {n}; (4) create \
         again on the new table what depended on the old one",
        t = table,
        o = shale_model::quote_ident(&old.name),
        n = shale_model::quote_ident(&table.name)
    );
    if deps.is_empty() {
        s.push_str(" (nothing does now)");
    } else {
        s.push_str(&format!(": {}", deps.join("; ")));
    }
    s.push_str(&format!("; (5) DROP TABLE {old}."));
    s
}

/// The current catalog as it is once the plain ↔ partitioned conversions between `from`
/// and `to` moved their old tables aside, with the changes that do it.
#[derive(Debug, Clone)]
pub struct Converted<'a> {
    /// `from` with each converted table renamed aside: everything on it follows it, as in
    /// PostgreSQL after `ALTER TABLE … RENAME` (indexes, constraints, triggers, policies,
    /// privileges, foreign keys and views that read it). Diffed against `to`, it gives the
    /// new table, with all that depends on it, and the drop of the old one. `from` itself,
    /// borrowed, when nothing converts.
    pub catalog: std::borrow::Cow<'a, Catalog>,
    /// [`TableExtChange::ConvertAside`] per conversion: before the diff's changes.
    pub before: Vec<Change>,
    /// [`TableExtChange::ConvertCopy`] per conversion: after them.
    pub after: Vec<Change>,
}

/// Whether `name` converts between plain and partitioned: in both catalogs, partitioned
/// in exactly one, a partition in neither. (A changed partition key, or a partition that
/// converts, stays refused.)
fn converts(from: &Catalog, to: &Catalog, name: &QualName) -> bool {
    if !from.tables.contains_key(name) || !to.tables.contains_key(name) {
        return false;
    }
    let (a, b) = (from.table_opts(name), to.table_opts(name));
    a.partition_by.is_some() != b.partition_by.is_some()
        && a.partition_of.is_none()
        && b.partition_of.is_none()
}

/// Whether relation name `q` (tables, views, indexes, sequences, types and key
/// constraints' indexes share one namespace per schema) is taken in `cat`.
fn taken(cat: &Catalog, q: &QualName) -> bool {
    cat.tables.contains_key(q)
        || cat.views.contains_key(q)
        || cat.indexes.contains_key(q)
        || cat.sequences.contains_key(q)
        || cat.enums.contains_key(q)
        || cat.domains.contains_key(q)
        || cat.composites.contains_key(q)
        || cat.ranges.contains_key(q)
        || cat.foreign_tables.contains_key(q)
        || cat.tables.values().any(|t| {
            t.name.schema == q.schema
                && t.constraints.get(&q.name).is_some_and(|c| {
                    matches!(
                        c.kind,
                        shale_model::ConstraintKind::PrimaryKey { .. }
                            | shale_model::ConstraintKind::Unique { .. }
                    )
                })
        })
        || cat
            .table_options
            .iter()
            .any(|(t, o)| t.schema == q.schema && o.exclusions.contains_key(&q.name))
}

/// A free relation name for `name` moved aside: `name_shale_old` (cut to PostgreSQL's 63
/// bytes), numbered when taken in `from`, `to` or by an earlier pick.
fn aside_name(
    from: &Catalog,
    to: &Catalog,
    picked: &mut Vec<QualName>,
    schema: &str,
    name: &str,
) -> String {
    for n in 1.. {
        let suffix = if n == 1 {
            "_shale_old".to_string()
        } else {
            format!("_shale_old{n}")
        };
        let mut base = name.to_string();
        while base.len() + suffix.len() > 63 {
            base.pop();
        }
        let q = QualName::new(schema.to_string(), format!("{base}{suffix}"));
        if !taken(from, &q) && !taken(to, &q) && !picked.contains(&q) {
            picked.push(q.clone());
            return q.name;
        }
    }
    unreachable!("some number is free")
}

/// The partitions of `table` in `cat`, and theirs, parents first.
pub fn descendants(cat: &Catalog, table: &QualName) -> Vec<QualName> {
    let mut out: Vec<QualName> = Vec::new();
    let mut todo = vec![table.clone()];
    while let Some(t) = todo.pop() {
        for o in cat.table_options.values() {
            if o.partition_of.as_ref().is_some_and(|p| p.parent == t) && !out.contains(&o.table) {
                out.push(o.table.clone());
                todo.push(o.table.clone());
            }
        }
    }
    out
}

impl Converted<'_> {
    /// The changes of a conversion around `diffed` (the diff of [`Converted::catalog`]
    /// with the desired catalog): the moves aside first, each copy right after the
    /// `CREATE TABLE` of its new table (so that what the diff does to the new table
    /// afterwards, such as `FORCE ROW LEVEL SECURITY`, follows the copy), the rest after.
    pub fn around(&self, diffed: Vec<Change>) -> Vec<Change> {
        let mut out = self.before.clone();
        let mut left: Vec<&Change> = self.after.iter().collect();
        for c in diffed {
            let created = match &c {
                Change::CreateTable { table } => Some(table.name.clone()),
                _ => None,
            };
            out.push(c);
            if let Some(t) = created {
                left.retain(|a| {
                    let mine = matches!(a, Change::TableOption { option } if *option.table() == t);
                    if mine {
                        out.push((*a).clone());
                    }
                    !mine
                });
            }
        }
        out.extend(left.into_iter().cloned());
        out
    }
}

/// The plain ↔ partitioned conversions from `from` to `to` (see [`Converted`]).
pub fn conversions<'a>(from: &'a Catalog, to: &Catalog) -> Converted<'a> {
    let names: Vec<QualName> = from
        .tables
        .keys()
        .filter(|n| converts(from, to, n))
        .cloned()
        .collect();
    let mut out = Converted {
        catalog: std::borrow::Cow::Borrowed(from),
        before: Vec::new(),
        after: Vec::new(),
    };
    let mut picked = Vec::new();
    for name in names {
        let schema = name.schema.clone();
        let aside = QualName::new(
            schema.clone(),
            aside_name(from, to, &mut picked, &schema, &name.name),
        );
        let old = from.tables[&name].clone();
        let was_partitioned = from.table_opts(&name).partition_by.is_some();
        let cat = out.catalog.to_mut();
        // The table and its own constraints (key and exclusion constraints' indexes are
        // relation names the new table's take).
        let mut t = cat.tables.remove(&name).expect("listed above");
        t.name = aside.clone();
        let mut constraints = Vec::new();
        let keys: Vec<String> = t
            .constraints
            .values()
            .filter(|c| {
                matches!(
                    c.kind,
                    shale_model::ConstraintKind::PrimaryKey { .. }
                        | shale_model::ConstraintKind::Unique { .. }
                )
            })
            .map(|c| c.name.clone())
            .collect();
        for k in keys {
            let n = aside_name(from, to, &mut picked, &schema, &k);
            let mut c = t.constraints.remove(&k).expect("listed above");
            c.name = n.clone();
            t.constraints.insert(n.clone(), c);
            constraints.push((k, n));
        }
        cat.tables.insert(aside.clone(), t);
        if let Some(mut o) = cat.table_options.remove(&name) {
            o.table = aside.clone();
            let xs: Vec<String> = o.exclusions.keys().cloned().collect();
            for k in xs {
                let n = aside_name(from, to, &mut picked, &schema, &k);
                let mut x = o.exclusions.remove(&k).expect("listed above");
                x.name = n.clone();
                o.exclusions.insert(n.clone(), x);
                constraints.push((k, n));
            }
            cat.table_options.insert(aside.clone(), o);
        }
        for o in cat.table_options.values_mut() {
            if let Some(p) = &mut o.partition_of {
                if p.parent == name {
                    p.parent = aside.clone();
                }
            }
            for p in &mut o.inherits {
                if *p == name {
                    *p = aside.clone();
                }
            }
        }
        // Foreign keys to it (its own included) follow it.
        for t in cat.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let shale_model::ConstraintKind::ForeignKey { ref_table, .. } = &mut c.kind {
                    if *ref_table == name {
                        *ref_table = aside.clone();
                    }
                }
            }
        }
        let mut indexes = Vec::new();
        let on_it: Vec<QualName> = cat
            .indexes
            .values()
            .filter(|ix| ix.table == name)
            .map(|ix| ix.name.clone())
            .collect();
        for q in on_it {
            let n = aside_name(from, to, &mut picked, &schema, &q.name);
            let mut ix = cat.indexes.remove(&q).expect("listed above");
            ix.table = aside.clone();
            ix.name = QualName::new(schema.clone(), n.clone());
            cat.indexes.insert(ix.name.clone(), ix);
            indexes.push((q, n));
        }
        for s in cat.sequences.values_mut() {
            if let Some(o) = &mut s.owned_by {
                if o.table == name {
                    o.table = aside.clone();
                }
            }
        }
        let triggers: Vec<(QualName, String)> = cat
            .triggers
            .keys()
            .filter(|(t, _)| *t == name)
            .cloned()
            .collect();
        for k in triggers {
            let mut tr = cat.triggers.remove(&k).expect("listed above");
            tr.table = aside.clone();
            cat.triggers.insert((aside.clone(), k.1), tr);
        }
        let policies: Vec<(QualName, String)> = cat
            .policies
            .keys()
            .filter(|(t, _)| *t == name)
            .cloned()
            .collect();
        for k in policies {
            let mut p = cat.policies.remove(&k).expect("listed above");
            p.table = aside.clone();
            cat.policies.insert((aside.clone(), k.1), p);
        }
        let moved = |o: &ObjectId| -> Option<ObjectId> {
            match o {
                ObjectId::Table { name: n } if *n == name => Some(ObjectId::Table {
                    name: aside.clone(),
                }),
                ObjectId::Column { table, column } if *table == name => Some(ObjectId::Column {
                    table: aside.clone(),
                    column: column.clone(),
                }),
                _ => None,
            }
        };
        let acls: Vec<ObjectId> = cat
            .privileges
            .keys()
            .filter(|o| moved(o).is_some())
            .cloned()
            .collect();
        for o in acls {
            let mut acl = cat.privileges.remove(&o).expect("listed above");
            let n = moved(&o).expect("filtered above");
            acl.object = n.clone();
            cat.privileges.insert(n, acl);
        }
        let owned: Vec<ObjectId> = cat
            .owners
            .keys()
            .filter(|o| moved(o).is_some())
            .cloned()
            .collect();
        for o in owned {
            let role = cat.owners.remove(&o).expect("listed above");
            cat.owners.insert(moved(&o).expect("filtered above"), role);
        }
        for s in cat.statistics.values_mut() {
            if s.table == name {
                s.table = aside.clone();
            }
        }
        // Views and SQL-standard bodies read it by OID: they read the old table now, and
        // are re-created on the new one (the diff re-creates a view or such a function
        // whose table is dropped).
        for v in cat.views.values_mut() {
            for r in &mut v.query.refs {
                if *r == name {
                    *r = aside.clone();
                }
            }
        }
        for f in cat.functions.values_mut() {
            if let shale_model::FunctionBody::Standard(body) = &mut f.body {
                for r in &mut body.refs {
                    if *r == name {
                        *r = aside.clone();
                    }
                }
            }
        }
        // PostgreSQL names an identity sequence `table_column_seq`: moved aside, the new
        // table's takes that name again (pg_dump prints it).
        let mut identities = Vec::new();
        for c in old.columns.iter().filter(|c| c.identity.is_some()) {
            let seq = format!("{}_{}_seq", name.name, c.name);
            identities.push((
                c.name.clone(),
                aside_name(from, to, &mut picked, &schema, &seq),
            ));
        }
        out.before.push(ext(TableExtChange::ConvertAside {
            table: name.clone(),
            aside: aside.clone(),
            constraints,
            indexes,
            identities,
        }));
        let new = &to.tables[&name];
        let columns: Vec<String> = new
            .columns
            .iter()
            .filter(|c| c.generated.is_none() && old.column(&c.name).is_some())
            .map(|c| c.name.clone())
            .collect();
        let overriding = new
            .columns
            .iter()
            .any(|c| columns.contains(&c.name) && c.identity.as_ref().is_some_and(|i| i.always));
        let partitions: Vec<QualName> = if was_partitioned {
            descendants(from, &name)
        } else {
            Vec::new()
        };
        let identities: Vec<String> = new
            .columns
            .iter()
            .filter(|c| c.identity.is_some())
            .filter(|c| old.column(&c.name).is_some_and(|o| o.identity.is_some()))
            .map(|c| c.name.clone())
            .collect();
        let not_copied: Vec<String> = old
            .columns
            .iter()
            .filter(|c| !columns.contains(&c.name))
            .map(|c| c.name.clone())
            .collect();
        out.after.push(ext(TableExtChange::ConvertCopy {
            table: name,
            aside,
            columns,
            only: !was_partitioned,
            overriding,
            partitions,
            identities,
            not_copied,
        }));
    }
    out
}
