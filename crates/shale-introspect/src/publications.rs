//! Publications (`pg_publication`, `pg_publication_rel`, and `pg_publication_namespace`
//! on PostgreSQL 15 and later) and the subscriptions of the connected database
//! (`pg_subscription`). Extension members are skipped.
//!
//! `pg_subscription.subconninfo` is readable by superusers only: for other users the
//! connection string is read as unknown (`None`), which the diff does not compare.

use crate::queries::{comment, not_extension_member, Version};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, Publication, PublicationTable, QualName, Subscription, TypeRef};
use std::collections::HashMap;

pub(crate) struct PublicationRows {
    publications: Vec<postgres::Row>,
    tables: Vec<postgres::Row>,
    schemas: Vec<postgres::Row>,
    subscriptions: Vec<postgres::Row>,
}

const WHAT: &str = "publications and subscriptions";

pub(crate) fn read(
    tx: &mut Transaction<'_>,
    version: Version,
) -> Result<PublicationRows, IntrospectError> {
    let q = |source| IntrospectError::Query { what: WHAT, source };
    let v15 = version.0 >= 150000;
    let v14 = version.0 >= 140000;
    let publications = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT p.pubname::text AS name, p.puballtables AS all_tables, \
                        p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot, \
                        {} AS comment \
                 FROM pg_catalog.pg_publication p WHERE {} ORDER BY 1",
            comment("pg_publication", "p.oid", "0"),
            not_extension_member("pg_publication", "p.oid")
        ),
    )?;
    let (filter, columns) = if v15 {
        (
            "pg_catalog.pg_get_expr(r.prqual, r.prrelid)",
            "ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(r.prattrs) k(n) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = r.prrelid AND a.attnum = k.n \
             ORDER BY k.n)",
        )
    } else {
        ("NULL::text", "ARRAY[]::text[]")
    };
    let tables = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT p.pubname::text AS publication, n.nspname::text AS schema, \
                        c.relname::text AS name, {filter} AS filter, {columns} AS columns \
                 FROM pg_catalog.pg_publication_rel r \
                 JOIN pg_catalog.pg_publication p ON p.oid = r.prpubid \
                 JOIN pg_catalog.pg_class c ON c.oid = r.prrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 ORDER BY 1, 2, 3"
        ),
    )?;
    let schemas = if v15 {
        crate::queries::query(
            tx,
            WHAT,
            "SELECT p.pubname::text AS publication, n.nspname::text AS schema \
             FROM pg_catalog.pg_publication_namespace pn \
             JOIN pg_catalog.pg_publication p ON p.oid = pn.pnpubid \
             JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid ORDER BY 1, 2",
        )?
    } else {
        Vec::new()
    };
    // subconninfo only when the user may read it (superusers).
    let readable: bool = crate::queries::query(
        tx,
        WHAT,
        "SELECT pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'SELECT')",
    )?
    .first()
    .map(|r| r.try_get(0))
    .transpose()
    .map_err(q)?
    .unwrap_or(false);
    let subscriptions = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT s.subname::text AS name, {} AS conninfo, s.subenabled AS enabled, \
                        s.subslotname::text AS slot_name, s.subsynccommit AS synchronous_commit, \
                        s.subpublications::text[] AS publications, {} AS binary, {} AS streaming, \
                        {} AS comment \
                 FROM pg_catalog.pg_subscription s \
                 WHERE s.subdbid = (SELECT d.oid FROM pg_catalog.pg_database d \
                                    WHERE d.datname = pg_catalog.current_database()) \
                 ORDER BY 1",
            if readable {
                "s.subconninfo"
            } else {
                "NULL::text"
            },
            if v14 { "s.subbinary" } else { "false" },
            // PostgreSQL 18 made `parallel` the default: a subscription created without
            // the option is read as the model's default, as files without it say.
            if version.0 >= 180000 {
                "CASE s.substream WHEN 'p' THEN 'f' ELSE s.substream::text END"
            } else if v14 {
                "s.substream::text"
            } else {
                "'false'"
            },
            comment("pg_subscription", "s.oid", "0"),
        ),
    )?;
    Ok(PublicationRows {
        publications,
        tables,
        schemas,
        subscriptions,
    })
}

pub(crate) fn assemble(
    mut cat: Catalog,
    rows: PublicationRows,
) -> Result<Catalog, IntrospectError> {
    let q = |source| IntrospectError::Query { what: WHAT, source };
    for r in &rows.publications {
        let mut p = Publication::new(r.try_get::<_, String>("name").map_err(q)?);
        p.all_tables = r.try_get("all_tables").map_err(q)?;
        p.insert = r.try_get("pubinsert").map_err(q)?;
        p.update = r.try_get("pubupdate").map_err(q)?;
        p.delete = r.try_get("pubdelete").map_err(q)?;
        p.truncate = r.try_get("pubtruncate").map_err(q)?;
        p.via_root = r.try_get("pubviaroot").map_err(q)?;
        p.comment = r.try_get("comment").map_err(q)?;
        cat.publications.insert(p.name.clone(), p);
    }
    for r in &rows.tables {
        let publication: String = r.try_get("publication").map_err(q)?;
        let table = QualName::new(
            r.try_get::<_, String>("schema").map_err(q)?,
            r.try_get::<_, String>("name").map_err(q)?,
        );
        let filter: Option<String> = r.try_get("filter").map_err(q)?;
        let columns: Vec<String> = r.try_get("columns").map_err(q)?;
        let row_filter = match filter {
            Some(sql) => {
                let types: HashMap<String, TypeRef> = cat
                    .tables
                    .get(&table)
                    .map(|t| {
                        t.columns
                            .iter()
                            .map(|c| (c.name.clone(), cat.domain_base(&c.ty)))
                            .collect()
                    })
                    .unwrap_or_default();
                Some(crate::normalize(
                    &sql,
                    &types,
                    None,
                    || format!("publication {publication} table {table}"),
                    "row filter",
                )?)
            }
            None => None,
        };
        if let Some(p) = cat.publications.get_mut(&publication) {
            p.tables.push(PublicationTable {
                table,
                columns,
                row_filter,
            });
        }
    }
    for r in &rows.schemas {
        let publication: String = r.try_get("publication").map_err(q)?;
        let schema: String = r.try_get("schema").map_err(q)?;
        if let Some(p) = cat.publications.get_mut(&publication) {
            p.schemas.push(schema);
        }
    }
    for p in cat.publications.values_mut() {
        p.tables.sort_by(|a, b| a.table.cmp(&b.table));
        p.schemas.sort();
    }
    for r in &rows.subscriptions {
        let streaming: String = r.try_get("streaming").map_err(q)?;
        let s = Subscription {
            name: r.try_get("name").map_err(q)?,
            conninfo: r.try_get("conninfo").map_err(q)?,
            publications: r.try_get("publications").map_err(q)?,
            enabled: r.try_get("enabled").map_err(q)?,
            slot_name: r.try_get("slot_name").map_err(q)?,
            synchronous_commit: r.try_get("synchronous_commit").map_err(q)?,
            binary: r.try_get("binary").map_err(q)?,
            streaming: match streaming.as_str() {
                "true" | "t" => "on".into(),
                "p" => "parallel".into(),
                _ => "off".into(),
            },
            comment: r.try_get("comment").map_err(q)?,
        };
        cat.subscriptions.insert(s.name.clone(), s);
    }
    Ok(cat)
}
