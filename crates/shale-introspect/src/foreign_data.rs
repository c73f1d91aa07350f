//! Foreign-data wrappers (`pg_foreign_data_wrapper`), servers (`pg_foreign_server`),
//! user mappings (`pg_user_mappings`, the view any user may read: options the user may
//! not see read as none) and foreign tables (`pg_foreign_table` and their columns).
//! Extension members are skipped (`postgres_fdw`'s wrapper is its extension's).
//!
//! A mapping for the connected role is read as `CURRENT_USER` (see the model's docs).

use crate::queries::{comment, not_extension_member, typmod_text, user_schema, ColumnRow};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{
    Catalog, Column, ForeignDataWrapper, ForeignServer, ForeignTable, Options, QualName, TypeRef,
    UserMapping,
};
use std::collections::{BTreeMap, HashMap};

pub(crate) struct ForeignDataRows {
    wrappers: Vec<postgres::Row>,
    servers: Vec<postgres::Row>,
    mappings: Vec<postgres::Row>,
    tables: Vec<postgres::Row>,
    columns: Vec<postgres::Row>,
}

const WHAT: &str = "foreign-data wrappers, servers, user mappings and foreign tables";

/// `k=v` option strings as the catalog keeps them, as a map.
fn options(list: Option<Vec<String>>) -> Options {
    list.unwrap_or_default()
        .into_iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv, String::new()),
        })
        .collect()
}

pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<ForeignDataRows, IntrospectError> {
    let wrappers = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT w.fdwname::text AS name, hn.nspname::text AS handler_schema, \
                        h.proname::text AS handler_name, vn.nspname::text AS validator_schema, \
                        v.proname::text AS validator_name, w.fdwoptions::text[] AS options, \
                        {} AS comment \
                 FROM pg_catalog.pg_foreign_data_wrapper w \
                 LEFT JOIN pg_catalog.pg_proc h ON h.oid = w.fdwhandler \
                 LEFT JOIN pg_catalog.pg_namespace hn ON hn.oid = h.pronamespace \
                 LEFT JOIN pg_catalog.pg_proc v ON v.oid = w.fdwvalidator \
                 LEFT JOIN pg_catalog.pg_namespace vn ON vn.oid = v.pronamespace \
                 WHERE {} ORDER BY 1",
            comment("pg_foreign_data_wrapper", "w.oid", "0"),
            not_extension_member("pg_foreign_data_wrapper", "w.oid")
        ),
    )?;
    let servers = crate::queries::query(tx, WHAT, &format!(
                "SELECT s.srvname::text AS name, w.fdwname::text AS wrapper, s.srvtype AS server_type, \
                        s.srvversion AS version, s.srvoptions::text[] AS options, {} AS comment \
                 FROM pg_catalog.pg_foreign_server s \
                 JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw \
                 WHERE {} ORDER BY 1",
                comment("pg_foreign_server", "s.oid", "0"),
                not_extension_member("pg_foreign_server", "s.oid")
            ))?;
    let mappings = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT m.srvname::text AS server, \
                        CASE WHEN m.umuser = 0 THEN 'PUBLIC' \
                             WHEN m.usename = CURRENT_USER THEN 'CURRENT_USER' \
                             ELSE m.usename::text END AS user, \
                        m.umoptions::text[] AS options \
                 FROM pg_catalog.pg_user_mappings m WHERE {} ORDER BY 1, 2",
            not_extension_member("pg_foreign_server", "m.srvid")
        ),
    )?;
    let tables = crate::queries::query(
        tx,
        WHAT,
        &format!(
            "SELECT c.oid AS oid, n.nspname::text AS schema, c.relname::text AS name, \
                        s.srvname::text AS server, f.ftoptions::text[] AS options, {} AS comment \
                 FROM pg_catalog.pg_foreign_table f \
                 JOIN pg_catalog.pg_class c ON c.oid = f.ftrelid \
                 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_catalog.pg_foreign_server s ON s.oid = f.ftserver \
                 WHERE {} AND {} ORDER BY 2, 3",
            comment("pg_class", "c.oid", "0"),
            user_schema("n"),
            not_extension_member("pg_class", "c.oid")
        ),
    )?;
    let columns = crate::queries::query(tx, WHAT, &format!(
                "SELECT a.attrelid AS table_oid, a.attnum, a.attname::text AS name, \
                        pg_catalog.format_type(a.atttypid, a.atttypmod) AS formatted_type, \
                        (et.oid IS NOT NULL) AS is_array, \
                        en.nspname::text AS elem_schema, e.typname::text AS elem_name, \
                        {} AS elem_typmod, a.attnotnull AS not_null, \
                        pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, \
                        CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                             THEN cn.nspname::text END AS collation_schema, \
                        CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                             THEN co.collname::text END AS collation_name, \
                        a.attfdwoptions::text[] AS options, {} AS comment \
                 FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                 LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND et.typarray = t.oid \
                 JOIN pg_catalog.pg_type e ON e.oid = COALESCE(et.oid, t.oid) \
                 JOIN pg_catalog.pg_namespace en ON en.oid = e.typnamespace \
                 LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
                 LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
                 LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
                 WHERE c.relkind = 'f' AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attrelid, a.attnum",
                typmod_text("en", "e", "a.atttypmod"),
                comment("pg_class", "c.oid", "a.attnum"),
            ))?;
    Ok(ForeignDataRows {
        wrappers,
        servers,
        mappings,
        tables,
        columns,
    })
}

