//! Live-database front end: reads a PostgreSQL database's catalogs into the canonical
//! [`shale_model::Catalog`].
//!
//! ```no_run
//! let catalog = shale_introspect::introspect_url("postgresql://postgres@127.0.0.1/app")?;
//! # Ok::<(), shale_introspect::IntrospectError>(())
//! ```
//!
//! How:
//! - One `pg_catalog` query per object kind for the whole database (see [`queries`]),
//!   joined in memory; no query per table.
//! - Everything is read inside one `REPEATABLE READ READ ONLY` transaction, so the kinds
//!   are read from the same snapshot and the session settings below are `SET LOCAL`:
//!   the caller's connection is left as it was.
//! - `search_path` is set to empty (only `pg_catalog`, implicitly). Then `pg_get_expr`
//!   and `format_type` schema-qualify every name that is not in `pg_catalog`:
//!   `nextval('public.t_id_seq'::regclass)`, `'a'::public.mood`, `public.f(x)`, while
//!   built-ins stay bare (`now()`, `'x'::text`). Every reference is thus unambiguous
//!   whatever the database's own search path, and the normalizer never has to guess
//!   which schema an unqualified name meant: the [`ExprContext`] it gets has an empty
//!   search path. (The canonical serial default is the qualified
//!   `nextval('<schema>.<table>_<col>_seq'::regclass)`, which is exactly this output.)
//! - The other settings that change how constants are deparsed are pinned too
//!   (`TimeZone`, `DateStyle`, `IntervalStyle`, `extra_float_digits`, `bytea_output`,
//!   `quote_all_identifiers`), so the same database reads the same from any client.
//! - Skipped: `pg_catalog`, `information_schema`, every `pg_*` schema (`pg_toast*`,
//!   `pg_temp*`), extensions installed in `pg_catalog` (`plpgsql`), and every object an
//!   extension owns (`pg_depend.deptype = 'e'`).
//!
//! Supports PostgreSQL 13 to 18 (`NULLS NOT DISTINCT` is read on 15 and later).

mod aggregates;
mod casts;
mod event_triggers;
mod foreign_data;
mod operators;
mod publications;
pub mod queries;
mod rewrite_rules;
mod routines;
mod security;
mod statistics;
mod text_search;

pub use security::{missing_roles, read_owners};
mod relation_options;
mod table_options;
mod user_types;

pub use routines::{normalize_with_dev_db, run_script, DevDbError};

use postgres::{Client, IsolationLevel};
use shale_model::{
    Catalog, Column, ColumnRef, Constraint, ConstraintKind, EnumType, Expr, Extension, FkAction,
    Identity, Index, IndexKey, IndexKeyExpr, QualName, Schema, Sequence, Table, TypeRef,
};
use shale_sql::ExprContext;
use std::collections::HashMap;

/// What went wrong reading a database.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    /// Could not connect (or the connection string is malformed): every host tried and
    /// why, never a password (see `shale_connect`).
    #[error(transparent)]
    Connect(#[from] shale_connect::ConnectError),
    #[error("PostgreSQL {version} is not supported (13 or later is needed)")]
    UnsupportedVersion { version: String },
    /// A catalog query failed; `what` is the object kind being read.
    #[error("reading {what} from the catalog failed: {}", server_message(source))]
    Query {
        what: &'static str,
        #[source]
        source: postgres::Error,
    },
    /// The catalog returned an expression the normalizer could not read.
    #[error("cannot normalize the {what} of {object}: {message}\n  SQL: {sql}")]
    Expr {
        object: String,
        what: &'static str,
        sql: String,
        message: String,
    },
    /// Rows that should agree do not (e.g. a column row for an unknown attribute).
    #[error("unexpected catalog contents at {object}: {message}")]
    Inconsistent { object: String, message: String },
}

/// The server's own message for a failed query (`postgres::Error` alone prints only
/// "db error"), with SQLSTATE, detail and hint; a statement timeout says how to raise it.
fn server_message(e: &postgres::Error) -> String {
    let m = shale_connect::describe(e);
    if e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED) {
        format!(
            "{m}\nHINT: introspection stopped at the statement timeout ({}); set {STATEMENT_TIMEOUT_ENV} (e.g. 10min, or 0 for none) to allow longer",
            statement_timeout()
        )
    } else {
        m
    }
}

