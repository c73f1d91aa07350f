//! Steps for rewrite rules (rules `SH330`–`SH334`).
//!
//! A rule changes what writes to its table or view do (an `INSTEAD` rule replaces them,
//! an `ALSO` rule adds commands to them), so creating, replacing, dropping or disabling
//! one is Medium: the application's writes behave differently from the next statement
//! on. `CREATE [OR REPLACE] RULE` and `DROP RULE` take `ACCESS EXCLUSIVE` on the
//! relation (brief); `ENABLE/DISABLE RULE` takes `SHARE ROW EXCLUSIVE`. A rule is created
//! after its relation and everything its condition and actions name, and dropped before
//! them (the model's dependencies).

use crate::build::{Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::rewrite_rules::RewriteRuleChange;
use shale_model::{ObjectId, RewriteRule, TriggerEnabled};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 0;
    pub const CREATE: u8 = 20;
}

/// What the rule does to writes, for the reasons: `UPDATEs of public.t (those its
/// condition matches) also run 1 command`.
fn effect(r: &RewriteRule) -> String {
    let on = format!("{}s of {}", r.event.sql(), r.table);
    let cond = if r.condition.is_some() {
        " (those its condition matches)"
    } else {
        ""
    };
    let n = r.actions.len();
    let commands = format!("{n} command{}", if n == 1 { "" } else { "s" });
    match (r.instead, n) {
        (true, 0) => format!("{on}{cond} are discarded: DO INSTEAD NOTHING"),
        (true, _) => format!("{on}{cond} run its {commands} instead"),
        (false, 0) => format!("{on}{cond} are unchanged: DO ALSO NOTHING"),
        (false, _) => format!("{on}{cond} also run its {commands}"),
    }
}

impl Builder<'_> {
    pub(crate) fn rewrite_rule(&mut self, c: &RewriteRuleChange) {
        let object = c.object();
        match c {
            RewriteRuleChange::Create { rule, recreate } => {
                let mut risk = self.risk(RuleId::CreateRule, &object, |v| {
                    v.table = rule.table.to_string();
                    v.detail = effect(rule);
                });
                if let Some(why) = recreate {
                    risk.reason = format!("{} (created again: dropped because {why})", risk.reason);
                }
                let d = self.create(
                    object,
                    Action::Create,
                    rule.create_sql(false),
                    risk,
                    rank::CREATE,
                );
                self.push(d);
            }
            RewriteRuleChange::Drop { rule, recreate } => {
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreateRule, &object, |v| {
                        v.table = rule.table.to_string();
                        v.detail = why.clone();
                    }),
                    None => self.risk(RuleId::DropRule, &object, |v| {
                        v.table = rule.table.to_string();
                        v.detail = effect(rule);
                    }),
                };
                let d = self.drop(vec![object.clone()], rule.drop_sql(), risk, rank::DROP);
                self.push(d);
                // Columns of the tables it names change only once it is gone.
                let tables: Vec<_> = std::iter::once(&rule.table)
                    .chain(rule.refs())
                    .cloned()
                    .collect();
                for d in self.out.iter_mut() {
                    if let ObjectId::Column { table, .. } = &d.object {
                        if d.action == Action::Alter
                            && tables.contains(table)
                            && !d.after_drops_of.contains(&object)
                        {
                            d.after_drops_of.push(object.clone());
                        }
                    }
                }
            }
            RewriteRuleChange::Replace { from, to } => {
                let risk = self.risk(RuleId::ReplaceRule, &object, |v| {
                    v.table = to.table.to_string();
                    v.detail = format!("{}; before, {}", effect(to), effect(from));
                });
                let d = self.create(
                    object,
                    Action::Alter,
                    to.create_sql(true),
                    risk,
                    rank::CREATE,
                );
                self.push(d);
            }
            RewriteRuleChange::SetEnabled { rule, from } => {
                let verb = match (from, rule.enabled) {
                    (_, TriggerEnabled::Disabled) => "disables",
                    (TriggerEnabled::Disabled, TriggerEnabled::Origin) => "enables",
                    (_, TriggerEnabled::Origin) => "makes origin-only",
                    (_, TriggerEnabled::Replica) => "makes replica-only",
                    (_, TriggerEnabled::Always) => "makes always-firing",
                };
                let risk = self.risk(RuleId::SetRuleEnabled, &object, |v| {
                    v.table = rule.table.to_string();
                    v.detail = verb.to_string();
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    rule.enabled_sql(),
                    risk,
                    rank::CREATE,
                );
                d.needs = vec![object.clone()];
                d.creates = vec![object];
                self.push(d);
            }
        }
    }
}
