//! Text search parsers, templates, dictionaries and configurations, read from
//! `pg_ts_parser`, `pg_ts_template`, `pg_ts_dict` and `pg_ts_config` (with
//! `pg_ts_config_map`, its mappings, named by `ts_token_type` of its parser). Each is
//! written back as the statements the files would hold (`CREATE TEXT SEARCH …`, the
//! dictionary with its `dictinitoption`, one `ALTER … ADD MAPPING` per token type) and
//! replayed through the SQL front end, so that names and options come out as the files'
//! do. Extension members and objects of system schemas are skipped.

use crate::queries::{comment, get, not_extension_member, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, QualName, Unmodeled};
use shale_sql::Replay;

pub(crate) struct TextSearchRows(Vec<Row>);

/// One object: what it is (for errors), its statements, its name and kind for the
/// comment, and the comment.
struct Row {
    kind: &'static str,
    name: QualName,
    sql: Vec<String>,
    comment: Option<String>,
}

const WHAT: &str = "text search objects";

/// `quote_ident(schema) || '.' || quote_ident(name)` of a `pg_proc` oid.
fn proc_name(oid: &str) -> String {
    format!(
        "(SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname) \
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
          WHERE p.oid = {oid})"
    )
}

/// The same of an object of catalog `catalog` (its name and namespace columns).
fn object_name(catalog: &str, name: &str, ns: &str, oid: &str) -> String {
    format!(
        "(SELECT pg_catalog.quote_ident(xn.nspname) || '.' || pg_catalog.quote_ident(x.{name}) \
           FROM pg_catalog.{catalog} x JOIN pg_catalog.pg_namespace xn ON xn.oid = x.{ns} \
          WHERE x.oid = {oid})"
    )
}

fn filter(catalog: &str, alias: &str) -> String {
    format!(
        "{} AND {}",
        user_schema("n"),
        not_extension_member(catalog, &format!("{alias}.oid"))
    )
}

fn qual(r: &postgres::Row) -> Result<QualName, IntrospectError> {
    Ok(QualName::new(
        get::<String>(r, WHAT, "schema")?,
        get::<String>(r, WHAT, "name")?,
    ))
}