/// The environment variable that sets the introspection statement timeout.
pub const STATEMENT_TIMEOUT_ENV: &str = "SHALE_STATEMENT_TIMEOUT";

/// The statement timeout of every introspection query: `SHALE_STATEMENT_TIMEOUT` (a
/// PostgreSQL duration such as `30s`, `10min`; `0` for none), else 5 minutes, so that a
/// catalog query stuck behind a lock fails with a message instead of hanging. A value the
/// server rejects is reported by the server.
pub fn statement_timeout() -> String {
    std::env::var(STATEMENT_TIMEOUT_ENV)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "5min".into())
}

/// Connect to `conninfo` (a `postgres://` URI, a libpq `keyword=value` string, or empty
/// for the `PG*` environment) and introspect it.
pub fn introspect_url(conninfo: &str) -> Result<Catalog, IntrospectError> {
    let mut client = shale_connect::connect(conninfo)?;
    introspect(&mut client)
}

/// `url` with any password replaced by `***` (the one redaction, `shale_connect::redact`).
pub fn redact_url(url: &str) -> String {
    shale_connect::redact(url)
}

/// Read the whole database `client` is connected to into the canonical model.
pub fn introspect(client: &mut Client) -> Result<Catalog, IntrospectError> {
    introspect_with_stats(client).map(|(cat, _)| cat)
}

/// What one introspection cost: each catalog query (a fixed list, whatever the schema's
/// size), and the time spent building the model from the rows afterwards (normalizing
/// expressions, replaying views and functions).
#[derive(Debug, Clone, Default)]
pub struct IntrospectStats {
    /// Every catalog query, in the order sent. The transaction's `BEGIN`, its two
    /// `SET LOCAL` batches and its `ROLLBACK` are not counted.
    pub queries: Vec<queries::QueryStat>,
    /// Reading: from `BEGIN` to the end of the last query.
    pub read: std::time::Duration,
    /// Building the model from the rows.
    pub assemble: std::time::Duration,
}

/// [`introspect`], also reporting what it cost.
pub fn introspect_with_stats(
    client: &mut Client,
) -> Result<(Catalog, IntrospectStats), IntrospectError> {
    queries::take_query_stats();
    let start = std::time::Instant::now();
    let read = read_rows(client);
    let queries = queries::take_query_stats();
    let read_time = start.elapsed();
    let start = std::time::Instant::now();
    let cat = assemble_all(read?)?;
    Ok((
        cat,
        IntrospectStats {
            queries,
            read: read_time,
            assemble: start.elapsed(),
        },
    ))
}

/// Every catalog row, from one snapshot.
struct AllRows {
    rows: Rows,
    type_rows: user_types::Types,
    table_rows: table_options::Rows,
    routine_rows: routines::Rows,
    security_rows: security::Rows,
    event_trigger_rows: Vec<event_triggers::EventTriggerRow>,
    relation_option_rows: Vec<relation_options::RelationOptionRow>,
    aggregate_rows: Vec<aggregates::AggregateRow>,
    cast_rows: Vec<casts::CastRow>,
    publication_rows: publications::PublicationRows,
    foreign_data_rows: foreign_data::ForeignDataRows,
    statistics_rows: Vec<statistics::StatisticsRow>,
    operator_rows: operators::OperatorRows,
    rule_rows: Vec<rewrite_rules::RuleRow>,
    text_search_rows: text_search::TextSearchRows,
}

