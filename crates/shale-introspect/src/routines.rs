//! Views, materialized views (and their indexes), functions, procedures and triggers; and
//! the objects shale does not model, reported by kind and name.
//!
//! The catalog's own DDL for each object (`pg_get_viewdef`, `pg_get_functiondef`,
//! `pg_get_triggerdef`, `pg_get_indexdef`, all printed with the session's empty search
//! path, so every user name is qualified) is replayed through the SQL front end
//! ([`shale_sql::Replay`]) on top of the tables, types and sequences read already. Files
//! and database thus go through the same code per object kind; the normalizers absorb
//! the differences in spelling. What `CREATE` cannot say (comments, `tgenabled`, view
//! options, whether a materialized view is populated) is read from the catalog directly.
//!
//! Extension members (`pg_depend.deptype = 'e'`) and objects internal to another
//! (`deptype = 'i'`: range type constructors, internal triggers) are skipped, and so are
//! the clones of a partitioned table's triggers on its partitions (`tgparentid <> 0`:
//! PostgreSQL creates and drops them with the parent's).

use crate::queries::{
    comment, get, not_extension_member, not_member_or_internal, query, user_schema,
};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{Catalog, QualName, TriggerEnabled, Unmodeled};
use shale_sql::{Replay, ReplayError};
use std::collections::HashMap;

pub(crate) struct ViewRow {
    oid: u32,
    name: QualName,
    materialized: bool,
    def: String,
    populated: bool,
    options: Vec<String>,
    comment: Option<String>,
    /// Columns with a comment, and their comments.
    comment_columns: Vec<String>,
    comment_texts: Vec<String>,
}

pub(crate) struct IndexRow {
    name: QualName,
    def: String,
    comment: Option<String>,
}

pub(crate) struct FunctionRow {
    signature: String,
    def: String,
    comment: Option<String>,
}

/// A trigger or a rewrite rule: an object of a relation, read with its definition as the
/// catalog prints it, its enabled state (`tgenabled`/`ev_enabled`, the same codes) and
/// its comment.
pub(crate) struct RelationObjectRow {
    pub(crate) table: QualName,
    pub(crate) name: String,
    pub(crate) def: String,
    pub(crate) enabled: String,
    pub(crate) comment: Option<String>,
}

pub(crate) type TriggerRow = RelationObjectRow;

/// Where the objects of relations of one kind live: the catalog (`pg_trigger`), its
/// relation column (`tgrelid`), name column, the function printing the definition, the
/// enabled column, and what else a row must satisfy.
pub(crate) struct RelationObjects<'a> {
    pub(crate) what: &'static str,
    pub(crate) catalog: &'a str,
    pub(crate) relation: &'a str,
    pub(crate) name: &'a str,
    pub(crate) def: &'a str,
    pub(crate) enabled: &'a str,
    pub(crate) filter: &'a str,
}

/// Read the objects of relations of one kind (triggers, rules) in user schemas, neither
/// an extension's nor on an extension's relation, in creation order.
pub(crate) fn read_relation_objects(
    tx: &mut Transaction<'_>,
    k: &RelationObjects<'_>,
) -> Result<Vec<RelationObjectRow>, IntrospectError> {
    let what = k.what;
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS table_name, \
                x.{name}::text AS name, pg_catalog.{def}(x.oid) AS def, \
                x.{enabled}::text AS enabled, {comment} AS comment \
         FROM pg_catalog.{catalog} x \
         JOIN pg_catalog.pg_class c ON c.oid = x.{relation} \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {filter} AND {schema} AND {member} AND {ext} ORDER BY x.oid",
        name = k.name,
        def = k.def,
        enabled = k.enabled,
        comment = comment(k.catalog, "x.oid", "0"),
        catalog = k.catalog,
        relation = k.relation,
        filter = k.filter,
        schema = user_schema("n"),
        member = not_member_or_internal(k.catalog, "x.oid"),
        ext = not_extension_member("pg_class", "c.oid"),
    );
    query(tx, what, &sql)?
        .iter()
        .map(|r| {
            Ok(RelationObjectRow {
                table: QualName::new(
                    get::<String>(r, what, "schema")?,
                    get::<String>(r, what, "table_name")?,
                ),
                name: get(r, what, "name")?,
                def: get(r, what, "def")?,
                enabled: get(r, what, "enabled")?,
                comment: get(r, what, "comment")?,
            })
        })
        .collect()
}

