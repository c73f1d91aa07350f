//! Schema policies: rules a team sets for the schemas it writes (`shale.toml`'s
//! `[policies]`), checked on every `plan` and `apply`.
//!
//! Each policy has a stable code (`SHP001`…, never reused or renumbered), a name (its key
//! in `shale.toml`), and a level: `off`, `warn` (printed after the plan) or `error`
//! (`plan` and `apply` exit 1). A [`Violation`] names the object and suggests a fix.
//!
//! **Only what the plan creates or changes is checked**, in the desired catalog: a new
//! table, a new or re-typed column, a new foreign key, a primary key that is new or whose
//! column changed, a foreign key whose table gains or loses an index or key. Existing debt
//! in objects the plan leaves alone never blocks an unrelated change; planning from `empty`
//! checks the whole schema.
//!
//! | Code | Name | Checks |
//! |---|---|---|
//! | SHP001 | `uuid_primary_keys` | a single-column primary key of an integer type is an identity column (or use `uuid`) |
//! | SHP002 | `foreign_key_indexes` | a foreign key's columns are the leading columns of an index, primary key or unique constraint |
//! | SHP003 | `timestamptz` | `timestamp with time zone` rather than `timestamp without time zone` |
//! | SHP004 | `no_serial` | no `serial` column (a default `nextval` of a sequence owned by the column) in a new table or new column |

use serde::Deserialize;
use shale_model::{
    quote_ident, Catalog, Column, ColumnRef, ConstraintKind, IndexKeyExpr, ObjectId, QualName,
    Table,
};
use shale_plan::{Action, Plan};
use std::collections::BTreeSet;
use std::fmt;

/// How a policy is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    #[default]
    Warn,
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        })
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        match s {
            "off" => Ok(Level::Off),
            "warn" => Ok(Level::Warn),
            "error" => Ok(Level::Error),
            _ => Err(format!(
                "unknown policy level `{s}` (expected off, warn or error)"
            )),
        }
    }
}

/// Identifies a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyId {
    UuidPrimaryKeys,
    ForeignKeyIndexes,
    Timestamptz,
    NoSerial,
}

/// One row of the policy registry.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub id: PolicyId,
    /// Stable code, e.g. `SHP001`.
    pub code: &'static str,
    /// Its key in `shale.toml`'s `[policies]`.
    pub name: &'static str,
    /// One line: what it asks for.
    pub title: &'static str,
}

/// The registry. Codes are stable: add new policies with new codes, never renumber.
pub static POLICIES: &[Policy] = &[
    Policy {
        id: PolicyId::UuidPrimaryKeys,
        code: "SHP001",
        name: "uuid_primary_keys",
        title: "primary keys are uuid or identity columns, not serial or plain integers",
    },
    Policy {
        id: PolicyId::ForeignKeyIndexes,
        code: "SHP002",
        name: "foreign_key_indexes",
        title: "every foreign key's columns lead some index, primary key or unique constraint",
    },
    Policy {
        id: PolicyId::Timestamptz,
        code: "SHP003",
        name: "timestamptz",
        title: "timestamp with time zone rather than timestamp without time zone",
    },
    Policy {
        id: PolicyId::NoSerial,
        code: "SHP004",
        name: "no_serial",
        title: "no serial columns in new tables: use identity columns",
    },
];

/// The policy for `id`.
pub fn policy(id: PolicyId) -> &'static Policy {
    POLICIES
        .iter()
        .find(|p| p.id == id)
        .expect("every PolicyId has a row in POLICIES (checked by a test)")
}

/// The level of each policy: `shale.toml`'s `[policies]` table. Every policy defaults to
/// `warn`; unknown keys are errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policies {
    pub uuid_primary_keys: Level,
    pub foreign_key_indexes: Level,
    pub timestamptz: Level,
    pub no_serial: Level,
}

impl Default for Policies {
    fn default() -> Self {
        Policies {
            uuid_primary_keys: Level::Warn,
            foreign_key_indexes: Level::Warn,
            timestamptz: Level::Warn,
            no_serial: Level::Warn,
        }
    }
}

impl Policies {
    /// Every policy at `level`.
    pub fn all(level: Level) -> Policies {
        Policies {
            uuid_primary_keys: level,
            foreign_key_indexes: level,
            timestamptz: level,
            no_serial: level,
        }
    }

