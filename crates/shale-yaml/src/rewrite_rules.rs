//! Rewrite rules in YAML: the `rules:` key of a table or view, rendered to `CREATE
//! RULE` (docs/YAML.md):
//!
//! ```yaml
//! tables:
//!   app.accounts:
//!     rules:
//!       log_balance:                     # the rule's name
//!         event: update                  # insert | update | delete
//!         where: new.balance <> old.balance
//!         actions:                       # the commands, in order; none: DO NOTHING
//!           - INSERT INTO app.audit VALUES (new.id, old.balance, new.balance)
//!         instead: false                 # DO INSTEAD (default: ALSO)
//!         enabled: disabled              # origin (default) | disabled | replica | always
//!         comment: audit trail
//! ```
//!
//! `ON SELECT` rules are views' own (a view is its `_RETURN` rule): write a view.

use crate::doc::OneOrMany;
use crate::{sqlcheck, YamlError};
use serde::Deserialize;
use shale_model::{quote_ident, QualName};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// `insert`, `update` or `delete`.
    pub event: String,
    #[serde(default)]
    pub instead: bool,
    /// The condition (`WHERE`), an SQL expression that may name `old` and `new`.
    #[serde(default, rename = "where")]
    pub condition: Option<String>,
    /// The commands (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `NOTIFY`), one or a list;
    /// none: `DO NOTHING`.
    #[serde(default)]
    pub actions: Option<OneOrMany>,
    /// `origin` (default), `disabled`, `replica` or `always`.
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `CREATE RULE …` on `table`, and the `ALTER TABLE … RULE` of its `enabled:` state.
pub(crate) fn stmts(
    file: &str,
    obj: &str,
    table: &QualName,
    name: &str,
    r: &RuleDoc,
) -> Result<Vec<String>, YamlError> {
    let err = |m: String| YamlError::object(file, obj, m);
    let event = match r.event.trim().to_ascii_lowercase().as_str() {
        "insert" => "INSERT",
        "update" => "UPDATE",
        "delete" => "DELETE",
        "select" => {
            return Err(err(
                "an ON SELECT rule is a view's own: write the view".into()
            ))
        }
        _ => {
            return Err(err(format!(
                "unknown event `{}`, expected insert, update or delete",
                r.event
            )))
        }
    };
    let mut sql = format!("CREATE RULE {} AS ON {event} TO {table}", quote_ident(name));
    if let Some(c) = &r.condition {
        sqlcheck::check_expr(c).map_err(|m| err(format!("where: {m}")))?;
        sql.push_str(&format!(" WHERE {}", c.trim()));
    }
    sql.push_str(if r.instead {
        " DO INSTEAD "
    } else {
        " DO ALSO "
    });
    let mut actions = Vec::new();
    for a in r.actions.iter().flat_map(|a| a.0.iter()) {
        let a = a.trim().trim_end_matches(';').trim_end();
        if a.is_empty() {
            return Err(err(
                "an empty action: leave `actions` out for DO NOTHING".into()
            ));
        }
        sqlcheck::check_statement(a).map_err(|m| err(format!("action `{a}`: {m}")))?;
        actions.push(a.to_string());
    }
    match actions.as_slice() {
        [] => sql.push_str("NOTHING"),
        [one] => sql.push_str(one),
        many => sql.push_str(&format!("({})", many.join("; "))),
    }
    sql.push(';');
    let mut out = vec![sql];
    if let Some(s) = crate::render::trigger_state(r.enabled.as_deref()).map_err(err)? {
        out.push(format!(
            "ALTER TABLE {table} {s} RULE {};",
            quote_ident(name)
        ));
    }
    Ok(out)
}
