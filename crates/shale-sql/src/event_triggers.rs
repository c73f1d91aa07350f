//! Event triggers in the SQL front end: `CREATE EVENT TRIGGER`, `ALTER EVENT TRIGGER …
//! ENABLE/DISABLE/RENAME`, `COMMENT ON EVENT TRIGGER`, `DROP EVENT TRIGGER`, and what a
//! `DROP FUNCTION` or `DROP SCHEMA … CASCADE` does to the event triggers using a function.
//!
//! This module is a child of `parse` (it extends its `Builder`). Checks follow
//! PostgreSQL's (`commands/event_trigger.c`) where the files alone can tell: the event
//! name, the only filter variable (`tag`, once), tags PostgreSQL never accepts, and the
//! function (no arguments, returning `event_trigger`). Whether a tag names a real
//! command is left to the server (its list changes between versions).

use super::*;
use shale_model::{EventTrigger, EventTriggerEvent, TriggerEnabled};

/// Tags whose commands never fire event triggers (objects global to the cluster, and
/// event triggers themselves): PostgreSQL refuses them in `WHEN TAG IN`.
const REFUSED_TAG_SUFFIXES: &[&str] = &[
    "EVENT TRIGGER",
    "DATABASE",
    "ROLE",
    "TABLESPACE",
    "USER",
    "GROUP",
];

/// The only commands that can rewrite a table (`table_rewrite` filters).
const TABLE_REWRITE_TAGS: &[&str] = &["ALTER MATERIALIZED VIEW", "ALTER TABLE", "ALTER TYPE"];

