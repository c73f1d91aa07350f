//! What a partition keeps when it leaves its parent (`DETACH PARTITION`).
//!
//! While it is a partition, the copies PostgreSQL made on it of the parent's indexes,
//! keys, checks and foreign keys are implied by the parent's and are not objects of the
//! model (shale-model's table_options.rs). `DETACH` leaves every copy on the table as an
//! object of its own, under the name PostgreSQL gave it: an index `<partition>_<columns>_idx`,
//! a primary key `<partition>_pkey`, a unique key `<partition>_<columns>_key`, a check or
//! foreign key under the parent's constraint's name. [`detach_copies`] lists them, and
//! [`diff_copies`] compares them by name with what the desired table has: a copy the
//! desired table has alike stays (nothing to create), any other is dropped after the
//! detach (and a desired object of the same name made after that drop).

use crate::{same_constraint_definition, same_index_definition, Change};
use shale_model::naming::{choose_name, figure_expr_colname, index_column_names, name_addition};
use shale_model::{Catalog, Constraint, ConstraintKind, Index, IndexKeyExpr, ObjectId, QualName};
use std::collections::BTreeSet;

/// A copy of a parent's object that a detached partition keeps.
#[derive(Debug, Clone)]
pub(crate) enum Copy {
    Index(Index),
    Constraint(Constraint),
}

impl Copy {
    pub(crate) fn id(&self, table: &QualName) -> ObjectId {
        match self {
            Copy::Index(ix) => ObjectId::Index {
                name: ix.name.clone(),
            },
            Copy::Constraint(c) => ObjectId::Constraint {
                table: table.clone(),
                name: c.name.clone(),
            },
        }
    }
}

/// The copies partition `table` keeps of parent `parent`'s objects once detached (as
/// `from` has them): those the partition has of its own (a key or index attached to the
/// parent's, a check of the same name) are objects of the model already and not listed.
/// A parent's index or constraint that `out` drops takes its copies with it: the detach
/// waits for those drops, returned second.
pub(crate) fn detach_copies(
    from: &Catalog,
    out: &[Change],
    table: &QualName,
    parent: &QualName,
) -> (Vec<Copy>, Vec<ObjectId>) {
    let (Some(t), Some(p)) = (from.tables.get(table), from.tables.get(parent)) else {
        return (Vec::new(), Vec::new());
    };
    let mut parent_drops = Vec::new();
    for c in out {
        match c {
            Change::DropConstraint {
                table: pt,
                constraint,
                ..
            } if pt == parent => parent_drops.push(ObjectId::Constraint {
                table: parent.clone(),
                name: constraint.name.clone(),
            }),
            Change::DropIndex { index, .. } if index.table == *parent => {
                parent_drops.push(ObjectId::Index {
                    name: index.name.clone(),
                })
            }
            _ => {}
        }
    }
    let dropped = |id: &ObjectId| parent_drops.contains(id);
    // Parents' indexes and keys with an own index of the partition attached to them.
    let own_attached: BTreeSet<&QualName> = from
        .attached_indexes
        .values()
        .filter(|a| match from.index_object(&a.index) {
            Some(ObjectId::Index { name }) => {
                from.indexes.get(&name).is_some_and(|i| i.table == *table)
            }
            Some(ObjectId::Constraint { table: tt, .. }) => tt == *table,
            _ => false,
        })
        .map(|a| &a.parent)
        .collect();
    let schema = &table.schema;
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for q in from
        .tables
        .keys()
        .chain(from.indexes.keys())
        .chain(from.sequences.keys())
        .chain(from.views.keys())
        .filter(|q| q.schema == *schema)
    {
        taken.insert(q.name.clone());
    }
    for x in from.tables.values().filter(|x| x.name.schema == *schema) {
        for c in x.constraints.values() {
            if matches!(
                c.kind,
                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
            ) {
                taken.insert(c.name.clone());
            }
        }
    }
    let mut copies = Vec::new();
    let choose = |addition: Option<String>, label: &str, taken: &mut BTreeSet<String>| {
        let name = choose_name(&table.name, addition.as_deref(), label, &|n| {
            taken.contains(n)
        });
        taken.insert(name.clone());
        name
    };
    for c in p.constraints.values() {
        if dropped(&ObjectId::Constraint {
            table: parent.clone(),
            name: c.name.clone(),
        }) {
            continue;
        }
        let key_name = QualName::new(parent.schema.clone(), c.name.clone());
        let name = match &c.kind {
            ConstraintKind::PrimaryKey { .. } if !own_attached.contains(&key_name) => {
                choose(None, "pkey", &mut taken)
            }
            ConstraintKind::Unique {
                columns, include, ..
            } if !own_attached.contains(&key_name) => {
                let cols: Vec<String> = columns.iter().chain(include).cloned().collect();
                choose(
                    Some(name_addition(&index_column_names(&cols))),
                    "key",
                    &mut taken,
                )
            }
            ConstraintKind::Check { no_inherit, .. }
                if !*no_inherit && !t.constraints.contains_key(&c.name) =>
            {
                c.name.clone()
            }
            ConstraintKind::ForeignKey { .. } if !t.constraints.contains_key(&c.name) => {
                c.name.clone()
            }
            _ => continue,
        };
        copies.push(Copy::Constraint(Constraint {
            name,
            comment: None,
            index_comment: None,
            index_invalid: false,
            ..c.clone()
        }));
    }
    for ix in from.indexes.values().filter(|i| i.table == *parent) {
        if own_attached.contains(&ix.name)
            || dropped(&ObjectId::Index {
                name: ix.name.clone(),
            })
        {
            continue;
        }
        let cols: Vec<String> = ix
            .keys
            .iter()
            .map(|k| match &k.key {
                IndexKeyExpr::Column(c) => c.clone(),
                IndexKeyExpr::Expr(e) => figure_expr_colname(&e.canon),
            })
            .chain(ix.include.iter().cloned())
            .collect();
        let name = choose(
            Some(name_addition(&index_column_names(&cols))),
            "idx",
            &mut taken,
        );
        copies.push(Copy::Index(Index {
            name: QualName::new(schema.clone(), name),
            table: table.clone(),
            comment: None,
            invalid: false,
            ..ix.clone()
        }));
    }
    (copies, parent_drops)
}

