//! Storage parameters of indexes and materialized views (`reloptions`) and statistics
//! targets of index columns (`pg_attribute.attstattarget` of the index), read in one query
//! and set on the indexes and materialized views the other modules read.

use crate::queries::{get, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, Index, QualName};
use std::collections::BTreeMap;

pub(crate) struct RelationOptionRow {
    name: QualName,
    materialized_view: bool,
    options: Vec<String>,
    /// `attnum=target` of index columns with a target other than the default.
    statistics: Vec<String>,
}

const WHAT: &str = "storage parameters of indexes and materialized views";

/// Indexes and materialized views that have storage parameters or column statistics.
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<RelationOptionRow>, IntrospectError> {
    // attstattarget is NULL for the default from PostgreSQL 17 on, -1 before.
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, \
                c.relkind = 'm' AS materialized_view, \
                COALESCE(c.reloptions, '{{}}')::text[] AS options, \
                ARRAY(SELECT a.attnum::text || '=' || a.attstattarget::text \
                      FROM pg_catalog.pg_attribute a \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 \
                        AND COALESCE(a.attstattarget, -1) >= 0 \
                      ORDER BY a.attnum) AS statistics \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('i', 'I', 'm') AND {} \
         ORDER BY 1, 2",
        user_schema("n"),
    );
    let rows = query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(RelationOptionRow {
                name: QualName::new(
                    get::<String>(r, WHAT, "schema")?,
                    get::<String>(r, WHAT, "name")?,
                ),
                materialized_view: get(r, WHAT, "materialized_view")?,
                options: get(r, WHAT, "options")?,
                statistics: get(r, WHAT, "statistics")?,
            })
        })
        .collect::<Result<Vec<_>, IntrospectError>>()?;
    Ok(rows
        .into_iter()
        .filter(|r| !r.options.is_empty() || !r.statistics.is_empty())
        .collect())
}

fn options(list: &[String]) -> BTreeMap<String, String> {
    list.iter()
        .map(|r| {
            let (k, v) = r.split_once('=').unwrap_or((r.as_str(), ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn set_index(ix: &mut Index, row: &RelationOptionRow) {
    ix.storage = options(&row.options);
    ix.statistics = row
        .statistics
        .iter()
        .filter_map(|s| {
            let (k, v) = s.split_once('=')?;
            Some((k.parse().ok()?, v.parse().ok()?))
        })
        .collect();
}

/// Set the options on the indexes and materialized views of `cat` (objects `cat` does not
/// hold, such as the indexes behind constraints, are left alone).
pub(crate) fn assemble(mut cat: Catalog, rows: Vec<RelationOptionRow>) -> Catalog {
    for row in &rows {
        if row.materialized_view {
            if let Some(v) = cat.views.get_mut(&row.name) {
                v.storage = options(&row.options);
            }
            continue;
        }
        if let Some(ix) = cat.indexes.get_mut(&row.name) {
            set_index(ix, row);
            continue;
        }
        if let Some(ix) = cat
            .views
            .values_mut()
            .find_map(|v| v.indexes.get_mut(&row.name))
        {
            set_index(ix, row);
        }
    }
    cat
}
