//! Event triggers (database-wide).
//!
//! Rules, beyond those of the crate:
//! - The event, the `WHEN TAG` list (compared exactly: as PostgreSQL stores it) and the
//!   function cannot change in place: the event trigger is dropped and created again.
//! - The enabled state changes in place (`ALTER EVENT TRIGGER … ENABLE/DISABLE/ENABLE
//!   REPLICA/ENABLE ALWAYS`), and so does the comment (a plain [`Change::SetComment`]).
//! - An event trigger whose function is dropped and created again (by the routines diff,
//!   which runs first) is dropped before and created again after it, because PostgreSQL
//!   refuses to drop a function an event trigger executes.

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::{Catalog, EventTrigger, ObjectId, TriggerEnabled};

/// One difference in event triggers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event_trigger_change", rename_all = "snake_case")]
pub enum EventTriggerChange {
    /// `CREATE EVENT TRIGGER` (enabled, without its comment: those follow as changes of
    /// their own).
    Create {
        event_trigger: EventTrigger,
        /// Why an existing event trigger is created again (`None` for a new one).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    Drop {
        event_trigger: EventTrigger,
        /// Why it is dropped only to be created again (`None` for a real drop).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER EVENT TRIGGER … ENABLE/DISABLE/…`: `event_trigger` holds the new state.
    SetEnabled {
        event_trigger: EventTrigger,
        from: TriggerEnabled,
    },
}

impl EventTriggerChange {
    pub fn object(&self) -> ObjectId {
        match self {
            EventTriggerChange::Create { event_trigger, .. }
            | EventTriggerChange::Drop { event_trigger, .. }
            | EventTriggerChange::SetEnabled { event_trigger, .. } => event_trigger.id(),
        }
    }
}

fn definition(e: &EventTrigger) -> EventTrigger {
    EventTrigger {
        comment: None,
        enabled: TriggerEnabled::Origin,
        ..e.clone()
    }
}

/// What of the definition differs, for the reason of a re-creation.
fn what_changed(e0: &EventTrigger, e1: &EventTrigger) -> String {
    let mut parts = Vec::new();
    if e0.event != e1.event {
        parts.push(format!("its event changes ({} to {})", e0.event, e1.event));
    }
    if e0.tags != e1.tags {
        parts.push("its WHEN TAG filter changes".to_string());
    }
    if e0.function != e1.function {
        parts.push(format!(
            "its function changes ({}() to {}())",
            e0.function, e1.function
        ));
    }
    parts.join(" and ")
}

/// Why `e0`'s function is dropped by the changes in `out`, if it is (the routines diff
/// ran already).
fn function_recreated(out: &[Change], e0: &EventTrigger) -> Option<String> {
    let id = e0.function_id();
    out.iter().find_map(|c| match c {
        Change::Routine {
            routine:
                RoutineChange::DropFunction {
                    function,
                    recreate: Some(why),
                },
        } if function.id() == id => {
            Some(format!("function {}() is re-created ({why})", e0.function))
        }
        _ => None,
    })
}

/// The changes in event triggers that turn `from` into `to`, appended to `out`.
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let mut changes = Vec::new();
    let push = |changes: &mut Vec<Change>, c: EventTriggerChange| {
        changes.push(Change::EventTrigger {
            event_trigger_change: c,
        });
    };
    for (name, e0) in &from.event_triggers {
        if !to.event_triggers.contains_key(name) {
            push(
                &mut changes,
                EventTriggerChange::Drop {
                    event_trigger: e0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (name, e1) in &to.event_triggers {
        let old = from.event_triggers.get(name);
        let recreate = old.and_then(|e0| {
            if definition(e0) != definition(e1) {
                Some(what_changed(e0, e1))
            } else {
                function_recreated(out, e0)
            }
        });
        match (old, recreate) {
            (Some(e0), None) => {
                if e0.enabled != e1.enabled {
                    push(
                        &mut changes,
                        EventTriggerChange::SetEnabled {
                            event_trigger: e1.clone(),
                            from: e0.enabled,
                        },
                    );
                }
                if e0.comment != e1.comment {
                    changes.push(Change::SetComment {
                        object: e1.id(),
                        from: e0.comment.clone(),
                        to: e1.comment.clone(),
                    });
                }
            }
            (old, recreate) => {
                if let Some(e0) = old {
                    push(
                        &mut changes,
                        EventTriggerChange::Drop {
                            event_trigger: e0.clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                push(
                    &mut changes,
                    EventTriggerChange::Create {
                        event_trigger: definition(e1),
                        recreate,
                    },
                );
                if e1.enabled != TriggerEnabled::Origin {
                    push(
                        &mut changes,
                        EventTriggerChange::SetEnabled {
                            event_trigger: e1.clone(),
                            from: TriggerEnabled::Origin,
                        },
                    );
                }
                if e1.comment.is_some() {
                    changes.push(Change::SetComment {
                        object: e1.id(),
                        from: None,
                        to: e1.comment.clone(),
                    });
                }
            }
        }
    }
    out.extend(changes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{EventTriggerEvent, Expr, Function, FunctionBody, QualName, TypeRef};

    fn func(returns: &str) -> Function {
        Function::new(
            QualName::new("public", "f"),
            TypeRef::builtin(returns),
            "plpgsql",
            FunctionBody::Source(Expr {
                sql: "begin end".into(),
                canon: "begin end".into(),
                refs: vec![],
            }),
        )
    }

    fn cat(e: Option<EventTrigger>, f: Function) -> Catalog {
        let mut c = Catalog::default();
        c.functions.insert(f.signature(), f);
        if let Some(e) = e {
            c.event_triggers.insert(e.name.clone(), e);
        }
        c
    }

    fn et() -> EventTrigger {
        EventTrigger {
            name: "e".into(),
            event: EventTriggerEvent::DdlCommandEnd,
            tags: vec!["CREATE TABLE".into()],
            function: QualName::new("public", "f"),
            enabled: TriggerEnabled::Origin,
            comment: None,
        }
    }

    fn kinds(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match c {
                Change::EventTrigger {
                    event_trigger_change: change,
                } => match change {
                    EventTriggerChange::Create { recreate, .. } => {
                        format!("create{}", if recreate.is_some() { " again" } else { "" })
                    }
                    EventTriggerChange::Drop { recreate, .. } => {
                        format!(
                            "drop{}",
                            if recreate.is_some() {
                                " to re-create"
                            } else {
                                ""
                            }
                        )
                    }
                    EventTriggerChange::SetEnabled { event_trigger, .. } => {
                        format!("set {}", event_trigger.enabled.sql())
                    }
                },
                Change::SetComment { .. } => "comment".into(),
                Change::Routine { .. } => "routine".into(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn unchanged_is_nothing_and_state_and_comment_change_in_place() {
        let a = cat(Some(et()), func("event_trigger"));
        assert!(crate::diff(&a, &a).is_empty());
        let mut e = et();
        e.enabled = TriggerEnabled::Disabled;
        e.comment = Some("x".into());
        let b = cat(Some(e), func("event_trigger"));
        assert_eq!(kinds(&crate::diff(&a, &b)), vec!["set DISABLE", "comment"]);
    }

    #[test]
    fn tags_event_or_function_change_re_creates() {
        let a = cat(Some(et()), func("event_trigger"));
        let mut e = et();
        e.tags = vec!["CREATE TABLE".into(), "DROP TABLE".into()];
        e.enabled = TriggerEnabled::Always;
        let b = cat(Some(e), func("event_trigger"));
        let d = crate::diff(&a, &b);
        assert_eq!(
            kinds(&d),
            vec!["drop to re-create", "create again", "set ENABLE ALWAYS"]
        );
        let Change::EventTrigger {
            event_trigger_change: EventTriggerChange::Create { recreate, .. },
        } = &d[1]
        else {
            panic!("{d:?}")
        };
        assert_eq!(recreate.as_deref(), Some("its WHEN TAG filter changes"));
        // Reordered tags are a different evttags array: compared exactly.
        let mut e = et();
        e.tags = vec!["DROP TABLE".into(), "CREATE TABLE".into()];
        let c = cat(Some(e.clone()), func("event_trigger"));
        let mut reordered = e.clone();
        reordered.tags.reverse();
        let r = cat(Some(reordered), func("event_trigger"));
        assert_eq!(kinds(&crate::diff(&c, &r))[0], "drop to re-create");
    }

    #[test]
    fn a_re_created_function_re_creates_the_event_trigger_around_it() {
        // (a change PostgreSQL would refuse for a real event trigger function; what counts
        // is that the routines diff drops and creates the function again)
        let a = cat(Some(et()), func("event_trigger"));
        let b = cat(Some(et()), func("trigger"));
        let d = crate::diff(&a, &b);
        let k = kinds(&d);
        assert!(k.contains(&"drop to re-create".to_string()), "{k:?}");
        assert!(k.contains(&"create again".to_string()), "{k:?}");
        // A replaced body keeps it.
        let mut f = func("event_trigger");
        f.body = FunctionBody::Source(Expr {
            sql: "begin null; end".into(),
            canon: "begin null; end".into(),
            refs: vec![],
        });
        let c = cat(Some(et()), f);
        assert_eq!(kinds(&crate::diff(&a, &c)), vec!["routine"]);
    }

    #[test]
    fn new_and_dropped() {
        let a = cat(None, func("event_trigger"));
        let mut e = et();
        e.enabled = TriggerEnabled::Replica;
        e.comment = Some("c".into());
        let b = cat(Some(e), func("event_trigger"));
        assert_eq!(
            kinds(&crate::diff(&a, &b)),
            vec!["create", "set ENABLE REPLICA", "comment"]
        );
        assert_eq!(kinds(&crate::diff(&b, &a)), vec!["drop"]);
    }
}