/// Compare the copies detached partition `table` keeps with what `to` wants of it: a copy
/// wanted alike (same name, same definition) is not created again; any other is dropped.
pub(crate) fn diff_copies(
    to: &Catalog,
    table: &QualName,
    copies: &[Copy],
    out: &mut Vec<Change>,
    extra: &mut Vec<Change>,
) {
    let wanted = to.tables.get(table);
    for copy in copies {
        match copy {
            Copy::Index(ix) => {
                let alike = to
                    .indexes
                    .get(&ix.name)
                    .is_some_and(|x| x.table == *table && same_index_definition(ix, x));
                if alike {
                    out.retain(|c| {
                        !matches!(c, Change::CreateIndex { index, .. } if index.name == ix.name)
                    });
                } else {
                    let pos = out.iter().position(
                        |c| matches!(c, Change::CreateIndex { index, .. } if index.name == ix.name),
                    );
                    let drop = Change::DropIndex {
                        index: ix.clone(),
                        recreate: None,
                    };
                    before(out, extra, pos, drop);
                }
            }
            Copy::Constraint(k) => {
                let alike = wanted
                    .and_then(|t| t.constraints.get(&k.name))
                    .is_some_and(|x| same_constraint_definition(k, x));
                if alike {
                    out.retain(|c| {
                        !matches!(c, Change::AddConstraint { table: t, constraint, .. }
                            if t == table && constraint.name == k.name)
                    });
                } else {
                    let pos = out.iter().position(|c| {
                        matches!(c, Change::AddConstraint { table: t, constraint, .. }
                            if t == table && constraint.name == k.name)
                    });
                    let drop = Change::DropConstraint {
                        table: table.clone(),
                        constraint: k.clone(),
                        recreate: None,
                    };
                    before(out, extra, pos, drop);
                }
            }
        }
    }
}

/// `drop` placed before the change at `pos` that makes an object of the same name (steps
/// on one object keep the diff's order), else appended to `extra`.
fn before(out: &mut Vec<Change>, extra: &mut Vec<Change>, pos: Option<usize>, drop: Change) {
    match pos {
        Some(i) => out.insert(i, drop),
        None => extra.push(drop),
    }
}