/// Everything read for this module, before it is replayed.
pub(crate) struct Rows {
    views: Vec<ViewRow>,
    view_indexes: Vec<IndexRow>,
    functions: Vec<FunctionRow>,
    triggers: Vec<TriggerRow>,
    unmodeled: Vec<Unmodeled>,
}

/// Run the queries (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Rows, IntrospectError> {
    Ok(Rows {
        views: views(tx)?,
        view_indexes: view_indexes(tx)?,
        functions: functions(tx)?,
        triggers: triggers(tx)?,
        unmodeled: unmodeled(tx)?,
    })
}

fn views(tx: &mut Transaction<'_>) -> Result<Vec<ViewRow>, IntrospectError> {
    const WHAT: &str = "views";
    let sql = format!(
        "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name, \
                c.relkind = 'm' AS materialized, \
                pg_catalog.pg_get_viewdef(c.oid) AS def, c.relispopulated AS populated, \
                COALESCE(c.reloptions, '{{}}')::text[] AS options, {} AS comment, \
                ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a \
                      JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                       AND d.objsubid = a.attnum \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum) \
                  AS comment_columns, \
                ARRAY(SELECT d.description FROM pg_catalog.pg_attribute a \
                      JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
                       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass \
                       AND d.objsubid = a.attnum \
                      WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum) \
                  AS comment_texts \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {} AND {} ORDER BY c.oid",
        comment("pg_class", "c.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_class", "c.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(ViewRow {
                oid: get(r, WHAT, "oid")?,
                name: QualName::new(
                    get::<String>(r, WHAT, "schema")?,
                    get::<String>(r, WHAT, "name")?,
                ),
                materialized: get(r, WHAT, "materialized")?,
                def: get(r, WHAT, "def")?,
                populated: get(r, WHAT, "populated")?,
                options: get(r, WHAT, "options")?,
                comment: get(r, WHAT, "comment")?,
                comment_columns: get(r, WHAT, "comment_columns")?,
                comment_texts: get(r, WHAT, "comment_texts")?,
            })
        })
        .collect()
}

