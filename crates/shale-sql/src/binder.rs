//! The offline binder: what PostgreSQL resolves when it loads an object, resolved here
//! against the desired catalog, so that a name the desired state no longer has is a
//! plan-time error at the object's file:line:column instead of a failed `apply` half-way.
//!
//! Where each kind of object is bound (see `docs/BINDER.md` for what is and is not
//! checked):
//! - Views, materialized views, SQL-standard function bodies and policy expressions with
//!   subqueries: by the query normalizer (`select.rs`), which resolves every relation
//!   (search path, CTEs, subqueries), every column through its FROM entry (aliases, joins)
//!   and calls [`missing_column`] for a qualified reference (`a.col`) that names no column
//!   of an entry whose columns are known exactly.
//! - Checks, defaults, generated columns, index expressions and policy expressions: by
//!   the expression normalizer with the table's columns; [`unknown_column`] finds a
//!   reference to a column the table does not have.
//! - Trigger `WHEN`: `NEW.col` / `OLD.col` through [`unknown_column`].
//! - SQL-language function bodies written as strings (`AS $$ … $$`): read once every
//!   statement is read (pg_dump creates functions before the tables they read), each
//!   statement of the body bound by the query normalizer ([`check_sql_bodies`]).
//!
//! Conservative by design: a name is reported only when PostgreSQL would certainly
//! reject it. Built-in functions, extension objects and the columns of functions in FROM
//! are not known offline, so what could be one of them passes.

use crate::normalize;
use crate::select::{self, Params, RelInfo, Resolver};
use crate::SqlError;
use pg_query::protobuf::Node;
use pg_query::NodeEnum;
use shale_model::{Catalog, FunctionBody, QualName, TypeRef};

/// System columns every table has (and `oid`, which older catalogs had): valid after a
/// table's alias though not listed among its columns.
const SYSTEM_COLUMNS: &[&str] = &["ctid", "xmin", "xmax", "cmin", "cmax", "tableoid", "oid"];

/// Built-in functions of one argument that accept a row (`record`, `anyelement`, `"any"`,
/// …), so that `t.name` may mean `name(t)`; and types a row converts to by I/O
/// (`t.text`). From `pg_proc` of PostgreSQL 15 (first argument of a pseudo-type).
const ROW_FUNCTIONS: &[&str] = &[
    "array_agg",
    "bpchar",
    "char",
    "concat",
    "count",
    "cume_dist",
    "dense_rank",
    "first_value",
    "hash_record",
    "hstore",
    "json_agg",
    "json_build_array",
    "json_build_object",
    "jsonb_agg",
    "jsonb_build_array",
    "jsonb_build_object",
    "lag",
    "last_value",
    "lead",
    "mode",
    "name",
    "num_nonnulls",
    "num_nulls",
    "percent_rank",
    "pg_collation_for",
    "pg_column_compression",
    "pg_column_size",
    "pg_typeof",
    "quote_literal",
    "quote_nullable",
    "rank",
    "record_out",
    "record_send",
    "row_to_json",
    "text",
    "to_json",
    "to_jsonb",
    "varchar",
];

/// Whether `t.name` could be a call of `name(t)` (PostgreSQL's attribute notation for
/// functions) rather than a missing column: a user function of that name exists, or a
/// built-in one takes a row.
pub(crate) fn may_be_attribute_call(name: &str, user_function: bool) -> bool {
    user_function
        || SYSTEM_COLUMNS.contains(&name)
        || ROW_FUNCTIONS.contains(&name)
        || name.ends_with("_out")
        || name.ends_with("_send")
}

/// Whether the model lists every column of relation `q`: not for a partition or an
/// inheritance child, whose inherited columns the model keeps with the parent.
pub(crate) fn columns_complete(cat: &Catalog, q: &QualName) -> bool {
    cat.table_options
        .get(q)
        .is_none_or(|o| o.partition_of.is_none() && o.inherits.is_empty())
}

/// PostgreSQL's message for `rel.col` when `rel` has no column `col`.
pub(crate) fn missing_column(rel: &str, col: &str) -> String {
    format!("column {rel}.{col} does not exist (no column \"{col}\" in what {rel} names, in the desired state)")
}

/// The first column reference in `n` (an expression without subqueries: one with them
/// goes through the query normalizer) that names no column of the table: a bare name, or one qualified with one of
/// `qualifiers` (the table's name; `new` and `old` in a trigger's `WHEN`). With
/// `bare: false`, bare names are left alone. Returns the reference's location (byte in
/// the statement's source, -1 if unknown) and the error.
pub(crate) fn unknown_column(
    n: &Node,
    columns: &[&str],
    qualifiers: &[&str],
    bare: bool,
    user_function: &dyn Fn(&str) -> bool,
) -> Option<(i32, String)> {
    let mut found = None;
    normalize::walk(n, &mut |e| {
        if found.is_some() {
            return;
        }
        let NodeEnum::ColumnRef(c) = e else {
            return;
        };
        let names: Vec<&str> = c
            .fields
            .iter()
            .map(|f| match f.node.as_ref() {
                Some(NodeEnum::String(s)) => s.sval.as_str(),
                _ => "*",
            })
            .collect();
        let known = |col: &str| {
            col == "*" || columns.contains(&col) || may_be_attribute_call(col, user_function(col))
        };
        match names.as_slice() {
            // A bare qualifier is a whole-row reference (`f(t)`).
            [col]
                if bare
                    && !columns.contains(col)
                    && !SYSTEM_COLUMNS.contains(col)
                    && !qualifiers.contains(col) =>
            {
                found = Some((c.location, format!("column \"{col}\" does not exist")));
            }
            [rel, col] if qualifiers.contains(rel) && !known(col) => {
                found = Some((c.location, missing_column(rel, col)));
            }
            _ => {}
        }
    });
    found
}

