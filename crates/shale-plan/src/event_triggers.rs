//! Steps for event triggers (rules `SH150`–`SH154`).
//!
//! An event trigger fires on the DDL of the whole database — the plan's own steps too.
//! So the plan drops (and disables) event triggers before its other steps, and creates
//! (and enables) them after all of them ([`order_around_other_steps`]): a new audit or
//! guard trigger does not see, or block, the migration that installs it. The function an
//! event trigger executes is created before it and dropped after it (the model's
//! dependencies).

use crate::build::{deps, object_name, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::event_triggers::EventTriggerChange;
use shale_model::{quote_ident, quote_literal, EventTrigger, ObjectId, TriggerEnabled};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 0;
    pub const CREATE: u8 = 21;
}

/// `public.f() (on ddl_command_end for CREATE TABLE, DROP TABLE)`.
fn what_it_runs(e: &EventTrigger) -> String {
    let mut s = format!("{}() (on {}", e.function, e.event);
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| quote_literal(t)).collect();
        s.push_str(&format!(" for {}", tags.join(", ")));
    }
    s.push(')');
    s
}

fn enabled_verb(to: TriggerEnabled) -> &'static str {
    match to {
        TriggerEnabled::Origin => "enables",
        TriggerEnabled::Disabled => "disables",
        TriggerEnabled::Replica => "makes replica-only",
        TriggerEnabled::Always => "makes always-firing",
    }
}