fn view_indexes(tx: &mut Transaction<'_>) -> Result<Vec<IndexRow>, IntrospectError> {
    const WHAT: &str = "indexes of materialized views";
    let sql = format!(
        "SELECT n.nspname::text AS schema, ic.relname::text AS name, \
                pg_catalog.pg_get_indexdef(i.indexrelid) AS def, {} AS comment \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace \
         WHERE tc.relkind = 'm' AND {} AND {} ORDER BY ic.oid",
        comment("pg_class", "ic.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_class", "tc.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(IndexRow {
                name: QualName::new(
                    get::<String>(r, WHAT, "schema")?,
                    get::<String>(r, WHAT, "name")?,
                ),
                def: get(r, WHAT, "def")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

fn functions(tx: &mut Transaction<'_>) -> Result<Vec<FunctionRow>, IntrospectError> {
    const WHAT: &str = "functions";
    let sql = format!(
        "SELECT p.oid::pg_catalog.regprocedure::text AS signature, \
                pg_catalog.pg_get_functiondef(p.oid) AS def, {} AS comment \
         FROM pg_catalog.pg_proc p \
         JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
         WHERE p.prokind IN ('f', 'p') AND {} AND {} ORDER BY p.oid",
        comment("pg_proc", "p.oid", "0"),
        user_schema("n"),
        not_member_or_internal("pg_proc", "p.oid"),
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(FunctionRow {
                signature: get(r, WHAT, "signature")?,
                def: get(r, WHAT, "def")?,
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect()
}

fn triggers(tx: &mut Transaction<'_>) -> Result<Vec<TriggerRow>, IntrospectError> {
    read_relation_objects(
        tx,
        &RelationObjects {
            what: "triggers",
            catalog: "pg_trigger",
            relation: "tgrelid",
            name: "tgname",
            def: "pg_get_triggerdef",
            enabled: "tgenabled",
            filter: "NOT x.tgisinternal AND x.tgparentid = 0",
        },
    )
}

/// Every user object of a kind shale does not model (or an attribute it does not model),
/// by kind and name, in one query. (Domains, composite and range types, policies,
/// row-level security, partitioning, inheritance, table storage options, exclusion
/// constraints, publications, subscriptions, foreign-data wrappers, servers, user
/// mappings and foreign tables are modelled
/// by their own modules and not listed here.)
fn unmodeled(tx: &mut Transaction<'_>) -> Result<Vec<Unmodeled>, IntrospectError> {
    const WHAT: &str = "objects shale does not model";
    let u = user_schema("n");
    let rel = |kind: &str, cond: &str| {
        format!(
            "SELECT '{kind}' AS kind, c.oid::pg_catalog.regclass::text AS name \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE {cond} AND {u} AND {}",
            not_extension_member("pg_class", "c.oid")
        )
    };
    let named = |kind: &str, catalog: &str, name_expr: &str, ns_col: &str| {
        format!(
            "SELECT '{kind}', {name_expr} FROM pg_catalog.{catalog} x \
             JOIN pg_catalog.pg_namespace n ON n.oid = x.{ns_col} WHERE {u} AND {}",
            not_member_or_internal(catalog, "x.oid")
        )
    };
    let global = |kind: &str, catalog: &str, name_expr: &str, cond: &str| {
        format!(
            "SELECT '{kind}', {name_expr} FROM pg_catalog.{catalog} x WHERE {cond} AND {}",
            not_member_or_internal(catalog, "x.oid")
        )
    };
    let parts = [
        named(
            "window function",
            "pg_proc",
            "x.oid::pg_catalog.regprocedure::text",
            "pronamespace",
        ) + " AND x.prokind = 'w'",
        named(
            "base type",
            "pg_type",
            "x.oid::pg_catalog.regtype::text",
            "typnamespace",
        ) + " AND x.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = x.oid)",
        named(
            "collation",
            "pg_collation",
            "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.collname)",
            "collnamespace",
        ),
        named(
            "conversion",
            "pg_conversion",
            "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.conname)",
            "connamespace",
        ),
        global(
            "language",
            "pg_language",
            "pg_catalog.quote_ident(x.lanname)",
            "x.oid >= 16384",
        ),
        global(
            "access method",
            "pg_am",
            "pg_catalog.quote_ident(x.amname)",
            "x.oid >= 16384",
        ),
        rel(
            "view column default",
            "c.relkind = 'v' AND EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = c.oid)",
        ),
    ];
    let sql = format!(
        "SELECT kind::text AS kind, name::text AS name FROM ({}) u(kind, name) ORDER BY 1, 2",
        parts.join(" UNION ALL ")
    );
    query(tx, WHAT, &sql)?
        .iter()
        .map(|r| {
            Ok(Unmodeled {
                kind: get(r, WHAT, "kind")?,
                name: get(r, WHAT, "name")?,
                location: None,
            })
        })
        .collect()
}

/// An object whose definition shale cannot read (an unsupported construct): reported as
/// unmodelled with the reason, so that the rest of the database still plans.
fn unreadable_entry(kind: &str, name: &str, e: &ReplayError) -> Unmodeled {
    Unmodeled {
        kind: format!("{kind} (not understood: {})", e.message),
        name: name.to_string(),
        location: None,
    }
}

/// `pg_trigger.tgenabled` / `pg_rewrite.ev_enabled` (the same codes).
pub(crate) fn enabled(code: &str) -> TriggerEnabled {
    match code {
        "D" => TriggerEnabled::Disabled,
        "R" => TriggerEnabled::Replica,
        "A" => TriggerEnabled::Always,
        _ => TriggerEnabled::Origin,
    }
}

/// Replay the rows on top of `cat` (tables, sequences, types read already).
pub(crate) fn assemble(cat: Catalog, rows: Rows) -> Result<Catalog, IntrospectError> {
    let mut r = Replay::new(cat);
    // Functions and views may read each other (a SQL-standard body reads a view, a view
    // calls a function): replay in rounds until nothing more can be read.
    enum Item<'a> {
        Function(&'a FunctionRow),
        View(&'a ViewRow),
    }
    let mut pending: Vec<Item> = rows
        .functions
        .iter()
        .map(Item::Function)
        .chain(rows.views.iter().map(Item::View))
        .collect();
    let mut function_keys: HashMap<String, String> = HashMap::new();
    let mut unreadable: Vec<Unmodeled> = Vec::new();
    loop {
        let mut next = Vec::new();
        let mut last_error = None;
        let before = pending.len();
        for item in pending {
            let result = match &item {
                Item::Function(f) => r
                    .function(&format!("function {}", f.signature), &f.def)
                    .map(|key| {
                        function_keys.insert(f.signature.clone(), key);
                    }),
                // A materialized view's options are storage parameters: read by
                // relation_options.rs, not replayed.
                Item::View(v) => r
                    .view(&v.name, v.materialized, v.populated, &v.def)
                    .and_then(|_| {
                        if v.materialized {
                            Ok(())
                        } else {
                            r.view_options(&v.name, &v.options)
                        }
                    }),
            };
            if let Err(e) = result {
                last_error = Some(e);
                next.push(item);
            }
        }
        if next.is_empty() {
            break;
        }
        if next.len() == before {
            // What cannot be read is reported, not dropped and not fatal: the rest of the
            // database still plans.
            let _ = last_error;
            for item in next {
                let (kind, name, result) = match item {
                    Item::Function(f) => (
                        "function",
                        f.signature.clone(),
                        r.function(&format!("function {}", f.signature), &f.def)
                            .map(|_| ()),
                    ),
                    Item::View(v) => (
                        if v.materialized {
                            "materialized view"
                        } else {
                            "view"
                        },
                        v.name.to_string(),
                        r.view(&v.name, v.materialized, v.populated, &v.def),
                    ),
                };
                if let Err(e) = result {
                    unreadable.push(unreadable_entry(kind, &name, &e));
                }
            }
            break;
        }
        pending = next;
    }
    for ix in &rows.view_indexes {
        if let Err(e) = r.view_index(&format!("index {}", ix.name), &ix.def) {
            unreadable.push(unreadable_entry("index", &ix.name.to_string(), &e));
        }
    }
    for t in &rows.triggers {
        let name = format!("{} on {}", shale_model::quote_ident(&t.name), t.table);
        if let Err(e) = r.trigger(&format!("trigger {name}"), &t.def, enabled(&t.enabled)) {
            unreadable.push(unreadable_entry("trigger", &name, &e));
        }
    }

    let cat = r.catalog_mut();
    let mut views_by_oid: Vec<(u32, &ViewRow)> = rows.views.iter().map(|v| (v.oid, v)).collect();
    views_by_oid.sort_by_key(|(o, _)| *o);
    for (_, v) in views_by_oid {
        if let Some(view) = cat.views.get_mut(&v.name) {
            view.comment = v.comment.clone();
            view.column_comments = v
                .comment_columns
                .iter()
                .cloned()
                .zip(v.comment_texts.iter().cloned())
                .collect();
        }
    }
    for ix in &rows.view_indexes {
        for view in cat.views.values_mut() {
            if let Some(i) = view.indexes.get_mut(&ix.name) {
                i.comment = ix.comment.clone();
            }
        }
    }
    for f in &rows.functions {
        if let Some(key) = function_keys.get(&f.signature) {
            if let Some(func) = cat.functions.get_mut(key) {
                func.comment = f.comment.clone();
            }
        }
    }
    for t in &rows.triggers {
        if let Some(trig) = cat.triggers.get_mut(&(t.table.clone(), t.name.clone())) {
            trig.comment = t.comment.clone();
        }
    }
    cat.unmodeled.extend(rows.unmodeled);
    cat.unmodeled.extend(unreadable);
    cat.unmodeled.sort();
    Ok(r.finish())
}

/// Why the dev-database mode failed.
#[derive(Debug, thiserror::Error)]
pub enum DevDbError {
    /// The dev server cannot be reached (or its connection string is malformed).
    #[error(transparent)]
    Connect(#[from] shale_connect::ConnectError),
    #[error("cannot use the dev database server: {message}")]
    Server { message: String },
    /// A file did not run; `message` is PostgreSQL's, with the line where known.
    #[error("{file}: {message}")]
    Load { file: String, message: String },
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

/// Run a script (`text`, cut by [`shale_sql::split_copy_data`]). psql meta-commands
/// (pg_dump's `\\restrict`, `\\connect`) are not SQL and are left out. On failure: the
/// error, the byte offset in `text` of the SQL that failed, and that SQL.
fn run_pieces(
    client: &mut postgres::Client,
    text: &str,
    pieces: &[shale_sql::ScriptPiece],
) -> Result<(), (postgres::Error, usize, String)> {
    use std::io::Write;
    let offset = |s: &str| s.as_ptr() as usize - text.as_ptr() as usize;
    for piece in pieces {
        match piece {
            shale_sql::ScriptPiece::Sql(piece) => {
                let at = offset(piece);
                let sql: String = piece
                    .split_inclusive('\n')
                    .map(|l| if l.starts_with('\\') { "\n" } else { l })
                    .collect();
                client
                    .batch_execute(&sql)
                    .map_err(|e| (e, at, sql.clone()))?;
            }
            shale_sql::ScriptPiece::CopyFromStdin { statement, data } => {
                let at = offset(statement);
                let fail = |e| (e, at, statement.to_string());
                let mut w = client.copy_in(*statement).map_err(fail)?;
                // A write error surfaces again, with the server's message, at `finish`.
                let _ = w.write_all(data.as_bytes());
                w.finish().map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// Run a script on `client` as psql would: SQL as it is (psql meta-commands left out), the
/// rows of each `COPY … FROM stdin` (as pg_dump writes them) sent as that COPY's data. The
/// dev-database mode and the test suites load scripts with it. On failure: the server's
/// message and the SQL that failed.
pub fn run_script(client: &mut postgres::Client, text: &str) -> Result<(), String> {
    let pieces = shale_sql::split_copy_data(text)
        .map_err(|line| format!("line {line}: COPY … FROM stdin: its data has no `\\.` line"))?;
    run_pieces(client, text, &pieces)
        .map_err(|(e, _, sql)| format!("{}\nin: {sql}", shale_connect::describe(&e)))
}

/// The dev-database mode: load `files` (in order) into a new temporary database on the
/// server `url` names, introspect it, and drop it. Exact by construction (PostgreSQL
/// itself resolves names, expands `*`, deparses expressions), at the cost of a server.
/// The database is dropped whether loading succeeds or not.
pub fn normalize_with_dev_db(
    url: &str,
    files: &[shale_sql::SourceFile],
) -> Result<Catalog, DevDbError> {
    let info = shale_connect::ConnInfo::parse(url)?;
    let server_err = |e: postgres::Error| DevDbError::Server {
        message: shale_connect::describe(&e),
    };
    let mut admin = info.connect()?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let name = format!(
        "shale_dev_{}_{}",
        std::process::id(),
        stamp % 1_000_000_000_000
    );
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(server_err)?;
    let result = (|| {
        let mut dev = info.clone();
        dev.set("dbname", &name)?;
        let mut client = dev.connect()?;
        for f in files {
            // `COPY … FROM stdin` rows (pg_dump's data) go to the server as COPY data.
            let pieces = shale_sql::split_copy_data(&f.text).map_err(|line| DevDbError::Load {
                file: f.path.clone(),
                message: format!(
                    "line {line}: COPY … FROM stdin: its data has no end (a line `\\.` must follow the rows)"
                ),
            })?;
            if let Err((e, offset, sql)) = run_pieces(&mut client, &f.text, &pieces) {
                let message = match e.as_db_error() {
                    Some(db) => {
                        let line = match db.position() {
                            Some(postgres::error::ErrorPosition::Original(p)) => {
                                let byte = sql
                                    .char_indices()
                                    .nth((*p as usize).saturating_sub(1))
                                    .map(|(b, _)| b)
                                    .unwrap_or(0);
                                let before = f.text[..offset].matches('\n').count();
                                format!("line {}: ", before + sql[..byte].matches('\n').count() + 1)
                            }
                            _ => String::new(),
                        };
                        format!("{line}{}", db.message())
                    }
                    None => e.to_string(),
                };
                return Err(DevDbError::Load {
                    file: f.path.clone(),
                    message,
                });
            }
        }
        let cat = crate::introspect(&mut client)?;
        drop(client);
        Ok(cat)
    })();
    let drop_sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    let dropped = match admin.batch_execute(&drop_sql) {
        // PostgreSQL refuses to drop a database that holds subscriptions: drop them,
        // detached from their slots (their publishers are not asked for anything).
        Err(e) if e.code() == Some(&postgres::error::SqlState::OBJECT_IN_USE) => {
            let mut dev = info.clone();
            if dev.set("dbname", &name).is_ok() {
                if let Ok(mut c) = dev.connect() {
                    let _ = c.batch_execute(shale_model::publications::DROP_SUBSCRIPTIONS_DETACHED);
                }
            }
            admin.batch_execute(&drop_sql)
        }
        r => r,
    };
    let cat = result?;
    dropped.map_err(server_err)?;
    Ok(cat)
}
