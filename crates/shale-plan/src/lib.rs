//! Plans: the ordered, risk-annotated SQL steps that turn one catalog into another.
//!
//! [`plan`] diffs two catalogs (`shale-diff`), expands each change into steps (one SQL
//! statement each), applies online-safe rewrites on existing tables, annotates every step
//! with a rule of the risk registry ([`rules`]), and orders the steps with a dependency
//! graph. [`render`] turns a plan into text for review, a `psql` script, or JSON.
//! [`create_script`] is the DDL of a whole catalog (the plan from an empty database).
//!
//! Ordering: a step that creates or alters an object runs after the steps creating or
//! altering what it needs (`Catalog::dependencies` in the desired catalog); a drop runs
//! after the steps that stop depending on the dropped object (in the current catalog); a
//! drop of a name runs before a create of the same name; foreign keys of new tables are
//! separate steps after the tables, which breaks foreign-key cycles. Ties are broken by a
//! fixed priority (drops of dependents first; then schemas, extensions, types, sequences,
//! tables, columns, constraints, indexes, foreign keys, validations, ownerships, comments)
//! and then by diff order, so a plan is deterministic.

pub mod render;
pub mod rollback;
pub mod routines;
pub mod rules;

mod aggregates;
mod build;
mod conversions;
mod event_triggers;
mod foreign_data;
mod model;
mod operators;
mod order;
mod partitions;
mod publications;
mod relation_options;
mod rewrite_rules;
pub mod security;
mod sql;
mod statistics;
mod strategy;
mod table_options;
mod text_search;
mod transactions;
mod typechange;
mod user_types;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod pg_safety_tests;
#[cfg(test)]
mod pg_tests;
#[cfg(test)]
mod reread_tests;

pub use model::*;
pub use rollback::{rollback, rollback_with, LossKind, Rollback, Unrecoverable};

pub use shale_model::Directives;
pub use strategy::{Phase, Strategy};

use shale_model::{Catalog, ColumnRef, ObjectId, Schema};

/// How to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Online-safe rewrites on tables that already exist: indexes built and dropped
    /// `CONCURRENTLY`, foreign keys and checks added `NOT VALID` then validated in a
    /// separate step.
    pub online: bool,
    /// `lock_timeout` for the steps (e.g. `5s`): rendered in SQL scripts, used by apply.
    pub lock_timeout: Option<String>,
    /// How hinted column renames and rewriting column type changes on existing tables are
    /// carried out (see [`Strategy`]).
    pub strategy: Strategy,
    /// Tables the database showed to have no rows when the plan was made against it
    /// ([`tables_to_probe`] names the ones worth asking about). A `NOT NULL` column
    /// without `DEFAULT` added to one of them is a Medium step instead of an error;
    /// PostgreSQL checks again under the step's ACCESS EXCLUSIVE lock, failing the step
    /// (and its transaction) if rows appeared since. Empty offline.
    pub empty_tables: std::collections::BTreeSet<shale_model::QualName>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            online: true,
            lock_timeout: None,
            strategy: Strategy::Direct,
            empty_tables: Default::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A change shale cannot plan yet.
    #[error("cannot plan a change of {object}: {reason}")]
    Unsupported { object: ObjectId, reason: String },
    /// The steps depend on each other in a circle.
    #[error("the changes depend on each other in a cycle: {}", list(objects))]
    Cycle { objects: Vec<ObjectId> },
    /// A bad option value.
    #[error("invalid lock_timeout `{value}`: {reason}")]
    InvalidLockTimeout { value: String, reason: String },
    /// A rename hint that cannot be followed.
    #[error("cannot rename to {object}: {reason}")]
    Rename { object: ObjectId, reason: String },
    /// A `NOT NULL` column without `DEFAULT` added to a table that exists: its existing
    /// rows would violate it.
    #[error(
        "column {column} is added NOT NULL without a DEFAULT to existing table {}: its existing \
         rows would hold NULL. Add a DEFAULT, or declare a backfill with `-- shale:backfill \
         <expr>` above the column (YAML: `backfill: <expr>`)",
        column.table
    )]
    NotNullWithoutDefault { column: ColumnRef },
    /// A backfill declared where none can run.
    #[error("cannot backfill {column}: {reason}")]
    Backfill { column: ColumnRef, reason: String },
}