/// A SQL-language function whose body is a string, as read: bound once every statement
/// is read ([`check_sql_bodies`]).
pub(crate) struct SqlBodySite {
    pub function: QualName,
    /// The body text (to tell the function still has this body at the end).
    pub body: String,
    pub params: Params,
    /// The search path in force where it was created (the function's own `search_path`
    /// setting first).
    pub path: Vec<String>,
    /// The statement's location; the message is filled in on error.
    pub at: SqlError,
}

/// The final catalog seen by the query normalizer, with a search path. A relation not on
/// the path but present in another schema is taken from there: the session that runs the
/// function may have that schema on its path.
struct CatalogNames<'a> {
    cat: &'a Catalog,
    path: &'a [String],
}

impl CatalogNames<'_> {
    fn info(&self, q: &QualName) -> Option<RelInfo> {
        if let Some(t) = self.cat.tables.get(q) {
            return Some(RelInfo {
                name: q.clone(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), Some(self.cat.domain_base(&c.ty))))
                    .collect(),
            });
        }
        if let Some(t) = self.cat.foreign_tables.get(q) {
            return Some(RelInfo {
                name: q.clone(),
                columns: t
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), Some(self.cat.domain_base(&c.ty))))
                    .collect(),
            });
        }
        self.cat.views.get(q).map(|v| RelInfo {
            name: q.clone(),
            columns: v.columns.iter().map(|c| (c.clone(), None)).collect(),
        })
    }
}

impl Resolver for CatalogNames<'_> {
    fn relation(&self, schema: Option<&str>, name: &str) -> Option<RelInfo> {
        match schema {
            Some(s) => self.info(&QualName::new(s, name)),
            None => self
                .path
                .iter()
                .find_map(|s| self.info(&QualName::new(s, name)))
                .or_else(|| {
                    let q = self
                        .cat
                        .tables
                        .keys()
                        .chain(self.cat.views.keys())
                        .find(|q| q.name == name)?;
                    self.info(q)
                }),
        }
    }
    fn function(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        self.cat
            .functions
            .values()
            .map(|f| &f.name)
            .chain(self.cat.aggregates.values().map(|a| &a.name))
            .find(|f| f.name == name && schema.is_none_or(|s| f.schema == s))
            .cloned()
    }
    fn sequence(&self, schema: Option<&str>, name: &str) -> QualName {
        QualName::new(schema.unwrap_or("public"), name)
    }
    fn user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String> {
        Ok(QualName::new(schema.unwrap_or("public"), name))
    }
    fn columns_complete(&self, q: &QualName) -> bool {
        columns_complete(self.cat, q)
    }
}

/// Whether a normalizer error is one PostgreSQL would certainly give too (a missing
/// relation or column); other errors are limits of the offline normalizer, not of the
/// SQL.
fn certain(msg: &str) -> bool {
    (msg.starts_with("column ") || msg.starts_with("relation \""))
        && msg.contains(" does not exist")
}

fn polymorphic(t: &TypeRef) -> bool {
    t.schema.is_none() && (t.name.starts_with("any") || t.name == "\"any\"")
}

/// Bind the statements of every SQL-language string body against the final catalog, as
/// `CREATE FUNCTION` does with `check_function_bodies` on (which `apply` keeps). A body
/// is skipped when PostgreSQL would not analyze it either (polymorphic arguments) or
/// when a statement could depend on an earlier one (anything but `SELECT`, `INSERT`,
/// `UPDATE`, `DELETE`).
pub(crate) fn check_sql_bodies(cat: &Catalog, sites: &[SqlBodySite]) -> Result<(), SqlError> {
    // The bodies of the functions by name, looked up once per site (not a scan of every
    // function per site).
    let mut bodies: std::collections::HashMap<&QualName, Vec<&str>> = Default::default();
    for f in cat.functions.values() {
        if let FunctionBody::Source(b) = &f.body {
            bodies.entry(&f.name).or_default().push(&b.sql);
        }
    }
    for site in sites {
        let current = bodies
            .get(&site.function)
            .is_some_and(|b| b.contains(&site.body.as_str()));
        if !current || site.params.args.iter().any(|(_, t)| polymorphic(t)) {
            continue;
        }
        let Ok(parsed) = pg_query::parse(&site.body, 0) else {
            continue;
        };
        let stmts: Vec<NodeEnum> = parsed
            .protobuf
            .stmts
            .into_iter()
            .filter_map(|s| s.stmt.and_then(|n| n.node))
            .collect();
        let plain = stmts.iter().all(|s| {
            matches!(
                s,
                NodeEnum::SelectStmt(_)
                    | NodeEnum::InsertStmt(_)
                    | NodeEnum::UpdateStmt(_)
                    | NodeEnum::DeleteStmt(_)
            )
        });
        if !plain {
            continue;
        }
        let names = CatalogNames {
            cat,
            path: &site.path,
        };
        for s in &stmts {
            if let Err(msg) = select::normalize_dml(s, &names, Some(&site.params)) {
                // An extension's relations (PostGIS' spatial_ref_sys) are not modeled.
                let extension_relation = msg.starts_with("relation") && !cat.extensions.is_empty();
                if certain(&msg) && !extension_relation {
                    let mut e = site.at.clone();
                    e.message = format!("in the body of function {}: {msg}", site.function);
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}