fn qual(schema: Option<String>, name: Option<String>) -> Option<QualName> {
    Some(QualName::new(schema?, name?))
}

pub(crate) fn assemble(
    mut cat: Catalog,
    rows: ForeignDataRows,
) -> Result<Catalog, IntrospectError> {
    let q = |source| IntrospectError::Query { what: WHAT, source };
    for r in &rows.wrappers {
        let w = ForeignDataWrapper {
            name: r.try_get("name").map_err(q)?,
            handler: qual(
                r.try_get("handler_schema").map_err(q)?,
                r.try_get("handler_name").map_err(q)?,
            ),
            validator: qual(
                r.try_get("validator_schema").map_err(q)?,
                r.try_get("validator_name").map_err(q)?,
            ),
            options: options(r.try_get("options").map_err(q)?),
            comment: r.try_get("comment").map_err(q)?,
        };
        cat.foreign_data_wrappers.insert(w.name.clone(), w);
    }
    for r in &rows.servers {
        let s = ForeignServer {
            name: r.try_get("name").map_err(q)?,
            wrapper: r.try_get("wrapper").map_err(q)?,
            server_type: r.try_get("server_type").map_err(q)?,
            version: r.try_get("version").map_err(q)?,
            options: options(r.try_get("options").map_err(q)?),
            comment: r.try_get("comment").map_err(q)?,
        };
        cat.foreign_servers.insert(s.name.clone(), s);
    }
    for r in &rows.mappings {
        let m = UserMapping {
            server: r.try_get("server").map_err(q)?,
            user: r.try_get("user").map_err(q)?,
            options: options(r.try_get("options").map_err(q)?),
        };
        cat.user_mappings.insert(m.key(), m);
    }
    let mut by_oid: HashMap<u32, ForeignTable> = HashMap::new();
    for r in &rows.tables {
        let t = ForeignTable {
            name: QualName::new(
                r.try_get::<_, String>("schema").map_err(q)?,
                r.try_get::<_, String>("name").map_err(q)?,
            ),
            server: r.try_get("server").map_err(q)?,
            columns: Vec::new(),
            column_options: BTreeMap::new(),
            options: options(r.try_get("options").map_err(q)?),
            comment: r.try_get("comment").map_err(q)?,
        };
        by_oid.insert(r.try_get("oid").map_err(q)?, t);
    }
    for r in &rows.columns {
        let oid: u32 = r.try_get("table_oid").map_err(q)?;
        let Some(t) = by_oid.get_mut(&oid) else {
            continue;
        };
        let row = ColumnRow {
            table_oid: oid,
            attnum: r.try_get("attnum").map_err(q)?,
            name: r.try_get("name").map_err(q)?,
            formatted_type: r.try_get("formatted_type").map_err(q)?,
            is_array: r.try_get("is_array").map_err(q)?,
            elem_schema: r.try_get("elem_schema").map_err(q)?,
            elem_name: r.try_get("elem_name").map_err(q)?,
            elem_typmod: r.try_get("elem_typmod").map_err(q)?,
            not_null: r.try_get("not_null").map_err(q)?,
            default_expr: r.try_get("default_expr").map_err(q)?,
            identity: String::new(),
            generated: String::new(),
            collation_schema: r.try_get("collation_schema").map_err(q)?,
            collation_name: r.try_get("collation_name").map_err(q)?,
            comment: r.try_get("comment").map_err(q)?,
        };
        let mut c = Column::new(row.name.clone(), crate::column_type(&row));
        c.not_null = row.not_null;
        c.collation = qual(row.collation_schema.clone(), row.collation_name.clone());
        c.comment = row.comment.clone();
        let o = options(r.try_get("options").map_err(q)?);
        if !o.is_empty() {
            t.column_options.insert(c.name.clone(), o);
        }
        t.columns.push(c);
        if let Some(sql) = &row.default_expr {
            let types: HashMap<String, TypeRef> = t
                .columns
                .iter()
                .map(|c| (c.name.clone(), cat.domain_base(&c.ty)))
                .collect();
            let target = t.columns.last().map(|c| c.ty.clone());
            let name = t.name.clone();
            let e = crate::normalize(
                sql,
                &types,
                target.as_ref(),
                || format!("foreign table {name} column {}", row.name),
                "default",
            )?;
            if let Some(c) = t.columns.last_mut() {
                c.default = Some(e);
            }
        }
    }
    for (_, t) in by_oid {
        cat.foreign_tables.insert(t.name.clone(), t);
    }
    Ok(cat)
}