    pub fn level(&self, id: PolicyId) -> Level {
        match id {
            PolicyId::UuidPrimaryKeys => self.uuid_primary_keys,
            PolicyId::ForeignKeyIndexes => self.foreign_key_indexes,
            PolicyId::Timestamptz => self.timestamptz,
            PolicyId::NoSerial => self.no_serial,
        }
    }

    fn slot(&mut self, id: PolicyId) -> &mut Level {
        match id {
            PolicyId::UuidPrimaryKeys => &mut self.uuid_primary_keys,
            PolicyId::ForeignKeyIndexes => &mut self.foreign_key_indexes,
            PolicyId::Timestamptz => &mut self.timestamptz,
            PolicyId::NoSerial => &mut self.no_serial,
        }
    }

    /// Applies `NAME=LEVEL` (a policy's name or code, e.g. `no_serial=error` or
    /// `SHP004=off`), as the command line's `--policy` gives it.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, level) = assignment
            .split_once('=')
            .ok_or_else(|| format!("`{assignment}`: expected NAME=LEVEL, e.g. no_serial=error"))?;
        let name = name.trim();
        let p = POLICIES
            .iter()
            .find(|p| p.name == name || p.code.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "unknown policy `{name}` (expected one of {})",
                    POLICIES
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        *self.slot(p.id) = level.trim().parse()?;
        Ok(())
    }
}

/// One broken policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `SHP001`…
    pub code: &'static str,
    /// The policy's name in `shale.toml`.
    pub policy: &'static str,
    /// `Warn` or `Error` (never `Off`).
    pub level: Level,
    pub object: ObjectId,
    /// One line, naming the object.
    pub message: String,
    /// What to write instead.
    pub fix: String,
}

impl Violation {
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// `warning[SHP003]: column public.t.at is …` and, on the next line, `  help: …`.
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.is_error() { "error" } else { "warning" };
        write!(
            f,
            "{level}[{}]: {}\n  help: {}",
            self.code, self.message, self.fix
        )
    }
}

/// Whether any violation is an error.
pub fn has_errors(violations: &[Violation]) -> bool {
    violations.iter().any(Violation::is_error)
}

/// What the plan creates or changes, as the policies see it.
struct Scope<'a> {
    current: &'a Catalog,
    new_tables: BTreeSet<QualName>,
    /// Columns added by a step of their own (not part of a new table).
    new_columns: BTreeSet<(QualName, String)>,
    /// Columns with a step that creates or alters them.
    touched_columns: BTreeSet<(QualName, String)>,
    /// Constraints with a step that creates, alters or validates them.
    touched_constraints: BTreeSet<(QualName, String)>,
    /// Tables gaining or losing an index or a constraint (which may have covered a
    /// foreign key).
    key_changed_tables: BTreeSet<QualName>,
}

