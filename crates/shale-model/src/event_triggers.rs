//! Event triggers (`CREATE EVENT TRIGGER`): database-wide, not in a schema.
//!
//! Canonical conventions (both front ends follow them):
//! - An event trigger is keyed by its name (case-folded as any identifier).
//! - `tags` is the `WHEN TAG IN (…)` filter exactly as `pg_event_trigger.evttags` stores
//!   it: each tag upper-cased, in the order written, duplicates kept (PostgreSQL keeps
//!   them, and `pg_dump` prints the list in that order). Empty: no filter.
//! - `function` is the schema-qualified name of the function it executes, which takes no
//!   arguments and returns `event_trigger` (its key is `function()`).
//! - `enabled` is `evtenabled` (`O`, `D`, `R`, `A`), the same states as a table trigger's.

use crate::ident::{quote_ident, quote_literal, QualName};
use crate::routines::TriggerEnabled;
use crate::{Catalog, ObjectId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The event an event trigger fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventTriggerEvent {
    DdlCommandStart,
    DdlCommandEnd,
    SqlDrop,
    TableRewrite,
    /// PostgreSQL 17 and later.
    Login,
}

impl EventTriggerEvent {
    /// Every event, as `pg_event_trigger.evtevent` spells it.
    pub const ALL: [EventTriggerEvent; 5] = [
        EventTriggerEvent::DdlCommandStart,
        EventTriggerEvent::DdlCommandEnd,
        EventTriggerEvent::SqlDrop,
        EventTriggerEvent::TableRewrite,
        EventTriggerEvent::Login,
    ];

    /// The event name (`ddl_command_start`).
    pub fn sql(self) -> &'static str {
        match self {
            EventTriggerEvent::DdlCommandStart => "ddl_command_start",
            EventTriggerEvent::DdlCommandEnd => "ddl_command_end",
            EventTriggerEvent::SqlDrop => "sql_drop",
            EventTriggerEvent::TableRewrite => "table_rewrite",
            EventTriggerEvent::Login => "login",
        }
    }

    /// The event named `name` (case-sensitive, as PostgreSQL compares it).
    pub fn from_sql(name: &str) -> Option<EventTriggerEvent> {
        Self::ALL.into_iter().find(|e| e.sql() == name)
    }
}

impl fmt::Display for EventTriggerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql())
    }
}

fn is_origin(e: &TriggerEnabled) -> bool {
    *e == TriggerEnabled::Origin
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    pub name: String,
    pub event: EventTriggerEvent,
    /// `WHEN TAG IN (…)`: upper-cased, in the order written (see the module docs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The function it executes (no arguments, returns `event_trigger`).
    pub function: QualName,
    #[serde(default, skip_serializing_if = "is_origin")]
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl EventTrigger {
    pub fn id(&self) -> ObjectId {
        ObjectId::EventTrigger {
            name: self.name.clone(),
        }
    }

    /// The key of the function it executes in [`Catalog::functions`].
    pub fn function_id(&self) -> ObjectId {
        ObjectId::Function {
            name: self.function.clone(),
            args: String::new(),
        }
    }

    /// `CREATE EVENT TRIGGER …` (enabled; the state and the comment are separate
    /// statements), as `pg_dump` prints it on one line.
    pub fn create_sql(&self) -> String {
        let mut s = format!(
            "CREATE EVENT TRIGGER {} ON {}",
            quote_ident(&self.name),
            self.event.sql()
        );
        if !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|t| quote_literal(t)).collect();
            s.push_str(&format!(" WHEN TAG IN ({})", tags.join(", ")));
        }
        s.push_str(&format!(" EXECUTE FUNCTION {}()", self.function));
        s
    }

    /// `ALTER EVENT TRIGGER … ENABLE/DISABLE/ENABLE REPLICA/ENABLE ALWAYS`.
    pub fn enabled_sql(&self) -> String {
        format!(
            "ALTER EVENT TRIGGER {} {}",
            quote_ident(&self.name),
            self.enabled.sql()
        )
    }
}

impl Catalog {
    /// Dependencies of event triggers (the part of [`Catalog::dependencies`] for them): the
    /// function each executes, when the catalog holds it.
    pub(crate) fn event_trigger_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        if let ObjectId::EventTrigger { name } = id {
            if let Some(e) = self.event_triggers.get(name) {
                let f = e.function_id();
                if self.functions.contains_key(&format!("{}()", e.function)) {
                    out.push(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Function, FunctionBody, TypeRef};

    fn sample() -> EventTrigger {
        EventTrigger {
            name: "Audit DDL".into(),
            event: EventTriggerEvent::DdlCommandEnd,
            tags: vec!["CREATE TABLE".into(), "DROP TABLE".into()],
            function: QualName::new("audit", "log_ddl"),
            enabled: TriggerEnabled::Replica,
            comment: None,
        }
    }

    #[test]
    fn sql_is_what_pg_dump_prints_on_one_line() {
        let e = sample();
        assert_eq!(
            e.create_sql(),
            "CREATE EVENT TRIGGER \"Audit DDL\" ON ddl_command_end \
             WHEN TAG IN ('CREATE TABLE', 'DROP TABLE') EXECUTE FUNCTION audit.log_ddl()"
        );
        assert_eq!(
            e.enabled_sql(),
            "ALTER EVENT TRIGGER \"Audit DDL\" ENABLE REPLICA"
        );
        assert_eq!(e.id().to_string(), "event trigger \"Audit DDL\"");
        assert_eq!(
            EventTriggerEvent::from_sql("sql_drop"),
            Some(EventTriggerEvent::SqlDrop)
        );
        assert_eq!(EventTriggerEvent::from_sql("SQL_DROP"), None);
    }

    #[test]
    fn depends_on_its_function_only_when_the_catalog_holds_it() {
        let mut cat = Catalog::default();
        let e = sample();
        cat.event_triggers.insert(e.name.clone(), e.clone());
        assert!(cat.dependencies(&e.id()).is_empty());
        let f = Function::new(
            QualName::new("audit", "log_ddl"),
            TypeRef::builtin("event_trigger"),
            "plpgsql",
            FunctionBody::Source(crate::Expr {
                sql: "begin end".into(),
                canon: "begin end".into(),
                refs: vec![],
            }),
        );
        cat.functions.insert(f.signature(), f.clone());
        assert_eq!(cat.dependencies(&e.id()), vec![f.id()]);
        assert!(cat.objects().contains(&e.id()));
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
