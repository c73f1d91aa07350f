//! Extended statistics, read from `pg_statistic_ext`: the definition as
//! `pg_get_statisticsobjdef` prints it (replayed through the SQL front end, so that
//! expressions and the kinds list meet the files' exactly), `stxstattarget` and the
//! comment. Statistics that an extension owns, or on an extension's table, are skipped.

use crate::queries::{comment, get, not_extension_member, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, QualName, Unmodeled};

pub(crate) struct StatisticsRow {
    name: QualName,
    def: String,
    target: i32,
    comment: Option<String>,
}

const WHAT: &str = "extended statistics";

/// Run the query (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<StatisticsRow>, IntrospectError> {
    let sql = format!(
        "SELECT n.nspname::text AS schema, x.stxname::text AS name, \
                pg_catalog.pg_get_statisticsobjdef(x.oid) AS def, \
                COALESCE(x.stxstattarget::int4, -1) AS target, {} AS comment \
         FROM pg_catalog.pg_statistic_ext x \
         JOIN pg_catalog.pg_namespace n ON n.oid = x.stxnamespace \
         WHERE {} AND {} AND {} ORDER BY n.nspname, x.stxname",
        comment("pg_statistic_ext", "x.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_statistic_ext", "x.oid"),
        not_extension_member("pg_class", "x.stxrelid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(StatisticsRow {
                name: QualName::new(
                    get::<String>(r, WHAT, "schema")?,
                    get::<String>(r, WHAT, "name")?,
                ),
                def: get(r, WHAT, "def")?,
                target: get(r, WHAT, "target")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

/// Replay the definitions on top of `cat` (tables read already); one the front end
/// cannot read is reported as unmodelled with the reason.
pub(crate) fn assemble(cat: Catalog, rows: Vec<StatisticsRow>) -> Catalog {
    if rows.is_empty() {
        return cat;
    }
    let mut r = shale_sql::Replay::new(cat);
    let mut failed = Vec::new();
    for row in &rows {
        if let Err(e) = r.statement(&format!("statistics {}", row.name), &row.def) {
            failed.push(Unmodeled {
                kind: format!("statistics (not understood: {})", e.message),
                name: row.name.to_string(),
                location: None,
            });
        }
    }
    let mut cat = r.finish();
    for row in rows {
        if let Some(s) = cat.statistics.get_mut(&row.name) {
            s.target = (row.target != -1).then_some(row.target);
            s.comment = row.comment;
        }
    }
    cat.unmodeled.extend(failed);
    cat.unmodeled.sort();
    cat
}
