//! Rewrite rules (`CREATE RULE`).
//!
//! Rules, beyond those of the crate:
//! - A changed event, `INSTEAD`, condition or action list is replaced in place
//!   (`CREATE OR REPLACE RULE`, which keeps the rule's enabled state and comment).
//! - The enabled state changes in place (`ALTER TABLE … ENABLE/DISABLE … RULE`), and so
//!   does the comment (a plain [`Change::SetComment`]).
//! - A rule naming an object that the plan drops or changes under it (a column dropped or
//!   changing type, a view or function re-created, a table dropped) is dropped before and
//!   created again after it: PostgreSQL refuses to change what a rule uses.
//! - Rules of a dropped table or view go with it (no step of their own), unless they name
//!   another relation (then they are dropped first, so that it can go in any order).

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::{quote_ident, Catalog, ObjectId, RewriteRule, TriggerEnabled};

/// One difference in rewrite rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule_change", rename_all = "snake_case")]
pub enum RewriteRuleChange {
    /// `CREATE RULE` (the enabled state and the comment follow as changes of their own).
    Create {
        rule: RewriteRule,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    Drop {
        rule: RewriteRule,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `CREATE OR REPLACE RULE`: what the rule does changes, in place.
    Replace { from: RewriteRule, to: RewriteRule },
    /// `ALTER TABLE … ENABLE/DISABLE [REPLICA|ALWAYS] RULE`: `rule` holds the new state.
    SetEnabled {
        rule: RewriteRule,
        from: TriggerEnabled,
    },
}

impl RewriteRuleChange {
    pub fn object(&self) -> ObjectId {
        match self {
            RewriteRuleChange::Create { rule, .. }
            | RewriteRuleChange::Drop { rule, .. }
            | RewriteRuleChange::SetEnabled { rule, .. }
            | RewriteRuleChange::Replace { to: rule, .. } => rule.id(),
        }
    }
}

/// The definition alone (what `CREATE OR REPLACE RULE` sets).
fn definition(r: &RewriteRule) -> RewriteRule {
    RewriteRule {
        enabled: TriggerEnabled::Origin,
        comment: None,
        ..r.clone()
    }
}

/// What the changes in `out` drop or change under a rule, with the reason.
fn removed_by(out: &[Change]) -> Vec<(ObjectId, String)> {
    let mut v = Vec::new();
    for c in out {
        let why = match c {
            Change::DropTable { table } => format!("table {} is dropped", table.name),
            Change::DropColumn { table, column, .. } => {
                format!("column {table}.{} is dropped", quote_ident(&column.name))
            }
            Change::AlterColumnType { table, column, .. } => {
                format!("column {table}.{} changes type", quote_ident(column))
            }
            Change::DropSequence { sequence } => format!("sequence {} is dropped", sequence.name),
            Change::Routine {
                routine: RoutineChange::DropView { view, recreate },
            } => match recreate {
                Some(why) => format!("view {} is re-created ({why})", view.name),
                None => format!("view {} is dropped", view.name),
            },
            Change::Routine {
                routine: RoutineChange::DropFunction { function, .. },
            } => format!(
                "function {} is dropped and created again",
                function.signature()
            ),
            _ => continue,
        };
        v.push((c.object(), why));
    }
    v
}

/// Why `r0` must be dropped (and created again if it stays) although its definition may
/// stay, if it must.
fn dependency_change(
    from: &Catalog,
    r0: &RewriteRule,
    removed: &[(ObjectId, String)],
) -> Option<String> {
    if removed.is_empty() {
        return None;
    }
    let deps = from.dependencies(&r0.id());
    removed
        .iter()
        .find(|(o, _)| deps.contains(o))
        .map(|(_, why)| why.clone())
}

/// The changes in rewrite rules that turn `from` into `to`, appended to `out` (which
/// holds the changes of the other families already: a rule is dropped around them).
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    if from.rewrite_rules.is_empty() && to.rewrite_rules.is_empty() {
        return;
    }
    let relation_in_to =
        |q: &shale_model::QualName| to.tables.contains_key(q) || to.views.contains_key(q);
    let removed = removed_by(out);
    let mut changes = Vec::new();
    let push = |changes: &mut Vec<Change>, c: RewriteRuleChange| {
        changes.push(Change::RewriteRule { rule_change: c });
    };
    let mut recreated = Vec::new();
    for (key, r0) in &from.rewrite_rules {
        let stays = to.rewrite_rules.contains_key(key);
        if !relation_in_to(&r0.table) {
            // Goes with its relation, unless it names another one (dropped first then).
            if !r0.refs().iter().any(|q| **q != r0.table) {
                continue;
            }
        }
        let why = dependency_change(from, r0, &removed);
        if !stays || !relation_in_to(&r0.table) {
            push(
                &mut changes,
                RewriteRuleChange::Drop {
                    rule: r0.clone(),
                    recreate: None,
                },
            );
        } else if let Some(why) = why {
            recreated.push((key.clone(), why.clone()));
            push(
                &mut changes,
                RewriteRuleChange::Drop {
                    rule: r0.clone(),
                    recreate: Some(why),
                },
            );
        }
    }
    for (key, r1) in &to.rewrite_rules {
        let object = r1.id();
        let again = recreated.iter().find(|(k, _)| k == key).map(|(_, w)| w);
        let old = from
            .rewrite_rules
            .get(key)
            .filter(|_| again.is_none() && from_relation_kept(from, to, key));
        match old {
            Some(r0) => {
                if definition(r0) != definition(r1) {
                    push(
                        &mut changes,
                        RewriteRuleChange::Replace {
                            from: r0.clone(),
                            to: r1.clone(),
                        },
                    );
                }
                if r0.enabled != r1.enabled {
                    push(
                        &mut changes,
                        RewriteRuleChange::SetEnabled {
                            rule: r1.clone(),
                            from: r0.enabled,
                        },
                    );
                }
                if r0.comment != r1.comment {
                    changes.push(Change::SetComment {
                        object,
                        from: r0.comment.clone(),
                        to: r1.comment.clone(),
                    });
                }
            }
            None => {
                push(
                    &mut changes,
                    RewriteRuleChange::Create {
                        rule: definition(r1),
                        recreate: again.cloned(),
                    },
                );
                if r1.enabled != TriggerEnabled::Origin {
                    push(
                        &mut changes,
                        RewriteRuleChange::SetEnabled {
                            rule: r1.clone(),
                            from: TriggerEnabled::Origin,
                        },
                    );
                }
                if r1.comment.is_some() {
                    changes.push(Change::SetComment {
                        object,
                        from: None,
                        to: r1.comment.clone(),
                    });
                }
            }
        }
    }
    out.extend(changes);
}

/// The rule's relation exists on both sides and the plan does not drop it (a view or
/// table dropped and created again takes its rules with it).
fn from_relation_kept(from: &Catalog, to: &Catalog, key: &(shale_model::QualName, String)) -> bool {
    let q = &key.0;
    (from.tables.contains_key(q) && to.tables.contains_key(q))
        || (from.views.contains_key(q) && to.views.contains_key(q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{Column, Expr, QualName, RuleEvent, Schema, Table, TypeRef};

    fn cat() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let mut t = Table::new(QualName::new("public", "t"));
        t.columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        c.tables.insert(t.name.clone(), t);
        let mut log = Table::new(QualName::new("public", "log"));
        log.columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        c.tables.insert(log.name.clone(), log);
        c
    }

    fn rule(actions: &[&str]) -> RewriteRule {
        RewriteRule {
            table: QualName::new("public", "t"),
            name: "r".into(),
            event: RuleEvent::Insert,
            instead: false,
            condition: None,
            actions: actions
                .iter()
                .map(|a| Expr {
                    sql: a.to_string(),
                    canon: a.to_string(),
                    refs: vec![QualName::new("public", "log")],
                })
                .collect(),
            enabled: TriggerEnabled::Origin,
            comment: None,
        }
    }

    fn kinds(from: &Catalog, to: &Catalog) -> Vec<String> {
        let mut out = crate::diff(from, to);
        out.retain(|c| matches!(c.object(), ObjectId::Rule { .. }));
        out.iter()
            .map(|c| match c {
                Change::RewriteRule { rule_change } => serde_json::to_value(rule_change).unwrap()
                    ["rule_change"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                Change::SetComment { .. } => "comment".into(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn created_replaced_enabled_commented_and_dropped() {
        let from = cat();
        let mut to = cat();
        let mut r = rule(&["INSERT INTO public.log (a) VALUES (new.a)"]);
        r.enabled = TriggerEnabled::Disabled;
        r.comment = Some("c".into());
        to.rewrite_rules.insert(r.key(), r.clone());
        assert_eq!(kinds(&from, &to), ["create", "set_enabled", "comment"]);
        assert_eq!(kinds(&to, &from), ["drop"]);
        assert!(kinds(&to, &to).is_empty());
        let mut to2 = to.clone();
        let r2 = to2.rewrite_rules.values_mut().next().unwrap();
        r2.actions.clear();
        r2.instead = true;
        r2.enabled = TriggerEnabled::Origin;
        assert_eq!(kinds(&to, &to2), ["replace", "set_enabled"]);
    }

    #[test]
    fn dropped_around_a_column_type_change_and_with_its_table() {
        let mut from = cat();
        let r = rule(&["INSERT INTO public.log (a) VALUES (new.a)"]);
        from.rewrite_rules.insert(r.key(), r.clone());
        let mut to = from.clone();
        to.tables
            .get_mut(&QualName::new("public", "log"))
            .unwrap()
            .columns[0]
            .ty = TypeRef::builtin("bigint");
        assert_eq!(kinds(&from, &to), ["drop", "create"]);
        // Its table dropped: the rule names another table, so it is dropped first.
        let mut gone = cat();
        gone.tables.remove(&QualName::new("public", "t"));
        assert_eq!(kinds(&from, &gone), ["drop"]);
        // A rule naming only its own table goes with it.
        let mut alone = cat();
        let mut r = rule(&[]);
        r.instead = true;
        alone.rewrite_rules.insert(r.key(), r);
        assert!(kinds(&alone, &gone).is_empty());
    }
}
