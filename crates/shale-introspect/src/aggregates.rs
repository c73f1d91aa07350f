//! Aggregates, read from `pg_aggregate` and `pg_proc` (there is no `pg_get_…def` for
//! them): each row is written back as the `CREATE AGGREGATE` it stands for and replayed
//! through the SQL front end, so that types and names come out as the files' do.
//! Members of extensions are skipped; a variadic aggregate is listed as not managed.

use crate::queries::{comment, get, not_extension_member, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{quote_literal, Catalog, Unmodeled};
use shale_sql::Replay;

pub(crate) struct AggregateRow {
    /// `regprocedure` text, for messages.
    display: String,
    schema: String,
    name: String,
    args: Vec<String>,
    kind: String,
    direct_args: i32,
    variadic: bool,
    funcs: [Option<String>; 8],
    stype: String,
    sspace: i32,
    finalextra: bool,
    finalmodify: String,
    initcond: Option<String>,
    mstype: Option<String>,
    msspace: i32,
    mfinalextra: bool,
    mfinalmodify: String,
    minitcond: Option<String>,
    sortop: Option<String>,
    parallel: String,
    comment: Option<String>,
}

const WHAT: &str = "aggregates";

/// The support-function columns of `pg_aggregate`, in the order of [`AggregateRow::funcs`].
const FUNCS: [(&str, &str); 8] = [
    ("aggtransfn", "SFUNC"),
    ("aggfinalfn", "FINALFUNC"),
    ("aggcombinefn", "COMBINEFUNC"),
    ("aggserialfn", "SERIALFUNC"),
    ("aggdeserialfn", "DESERIALFUNC"),
    ("aggmtransfn", "MSFUNC"),
    ("aggminvtransfn", "MINVFUNC"),
    ("aggmfinalfn", "MFINALFUNC"),
];

/// A function's qualified name from a `regproc` column (NULL for none).
fn proc_name(col: &str) -> String {
    format!(
        "(SELECT pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(fp.proname) \
         FROM pg_catalog.pg_proc fp JOIN pg_catalog.pg_namespace fn ON fn.oid = fp.pronamespace \
         WHERE fp.oid = a.{col})"
    )
}

pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Vec<AggregateRow>, IntrospectError> {
    let funcs: Vec<String> = FUNCS
        .iter()
        .enumerate()
        .map(|(i, (col, _))| format!("{} AS f{i}", proc_name(col)))
        .collect();
    let sql = format!(
        "SELECT p.oid::pg_catalog.regprocedure::text AS display, n.nspname::text AS schema, \
                p.proname::text AS name, \
                ARRAY(SELECT pg_catalog.format_type(t, NULL) \
                      FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY u(t, i) \
                      ORDER BY i) AS args, \
                a.aggkind::text AS kind, a.aggnumdirectargs::int4 AS direct_args, \
                p.provariadic <> 0 AS variadic, {}, \
                pg_catalog.format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace AS sspace, \
                a.aggfinalextra AS finalextra, a.aggfinalmodify::text AS finalmodify, \
                a.agginitval AS initcond, \
                CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END AS mstype, \
                a.aggmtransspace AS msspace, a.aggmfinalextra AS mfinalextra, \
                a.aggmfinalmodify::text AS mfinalmodify, a.aggminitval AS minitcond, \
                (SELECT pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname \
                   FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace \
                  WHERE o.oid = a.aggsortop) AS sortop, \
                p.proparallel::text AS parallel, {} AS comment \
         FROM pg_catalog.pg_aggregate a \
         JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid \
         JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         WHERE {} AND {} \
         ORDER BY n.nspname, p.proname, 1",
        funcs.join(", "),
        comment("pg_proc", "p.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_proc", "p.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            let mut funcs: [Option<String>; 8] = Default::default();
            for (i, f) in funcs.iter_mut().enumerate() {
                *f = get(r, WHAT, format!("f{i}").as_str())?;
            }
            Ok(AggregateRow {
                display: get(r, WHAT, "display")?,
                schema: get(r, WHAT, "schema")?,
                name: get(r, WHAT, "name")?,
                args: get(r, WHAT, "args")?,
                kind: get(r, WHAT, "kind")?,
                direct_args: get(r, WHAT, "direct_args")?,
                variadic: get(r, WHAT, "variadic")?,
                funcs,
                stype: get(r, WHAT, "stype")?,
                sspace: get(r, WHAT, "sspace")?,
                finalextra: get(r, WHAT, "finalextra")?,
                finalmodify: get(r, WHAT, "finalmodify")?,
                initcond: get(r, WHAT, "initcond")?,
                mstype: get(r, WHAT, "mstype")?,
                msspace: get(r, WHAT, "msspace")?,
                mfinalextra: get(r, WHAT, "mfinalextra")?,
                mfinalmodify: get(r, WHAT, "mfinalmodify")?,
                minitcond: get(r, WHAT, "minitcond")?,
                sortop: get(r, WHAT, "sortop")?,
                parallel: get(r, WHAT, "parallel")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

fn modify(code: &str) -> &'static str {
    match code {
        "s" => "SHAREABLE",
        "w" => "READ_WRITE",
        _ => "READ_ONLY",
    }
}

/// The `CREATE AGGREGATE` statement a row stands for.
fn create_sql(r: &AggregateRow) -> String {
    let name = format!(
        "{}.{}",
        shale_model::quote_ident(&r.schema),
        shale_model::quote_ident(&r.name)
    );
    let args = if r.kind == "n" {
        if r.args.is_empty() {
            "*".to_string()
        } else {
            r.args.join(", ")
        }
    } else {
        let n = (r.direct_args.max(0) as usize).min(r.args.len());
        let (direct, agg) = r.args.split_at(n);
        format!("{} ORDER BY {}", direct.join(", "), agg.join(", "))
    };
    let mut o = Vec::new();
    for (i, (_, key)) in FUNCS.iter().enumerate() {
        if let Some(f) = &r.funcs[i] {
            o.push(format!("{key} = {f}"));
        }
        if i == 0 {
            o.push(format!("STYPE = {}", r.stype));
            if r.sspace != 0 {
                o.push(format!("SSPACE = {}", r.sspace));
            }
        }
    }
    if r.finalextra {
        o.push("FINALFUNC_EXTRA".into());
    }
    o.push(format!("FINALFUNC_MODIFY = {}", modify(&r.finalmodify)));
    if let Some(i) = &r.initcond {
        o.push(format!("INITCOND = {}", quote_literal(i)));
    }
    if let Some(t) = &r.mstype {
        o.push(format!("MSTYPE = {t}"));
        if r.msspace != 0 {
            o.push(format!("MSSPACE = {}", r.msspace));
        }
        if r.mfinalextra {
            o.push("MFINALFUNC_EXTRA".into());
        }
        o.push(format!("MFINALFUNC_MODIFY = {}", modify(&r.mfinalmodify)));
    }
    if let Some(i) = &r.minitcond {
        o.push(format!("MINITCOND = {}", quote_literal(i)));
    }
    if let Some(op) = &r.sortop {
        o.push(format!("SORTOP = OPERATOR({op})"));
    }
    match r.parallel.as_str() {
        "s" => o.push("PARALLEL = SAFE".into()),
        "r" => o.push("PARALLEL = RESTRICTED".into()),
        _ => {}
    }
    if r.kind == "h" {
        o.push("HYPOTHETICAL".into());
    }
    format!("CREATE AGGREGATE {name} ({args}) ({})", o.join(", "))
}

/// Add the aggregates to `cat` (before views and functions are replayed, so that their
/// calls of aggregates are known).
pub(crate) fn assemble(cat: Catalog, rows: Vec<AggregateRow>) -> Catalog {
    let mut replay = Replay::new(cat);
    let mut unmodeled = Vec::new();
    let mut comments = Vec::new();
    for r in &rows {
        if r.variadic {
            unmodeled.push(Unmodeled {
                kind: "aggregate (not understood: VARIADIC arguments)".into(),
                name: r.display.clone(),
                location: None,
            });
            continue;
        }
        let sql = create_sql(r);
        let before: Vec<String> = if r.comment.is_some() {
            replay.catalog_mut().aggregates.keys().cloned().collect()
        } else {
            Vec::new()
        };
        match replay.definition(&format!("aggregate {}", r.display), &sql) {
            Ok(()) => {
                if let Some(c) = &r.comment {
                    // The one key this replay added.
                    let cat = replay.catalog_mut();
                    if let Some(k) = cat.aggregates.keys().find(|k| !before.contains(k)) {
                        comments.push((k.clone(), c.clone()));
                    }
                }
            }
            Err(e) => unmodeled.push(Unmodeled {
                kind: format!("aggregate (not understood: {})", e.message),
                name: r.display.clone(),
                location: None,
            }),
        }
    }
    let mut cat = replay.finish();
    for (key, c) in comments {
        if let Some(a) = cat.aggregates.get_mut(&key) {
            a.comment = Some(c);
        }
    }
    cat.unmodeled.extend(unmodeled);
    cat.unmodeled.sort();
    cat
}