impl Builder {
    pub(super) fn create_event_trigger(&mut self, s: &protobuf::CreateEventTrigStmt) -> R<()> {
        let event = EventTriggerEvent::from_sql(&s.eventname)
            .ok_or_else(|| at(-1)(format!("unrecognized event name \"{}\"", s.eventname)))?;
        if self.cat.event_triggers.contains_key(&s.trigname) {
            return err(
                -1,
                format!("event trigger \"{}\" already exists", s.trigname),
            );
        }
        let mut tags: Option<Vec<String>> = None;
        for w in &s.whenclause {
            let Some(NodeEnum::DefElem(d)) = w.node.as_ref() else {
                return err(-1, "unsupported WHEN clause of an event trigger");
            };
            if d.defname != "tag" {
                return err(
                    d.location,
                    format!("unrecognized filter variable \"{}\"", d.defname),
                );
            }
            if tags.is_some() {
                return err(
                    d.location,
                    "filter variable \"tag\" specified more than once",
                );
            }
            let values = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => return err(d.location, "WHEN TAG IN expects a list of strings"),
            };
            let mut list = Vec::new();
            for v in values {
                let tag = v.to_ascii_uppercase();
                let refused = REFUSED_TAG_SUFFIXES
                    .iter()
                    .any(|suffix| tag.ends_with(&format!(" {suffix}")));
                let rewrite_ok = TABLE_REWRITE_TAGS.contains(&tag.as_str());
                if refused || (event == EventTriggerEvent::TableRewrite && !rewrite_ok) {
                    return err(
                        d.location,
                        format!("event triggers are not supported for {v}"),
                    );
                }
                list.push(tag);
            }
            tags = Some(list);
        }
        let tags = tags.unwrap_or_default();
        if event == EventTriggerEvent::Login && !tags.is_empty() {
            return err(
                -1,
                "tag filtering is not supported for login event triggers",
            );
        }
        let function = self.event_trigger_function(&strings(&s.funcname))?;
        self.cat.event_triggers.insert(
            s.trigname.clone(),
            EventTrigger {
                name: s.trigname.clone(),
                event,
                tags,
                function,
                enabled: TriggerEnabled::Origin,
                comment: None,
            },
        );
        Ok(())
    }

    /// The function an event trigger executes: a function of the files without arguments
    /// that returns `event_trigger`, or one of an extension installed in the schema named
    /// (or, unqualified, on the search path).
    fn event_trigger_function(&self, names: &[String]) -> R<QualName> {
        let (schema, name) = match names {
            [n] => (None, n.clone()),
            [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
            _ => return err(-1, "improper function name"),
        };
        let schemas = match &schema {
            Some(s) => vec![s.clone()],
            None => self.path(),
        };
        for s in &schemas {
            let q = QualName::new(s.clone(), name.clone());
            if let Some(f) = self.cat.functions.get(&format!("{q}()")) {
                let returns = f
                    .returns
                    .as_ref()
                    .filter(|r| r.schema.is_none() && !f.returns_set);
                if returns.is_none_or(|r| r.name != "event_trigger") {
                    return err(-1, format!("function {q}() must return type event_trigger"));
                }
                return Ok(q);
            }
            if self.cat.extensions.values().any(|e| &e.schema == s) {
                return Ok(q);
            }
        }
        err(-1, format!("function {}() does not exist", names.join(".")))
    }

    /// `ALTER EVENT TRIGGER … ENABLE [REPLICA | ALWAYS] | DISABLE`.
    pub(super) fn alter_event_trigger(&mut self, s: &protobuf::AlterEventTrigStmt) -> R<()> {
        let enabled = match s.tgenabled.as_str() {
            "O" => TriggerEnabled::Origin,
            "D" => TriggerEnabled::Disabled,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            other => return err(-1, format!("unsupported event trigger state \"{other}\"")),
        };
        self.event_trigger_mut(&s.trigname)?.enabled = enabled;
        Ok(())
    }

    fn event_trigger_mut(&mut self, name: &str) -> R<&mut EventTrigger> {
        self.cat
            .event_triggers
            .get_mut(name)
            .ok_or_else(|| at(-1)(format!("event trigger \"{name}\" does not exist")))
    }

    /// `ALTER EVENT TRIGGER … RENAME TO …`.
    pub(super) fn is_event_trigger_rename(s: &protobuf::RenameStmt) -> bool {
        s.rename_type == ObjectType::ObjectEventTrigger as i32
    }

    pub(super) fn rename_event_trigger(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let old = names_of_node(s.object.as_deref());
        if self.cat.event_triggers.contains_key(&s.newname) {
            return err(
                -1,
                format!("event trigger \"{}\" already exists", s.newname),
            );
        }
        let mut e = self.event_trigger_mut(&old)?.clone();
        self.cat.event_triggers.remove(&old);
        e.name = s.newname.clone();
        self.cat.event_triggers.insert(e.name.clone(), e);
        Ok(())
    }

    pub(super) fn is_event_trigger_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectEventTrigger as i32
    }

    pub(super) fn event_trigger_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let name = names_of_node(s.object.as_deref());
        self.event_trigger_mut(&name)?.comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        Ok(())
    }

    pub(super) fn is_event_trigger_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectEventTrigger as i32
    }

    pub(super) fn drop_event_trigger(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let name = names_of_node(Some(o));
            if self.cat.event_triggers.remove(&name).is_none() && !s.missing_ok {
                return err(-1, format!("event trigger \"{name}\" does not exist"));
            }
        }
        Ok(())
    }

    /// Before a `DROP FUNCTION`: an event trigger executing a dropped function is an error
    /// without `CASCADE`, and goes with it with `CASCADE`.
    pub(super) fn drop_event_trigger_functions(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let kind = ObjectType::try_from(s.remove_type).unwrap_or(ObjectType::Undefined);
        if !matches!(kind, ObjectType::ObjectFunction | ObjectType::ObjectRoutine)
            || self.cat.event_triggers.is_empty()
        {
            return Ok(());
        }
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        for o in &s.objects {
            let Some(NodeEnum::ObjectWithArgs(owa)) = o.node.as_ref() else {
                continue;
            };
            // Event trigger functions take no arguments.
            if !owa.args_unspecified && !owa.objargs.is_empty() {
                continue;
            }
            let names = strings(&owa.objname);
            let Ok(function) = self.event_trigger_function(&names) else {
                continue;
            };
            if !self.cat.functions.contains_key(&format!("{function}()")) {
                continue;
            }
            let users: Vec<String> = self
                .cat
                .event_triggers
                .values()
                .filter(|e| e.function == function)
                .map(|e| e.name.clone())
                .collect();
            if let Some(first) = users.first() {
                if !cascade {
                    return err(
                        -1,
                        format!(
                            "cannot drop function {function}() because event trigger {} depends on it (use CASCADE)",
                            quote_ident(first)
                        ),
                    );
                }
            }
            for u in users {
                self.cat.event_triggers.remove(&u);
            }
        }
        Ok(())
    }

    /// After a statement: event triggers whose function's schema is gone (a `DROP SCHEMA
    /// … CASCADE`) went with it.
    pub(super) fn prune_event_triggers(&mut self) {
        let schemas = &self.cat.schemas;
        self.cat.event_triggers.retain(|_, e| {
            e.function.schema == "pg_catalog" || schemas.contains_key(&e.function.schema)
        });
    }
}

/// The name an event trigger statement names (a `String` node).
fn names_of_node(n: Option<&Node>) -> String {
    match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::String(s)) => s.sval.clone(),
        Some(NodeEnum::List(l)) => strings(&l.items).join("."),
        _ => String::new(),
    }
}
