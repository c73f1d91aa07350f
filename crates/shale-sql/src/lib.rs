//! SQL front end: PostgreSQL DDL files → [`shale_model::Catalog`], using pg_query (the real
//! PostgreSQL parser). Also home of the expression normalizer that every front end uses,
//! so that the same expression compares equal whichever side it came from.
//!
//! - [`parse_sources`]: files → [`Catalog`], statements applied in order as `psql` would run
//!   them (each file starts with the default `search_path`).
//! - [`parse_sources_with_directives`]: the same, plus the `-- shale:renamed-from` and
//!   `-- shale:backfill` comment directives as [`Directives`] (see `docs/DIRECTIVES.md`).
//! - [`normalize_expr`]: the expression normalizer (defaults, checks, generated columns,
//!   index key expressions and index predicates alike).
//! - [`parse_type`]: a type name → the canonical [`TypeRef`].
//! - [`split_copy_data`]: a script cut at its `COPY … FROM stdin` data blocks (statements
//!   that are not schema, data among them, are skipped by the parse and listed in
//!   [`Catalog::ignored_statements`]).

mod binder;
mod chunks;
mod constants;
mod deep;

/// Run `f` on a thread with the large stack every entry point of this crate uses, so
/// front ends built on it (YAML) read expressions nested as deep as PostgreSQL accepts.
/// Nested calls run in place.
pub fn with_deep_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    deep::deep(f)
}
mod directives;
mod expr_memo;
mod facts;
pub mod naming;
mod normalize;
mod parse;
mod raw;
mod secrets;
mod select;
mod types;
mod typmods;

pub use parse::routines::{parse_sources_collecting, Replay, ReplayError};
pub use parse::security::{expr_has_subquery, normalize_policy_expr, read_owners};
pub use parse::statements::{split_copy_data, ScriptPiece};
pub use parse::table_options::{
    exclusion_from_catalog, is_implied_index_name, partition_bound_from_catalog,
    partition_key_from_catalog,
};

pub use normalize::expr_columns;
pub use secrets::mask_secrets;
pub use types::parse_type;

use shale_model::{Catalog, Directives, Expr, QualName, TypeRef};
use std::fmt;

/// One input file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Shown in errors as given.
    pub path: String,
    pub text: String,
}

/// An error in the input, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// The offending statement or text (first line or so).
    pub snippet: String,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if !self.snippet.is_empty() {
            // Never echo a password: CREATE USER MAPPING … OPTIONS (password '…'),
            // CREATE SUBSCRIPTION … CONNECTION '… password=…', ALTER ROLE … PASSWORD '…'.
            write!(f, "\n  | {}", mask_secrets(&self.snippet))?;
        }
        Ok(())
    }
}

impl std::error::Error for SqlError {}

/// Read the files, in the order given, as one schema.
///
/// Errors name the file, the 1-based line and column of the offending token (or of the
/// statement) and show the source line. Directives are checked as by
/// [`parse_sources_with_directives`] (a malformed one is an error) and then left out.
pub fn parse_sources(files: &[SourceFile]) -> Result<Catalog, SqlError> {
    parse_sources_with_directives(files).map(|(cat, _)| cat)
}

/// Read the files as one schema, together with the hints their comments give:
/// `-- shale:renamed-from old_name` and `-- shale:backfill <expression>`, on the line
/// before an object's definition or at the end of its first line.
///
/// The hints are not part of the [`Catalog`] (a database has no such thing). A directive
/// that is unknown, malformed, attached to nothing (or to the wrong kind of object), or
/// that names an object missing from the final schema is an error at its file:line:column.
pub fn parse_sources_with_directives(
    files: &[SourceFile],
) -> Result<(Catalog, Directives), SqlError> {
    // Bad input must give an error, never a panic: a panic below is a bug, reported as one.
    deep::deep(|| std::panic::catch_unwind(|| parse::parse_files(files))).unwrap_or_else(|_| {
        Err(SqlError {
            file: files.first().map(|f| f.path.clone()).unwrap_or_default(),
            line: 1,
            column: 1,
            message: "internal error in the SQL front end (please report it)".into(),
            snippet: String::new(),
        })
    })
}

/// What the normalizer needs to know about where an expression appears.
pub struct ExprContext<'a> {
    /// Type of a column of the table the expression belongs to, by name.
    pub column_type: &'a (dyn Fn(&str) -> Option<TypeRef> + Sync),
    /// The type the expression's value is coerced to (a column default or generated
    /// expression: the column's type), if any.
    pub target_type: Option<&'a TypeRef>,
    /// Schemas for resolving unqualified names, first one first.
    pub search_path: &'a [String],
}

/// Normalize an expression (as the user wrote it, or as `pg_get_expr` printed it).
///
/// Works for column defaults and generation expressions (give `target_type`), check
/// bodies, index key expressions and index predicates (no `target_type`). Unqualified
/// sequence names in `nextval(...)` and unqualified non-built-in type names in casts
/// resolve to the first schema of `search_path` (`public` if it is empty).
pub fn normalize_expr(sql: &str, ctx: &ExprContext) -> Result<Expr, String> {
    let (column_type, target_type, search_path) =
        (ctx.column_type, ctx.target_type, ctx.search_path);
    deep::deep(|| {
        let first = normalize::first_schema(search_path);
        let resolve_seq = |s: Option<&str>, n: &str| QualName::new(s.unwrap_or(&first), n);
        let resolve_type = |s: Option<&str>, n: &str| Ok(QualName::new(s.unwrap_or(&first), n));
        let cx = normalize::NormCx {
            column_type,
            target_type,
            resolve_seq: &resolve_seq,
            resolve_type: &resolve_type,
            resolve_ts_config: &normalize::qualified_ts_config,
        };
        normalize::normalize_text(sql, &cx)
    })
}