fn read_rows(client: &mut Client) -> Result<AllRows, IntrospectError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|source| IntrospectError::Query {
            what: "a read-only transaction",
            source,
        })?;
    tx.batch_execute(
        "SET LOCAL search_path = ''; \
         SET LOCAL TimeZone = 'UTC'; \
         SET LOCAL DateStyle = 'ISO, MDY'; \
         SET LOCAL IntervalStyle = 'postgres'; \
         SET LOCAL extra_float_digits = 1; \
         SET LOCAL bytea_output = 'hex'; \
         SET LOCAL quote_all_identifiers = off;",
    )
    .map_err(|source| IntrospectError::Query {
        what: "session settings",
        source,
    })?;
    tx.batch_execute(&format!(
        "SET LOCAL statement_timeout = {}",
        shale_model::quote_literal(&statement_timeout())
    ))
    .map_err(|source| IntrospectError::Query {
        what: "session settings",
        source,
    })?;

    let (version, version_text) = queries::server_version(&mut tx)?;
    if version.0 < 130000 {
        return Err(IntrospectError::UnsupportedVersion {
            version: version_text,
        });
    }
    let columns = queries::columns(&mut tx)?;
    let mut constraints = queries::constraints(&mut tx, version)?;
    queries::name_constraint_columns(&mut constraints, &columns)?;
    let rows = Rows {
        schemas: queries::schemas(&mut tx)?,
        extensions: queries::extensions(&mut tx)?,
        enums: queries::enums(&mut tx)?,
        sequences: queries::sequences(&mut tx)?,
        tables: queries::tables(&mut tx)?,
        columns,
        constraints,
        indexes: queries::indexes(&mut tx, version)?,
        index_columns: queries::index_columns(&mut tx)?,
    };
    let type_rows = user_types::read(&mut tx)?;
    let table_rows = table_options::read(&mut tx, version)?;
    let routine_rows = routines::read(&mut tx)?;
    let security_rows = security::read(&mut tx, version)?;
    let event_trigger_rows = event_triggers::read(&mut tx)?;
    let relation_option_rows = relation_options::read(&mut tx)?;
    let aggregate_rows = aggregates::read(&mut tx)?;
    let cast_rows = casts::read(&mut tx)?;
    let publication_rows = publications::read(&mut tx, version)?;
    let foreign_data_rows = foreign_data::read(&mut tx)?;
    let statistics_rows = statistics::read(&mut tx)?;
    let operator_rows = operators::read(&mut tx)?;
    let rule_rows = rewrite_rules::read(&mut tx)?;
    let text_search_rows = text_search::read(&mut tx)?;
    // Read-only: nothing to keep; ending it restores the caller's settings.
    tx.rollback().map_err(|source| IntrospectError::Query {
        what: "end of transaction",
        source,
    })?;
    Ok(AllRows {
        rows,
        type_rows,
        table_rows,
        routine_rows,
        security_rows,
        event_trigger_rows,
        relation_option_rows,
        aggregate_rows,
        cast_rows,
        publication_rows,
        foreign_data_rows,
        statistics_rows,
        operator_rows,
        rule_rows,
        text_search_rows,
    })
}

fn assemble_all(all: AllRows) -> Result<Catalog, IntrospectError> {
    let AllRows {
        rows,
        type_rows,
        table_rows,
        routine_rows,
        security_rows,
        event_trigger_rows,
        relation_option_rows,
        aggregate_rows,
        cast_rows,
        publication_rows,
        foreign_data_rows,
        statistics_rows,
        operator_rows,
        rule_rows,
        text_search_rows,
    } = all;
    // Assembled on shale-sql's large-stack thread, once: every expression normalized and
    // every view and function replayed below then runs in place, instead of starting a
    // thread per call (which cost more than the normalization itself).
    shale_sql::with_deep_stack(move || {
        let cat = user_types::assemble(
            table_options::apply(assemble(rows)?, table_rows)?,
            type_rows,
        )?;
        // Before views and functions: their calls of aggregates are then known.
        let cat = casts::assemble(aggregates::assemble(cat, aggregate_rows), cast_rows);
        // Foreign tables before views: a view may read one (the replay resolves it).
        let cat = foreign_data::assemble(cat, foreign_data_rows)?;
        security::assemble(routines::assemble(cat, routine_rows)?, security_rows)
            .map(|cat| event_triggers::assemble(cat, event_trigger_rows))
            .and_then(|cat| publications::assemble(cat, publication_rows))
            .map(|cat| statistics::assemble(cat, statistics_rows))
            .map(|cat| operators::assemble(cat, operator_rows))
            .map(|cat| text_search::assemble(cat, text_search_rows))
            .map(|cat| rewrite_rules::assemble(cat, rule_rows))
            .map(user_types::forget_unmodeled)
            .map(table_options::forget_unmodeled)
            .map(|cat| relation_options::assemble(cat, relation_option_rows))
    })
}

/// All the catalog rows, before they are joined into the model.
struct Rows {
    schemas: Vec<queries::SchemaRow>,
    extensions: Vec<queries::ExtensionRow>,
    enums: Vec<queries::EnumRow>,
    sequences: Vec<queries::SequenceRow>,
    tables: Vec<queries::TableRow>,
    columns: Vec<queries::ColumnRow>,
    constraints: Vec<queries::ConstraintRow>,
    indexes: Vec<queries::IndexRow>,
    index_columns: Vec<queries::IndexColumnRow>,
}