impl Builder<'_> {
    pub(crate) fn event_trigger(&mut self, c: &EventTriggerChange) {
        let object = c.object();
        match c {
            EventTriggerChange::Create {
                event_trigger,
                recreate,
            } => {
                let mut risk = self.risk(RuleId::CreateEventTrigger, &object, |v| {
                    v.detail = what_it_runs(event_trigger)
                });
                if let Some(why) = recreate {
                    let name = object_name(&object);
                    risk.reason = risk.reason.replacen(
                        &format!("creates event trigger {name}"),
                        &format!("creates event trigger {name} again (dropped because {why})"),
                        1,
                    );
                }
                let mut d = Draft::new(
                    object.clone(),
                    Action::Create,
                    event_trigger.create_sql(),
                    risk,
                    rank::CREATE,
                );
                d.needs = deps(self.to, &object);
                d.creates = vec![object];
                self.push(d);
            }
            EventTriggerChange::Drop {
                event_trigger,
                recreate,
            } => {
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreateEventTrigger, &object, |v| {
                        v.detail = why.clone()
                    }),
                    None => self.risk(RuleId::DropEventTrigger, &object, |v| {
                        v.detail = format!(" ({})", event_trigger.event)
                    }),
                };
                let d = self.drop(
                    vec![object],
                    format!("DROP EVENT TRIGGER {}", quote_ident(&event_trigger.name)),
                    risk,
                    rank::DROP,
                );
                self.push(d);
            }
            EventTriggerChange::SetEnabled {
                event_trigger,
                from: _,
            } => {
                let risk = self.risk(RuleId::SetEventTriggerEnabled, &object, |v| {
                    v.detail = enabled_verb(event_trigger.enabled).to_string()
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    event_trigger.enabled_sql(),
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

/// Whether a step on an event trigger runs before the plan's other steps (drops, and
/// disabling one that exists already) rather than after them.
fn runs_first(d: &Draft, created: &[ObjectId]) -> bool {
    d.action == Action::Drop
        || (d.action == Action::Alter
            && d.sql.ends_with(" DISABLE")
            && !created.contains(&d.object))
}

/// Steps on event triggers that stop them firing run before every other step, and steps
/// that make them fire run after every other step (called once all drafts exist).
pub(crate) fn order_around_other_steps(b: &mut Builder) {
    let is_et = |d: &Draft| matches!(d.object, ObjectId::EventTrigger { .. });
    let created: Vec<ObjectId> = b
        .out
        .iter()
        .filter(|d| is_et(d) && d.action == Action::Create)
        .map(|d| d.object.clone())
        .collect();
    let first: Vec<usize> = (0..b.out.len())
        .filter(|&i| is_et(&b.out[i]) && runs_first(&b.out[i], &created))
        .collect();
    // Steps that need an event trigger (its owner, default privileges that wait for every
    // object) follow it anyway; the others are the plan's steps it must not see.
    let needs_et = |d: &Draft| {
        d.needs
            .iter()
            .any(|n| matches!(n, ObjectId::EventTrigger { .. }))
    };
    let is_other: Vec<bool> = b.out.iter().map(|d| !is_et(d) && !needs_et(d)).collect();
    let others: Vec<usize> = (0..b.out.len()).filter(|&i| is_other[i]).collect();
    if !b.out.iter().any(is_et) {
        return;
    }
    for (i, d) in b.out.iter_mut().enumerate() {
        if is_other[i] {
            d.after.extend(first.iter().copied());
        } else if !first.contains(&i) {
            d.after.extend(others.iter().copied());
        }
        d.after.sort_unstable();
        d.after.dedup();
    }
}

#[cfg(test)]
mod tests {
    use crate::{plan, PlanOptions};

    fn cat(sql: &str) -> shale_model::Catalog {
        shale_sql::parse_sources(&[shale_sql::SourceFile {
            path: "s.sql".into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const F: &str =
        "CREATE FUNCTION f() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n";

    #[test]
    fn steps_that_need_a_new_event_trigger_follow_it_without_a_cycle() {
        let from = cat("CREATE TABLE a (id int);");
        let text = format!(
            "{F}CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n\
             CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f();\n\
             ALTER EVENT TRIGGER e OWNER TO postgres;\n\
             ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;"
        );
        let files = [shale_sql::SourceFile {
            path: "s.sql".into(),
            text,
        }];
        let mut to = shale_sql::parse_sources(&files).unwrap();
        shale_sql::read_owners(&files, &mut to).unwrap();
        let p = plan(&from, &to, &PlanOptions::default()).unwrap();
        let pos = |sql: &str| {
            p.steps
                .iter()
                .position(|s| s.sql.starts_with(sql))
                .unwrap_or_else(|| panic!("no step {sql}:\n{}", crate::render::text(&p)))
        };
        assert!(pos("CREATE TABLE public.b") < pos("CREATE EVENT TRIGGER e"));
        assert!(pos("CREATE EVENT TRIGGER e") < pos("ALTER EVENT TRIGGER e OWNER TO postgres"));
        assert!(pos("CREATE EVENT TRIGGER e") < pos("ALTER DEFAULT PRIVILEGES"));
    }

    #[test]
    fn drops_and_disables_run_first_creates_and_enables_last() {
        let from = cat(&format!(
            "{F}CREATE TABLE a (id int);\n\
             CREATE EVENT TRIGGER old ON sql_drop EXECUTE FUNCTION f();\n\
             CREATE EVENT TRIGGER off ON ddl_command_start EXECUTE FUNCTION f();\n\
             CREATE EVENT TRIGGER on_again ON ddl_command_start EXECUTE FUNCTION f();\n\
             ALTER EVENT TRIGGER on_again DISABLE;"
        ));
        let to = cat(&format!(
            "{F}CREATE TABLE b (id int PRIMARY KEY);\nCREATE INDEX b_idx ON b (id);\n\
             CREATE FUNCTION g() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n\
             CREATE EVENT TRIGGER new ON ddl_command_end EXECUTE FUNCTION g();\n\
             CREATE EVENT TRIGGER off ON ddl_command_start EXECUTE FUNCTION f();\n\
             ALTER EVENT TRIGGER off DISABLE;\n\
             CREATE EVENT TRIGGER on_again ON ddl_command_start EXECUTE FUNCTION f();"
        ));
        let p = plan(&from, &to, &PlanOptions::default()).unwrap();
        let pos = |sql: &str| {
            p.steps
                .iter()
                .position(|s| s.sql.starts_with(sql))
                .unwrap_or_else(|| panic!("no step {sql}:\n{}", crate::render::text(&p)))
        };
        let others: Vec<usize> = p
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.sql.contains("EVENT TRIGGER"))
            .map(|(i, _)| i)
            .collect();
        assert!(others.len() >= 4, "{}", crate::render::text(&p));
        for first in ["DROP EVENT TRIGGER old", "ALTER EVENT TRIGGER off DISABLE"] {
            assert!(others.iter().all(|&o| pos(first) < o), "{first}");
        }
        for last in [
            "CREATE EVENT TRIGGER new",
            "ALTER EVENT TRIGGER on_again ENABLE",
        ] {
            assert!(others.iter().all(|&o| pos(last) > o), "{last}");
        }
        // The new trigger's function exists before it.
        assert!(pos("CREATE FUNCTION public.g()") < pos("CREATE EVENT TRIGGER new"));
        let step = &p.steps[pos("CREATE EVENT TRIGGER new")];
        assert_eq!(step.risk.code, "SH150");
        assert!(step.risk.reason.contains("blocks all matching DDL"));
        assert_eq!(
            step.approval_key(),
            "create:event-trigger:new",
            "approval keys name event triggers"
        );
    }
}
