//! `rules:` of a table or view in a YAML export (keys in `crate::rewrite_rules`).

use super::families::text_value;
use super::{scalar, Out};
use shale_model::{Catalog, QualName, RuleEvent};

/// The rules on `table`, under its entry.
pub(super) fn write_rules(out: &mut Out, cat: &Catalog, table: &QualName) {
    let rules: Vec<_> = cat
        .rewrite_rules
        .values()
        .filter(|r| &r.table == table)
        .collect();
    if rules.is_empty() {
        return;
    }
    out.line(2, "rules:");
    for r in rules {
        out.line(3, &format!("{}:", scalar(&r.name)));
        let event = match r.event {
            RuleEvent::Select => "select",
            RuleEvent::Insert => "insert",
            RuleEvent::Update => "update",
            RuleEvent::Delete => "delete",
        };
        out.kv(4, "event", event);
        if let Some(c) = &r.condition {
            out.kv(4, "where", &text_value(4, &c.sql));
        }
        match r.actions.as_slice() {
            [] => {}
            [one] => out.kv(4, "actions", &text_value(4, &one.sql)),
            many => {
                out.line(4, "actions:");
                for a in many {
                    out.line(5, &format!("- {}", scalar(&a.sql)));
                }
            }
        }
        if r.instead {
            out.kv(4, "instead", "true");
        }
        super::families::write_enabled(out, 4, r.enabled);
        if let Some(c) = &r.comment {
            out.kv(4, "comment", &scalar(c));
        }
    }
}