/// The search path the normalizer is told about: empty, as in the session (see the
/// crate docs): every non-`pg_catalog` name in the catalog's output is qualified.
const SEARCH_PATH: &[String] = &[];

fn normalize(
    sql: &str,
    column_types: &HashMap<String, TypeRef>,
    target: Option<&TypeRef>,
    object: impl FnOnce() -> String,
    what: &'static str,
) -> Result<Expr, IntrospectError> {
    let lookup = |name: &str| column_types.get(name).cloned();
    let ctx = ExprContext {
        column_type: &lookup,
        target_type: target,
        search_path: SEARCH_PATH,
    };
    shale_sql::normalize_expr(sql, &ctx).map_err(|message| IntrospectError::Expr {
        object: object(),
        what,
        sql: sql.to_string(),
        message,
    })
}

/// A column's type as the model spells it: built-ins as `format_type` prints them
/// (without `[]`), everything else by schema and name; arrays by their element type.
fn column_type(c: &queries::ColumnRow) -> TypeRef {
    let base = if c.elem_schema == "pg_catalog" {
        let mut name = c.formatted_type.as_str();
        while let Some(stripped) = name.strip_suffix("[]") {
            name = stripped;
        }
        TypeRef::builtin(name)
    } else {
        TypeRef::user(QualName::new(c.elem_schema.clone(), c.elem_name.clone()))
            .with_typmod(c.elem_typmod.clone())
    };
    if c.is_array {
        base.array_of()
    } else {
        base
    }
}

fn fk_action(code: &str, object: impl FnOnce() -> String) -> Result<FkAction, IntrospectError> {
    Ok(match code {
        "a" => FkAction::NoAction,
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        other => {
            return Err(IntrospectError::Inconsistent {
                object: object(),
                message: format!("unknown foreign key action code {other:?}"),
            })
        }
    })
}

fn qual_opt(schema: &Option<String>, name: &Option<String>) -> Option<QualName> {
    match (schema, name) {
        (Some(s), Some(n)) => Some(QualName::new(s.clone(), n.clone())),
        _ => None,
    }
}

