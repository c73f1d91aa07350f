//! Rewrite rules, read from `pg_rewrite`: the definition as `pg_get_ruledef` prints it
//! (replayed through the SQL front end, so that conditions and actions meet the files'
//! exactly), `ev_enabled` and the comment. A view's `_RETURN` rule is the view; rules of
//! an extension's relations, and rules an extension owns, are the extension's.

use crate::queries::{
    comment, get, not_extension_member, not_member_or_internal, query, user_schema,
};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, QualName, Unmodeled};

pub(crate) struct RuleRow {
    table: QualName,
    name: String,
    def: String,
    enabled: String,
    comment: Option<String>,
}

const WHAT: &str = "rewrite rules";

/// Run the query (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<RuleRow>, IntrospectError> {
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS table_name, \
                x.rulename::text AS name, pg_catalog.pg_get_ruledef(x.oid) AS def, \
                x.ev_enabled::text AS enabled, {} AS comment \
         FROM pg_catalog.pg_rewrite x \
         JOIN pg_catalog.pg_class c ON c.oid = x.ev_class \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE x.rulename <> '_RETURN' AND {} AND {} AND {} ORDER BY x.oid",
        comment("pg_rewrite", "x.oid", "0"),
        user_schema("n"),
        not_member_or_internal("pg_rewrite", "x.oid"),
        not_extension_member("pg_class", "c.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(RuleRow {
                table: QualName::new(
                    get::<String>(r, WHAT, "schema")?,
                    get::<String>(r, WHAT, "table_name")?,
                ),
                name: get(r, WHAT, "name")?,
                def: get(r, WHAT, "def")?,
                enabled: get(r, WHAT, "enabled")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
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
