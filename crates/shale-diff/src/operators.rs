//! Operators, operator families and operator classes.
//!
//! Rules, beyond those of the crate:
//! - An operator's estimators (`RESTRICT`, `JOIN`) change in place (`ALTER OPERATOR …
//!   SET`); any other change (function, commutator, negator, `HASHES`, `MERGES`) drops
//!   and creates it again, and so does a function the routines diff (which runs first)
//!   drops and creates again: PostgreSQL refuses to drop a function an operator uses.
//! - A family gains members in place (`ALTER OPERATOR FAMILY … ADD`). It loses members
//!   in place (`… DROP`) only when no class of the family has the members' type: such a
//!   member may be bound to the class (`CREATE OPERATOR CLASS … AS OPERATOR …`, or
//!   btree's and hash's `amadjustmembers`), and PostgreSQL refuses to drop it alone.
//!   Otherwise, and when an operator or function of its members is dropped or re-created,
//!   the family is dropped and created again, with its classes.
//! - A class whose header (type, `DEFAULT`, family, storage) changes, or whose family is
//!   re-created, is dropped and created again, and so are the indexes using it (by name,
//!   or as the default class of a key column's type).
//! - A family or class is created bare (`CREATE OPERATOR CLASS … FAMILY … AS STORAGE`),
//!   and the members are added to the family after its classes exist (the planner orders
//!   them), so that PostgreSQL binds them to the classes as `CREATE OPERATOR CLASS … AS
//!   OPERATOR …` does.
//! - Comments are plain [`Change::SetComment`]s.

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::{
    Catalog, FamilyFunction, FamilyOperator, Index, IndexKeyExpr, ObjectId, Operator,
    OperatorClass, OperatorFamily, QualName, TypeRef,
};
use std::collections::BTreeMap;

