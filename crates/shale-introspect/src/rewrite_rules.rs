//! Rewrite rules, read from `pg_rewrite`: the definition as `pg_get_ruledef` prints it
//! (replayed through the SQL front end, so that conditions and actions meet the files'
//! exactly), `ev_enabled` and the comment. A view's `_RETURN` rule is the view; rules of
//! an extension's relations, and rules an extension owns, are the extension's.

use crate::routines::{read_relation_objects, RelationObjectRow, RelationObjects};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, Unmodeled};

pub(crate) type RuleRow = RelationObjectRow;

/// Run the query (inside the introspection transaction): the one of triggers, on
/// `pg_rewrite`.
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<RuleRow>, IntrospectError> {
    read_relation_objects(
        tx,
        &RelationObjects {
            what: "rewrite rules",
            catalog: "pg_rewrite",
            relation: "ev_class",
            name: "rulename",
            def: "pg_get_ruledef",
            enabled: "ev_enabled",
            filter: "x.rulename <> '_RETURN'",
        },
    )
}

/// Replay the definitions on top of `cat` (tables, views and functions read already:
/// actions name them); one the front end cannot read is reported as unmodelled with the
/// reason.
pub(crate) fn assemble(cat: Catalog, rows: Vec<RuleRow>) -> Catalog {
    if rows.is_empty() {
        return cat;
    }
    let mut r = shale_sql::Replay::new(cat);
    let mut failed = Vec::new();
    for row in &rows {
        let object = format!(
            "rule {} on {}",
            shale_model::quote_ident(&row.name),
            row.table
        );
        if let Err(e) = r.statement(&object, &row.def) {
            failed.push(Unmodeled {
                kind: format!("rule (not understood: {})", e.message),
                name: format!("{} on {}", shale_model::quote_ident(&row.name), row.table),
                location: None,
            });
        }
    }
    let mut cat = r.finish();
    for row in rows {
        if let Some(x) = cat.rewrite_rules.get_mut(&(row.table, row.name)) {
            x.enabled = crate::routines::enabled(&row.enabled);
            x.comment = row.comment;
        }
    }
    cat.unmodeled.extend(failed);
    cat.unmodeled.sort();
    cat
}