/// Run the queries (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<TextSearchRows, IntrospectError> {
    let mut out = Vec::new();
    let parsers = format!(
        "SELECT n.nspname::text AS schema, prs.prsname::text AS name, \
                {} AS start, {} AS gettoken, {} AS end_fn, {} AS lextypes, \
                CASE WHEN prs.prsheadline = 0 THEN NULL ELSE {} END AS headline, \
                {} AS comment \
         FROM pg_catalog.pg_ts_parser prs JOIN pg_catalog.pg_namespace n ON n.oid = prs.prsnamespace \
         WHERE {} ORDER BY 1, 2",
        proc_name("prs.prsstart"),
        proc_name("prs.prstoken"),
        proc_name("prs.prsend"),
        proc_name("prs.prslextype"),
        proc_name("prs.prsheadline"),
        comment("pg_ts_parser", "prs.oid", "0"),
        filter("pg_ts_parser", "prs"),
    );
    for r in query(tx, WHAT, &parsers)? {
        let name = qual(&r)?;
        let mut o = Vec::new();
        for (k, col) in [
            ("START", "start"),
            ("GETTOKEN", "gettoken"),
            ("END", "end_fn"),
            ("LEXTYPES", "lextypes"),
            ("HEADLINE", "headline"),
        ] {
            if let Some(f) = get::<Option<String>>(&r, WHAT, col)? {
                o.push(format!("{k} = {f}"));
            }
        }
        out.push(Row {
            kind: "text search parser",
            sql: vec![format!(
                "CREATE TEXT SEARCH PARSER {name} ({})",
                o.join(", ")
            )],
            name,
            comment: get(&r, WHAT, "comment")?,
        });
    }

    let templates = format!(
        "SELECT n.nspname::text AS schema, t.tmplname::text AS name, \
                CASE WHEN t.tmplinit = 0 THEN NULL ELSE {} END AS init, {} AS lexize, \
                {} AS comment \
         FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace \
         WHERE {} ORDER BY 1, 2",
        proc_name("t.tmplinit"),
        proc_name("t.tmpllexize"),
        comment("pg_ts_template", "t.oid", "0"),
        filter("pg_ts_template", "t"),
    );
    for r in query(tx, WHAT, &templates)? {
        let name = qual(&r)?;
        let mut o = Vec::new();
        if let Some(f) = get::<Option<String>>(&r, WHAT, "init")? {
            o.push(format!("INIT = {f}"));
        }
        o.push(format!("LEXIZE = {}", get::<String>(&r, WHAT, "lexize")?));
        out.push(Row {
            kind: "text search template",
            sql: vec![format!(
                "CREATE TEXT SEARCH TEMPLATE {name} ({})",
                o.join(", ")
            )],
            name,
            comment: get(&r, WHAT, "comment")?,
        });
    }

    let dictionaries = format!(
        "SELECT n.nspname::text AS schema, dct.dictname::text AS name, {} AS template, \
                dct.dictinitoption AS options, {} AS comment \
         FROM pg_catalog.pg_ts_dict dct JOIN pg_catalog.pg_namespace n ON n.oid = dct.dictnamespace \
         WHERE {} ORDER BY 1, 2",
        object_name("pg_ts_template", "tmplname", "tmplnamespace", "dct.dicttemplate"),
        comment("pg_ts_dict", "dct.oid", "0"),
        filter("pg_ts_dict", "dct"),
    );
    for r in query(tx, WHAT, &dictionaries)? {
        let name = qual(&r)?;
        let mut o = vec![format!(
            "TEMPLATE = {}",
            get::<String>(&r, WHAT, "template")?
        )];
        if let Some(opts) = get::<Option<String>>(&r, WHAT, "options")? {
            if !opts.trim().is_empty() {
                o.push(opts);
            }
        }
        out.push(Row {
            kind: "text search dictionary",
            sql: vec![format!(
                "CREATE TEXT SEARCH DICTIONARY {name} ({})",
                o.join(", ")
            )],
            name,
            comment: get(&r, WHAT, "comment")?,
        });
    }

    let configurations = format!(
        "SELECT n.nspname::text AS schema, c.cfgname::text AS name, {} AS parser, \
                ARRAY(SELECT pg_catalog.quote_ident(t.alias) || ' WITH ' || \
                             (SELECT pg_catalog.string_agg({}, ', ' ORDER BY m.mapseqno) \
                                FROM pg_catalog.pg_ts_config_map m \
                               WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid) \
                        FROM pg_catalog.ts_token_type(c.cfgparser) t \
                       WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config_map m \
                                      WHERE m.mapcfg = c.oid AND m.maptokentype = t.tokid) \
                       ORDER BY t.alias) AS mappings, \
                {} AS comment \
         FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace \
         WHERE {} ORDER BY 1, 2",
        object_name("pg_ts_parser", "prsname", "prsnamespace", "c.cfgparser"),
        object_name("pg_ts_dict", "dictname", "dictnamespace", "m.mapdict"),
        comment("pg_ts_config", "c.oid", "0"),
        filter("pg_ts_config", "c"),
    );
    for r in query(tx, WHAT, &configurations)? {
        let name = qual(&r)?;
        let mut sql = vec![format!(
            "CREATE TEXT SEARCH CONFIGURATION {name} (PARSER = {})",
            get::<String>(&r, WHAT, "parser")?
        )];
        for m in get::<Vec<String>>(&r, WHAT, "mappings")? {
            sql.push(format!(
                "ALTER TEXT SEARCH CONFIGURATION {name} ADD MAPPING FOR {m}"
            ));
        }
        out.push(Row {
            kind: "text search configuration",
            sql,
            name,
            comment: get(&r, WHAT, "comment")?,
        });
    }
    Ok(TextSearchRows(out))
}

/// Replay the rows on top of `cat` (functions read already); one the front end cannot
/// read is reported as unmodelled with the reason.
pub(crate) fn assemble(cat: Catalog, rows: TextSearchRows) -> Catalog {
    if rows.0.is_empty() {
        return cat;
    }
    let mut r = Replay::new(cat);
    let mut failed = Vec::new();
    for row in &rows.0 {
        let object = format!("{} {}", row.kind, row.name);
        for sql in &row.sql {
            if let Err(e) = r.definition(&object, sql) {
                failed.push(Unmodeled {
                    kind: format!("{} (not understood: {})", row.kind, e.message),
                    name: row.name.to_string(),
                    location: None,
                });
                break;
            }
        }
    }
    let mut cat = r.finish();
    for row in rows.0 {
        let Some(c) = row.comment else { continue };
        let slot = match row.kind {
            "text search parser" => cat.ts_parsers.get_mut(&row.name).map(|o| &mut o.comment),
            "text search template" => cat.ts_templates.get_mut(&row.name).map(|o| &mut o.comment),
            "text search dictionary" => cat
                .ts_dictionaries
                .get_mut(&row.name)
                .map(|o| &mut o.comment),
            _ => cat
                .ts_configurations
                .get_mut(&row.name)
                .map(|o| &mut o.comment),
        };
        if let Some(slot) = slot {
            *slot = Some(c);
        }
    }
    cat.unmodeled.extend(failed);
    cat.unmodeled.sort();
    cat.unmodeled.dedup();
    cat
}