/// One difference in operators, operator families or operator classes.
#[allow(clippy::large_enum_variant)] // plain data, built once per change
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "operator_change", rename_all = "snake_case")]
pub enum OperatorChange {
    CreateOperator {
        operator: Operator,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropOperator {
        operator: Operator,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER OPERATOR … SET (RESTRICT = …, JOIN = …)`: `operator` holds the new ones.
    SetEstimators {
        operator: Operator,
        from_restrict: Option<QualName>,
        from_join: Option<QualName>,
    },
    /// `CREATE OPERATOR FAMILY` (its members follow as [`OperatorChange::AddMembers`]).
    CreateFamily {
        family: OperatorFamily,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropFamily {
        family: OperatorFamily,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER OPERATOR FAMILY … ADD`.
    AddMembers {
        family: OperatorFamily,
        operators: Vec<FamilyOperator>,
        functions: Vec<FamilyFunction>,
    },
    /// `ALTER OPERATOR FAMILY … DROP`.
    DropMembers {
        family: OperatorFamily,
        operators: Vec<FamilyOperator>,
        functions: Vec<FamilyFunction>,
    },
    CreateClass {
        class: OperatorClass,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropClass {
        class: OperatorClass,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
}

impl OperatorChange {
    pub fn object(&self) -> ObjectId {
        match self {
            OperatorChange::CreateOperator { operator, .. }
            | OperatorChange::DropOperator { operator, .. }
            | OperatorChange::SetEstimators { operator, .. } => operator.id(),
            OperatorChange::CreateFamily { family, .. }
            | OperatorChange::DropFamily { family, .. }
            | OperatorChange::AddMembers { family, .. }
            | OperatorChange::DropMembers { family, .. } => family.id(),
            OperatorChange::CreateClass { class, .. } | OperatorChange::DropClass { class, .. } => {
                class.id()
            }
        }
    }
}

/// An operator as far as it cannot change in place.
fn operator_definition(o: &Operator) -> Operator {
    Operator {
        restrict: None,
        join: None,
        comment: None,
        ..o.clone()
    }
}

fn what_changed(o0: &Operator, o1: &Operator) -> String {
    let mut parts = Vec::new();
    if o0.function != o1.function {
        parts.push(format!(
            "its function changes ({} to {})",
            o0.function, o1.function
        ));
    }
    if o0.commutator != o1.commutator {
        parts.push("its commutator changes".to_string());
    }
    if o0.negator != o1.negator {
        parts.push("its negator changes".to_string());
    }
    if o0.hashes != o1.hashes || o0.merges != o1.merges {
        parts.push("HASHES or MERGES changes".to_string());
    }
    parts.join(" and ")
}

fn class_header(c: &OperatorClass) -> OperatorClass {
    OperatorClass {
        comment: None,
        ..c.clone()
    }
}

/// Why `o0` (of `from`) is dropped and created again as `o1`, if it is: its function or
/// an estimator is dropped or re-created (`functions`, by id, with why), or what cannot
/// change in place changes.
fn recreate_reason(
    o0: &Operator,
    o1: &Operator,
    functions: &BTreeMap<ObjectId, String>,
) -> Option<String> {
    functions
        .get(&o0.function_id())
        .cloned()
        .or_else(|| {
            [&o0.restrict, &o0.join]
                .into_iter()
                .flatten()
                .find_map(|q| {
                    functions
                        .iter()
                        .find(|(id, _)| matches!(id, ObjectId::Function { name, .. } if name == q))
                        .map(|(_, w)| w.clone())
                })
        })
        .or_else(|| {
            (operator_definition(o0) != operator_definition(o1)).then(|| what_changed(o0, o1))
        })
}

/// The operator names (of `from`) with an operator that is dropped, or dropped and
/// created again, with why, given the functions dropped or re-created (by id, with why:
/// [`dropped_functions`]): what uses them (views, checks, defaults, index expressions,
/// SQL-standard bodies, policies) must be dropped before and created again after.
pub fn recreated_operators(
    from: &Catalog,
    to: &Catalog,
    functions: &BTreeMap<ObjectId, String>,
) -> BTreeMap<QualName, String> {
    let mut out = BTreeMap::new();
    for (key, o0) in &from.operators {
        let why = match to.operators.get(key) {
            None => Some(format!("operator {} is dropped", o0.target())),
            Some(o1) => recreate_reason(o0, o1, functions)
                .map(|why| format!("operator {} is re-created ({why})", o0.target())),
        };
        if let Some(why) = why {
            out.entry(o0.name.clone()).or_insert(why);
        }
    }
    out
}

/// Functions (by id) the changes in `out` drop, with why.
pub fn dropped_functions(out: &[Change]) -> BTreeMap<ObjectId, String> {
    let mut m = BTreeMap::new();
    for c in out {
        if let Change::Routine {
            routine: RoutineChange::DropFunction { function, recreate },
        } = c
        {
            m.entry(function.id()).or_insert_with(|| {
                recreate.as_ref().map_or_else(
                    || format!("function {} is dropped", function.signature()),
                    |why| format!("function {} is re-created ({why})", function.signature()),
                )
            });
        }
    }
    m
}

/// Whether a member of these types may be bound to a class of `family` in `cat`.
fn may_be_bound(cat: &Catalog, family: &OperatorFamily, left: &TypeRef, right: &TypeRef) -> bool {
    cat.operator_classes.values().any(|c| {
        c.family == family.name && c.method == family.method && *left == c.ty && *right == c.ty
    })
}

/// Members of a family that go, each with why: operators, support functions.
type Going = (Vec<(FamilyOperator, String)>, Vec<(FamilyFunction, String)>);

/// The members of `f0` that go (removed, or their operator or function dropped or
/// re-created), with why.
fn going_members(
    f0: &OperatorFamily,
    f1: Option<&OperatorFamily>,
    operators: &BTreeMap<String, String>,
    functions: &BTreeMap<ObjectId, String>,
) -> Going {
    let ops = f0
        .operators
        .iter()
        .filter_map(|m| {
            let why = operators.get(&m.operator_key()).cloned().or_else(|| {
                (!f1.is_some_and(|f1| f1.operators.contains(m)))
                    .then(|| format!("its member {} is removed or changed", m.drop_sql()))
            })?;
            Some((m.clone(), why))
        })
        .collect();
    let fns = f0
        .functions
        .iter()
        .filter_map(|m| {
            let why = functions.get(&m.function_id()).cloned().or_else(|| {
                (!f1.is_some_and(|f1| f1.functions.contains(m)))
                    .then(|| format!("its member {} is removed or changed", m.drop_sql()))
            })?;
            Some((m.clone(), why))
        })
        .collect();
    (ops, fns)
}

/// Whether `ix` (of `cat`) uses the class `c`: by name, or as the default class of a
/// key column's type.
fn index_uses(cat: &Catalog, ix: &Index, c: &OperatorClass) -> bool {
    if ix.method != c.method {
        return false;
    }
    ix.keys.iter().any(|k| match (&k.opclass, &k.key) {
        (Some(q), _) => *q == c.name,
        (None, IndexKeyExpr::Column(col)) if c.default => cat
            .tables
            .get(&ix.table)
            .and_then(|t| t.columns.iter().find(|x| &x.name == col))
            .is_some_and(|x| x.ty == c.ty),
        _ => false,
    })
}

/// The changes in operators, families and classes that turn `from` into `to`, appended
/// to `out` (after the routines' and the indexes' diffs).
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let functions = dropped_functions(out);
    let mut changes = Vec::new();
    let push = |changes: &mut Vec<Change>, c: OperatorChange| {
        changes.push(Change::Operator { operator_change: c });
    };
    let comment =
        |changes: &mut Vec<Change>, object: ObjectId, c0: Option<&String>, c1: &Option<String>| {
            if c0 != c1.as_ref() {
                changes.push(Change::SetComment {
                    object,
                    from: c0.cloned(),
                    to: c1.clone(),
                });
            }
        };

    // Operators dropped (for good or to be created again), by key, with why.
    let mut operators: BTreeMap<String, String> = BTreeMap::new();
    let mut op_changes = Vec::new();
    for (key, o0) in &from.operators {
        match to.operators.get(key) {
            None => {
                operators.insert(key.clone(), format!("operator {} is dropped", o0.target()));
                push(
                    &mut op_changes,
                    OperatorChange::DropOperator {
                        operator: o0.clone(),
                        recreate: None,
                    },
                );
            }
            Some(o1) => match recreate_reason(o0, o1, &functions) {
                Some(why) => {
                    operators.insert(
                        key.clone(),
                        format!("operator {} is re-created", o0.target()),
                    );
                    push(
                        &mut op_changes,
                        OperatorChange::DropOperator {
                            operator: o0.clone(),
                            recreate: Some(why.clone()),
                        },
                    );
                    push(
                        &mut op_changes,
                        OperatorChange::CreateOperator {
                            operator: Operator {
                                comment: None,
                                ..o1.clone()
                            },
                            recreate: Some(why),
                        },
                    );
                    comment(&mut op_changes, o1.id(), None, &o1.comment);
                }
                None => {
                    if (&o0.restrict, &o0.join) != (&o1.restrict, &o1.join) {
                        push(
                            &mut op_changes,
                            OperatorChange::SetEstimators {
                                operator: o1.clone(),
                                from_restrict: o0.restrict.clone(),
                                from_join: o0.join.clone(),
                            },
                        );
                    }
                    comment(&mut op_changes, o1.id(), o0.comment.as_ref(), &o1.comment);
                }
            },
        }
    }
    for (key, o1) in &to.operators {
        if !from.operators.contains_key(key) {
            push(
                &mut op_changes,
                OperatorChange::CreateOperator {
                    operator: Operator {
                        comment: None,
                        ..o1.clone()
                    },
                    recreate: None,
                },
            );
            comment(&mut op_changes, o1.id(), None, &o1.comment);
        }
    }

    // Families: dropped, or dropped to be created again, by key, with why; the members
    // going from the families that stay.
    let mut families: BTreeMap<(QualName, String), String> = BTreeMap::new();
    let mut going = BTreeMap::new();
    for (key, f0) in &from.operator_families {
        let f1 = to.operator_families.get(key);
        let (ops, fns) = going_members(f0, f1, &operators, &functions);
        let bound = ops
            .iter()
            .map(|(m, w)| (&m.left, &m.right, w))
            .chain(fns.iter().map(|(m, w)| (&m.left, &m.right, w)))
            .find(|(l, r, _)| may_be_bound(from, f0, l, r));
        let recreate = match (f1, bound) {
            (None, _) => {
                families.insert(
                    key.clone(),
                    format!("operator family {} is dropped", f0.target()),
                );
                None
            }
            (Some(_), Some((_, _, why))) => Some(format!(
                "{why}, and it may be bound to a class of the family"
            )),
            (Some(_), None) => {
                going.insert(key.clone(), (ops, fns));
                continue;
            }
        };
        if let Some(why) = &recreate {
            families.insert(key.clone(), why.clone());
        }
        push(
            &mut changes,
            OperatorChange::DropFamily {
                family: f0.clone(),
                recreate,
            },
        );
    }
    for (key, f1) in &to.operator_families {
        let old = from.operator_families.get(key);
        match (old, going.get(key)) {
            (Some(f0), Some((ops, fns))) => {
                if !ops.is_empty() || !fns.is_empty() {
                    push(
                        &mut changes,
                        OperatorChange::DropMembers {
                            family: f1.clone(),
                            operators: ops.iter().map(|(m, _)| m.clone()).collect(),
                            functions: fns.iter().map(|(m, _)| m.clone()).collect(),
                        },
                    );
                }
                let added_ops: Vec<_> = f1
                    .operators
                    .iter()
                    .filter(|m| !f0.operators.contains(m) || ops.iter().any(|(g, _)| g == *m))
                    .cloned()
                    .collect();
                let added_fns: Vec<_> = f1
                    .functions
                    .iter()
                    .filter(|m| !f0.functions.contains(m) || fns.iter().any(|(g, _)| g == *m))
                    .cloned()
                    .collect();
                if !added_ops.is_empty() || !added_fns.is_empty() {
                    push(
                        &mut changes,
                        OperatorChange::AddMembers {
                            family: f1.clone(),
                            operators: added_ops,
                            functions: added_fns,
                        },
                    );
                }
                comment(&mut changes, f1.id(), f0.comment.as_ref(), &f1.comment);
            }
            (old, _) => {
                push(
                    &mut changes,
                    OperatorChange::CreateFamily {
                        family: OperatorFamily {
                            comment: None,
                            ..f1.clone()
                        },
                        recreate: old.and_then(|_| families.get(key).cloned()),
                    },
                );
                if !f1.operators.is_empty() || !f1.functions.is_empty() {
                    push(
                        &mut changes,
                        OperatorChange::AddMembers {
                            family: f1.clone(),
                            operators: f1.operators.clone(),
                            functions: f1.functions.clone(),
                        },
                    );
                }
                comment(&mut changes, f1.id(), None, &f1.comment);
            }
        }
    }

    // Classes, and the indexes using one that is re-created.
    let mut class_changes = Vec::new();
    let mut recreated_classes = Vec::new();
    for (key, c0) in &from.operator_classes {
        if !to.operator_classes.contains_key(key) {
            push(
                &mut class_changes,
                OperatorChange::DropClass {
                    class: c0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (key, c1) in &to.operator_classes {
        let old = from.operator_classes.get(key);
        let recreate = old.and_then(|c0| {
            if class_header(c0) != class_header(c1) {
                Some(format!(
                    "its definition changes ({} to {})",
                    class_header(c0).create_sql(),
                    class_header(c1).create_sql()
                ))
            } else {
                families
                    .get(&(c0.family.clone(), c0.method.clone()))
                    .cloned()
            }
        });
        match (old, recreate) {
            (Some(c0), None) => comment(
                &mut class_changes,
                c1.id(),
                c0.comment.as_ref(),
                &c1.comment,
            ),
            (old, recreate) => {
                if let Some(c0) = old {
                    recreated_classes.push((c0.clone(), recreate.clone().unwrap_or_default()));
                    push(
                        &mut class_changes,
                        OperatorChange::DropClass {
                            class: c0.clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                push(
                    &mut class_changes,
                    OperatorChange::CreateClass {
                        class: OperatorClass {
                            comment: None,
                            ..c1.clone()
                        },
                        recreate,
                    },
                );
                comment(&mut class_changes, c1.id(), None, &c1.comment);
            }
        }
    }
    let mut index_changes = Vec::new();
    for (name, ix0) in &from.indexes {
        let Some((c0, why)) = recreated_classes
            .iter()
            .find(|(c0, _)| index_uses(from, ix0, c0))
        else {
            continue;
        };
        let Some(ix1) = to.indexes.get(name) else {
            continue;
        };
        if crate::routines::drops_index(out, name) {
            continue;
        }
        // A comment change the indexes' diff found is the re-creation's now.
        out.retain(|c| {
            !matches!(c, Change::SetComment { object: ObjectId::Index { name: n }, .. } if n == name)
        });
        let why = format!("operator class {} is re-created ({why})", c0.target());
        crate::routines::recreate_index(ix0, ix1, why, &mut index_changes);
    }
    out.extend(op_changes);
    out.extend(changes);
    out.extend(class_changes);
    out.extend(index_changes);
}