impl<'a> Scope<'a> {
    fn new(current: &'a Catalog, desired: &Catalog, plan: &Plan) -> Scope<'a> {
        let mut s = Scope {
            current,
            new_tables: BTreeSet::new(),
            new_columns: BTreeSet::new(),
            touched_columns: BTreeSet::new(),
            touched_constraints: BTreeSet::new(),
            key_changed_tables: BTreeSet::new(),
        };
        for step in &plan.steps {
            if step.action == Action::Comment {
                continue;
            }
            let drop = step.action == Action::Drop;
            match &step.object {
                ObjectId::Table { name } if step.action == Action::Create => {
                    s.new_tables.insert(name.clone());
                }
                ObjectId::Column { table, column } if !drop => {
                    if step.action == Action::Create {
                        s.new_columns.insert((table.clone(), column.clone()));
                    }
                    s.touched_columns.insert((table.clone(), column.clone()));
                }
                ObjectId::Constraint { table, name } => {
                    if !drop {
                        s.touched_constraints.insert((table.clone(), name.clone()));
                    }
                    s.key_changed_tables.insert(table.clone());
                }
                ObjectId::Index { name } => {
                    for cat in [desired, current] {
                        if let Some(ix) = cat.indexes.get(name) {
                            s.key_changed_tables.insert(ix.table.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        s
    }

    fn table_is_new(&self, t: &QualName) -> bool {
        self.new_tables.contains(t)
    }

    fn column_is_new(&self, t: &QualName, c: &str) -> bool {
        self.table_is_new(t) || self.new_columns.contains(&(t.clone(), c.to_string()))
    }

    /// New, or altered by the plan in something other than its comment.
    fn column_changed(&self, t: &QualName, c: &Column) -> bool {
        if self.column_is_new(t, &c.name) {
            return true;
        }
        if !self.touched_columns.contains(&(t.clone(), c.name.clone())) {
            return false;
        }
        match self.current.tables.get(t).and_then(|ct| ct.column(&c.name)) {
            None => true,
            Some(before) => {
                let strip = |c: &Column| Column {
                    comment: None,
                    ..c.clone()
                };
                strip(before) != strip(c)
            }
        }
    }

    /// The column's type differs from the current one (or the column is new).
    fn column_type_changed(&self, t: &QualName, c: &Column) -> bool {
        if !self.column_changed(t, c) {
            return false;
        }
        match self.current.tables.get(t).and_then(|ct| ct.column(&c.name)) {
            Some(before) if !self.column_is_new(t, &c.name) => before.ty != c.ty,
            _ => true,
        }
    }

    fn constraint_changed(&self, t: &QualName, name: &str) -> bool {
        self.table_is_new(t)
            || self
                .touched_constraints
                .contains(&(t.clone(), name.to_string()))
    }
}

/// The policies' violations among the objects `plan` (from `current` to `desired`) creates
/// or changes, in a stable order (by code, then object).
pub fn lint(
    current: &Catalog,
    desired: &Catalog,
    plan: &Plan,
    policies: &Policies,
) -> Vec<Violation> {
    let scope = Scope::new(current, desired, plan);
    let mut out = Vec::new();
    let mut push = |id: PolicyId, object: ObjectId, message: String, fix: String| {
        let level = policies.level(id);
        if level != Level::Off {
            let p = policy(id);
            out.push(Violation {
                code: p.code,
                policy: p.name,
                level,
                object,
                message,
                fix,
            });
        }
    };
    for t in desired.tables.values() {
        primary_key(desired, &scope, t, &mut push);
        foreign_key_indexes(desired, &scope, t, &mut push);
        for c in &t.columns {
            timestamptz(&scope, t, c, &mut push);
            no_serial(desired, &scope, t, c, &mut push);
        }
    }
    out.sort_by(|a, b| (a.code, &a.object).cmp(&(b.code, &b.object)));
    out
}

type Push<'p> = dyn FnMut(PolicyId, ObjectId, String, String) + 'p;

fn column_id(t: &QualName, c: &str) -> ObjectId {
    ObjectId::Column {
        table: t.clone(),
        column: c.to_string(),
    }
}

fn col_name(t: &QualName, c: &str) -> String {
    format!("{t}.{}", quote_ident(c))
}

const INTEGER_TYPES: &[&str] = &["smallint", "integer", "bigint"];

/// The sequence behind a `serial` column: its default is `nextval` of a sequence owned by
/// the column itself.
fn serial_sequence(cat: &Catalog, t: &QualName, c: &Column) -> Option<QualName> {
    let default = c.default.as_ref()?;
    if !default.canon.contains("nextval") {
        return None;
    }
    let owner = ColumnRef {
        table: t.clone(),
        column: c.name.clone(),
    };
    default
        .refs
        .iter()
        .find(|s| {
            cat.sequences
                .get(*s)
                .is_some_and(|seq| seq.owned_by.as_ref() == Some(&owner))
        })
        .cloned()
}

/// SHP001: a single-column primary key of an integer type must be an identity column.
/// Composite keys (join tables) and keys of other types (uuid, natural text keys) pass.
fn primary_key(cat: &Catalog, scope: &Scope, t: &Table, push: &mut Push) {
    let Some(pk) = t.primary_key() else { return };
    let [col] = pk.kind.columns() else { return };
    let Some(c) = t.column(col) else { return };
    if !(scope.constraint_changed(&t.name, &pk.name) || scope.column_changed(&t.name, c)) {
        return;
    }
    if c.ty.schema.is_some() || c.ty.array || !INTEGER_TYPES.contains(&c.ty.name.as_str()) {
        return;
    }
    if c.identity.is_some() {
        return;
    }
    let what = if serial_sequence(cat, &t.name, c).is_some() {
        format!("a serial ({} with a sequence default)", c.ty.name)
    } else {
        format!("a plain {} without identity", c.ty.name)
    };
    push(
        PolicyId::UuidPrimaryKeys,
        column_id(&t.name, col),
        format!("primary key column {} is {what}", col_name(&t.name, col)),
        format!(
            "make it an identity column: `{} {} GENERATED ALWAYS AS IDENTITY PRIMARY KEY` (or BY DEFAULT), or use `{} uuid DEFAULT gen_random_uuid() PRIMARY KEY`",
            quote_ident(col),
            c.ty.name,
            quote_ident(col)
        ),
    );
}

/// The plain columns that lead `keys`: `None` as soon as an expression key comes first.
fn leading_columns(keys: &[IndexKeyExpr], n: usize) -> Option<BTreeSet<&str>> {
    if keys.len() < n {
        return None;
    }
    keys[..n]
        .iter()
        .map(|k| match k {
            IndexKeyExpr::Column(c) => Some(c.as_str()),
            IndexKeyExpr::Expr(_) => None,
        })
        .collect()
}

/// Whether an index, primary key or unique constraint of `t` starts with exactly the
/// columns `cols` (in any order), so a lookup by the foreign key's columns can use it.
/// Partial indexes do not count (they miss rows); btree indexes and a hash index on the
/// single column do.
fn covered(cat: &Catalog, t: &Table, cols: &[String]) -> bool {
    let want: BTreeSet<&str> = cols.iter().map(String::as_str).collect();
    let n = cols.len();
    let by_key = t.constraints.values().any(|k| match &k.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
            columns.len() >= n
                && columns[..n]
                    .iter()
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>()
                    == want
        }
        _ => false,
    });
    by_key
        || cat.indexes.values().any(|ix| {
            if ix.table != t.name || ix.predicate.is_some() {
                return false;
            }
            let usable = ix.method == "btree" || (ix.method == "hash" && n == 1);
            let keys: Vec<IndexKeyExpr> = ix.keys.iter().map(|k| k.key.clone()).collect();
            usable && leading_columns(&keys, n).is_some_and(|lead| lead == want)
        })
}

/// SHP002: every foreign key's columns lead some index or key of its table, so deletes
/// and key updates in the referenced table do not scan it.
fn foreign_key_indexes(cat: &Catalog, scope: &Scope, t: &Table, push: &mut Push) {
    for fk in t.constraints.values() {
        let ConstraintKind::ForeignKey {
            columns, ref_table, ..
        } = &fk.kind
        else {
            continue;
        };
        let in_scope = scope.constraint_changed(&t.name, &fk.name)
            || scope.key_changed_tables.contains(&t.name);
        if !in_scope || covered(cat, t, columns) {
            continue;
        }
        let cols = columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        push(
            PolicyId::ForeignKeyIndexes,
            ObjectId::Constraint {
                table: t.name.clone(),
                name: fk.name.clone(),
            },
            format!(
                "foreign key {} on {} ({cols}) has no index starting with its columns: deletes and key updates in {ref_table} scan {}",
                quote_ident(&fk.name),
                t.name,
                t.name
            ),
            format!("add `CREATE INDEX ON {} ({cols});`", t.name),
        );
    }
}

/// SHP003: `timestamp with time zone`, not `timestamp without time zone`, for columns
/// that are new or change type.
fn timestamptz(scope: &Scope, t: &Table, c: &Column, push: &mut Push) {
    let name = &c.ty.name;
    if c.ty.schema.is_some()
        || !name.starts_with("timestamp")
        || !name.ends_with(" without time zone")
    {
        return;
    }
    if !scope.column_type_changed(&t.name, c) {
        return;
    }
    let better = format!(
        "{} with time zone{}",
        name.trim_end_matches(" without time zone"),
        if c.ty.array { "[]" } else { "" }
    );
    push(
        PolicyId::Timestamptz,
        column_id(&t.name, &c.name),
        format!(
            "column {} is {}{}: its values carry no time zone, so they change meaning with the session's TimeZone",
            col_name(&t.name, &c.name),
            name,
            if c.ty.array { "[]" } else { "" }
        ),
        format!("declare it `{} {better}`", quote_ident(&c.name)),
    );
}

/// SHP004: no serial columns in new tables (or as new columns): identity columns keep the
/// sequence internal, with no separate object, grant or ownership to manage.
fn no_serial(cat: &Catalog, scope: &Scope, t: &Table, c: &Column, push: &mut Push) {
    if !scope.column_is_new(&t.name, &c.name) {
        return;
    }
    let Some(seq) = serial_sequence(cat, &t.name, c) else {
        return;
    };
    push(
        PolicyId::NoSerial,
        column_id(&t.name, &c.name),
        format!(
            "column {} is a serial column (default nextval of sequence {seq}, owned by the column)",
            col_name(&t.name, &c.name)
        ),
        format!(
            "use an identity column: `{} {} GENERATED BY DEFAULT AS IDENTITY` instead of serial (drop the sequence and the default)",
            quote_ident(&c.name),
            c.ty.name
        ),
    );
}

#[cfg(test)]
mod tests;