fn list(objects: &[ObjectId]) -> String {
    objects
        .iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tables of `from` that `to` adds a `NOT NULL` column without `DEFAULT` to (not an
/// identity or generated one): the plan from a database asks which of them hold no rows
/// ([`PlanOptions::empty_tables`]).
pub fn tables_to_probe(from: &Catalog, to: &Catalog) -> Vec<shale_model::QualName> {
    to.tables
        .iter()
        .filter(|(name, t)| {
            from.tables.get(*name).is_some_and(|old| {
                t.columns.iter().any(|c| {
                    c.not_null
                        && c.default.is_none()
                        && c.identity.is_none()
                        && c.generated.is_none()
                        && old.column(&c.name).is_none()
                })
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Checks a `lock_timeout` value: a non-negative number with an optional unit
/// (`us`, `ms`, `s`, `min`, `h`, `d`), as PostgreSQL accepts it; `0` disables it.
pub fn check_lock_timeout(value: &str) -> Result<(), PlanError> {
    let err = |reason: &str| PlanError::InvalidLockTimeout {
        value: value.to_string(),
        reason: reason.to_string(),
    };
    let v = value.trim();
    let number = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .count();
    let n: f64 = v[..number]
        .parse()
        .map_err(|_| err("expected a number with an optional unit, e.g. 5s or 500ms"))?;
    let unit = v[number..].trim();
    if !["", "us", "ms", "s", "min", "h", "d"].contains(&unit) {
        return Err(err("unit must be one of us, ms, s, min, h, d"));
    }
    if n > i32::MAX as f64 {
        return Err(err("number too large"));
    }
    Ok(())
}

/// The plan that turns `from` into `to` ([`plan_with`] without directives).
pub fn plan(from: &Catalog, to: &Catalog, opts: &PlanOptions) -> Result<Plan, PlanError> {
    plan_with(from, to, &Directives::default(), opts)
}

/// The plan that turns `from` into `to`, following the desired state's directives:
///
/// - rename hints: a hinted rename is an `ALTER … RENAME` step (before every other step),
///   and the rest of the plan compares the renamed object with the desired one (a renamed
///   column whose type changes is renamed, then altered). Constraints, indexes and owned
///   sequences of a renamed table or column that the desired state names after the new
///   name are renamed along. A hint whose old object is gone is ignored (the rename
///   happened). Without a hint, a column dropped while one of the same type is added to
///   the same table (or a table dropped while one with the same columns is created) is
///   flagged on the drop step as a possible rename, with the hint to add;
/// - backfills: a `NOT NULL` column without `DEFAULT` added to an existing table is an
///   error ([`PlanError::NotNullWithoutDefault`]) unless a backfill is declared: then it is
///   added nullable, filled by a batched `UPDATE`, and made `NOT NULL` (online: through a
///   validated `CHECK (col IS NOT NULL)`). A backfill declared for an existing column that
///   becomes `NOT NULL` fills its NULLs first. Elsewhere backfills are ignored (a new table
///   has no rows; a column already `NOT NULL` needs none);
/// - with [`Strategy::ExpandContract`], hinted column renames and column type changes that
///   rewrite the table are carried out in two phases (see [`Strategy`] and [`Plan::phase`]).
pub fn plan_with(
    from: &Catalog,
    to: &Catalog,
    directives: &Directives,
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    if let Some(t) = &opts.lock_timeout {
        check_lock_timeout(t)?;
    }
    // The dependency queries look functions and operators up by name (shale-model's
    // lookup.rs); drop lookups a caller may have left from before it changed a catalog.
    // Both stay borrowed, so unchanged, until the plan is made.
    from.forget_lookups();
    to.forget_lookups();
    // Expand/contract moves hinted column renames itself: the other hints rename.
    let (moving, renaming): (Vec<_>, Vec<_>) = directives.renames.iter().cloned().partition(|h| {
        opts.strategy == Strategy::ExpandContract && matches!(h.object, ObjectId::Column { .. })
    });
    let renamed =
        shale_diff::apply_renames(from, to, &renaming).map_err(|e| PlanError::Rename {
            object: e.object,
            reason: e.reason,
        })?;
    let mut changes = renamed.changes;
    // A plain ↔ partitioned conversion plans against the current catalog with the old
    // table moved aside (conversions.rs).
    let conv = shale_diff::table_options::conversions(&renamed.catalog, to);
    changes.extend(conv.around(shale_diff::diff_catalogs(&conv.catalog, to)));
    let moves = strategy::moves(
        &conv.catalog,
        to,
        &moving,
        &renamed.both_exist,
        &changes,
        opts,
    )?;
    let changes = strategy::without_moved(changes, &moves);
    let mut b = build::Builder::new(&conv.catalog, to, opts, directives);
    b.expand(&changes)?;
    b.build_moves(&moves);
    b.assign_phases(&moves);
    let steps = order::order(b.out)?;
    Ok(Plan {
        format_version: PLAN_FORMAT_VERSION,
        steps,
        unmodeled: routines::unmodeled(from, to),
    })
}

/// The SQL that creates `cat` in an empty database (one with schema `public`): the plan
/// from such a database, without online rewrites, as plain statements.
pub fn create_script(cat: &Catalog) -> Result<String, PlanError> {
    let mut empty = Catalog::default();
    empty.schemas.insert(
        "public".into(),
        Schema {
            name: "public".into(),
        },
    );
    let p = plan(
        &empty,
        cat,
        &PlanOptions {
            online: false,
            ..PlanOptions::default()
        },
    )?;
    Ok(render::statements(&p))
}

#[cfg(test)]
mod tests;
