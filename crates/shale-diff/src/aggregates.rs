//! Aggregates and casts.
//!
//! Rules, beyond those of the crate:
//! - An aggregate whose definition changes is replaced in place (`CREATE OR REPLACE
//!   AGGREGATE`, PostgreSQL 12 and later: there is no `ALTER AGGREGATE` for `INITCOND` or
//!   the support functions) when PostgreSQL allows it: same kind, same number of direct
//!   arguments, and the same result type, which the files do not state, so the same
//!   final function and state type (without a final function, the state type is the
//!   result). Otherwise it is dropped and created again, and so are the views and
//!   functions calling it (routines.rs asks [`recreated_aggregates`]).
//! - A cast cannot change: a changed method or context drops and creates it again.
//! - An aggregate or cast using a function the routines diff drops and creates again
//!   (that diff runs first) is dropped before and created again after it: PostgreSQL
//!   refuses to drop a function they use.
//! - Comments are plain [`Change::SetComment`]s.

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::{Aggregate, Cast, Catalog, ObjectId, QualName};
use std::collections::BTreeMap;

/// One difference in aggregates or casts.
#[allow(clippy::large_enum_variant)] // plain data, built once per change
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "aggregate_change", rename_all = "snake_case")]
pub enum AggregateChange {
    CreateAggregate {
        aggregate: Aggregate,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `CREATE OR REPLACE AGGREGATE`: same signature, kind and result type.
    ReplaceAggregate { from: Aggregate, to: Aggregate },
    DropAggregate {
        aggregate: Aggregate,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateCast {
        cast: Cast,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropCast {
        cast: Cast,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
}

impl AggregateChange {
    pub fn object(&self) -> ObjectId {
        match self {
            AggregateChange::CreateAggregate { aggregate, .. }
            | AggregateChange::DropAggregate { aggregate, .. } => aggregate.id(),
            AggregateChange::ReplaceAggregate { to, .. } => to.id(),
            AggregateChange::CreateCast { cast, .. } | AggregateChange::DropCast { cast, .. } => {
                cast.id()
            }
        }
    }
}

fn definition(a: &Aggregate) -> Aggregate {
    Aggregate {
        comment: None,
        ..a.clone()
    }
}

fn cast_definition(c: &Cast) -> Cast {
    Cast {
        comment: None,
        ..c.clone()
    }
}

/// Whether `CREATE OR REPLACE AGGREGATE` can turn `a0` into `a1`.
fn replaceable(a0: &Aggregate, a1: &Aggregate) -> bool {
    a0.kind == a1.kind
        && a0.direct_args == a1.direct_args
        && a0.finalfunc == a1.finalfunc
        && a0.stype == a1.stype
}

/// Why `a0` must be dropped and created again because of a re-created function (names
/// in `functions`, with why), if it must.
fn uses_recreated(a0: &Aggregate, functions: &BTreeMap<QualName, String>) -> Option<String> {
    a0.functions().into_iter().find_map(|f| {
        functions
            .get(f)
            .map(|why| format!("function {f} is re-created ({why})"))
    })
}

/// The aggregates (of `from`) that are dropped, or dropped and created again, by name,
/// with why, given the function names the routines diff drops (with why): what views
/// and functions calling them must follow.
pub fn recreated_aggregates(
    from: &Catalog,
    to: &Catalog,
    functions: &BTreeMap<QualName, String>,
) -> BTreeMap<QualName, String> {
    let mut out = BTreeMap::new();
    for (key, a0) in &from.aggregates {
        let why = match to.aggregates.get(key) {
            None => Some(format!("aggregate {} is dropped", a0.target())),
            Some(a1) => (uses_recreated(a0, functions).is_some()
                || (definition(a0) != definition(a1) && !replaceable(a0, a1)))
            .then(|| format!("aggregate {} is re-created", a0.target())),
        };
        if let Some(w) = why {
            out.entry(a0.name.clone()).or_insert(w);
        }
    }
    out
}

/// Function names dropped (and maybe created again) by the changes in `out`, with why.
fn dropped_functions(out: &[Change]) -> BTreeMap<QualName, String> {
    let mut m = BTreeMap::new();
    for c in out {
        if let Change::Routine {
            routine: RoutineChange::DropFunction { function, recreate },
        } = c
        {
            m.entry(function.name.clone()).or_insert_with(|| {
                recreate
                    .clone()
                    .unwrap_or_else(|| "it is dropped".to_string())
            });
        }
    }
    m
}

/// The changes in aggregates and casts that turn `from` into `to`, appended to `out`
/// (after the routines diff's).
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let functions = dropped_functions(out);
    let mut changes = Vec::new();
    let push = |changes: &mut Vec<Change>, c: AggregateChange| {
        changes.push(Change::Aggregate {
            aggregate_change: Box::new(c),
        });
    };
    for (key, a0) in &from.aggregates {
        if !to.aggregates.contains_key(key) {
            push(
                &mut changes,
                AggregateChange::DropAggregate {
                    aggregate: a0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (key, a1) in &to.aggregates {
        match from.aggregates.get(key) {
            None => {
                push(
                    &mut changes,
                    AggregateChange::CreateAggregate {
                        aggregate: definition(a1),
                        recreate: None,
                    },
                );
                if a1.comment.is_some() {
                    changes.push(Change::SetComment {
                        object: a1.id(),
                        from: None,
                        to: a1.comment.clone(),
                    });
                }
            }
            Some(a0) => {
                let recreate = uses_recreated(a0, &functions).or_else(|| {
                    (definition(a0) != definition(a1) && !replaceable(a0, a1)).then(|| {
                        if a0.kind != a1.kind || a0.direct_args != a1.direct_args {
                            "its kind changes".to_string()
                        } else {
                            "its result type may change (final function or state type)".to_string()
                        }
                    })
                });
                match recreate {
                    Some(why) => {
                        push(
                            &mut changes,
                            AggregateChange::DropAggregate {
                                aggregate: a0.clone(),
                                recreate: Some(why.clone()),
                            },
                        );
                        push(
                            &mut changes,
                            AggregateChange::CreateAggregate {
                                aggregate: definition(a1),
                                recreate: Some(why),
                            },
                        );
                        if a1.comment.is_some() {
                            changes.push(Change::SetComment {
                                object: a1.id(),
                                from: None,
                                to: a1.comment.clone(),
                            });
                        }
                    }
                    None => {
                        if definition(a0) != definition(a1) {
                            push(
                                &mut changes,
                                AggregateChange::ReplaceAggregate {
                                    from: a0.clone(),
                                    to: definition(a1),
                                },
                            );
                        }
                        if a0.comment != a1.comment {
                            changes.push(Change::SetComment {
                                object: a1.id(),
                                from: a0.comment.clone(),
                                to: a1.comment.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    casts(from, to, &functions, &mut changes);
    out.extend(changes);
}

fn casts(
    from: &Catalog,
    to: &Catalog,
    functions: &BTreeMap<QualName, String>,
    changes: &mut Vec<Change>,
) {
    let push = |changes: &mut Vec<Change>, c: AggregateChange| {
        changes.push(Change::Aggregate {
            aggregate_change: Box::new(c),
        });
    };
    let function_why = |c: &Cast| match &c.method {
        shale_model::CastMethod::Function { name, .. } => functions
            .get(name)
            .map(|why| format!("function {name} is re-created ({why})")),
        _ => None,
    };
    for (key, c0) in &from.casts {
        if !to.casts.contains_key(key) {
            push(
                changes,
                AggregateChange::DropCast {
                    cast: c0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (key, c1) in &to.casts {
        let recreate = from.casts.get(key).map(|c0| {
            if cast_definition(c0) != cast_definition(c1) {
                Some("its method or context changes (a cast cannot be altered)".to_string())
            } else {
                function_why(c0)
            }
        });
        match recreate {
            Some(None) => {
                let c0 = &from.casts[key];
                if c0.comment != c1.comment {
                    changes.push(Change::SetComment {
                        object: c1.id(),
                        from: c0.comment.clone(),
                        to: c1.comment.clone(),
                    });
                }
            }
            other => {
                let why = other.flatten();
                if why.is_some() {
                    push(
                        changes,
                        AggregateChange::DropCast {
                            cast: from.casts[key].clone(),
                            recreate: why.clone(),
                        },
                    );
                }
                push(
                    changes,
                    AggregateChange::CreateCast {
                        cast: cast_definition(c1),
                        recreate: why,
                    },
                );
                if c1.comment.is_some() {
                    changes.push(Change::SetComment {
                        object: c1.id(),
                        from: None,
                        to: c1.comment.clone(),
                    });
                }
            }
        }
    }
}