fn assemble(rows: Rows) -> Result<Catalog, IntrospectError> {
    let mut cat = Catalog::default();

    for s in rows.schemas {
        cat.schemas.insert(s.name.clone(), Schema { name: s.name });
    }
    for e in rows.extensions {
        cat.extensions.insert(
            e.name.clone(),
            Extension {
                name: e.name,
                schema: e.schema,
                version: Some(e.version),
            },
        );
    }
    for e in rows.enums {
        let name = QualName::new(e.schema, e.name);
        cat.enums.insert(
            name.clone(),
            EnumType {
                name,
                labels: e.labels,
                comment: e.comment,
            },
        );
    }

    // Tables, by oid (the other rows refer to tables by oid).
    let mut tables: HashMap<u32, Table> = HashMap::new();
    for t in &rows.tables {
        let mut table = Table::new(QualName::new(t.schema.clone(), t.name.clone()));
        table.comment = t.comment.clone();
        tables.insert(t.oid, table);
    }
    let table_name = |oid: u32| -> Option<QualName> { tables.get(&oid).map(|t| t.name.clone()) };

    // Sequences: standalone ones (possibly OWNED BY a column) go to the catalog; identity
    // sequences become their column's identity options.
    let mut identities: HashMap<(u32, String), Identity> = HashMap::new();
    for s in rows.sequences {
        let owner = match (s.owner_table_oid, &s.owner_column) {
            (Some(oid), Some(col)) => Some((oid, col.clone())),
            _ => None,
        };
        if s.owner_deptype.as_deref() == Some("i") {
            if let Some(key) = owner {
                identities.insert(
                    key,
                    Identity {
                        always: false, // set from the column's attidentity below
                        start: s.start,
                        increment: s.increment,
                        min_value: s.min_value,
                        max_value: s.max_value,
                        cache: s.cache,
                        cycle: s.cycle,
                    },
                );
            }
            continue;
        }
        let name = QualName::new(s.schema, s.name);
        let owned_by = match owner {
            Some((oid, column)) => match table_name(oid) {
                Some(table) => Some(ColumnRef { table, column }),
                // Owned by a column of a table we do not list (an extension member, a
                // view...): the sequence goes with that object, so it is skipped too.
                None => continue,
            },
            None => None,
        };
        let mut seq = Sequence::with_defaults(name.clone(), &s.data_type, s.increment);
        seq.start = s.start;
        seq.min_value = s.min_value;
        seq.max_value = s.max_value;
        seq.cache = s.cache;
        seq.cycle = s.cycle;
        seq.owned_by = owned_by;
        seq.comment = s.comment;
        cat.sequences.insert(name, seq);
    }

    // Columns (already in attnum order per table), then their expressions once every
    // column's type is known.
    let mut types: HashMap<u32, HashMap<String, TypeRef>> = HashMap::new();
    let mut pending_exprs = Vec::new();
    for c in rows.columns {
        let Some(table) = tables.get_mut(&c.table_oid) else {
            continue; // a table we skip (extension member)
        };
        let ty = column_type(&c);
        types
            .entry(c.table_oid)
            .or_default()
            .insert(c.name.clone(), ty.clone());
        let mut col = Column::new(c.name.clone(), ty);
        col.not_null = c.not_null;
        col.collation = qual_opt(&c.collation_schema, &c.collation_name);
        col.comment = c.comment;
        if !c.identity.is_empty() {
            let data_type = col.ty.name.clone();
            let mut id = identities
                .remove(&(c.table_oid, c.name.clone()))
                .unwrap_or_else(|| Identity::with_defaults(false, &data_type));
            id.always = c.identity == "a";
            col.identity = Some(id);
        }
        if let Some(sql) = c.default_expr {
            pending_exprs.push((
                c.table_oid,
                table.columns.len(),
                sql,
                !c.generated.is_empty(),
            ));
        }
        table.columns.push(col);
    }
    let empty = HashMap::new();
    for (oid, idx, sql, generated) in pending_exprs {
        let col_types = types.get(&oid).unwrap_or(&empty);
        let Some(table) = tables.get_mut(&oid) else {
            continue; // not reached: expressions are only queued for listed tables
        };
        let col = &mut table.columns[idx];
        let what = if generated {
            "generation expression"
        } else {
            "default"
        };
        let tname = &table.name;
        let cname = &col.name;
        let expr = normalize(
            &sql,
            col_types,
            Some(&col.ty),
            || format!("column {tname}.{}", shale_model::quote_ident(cname)),
            what,
        )?;
        if generated {
            col.generated = Some(expr);
        } else {
            col.default = Some(expr);
        }
    }

    for c in rows.constraints {
        let Some(table) = tables.get_mut(&c.table_oid) else {
            continue;
        };
        let tname = table.name.clone();
        let object = || {
            format!(
                "constraint {} on {tname}",
                shale_model::quote_ident(&c.name)
            )
        };
        let kind = match c.kind.as_str() {
            "p" => ConstraintKind::PrimaryKey {
                columns: c.columns,
                include: c.include,
            },
            "u" => ConstraintKind::Unique {
                columns: c.columns,
                include: c.include,
                nulls_not_distinct: c.nulls_not_distinct,
            },
            "c" => {
                let sql = c
                    .check_expr
                    .clone()
                    .ok_or_else(|| IntrospectError::Inconsistent {
                        object: object(),
                        message: "check constraint without an expression".into(),
                    })?;
                let col_types = types.get(&c.table_oid).unwrap_or(&empty);
                ConstraintKind::Check {
                    expr: normalize(&sql, col_types, None, object, "check expression")?,
                    no_inherit: c.no_inherit,
                }
            }
            "f" => {
                let ref_table = qual_opt(&c.ref_schema, &c.ref_table).ok_or_else(|| {
                    IntrospectError::Inconsistent {
                        object: object(),
                        message: "foreign key without a referenced table".into(),
                    }
                })?;
                ConstraintKind::ForeignKey {
                    columns: c.columns,
                    ref_table,
                    ref_columns: c.ref_columns,
                    on_update: fk_action(&c.on_update, object)?,
                    on_delete: fk_action(&c.on_delete, object)?,
                    match_full: c.match_type == "f",
                }
            }
            other => {
                return Err(IntrospectError::Inconsistent {
                    object: object(),
                    message: format!("unexpected constraint type {other:?}"),
                })
            }
        };
        table.constraints.insert(
            c.name.clone(),
            Constraint {
                name: c.name,
                kind,
                deferrable: c.deferrable,
                initially_deferred: c.deferred,
                validated: c.validated,
                comment: c.comment,
                index_comment: c.index_comment,
                index_invalid: c.index_invalid,
            },
        );
    }

    // Indexes: key and INCLUDE positions from the index-column rows.
    let mut positions: HashMap<u32, Vec<queries::IndexColumnRow>> = HashMap::new();
    for p in rows.index_columns {
        positions.entry(p.index_oid).or_default().push(p);
    }
    for ix in rows.indexes {
        let Some(table) = tables.get(&ix.table_oid) else {
            continue;
        };
        let name = QualName::new(ix.schema, ix.name);
        let object = || format!("index {name}");
        let col_types = types.get(&ix.table_oid).unwrap_or(&empty);
        let mut keys = Vec::new();
        let mut include = Vec::new();
        let mut cols = positions.remove(&ix.oid).unwrap_or_default();
        cols.sort_by_key(|p| p.position);
        for p in cols {
            if p.position > ix.n_key_columns as i64 {
                let column = p.column.ok_or_else(|| IntrospectError::Inconsistent {
                    object: object(),
                    message: format!("INCLUDE position {} is not a column", p.position),
                })?;
                include.push(column);
                continue;
            }
            let key = match (p.column, p.expr) {
                (Some(c), _) => IndexKeyExpr::Column(c),
                (None, Some(sql)) => {
                    IndexKeyExpr::Expr(normalize(&sql, col_types, None, object, "key expression")?)
                }
                (None, None) => {
                    return Err(IntrospectError::Inconsistent {
                        object: object(),
                        message: format!("key {} has neither column nor expression", p.position),
                    })
                }
            };
            keys.push(IndexKey {
                key,
                collation: qual_opt(&p.collation_schema, &p.collation_name),
                opclass: qual_opt(&p.opclass_schema, &p.opclass_name),
                descending: p.option & 1 != 0,
                nulls_first: p.option & 2 != 0,
            });
        }
        let predicate = match ix.predicate {
            Some(sql) => Some(normalize(&sql, col_types, None, object, "predicate")?),
            None => None,
        };
        cat.indexes.insert(
            name.clone(),
            Index {
                name,
                table: table.name.clone(),
                unique: ix.unique,
                method: ix.method,
                keys,
                include,
                predicate,
                nulls_not_distinct: ix.nulls_not_distinct,
                comment: ix.comment,
                invalid: ix.invalid,
                storage: Default::default(),
                statistics: Default::default(),
            },
        );
    }

    for (_, t) in tables {
        cat.tables.insert(t.name.clone(), t);
    }
    Ok(cat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db.example:5432/prod"),
            "postgres://app:***@db.example:5432/prod"
        );
        assert_eq!(
            redact_url("postgres://app@db/prod"),
            "postgres://app@db/prod"
        );
        assert_eq!(
            redact_url("host=db password=hunter2 dbname=prod"),
            "host=db password=*** dbname=prod"
        );
    }

    #[test]
    fn connect_error_names_target_without_password() {
        // Nothing listens on port 1.
        let err = introspect_url("postgresql://bob:hunter2@127.0.0.1:1/inventory").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("bob@127.0.0.1:1/inventory"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(matches!(err, IntrospectError::Connect(_)));
    }

    #[test]
    fn array_and_builtin_types() {
        let row = |formatted: &str, is_array: bool, schema: &str, name: &str| queries::ColumnRow {
            table_oid: 1,
            attnum: 1,
            name: "c".into(),
            formatted_type: formatted.into(),
            is_array,
            elem_schema: schema.into(),
            elem_name: name.into(),
            elem_typmod: None,
            not_null: false,
            default_expr: None,
            identity: String::new(),
            generated: String::new(),
            collation_schema: None,
            collation_name: None,
            comment: None,
        };
        assert_eq!(
            column_type(&row(
                "character varying(20)[]",
                true,
                "pg_catalog",
                "varchar"
            )),
            TypeRef::builtin("character varying(20)").array_of()
        );
        assert_eq!(
            column_type(&row("public.mood[]", true, "public", "mood")),
            TypeRef::user(QualName::new("public", "mood")).array_of()
        );
        assert_eq!(
            column_type(&row(
                "timestamp(3) with time zone",
                false,
                "pg_catalog",
                "timestamptz"
            )),
            TypeRef::builtin("timestamp(3) with time zone")
        );
    }
}
