//! Casts, read from `pg_cast` (those made after `initdb`, not by an extension nor internal
//! to a type, as a range type's cast to its multirange is): each is
//! written back as its `CREATE CAST` and replayed through the SQL front end, so that
//! types and the function's signature come out as the files' do.

use crate::queries::{comment, get, not_member_or_internal, query};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, Unmodeled};
use shale_sql::Replay;

pub(crate) struct CastRow {
    source: String,
    target: String,
    method: String,
    context: String,
    function: Option<String>,
    function_args: Option<Vec<String>>,
    comment: Option<String>,
}

const WHAT: &str = "casts";

pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<CastRow>, IntrospectError> {
    let sql = format!(
        "SELECT pg_catalog.format_type(c.castsource, NULL) AS source, \
                pg_catalog.format_type(c.casttarget, NULL) AS target, \
                c.castmethod::text AS method, c.castcontext::text AS context, \
                (SELECT pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(p.proname) \
                   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace \
                  WHERE p.oid = c.castfunc) AS function, \
                (SELECT ARRAY(SELECT pg_catalog.format_type(t, NULL) \
                       FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY u(t, i) \
                       ORDER BY i) \
                   FROM pg_catalog.pg_proc p WHERE p.oid = c.castfunc) AS function_args, \
                {} AS comment \
         FROM pg_catalog.pg_cast c \
         WHERE c.oid >= 16384 AND {} \
         ORDER BY 1, 2",
        comment("pg_cast", "c.oid", "0"),
        not_member_or_internal("pg_cast", "c.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(CastRow {
                source: get(r, WHAT, "source")?,
                target: get(r, WHAT, "target")?,
                method: get(r, WHAT, "method")?,
                context: get(r, WHAT, "context")?,
                function: get(r, WHAT, "function")?,
                function_args: get(r, WHAT, "function_args")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

fn create_sql(r: &CastRow) -> String {
    let how = match (r.method.as_str(), &r.function) {
        ("f", Some(f)) => format!(
            "WITH FUNCTION {f}({})",
            r.function_args.clone().unwrap_or_default().join(", ")
        ),
        ("i", _) => "WITH INOUT".into(),
        _ => "WITHOUT FUNCTION".into(),
    };
    let ctx = match r.context.as_str() {
        "a" => " AS ASSIGNMENT",
        "i" => " AS IMPLICIT",
        _ => "",
    };
    format!("CREATE CAST ({} AS {}) {how}{ctx}", r.source, r.target)
}

/// Add the casts to `cat`.
pub(crate) fn assemble(cat: Catalog, rows: Vec<CastRow>) -> Catalog {
    let mut replay = Replay::new(cat);
    let mut unmodeled = Vec::new();
    let mut comments = Vec::new();
    for r in &rows {
        let display = format!("({} AS {})", r.source, r.target);
        let before: Vec<(String, String)> = replay.catalog_mut().casts.keys().cloned().collect();
        match replay.definition(&format!("cast {display}"), &create_sql(r)) {
            Ok(()) => {
                if let Some(c) = &r.comment {
                    let cat = replay.catalog_mut();
                    if let Some(k) = cat.casts.keys().find(|k| !before.contains(k)) {
                        comments.push((k.clone(), c.clone()));
                    }
                }
            }
            Err(e) => unmodeled.push(Unmodeled {
                kind: format!("cast (not understood: {})", e.message),
                name: display,
                location: None,
            }),
        }
    }
    let mut cat = replay.finish();
    for (k, c) in comments {
        if let Some(cast) = cat.casts.get_mut(&k) {
            cast.comment = Some(c);
        }
    }
    cat.unmodeled.extend(unmodeled);
    cat.unmodeled.sort();
    cat
}
