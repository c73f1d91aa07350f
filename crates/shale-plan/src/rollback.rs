//! Rollback plans: the way back from a plan, and what that way back cannot bring back.
//!
//! The rollback of the plan from `from` to `to` is the plan from `to` back to `from`:
//! ordered and risk-annotated like any plan (with the same options). It restores the
//! schema, not data a forward step destroyed: rows of dropped tables, values of dropped
//! columns or of columns converted with loss, values of dropped sequences, the counter of
//! a dropped identity. [`Rollback::unrecoverable`] lists each of those with the backup to
//! take before the forward plan runs and the command that puts the data back after the
//! rollback. Commands are shell commands that connect with `"$DATABASE_URL"` and write
//! their files in the current directory.
//!
//! A few changes PostgreSQL cannot undo in place (an enum value cannot be removed): the
//! rollback leaves those objects as the forward plan made them and lists them too.

use crate::model::{Action, Plan};
use crate::typechange::{classify, TypeChange};
use crate::{PlanError, PlanOptions};
use serde::{Deserialize, Serialize};
use shale_diff::Change;
use shale_model::{
    quote_ident, quote_literal, Catalog, Column, ConstraintKind, Directives, ObjectId, QualName,
    RenameHint, Table,
};
use std::collections::BTreeSet;

/// A plan's way back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollback {
    /// From the state after the forward plan back to the state before it.
    pub plan: Plan,
    /// What running [`Rollback::plan`] does not bring back, in forward-step order.
    #[serde(default)]
    pub unrecoverable: Vec<Unrecoverable>,
}

/// Something the rollback plan cannot restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecoverable {
    /// The object whose data (or state) is lost.
    pub object: ObjectId,
    pub kind: LossKind,
    /// One line: what is lost and why the rollback cannot bring it back.
    pub what: String,
    /// The id of the forward plan's step that loses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Shell command to run before the forward plan: saves what would be lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// Shell command to run after the rollback plan: puts the saved data back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// The rows of a dropped table (with the values of the sequences it owns).
    TableRows,
    /// The values of a dropped column, or of a column replaced by a generated one.
    ColumnValues,
    /// Values converted to a type that can truncate, round or refuse them.
    ConvertedValues,
    /// The current value of a dropped sequence.
    SequenceValue,
    /// The counter of a dropped identity: re-added, it starts again at its START.
    IdentityCounter,
    /// Enum values the plan adds, which PostgreSQL cannot remove.
    EnumValues,
}

impl Rollback {
    /// True when the rollback has nothing to do and nothing to warn about.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty() && self.unrecoverable.is_empty()
    }
}

/// The rollback of the plan from `from` to `to`: the plan from `to` back to `from`, plus
/// what it cannot restore. Fails when the forward plan cannot be made.
pub fn rollback(from: &Catalog, to: &Catalog, opts: &PlanOptions) -> Result<Rollback, PlanError> {
    rollback_with(from, to, &Directives::default(), opts)
}

/// [`rollback`] of the plan made with `directives` ([`crate::plan_with`]): the renames the
/// plan makes are renamed back (the rollback plans with the reversed rename hints and no
/// backfills), and what it cannot restore is named as the database names it before the
/// plan.
pub fn rollback_with(
    from: &Catalog,
    to: &Catalog,
    directives: &Directives,
    opts: &PlanOptions,
) -> Result<Rollback, PlanError> {
    let forward = crate::plan_with(from, to, directives, opts)?;
    let renamed = shale_diff::apply_renames(from, to, &directives.renames).map_err(|e| {
        PlanError::Rename {
            object: e.object,
            reason: e.reason,
        }
    })?;
    let renames: Vec<(ObjectId, ObjectId)> = renamed
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Rename { from, to, .. } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    // Hints the plan followed, the other way round.
    let back = Directives {
        renames: directives
            .renames
            .iter()
            .filter(|h| renames.iter().any(|(_, new)| new == &h.object))
            .map(|h| RenameHint {
                object: h.from.clone(),
                from: h.object.clone(),
            })
            .collect(),
        ..Directives::default()
    };
    let cx = Ctx {
        mid: &renamed.catalog,
        to,
        forward: &forward,
        names: OldNames(renames),
        relaxed: BTreeSet::new(),
    };
    let mut cx = cx;
    let mut target = from.clone();
    let mut unrecoverable = Vec::new();

    // Reverse changes PostgreSQL cannot make in place: the object stays as it is.
    for c in shale_diff::diff(to, cx.mid) {
        let (object, reason) = match c {
            Change::Unsupported { object, reason } => (object, reason),
            // Going back would re-create the enum without the labels the plan adds (fails
            // if a row holds one): keep them instead, as before re-creation existed.
            Change::TypeExt {
                type_change:
                    shale_diff::user_types::TypeExtChange::RecreateType {
                        name,
                        recreated: shale_diff::user_types::Recreated::Enum { removed, .. },
                        ..
                    },
            } if !removed.is_empty() => (
                ObjectId::Type { name },
                "removing enum values re-creates the type".to_string(),
            ),
            _ => continue,
        };
        let ObjectId::Type { name } = &object else {
            return Err(PlanError::Unsupported { object, reason });
        };
        let old = cx.names.relation(name);
        let (Some(now), Some(before)) = (to.enums.get(name), target.enums.get_mut(&old)) else {
            return Err(PlanError::Unsupported { object, reason });
        };
        let added: Vec<String> = now
            .labels
            .iter()
            .filter(|l| !before.labels.contains(l))
            .map(|l| quote_literal(l))
            .collect();
        before.labels = now.labels.clone();
        unrecoverable.push(Unrecoverable {
            step: forward
                .steps
                .iter()
                .find(|s| s.object == object)
                .map(|s| s.id),
            object: ObjectId::Type { name: old.clone() },
            kind: LossKind::EnumValues,
            what: format!(
                "enum type {old} keeps the value(s) {} the plan adds: PostgreSQL cannot remove \
                 a value from an enum; rows holding them keep them",
                added.join(", ")
            ),
            backup: None,
            restore: None,
        });
    }

    // A NOT NULL column without a default that the plan drops comes back nullable: its
    // table has rows and the rollback has no values for them. The restore fills it and
    // sets NOT NULL again.
    let changes = shale_diff::diff(cx.mid, to);
    for c in &changes {
        let Change::DropColumn {
            table,
            column,
            recreate: None,
        } = c
        else {
            continue;
        };
        let in_primary_key = cx.mid.tables.get(table).is_some_and(|t| {
            t.primary_key()
                .is_some_and(|k| k.kind.columns().contains(&column.name))
        });
        let plain =
            column.default.is_none() && column.identity.is_none() && column.generated.is_none();
        if !(column.not_null && plain && !in_primary_key && to.tables.contains_key(table)) {
            continue;
        }
        let (t0, c0) = cx.names.column(table, &column.name);
        if let Some(col) = target.tables.get_mut(&t0).and_then(|t| t.column_mut(&c0)) {
            col.not_null = false;
            cx.relaxed.insert((table.clone(), column.name.clone()));
        }
    }
    // The old table of a plain ↔ partitioned conversion (and its partitions) is dropped
    // once its rows are copied: nothing of it is lost unless a column is not copied.
    let copied: BTreeSet<&QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::TableOption {
                option:
                    shale_diff::table_options::TableExtChange::ConvertCopy {
                        aside,
                        partitions,
                        not_copied,
                        ..
                    },
            } if not_copied.is_empty() => Some(std::iter::once(aside).chain(partitions)),
            _ => None,
        })
        .flatten()
        .collect();
    for c in &changes {
        if matches!(c, Change::DropTable { table } if copied.contains(&table.name)) {
            continue;
        }
        if let Some(u) = cx.loss(c) {
            unrecoverable.push(u);
        }
    }
    // Sequences that disappear (standalone, or with a dropped column); those owned by a
    // dropped table travel with the table's backup.
    for s in cx.mid.sequences.values() {
        if to.sequences.contains_key(&s.name) {
            continue;
        }
        let with_dropped_table = s
            .owned_by
            .as_ref()
            .is_some_and(|o| !to.tables.contains_key(&o.table));
        if with_dropped_table {
            continue;
        }
        let owner_step = s.owned_by.as_ref().map(|o| ObjectId::Column {
            table: o.table.clone(),
            column: o.column.clone(),
        });
        let step = cx
            .step(
                &ObjectId::Sequence {
                    name: s.name.clone(),
                },
                Action::Drop,
            )
            .or_else(|| owner_step.and_then(|o| cx.step(&o, Action::Drop)));
        let old = cx.names.relation(&s.name);
        let file = file_name(&[&old.schema, &old.name], "sql");
        let name = old.to_string();
        let query = format!(
            "SELECT format('SELECT setval(%L, %s, %s);', {}, last_value, is_called::text) FROM {name}",
            quote_literal(&name)
        );
        unrecoverable.push(Unrecoverable {
            object: ObjectId::Sequence { name: old.clone() },
            kind: LossKind::SequenceValue,
            what: format!(
                "sequence {name} is dropped: the rollback re-creates it at its START, not at its \
                 current value"
            ),
            step,
            backup: Some(format!("{} -Atc {} > {}", psql(), dq(&query), sq(&file))),
            restore: Some(format!("{} -f {}", psql(), sq(&file))),
        });
    }
    unrecoverable.sort_by_key(|u| (u.step.unwrap_or(usize::MAX), u.kind));

    // An extension the desired state names without a version means "whatever is
    // installed": the forward plan changed no version, so the way back changes none either.
    for (name, e) in target.extensions.iter_mut() {
        if to.extensions.get(name).is_some_and(|d| d.version.is_none()) {
            e.version = None;
        }
    }

    let plan = crate::plan_with(to, &target, &back, opts)?;
    Ok(Rollback {
        plan,
        unrecoverable,
    })
}

/// Names before the plan's renames: the renames (old, new) in the order they ran, undone
/// from the last.
struct OldNames(Vec<(ObjectId, ObjectId)>);

impl OldNames {
    /// A table, sequence, type or index as named before the renames.
    fn relation(&self, q: &QualName) -> QualName {
        let mut q = q.clone();
        for (old, new) in self.0.iter().rev() {
            match (old, new) {
                (ObjectId::Table { name: a }, ObjectId::Table { name: b })
                | (ObjectId::Sequence { name: a }, ObjectId::Sequence { name: b })
                | (ObjectId::Type { name: a }, ObjectId::Type { name: b })
                | (ObjectId::Index { name: a }, ObjectId::Index { name: b })
                    if *b == q =>
                {
                    q = a.clone()
                }
                _ => {}
            }
        }
        q
    }

    /// A column (its table and name) as named before the renames.
    fn column(&self, table: &QualName, column: &str) -> (QualName, String) {
        let (mut t, mut c) = (table.clone(), column.to_string());
        for (old, new) in self.0.iter().rev() {
            match (old, new) {
                (
                    ObjectId::Column {
                        table: t0,
                        column: c0,
                    },
                    ObjectId::Column {
                        table: t1,
                        column: c1,
                    },
                ) if *t1 == t && *c1 == c => {
                    t = t0.clone();
                    c = c0.clone();
                }
                (ObjectId::Table { name: a }, ObjectId::Table { name: b }) if *b == t => {
                    t = a.clone()
                }
                _ => {}
            }
        }
        (t, c)
    }
}

/// What the loss detection works on: `mid` is `from` with the plan's renames applied, the
/// names every other step of the plan uses; commands and objects are named as before the
/// plan (`names`).
struct Ctx<'a> {
    mid: &'a Catalog,
    to: &'a Catalog,
    forward: &'a Plan,
    names: OldNames,
    /// Columns (in `mid`'s names) the rollback adds back without NOT NULL.
    relaxed: BTreeSet<(QualName, String)>,
}

impl Ctx<'_> {
    fn step(&self, object: &ObjectId, action: Action) -> Option<usize> {
        self.forward
            .steps
            .iter()
            .find(|s| &s.object == object && s.action == action)
            .map(|s| s.id)
    }

    fn old_column(&self, table: &QualName, column: &str) -> ObjectId {
        let (table, column) = self.names.column(table, column);
        ObjectId::Column { table, column }
    }

    /// What one forward change destroys, if anything.
    fn loss(&self, c: &Change) -> Option<Unrecoverable> {
        match c {
            Change::DropTable { table } => {
                let name = self.names.relation(&table.name);
                let file = file_name(&[&name.schema, &name.name], "sql");
                let owned: Vec<String> = self
                    .mid
                    .sequences
                    .values()
                    .filter(|s| s.owned_by.as_ref().is_some_and(|o| o.table == table.name))
                    .map(|s| self.names.relation(&s.name).to_string())
                    .collect();
                let seqs = if owned.is_empty() {
                    String::new()
                } else {
                    format!(" (and the value of {})", owned.join(", "))
                };
                Some(Unrecoverable {
                    step: self.step(
                        &ObjectId::Table {
                            name: table.name.clone(),
                        },
                        Action::Drop,
                    ),
                    object: ObjectId::Table { name: name.clone() },
                    kind: LossKind::TableRows,
                    what: format!(
                        "table {name} is dropped: the rollback re-creates it empty; its \
                         rows{seqs} are lost"
                    ),
                    backup: Some(format!(
                        "pg_dump \"$DATABASE_URL\" --data-only --table={} --file={}",
                        sq(&name.to_string()),
                        sq(&file)
                    )),
                    restore: Some(format!("{} -f {}", psql(), sq(&file))),
                })
            }
            Change::DropColumn {
                table,
                column,
                recreate,
            } => {
                // A generated column re-created with another expression is recomputed:
                // nothing is lost. A plain column replaced by a generated one loses its
                // values.
                if recreate.is_some() && column.generated.is_some() {
                    return None;
                }
                let why = if recreate.is_some() {
                    "is replaced by a generated column: the rollback makes it plain again, \
                     holding computed values"
                } else {
                    "is dropped: the rollback adds it again, empty (or holding its default)"
                };
                let step = self.step(
                    &ObjectId::Column {
                        table: table.clone(),
                        column: column.name.clone(),
                    },
                    Action::Drop,
                );
                Some(self.column_loss(
                    table,
                    column,
                    LossKind::ColumnValues,
                    why,
                    step,
                    self.relaxed.contains(&(table.clone(), column.name.clone())),
                ))
            }
            Change::AlterColumnType {
                table,
                column,
                from: ty0,
                to: ty1,
                ..
            } if classify(ty0, ty1) == TypeChange::Lossy => {
                let col = self.mid.tables.get(table)?.column(column)?;
                let why = format!(
                    "changes from {ty0} to {ty1}: values can be rounded or truncated (or the \
                     step fails), and converting back does not restore them"
                );
                let step = self.step(
                    &ObjectId::Column {
                        table: table.clone(),
                        column: column.clone(),
                    },
                    Action::Alter,
                );
                Some(self.column_loss(table, col, LossKind::ConvertedValues, &why, step, false))
            }
            Change::DropIdentity { table, column } => {
                let identity = self
                    .mid
                    .tables
                    .get(table)?
                    .column(column)?
                    .identity
                    .as_ref()?;
                let step = self.step(
                    &ObjectId::Column {
                        table: table.clone(),
                        column: column.clone(),
                    },
                    Action::Alter,
                );
                let (t0, c0) = self.names.column(table, column);
                let agg = if identity.increment < 0 { "min" } else { "max" };
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence({}, {}), {agg}({})) FROM {t0}",
                    quote_literal(&t0.to_string()),
                    quote_literal(&c0),
                    quote_ident(&c0)
                );
                Some(Unrecoverable {
                    step,
                    object: self.old_column(table, column),
                    kind: LossKind::IdentityCounter,
                    what: format!(
                        "column {t0}.{} loses its identity: the rollback adds it again starting \
                         at {}, below values the column already holds",
                        quote_ident(&c0),
                        identity.start
                    ),
                    backup: None,
                    restore: Some(format!("{} -c {}", psql(), dq(&sql))),
                })
            }
            // Composite attributes and domains (user_types.rs).
            Change::TypeExt { type_change } => {
                use shale_diff::user_types::{Recreated, TypeExtChange};
                let find = |needle: &str| {
                    self.forward
                        .steps
                        .iter()
                        .find(|s| s.sql.contains(needle))
                        .map(|s| s.id)
                };
                match type_change {
                    TypeExtChange::DropAttribute { name, attribute } => {
                        let old = self.names.relation(name);
                        Some(Unrecoverable {
                            step: find(&format!("DROP ATTRIBUTE {}", quote_ident(&attribute.name))),
                            object: ObjectId::Type { name: old.clone() },
                            kind: LossKind::ColumnValues,
                            what: format!(
                                "attribute {} of composite type {old} is dropped: the rollback adds \
                                 it again, empty, wherever the type is stored",
                                quote_ident(&attribute.name)
                            ),
                            backup: None,
                            restore: None,
                        })
                    }
                    TypeExtChange::RecreateType {
                        name,
                        recreated: Recreated::Domain { from, to },
                        columns,
                    } if !columns.is_empty()
                        && classify(&from.base, &to.base) == TypeChange::Lossy =>
                    {
                        let old = self.names.relation(name);
                        Some(Unrecoverable {
                            step: find(&format!("TYPE {name} USING")),
                            object: ObjectId::Type { name: old.clone() },
                            kind: LossKind::ConvertedValues,
                            what: format!(
                                "domain {old} changes from {} to {}: the values of its columns \
                                 can be rounded or truncated, and converting back does not \
                                 restore them",
                                from.base, to.base
                            ),
                            backup: None,
                            restore: None,
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The loss of a column's values: backed up with its table's key, restored by key.
    /// `table` and `column` are in `mid`'s names.
    fn column_loss(
        &self,
        table: &QualName,
        column: &Column,
        kind: LossKind,
        why: &str,
        step: Option<usize>,
        set_not_null: bool,
    ) -> Unrecoverable {
        let (t0, c0) = self.names.column(table, &column.name);
        let object = ObjectId::Column {
            table: t0.clone(),
            column: c0.clone(),
        };
        let col = quote_ident(&c0);
        let mut what = format!("column {t0}.{col} {why}");
        let file = file_name(&[&t0.schema, &t0.name, &c0], "csv");
        let csv = "WITH (FORMAT csv, HEADER)";
        let mut set_not_null_cmd = String::new();
        if set_not_null {
            what.push_str("; it comes back without NOT NULL until its values are restored");
            set_not_null_cmd = format!(
                " -c {}",
                dq(&format!("ALTER TABLE {t0} ALTER COLUMN {col} SET NOT NULL"))
            );
        }
        let key = self
            .mid
            .tables
            .get(table)
            .and_then(|t| row_key(t, self.to.tables.get(table), &column.name));
        let Some(key) = key else {
            return Unrecoverable {
                object,
                kind,
                what: format!(
                    "{what}; {t0} has no key that outlives the plan, so the backup holds whole \
                     rows and the values must be matched back by hand"
                ),
                step,
                backup: Some(format!(
                    "{} -c {}",
                    psql(),
                    dq(&format!("\\copy (SELECT * FROM {t0}) TO '{file}' {csv}"))
                )),
                restore: None,
            };
        };
        let keys: Vec<String> = key
            .iter()
            .map(|k| quote_ident(&self.names.column(table, k).1))
            .collect();
        let list = format!("{}, {col}", keys.join(", "));
        let copy_out = format!("\\copy (SELECT {list} FROM {t0}) TO '{file}' {csv}");
        let tmp = "shale_restore";
        let matches: Vec<String> = keys.iter().map(|k| format!("t.{k} = r.{k}")).collect();
        Unrecoverable {
            object,
            kind,
            what,
            step,
            backup: Some(format!("{} -c {}", psql(), dq(&copy_out))),
            restore: Some(format!(
                "{} -c {} -c {} -c {}{set_not_null_cmd}",
                psql(),
                dq(&format!(
                    "CREATE TEMP TABLE {tmp} AS SELECT {list} FROM {t0} WITH NO DATA"
                )),
                dq(&format!("\\copy {tmp} FROM '{file}' {csv}")),
                dq(&format!(
                    "UPDATE {t0} AS t SET {col} = r.{col} FROM {tmp} AS r WHERE {}",
                    matches.join(" AND ")
                )),
            )),
        }
    }
}

/// Columns that identify a row of `table` before the plan and still do after it: the
/// primary key, else a unique constraint over NOT NULL columns; never `column` itself.
fn row_key(table: &Table, after: Option<&Table>, column: &str) -> Option<Vec<String>> {
    let after = after?;
    let usable = |cols: &[String]| {
        !cols.is_empty()
            && cols.iter().all(|c| {
                c != column
                    && table.column(c).is_some_and(|x| x.not_null)
                    && after
                        .column(c)
                        .is_some_and(|x| x.ty == table.column(c).unwrap().ty)
            })
    };
    let pk = table
        .primary_key()
        .map(|c| c.kind.columns().to_vec())
        .filter(|cols| usable(cols));
    pk.or_else(|| {
        table.constraints.values().find_map(|c| match &c.kind {
            ConstraintKind::Unique { columns, .. } if usable(columns) => Some(columns.clone()),
            _ => None,
        })
    })
}

fn psql() -> &'static str {
    "psql \"$DATABASE_URL\" -X -v ON_ERROR_STOP=1"
}

/// A file name for an object's backup: its name parts joined by dots, with anything but
/// letters, digits, `_` and `-` replaced by `_`.
fn file_name(parts: &[&str], ext: &str) -> String {
    let clean: Vec<String> = parts
        .iter()
        .map(|p| {
            p.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        })
        .collect();
    format!("{}.{ext}", clean.join("."))
}

/// A shell word in single quotes.
fn sq(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A shell word in double quotes (for SQL that holds single quotes). A backslash is
/// doubled only where the shell would read it as an escape, so `\copy` stays readable.
fn dq(s: &str) -> String {
    let special = |c: char| matches!(c, '\\' | '"' | '$' | '`' | '\n');
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = match c {
            '\\' => chars.peek().is_none_or(|&n| special(n)),
            c => special(c) && c != '\n',
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;
    use shale_model::{Identity, Sequence};

    fn online() -> PlanOptions {
        PlanOptions::default()
    }

    fn users() -> Table {
        table(
            q("users"),
            vec![
                nn("id", "integer"),
                col("email", "text"),
                col("legacy_flag", "boolean"),
            ],
            vec![pk("users_pkey", &["id"])],
        )
    }

    fn with(tables: Vec<Table>) -> Catalog {
        let mut c = base();
        for t in tables {
            add_table(&mut c, t);
        }
        c
    }

    fn only(rb: &Rollback, kind: LossKind) -> &Unrecoverable {
        let found: Vec<&Unrecoverable> =
            rb.unrecoverable.iter().filter(|u| u.kind == kind).collect();
        assert_eq!(found.len(), 1, "{kind:?} in {:#?}", rb.unrecoverable);
        found[0]
    }

    #[test]
    fn the_rollback_plan_is_the_plan_back() {
        let mut u = users();
        u.columns[1].ty = ty("character varying(20)");
        let from = with(vec![u]);
        let mut to = from.clone();
        let t = to.tables.get_mut(&q("users")).unwrap();
        t.columns.push(col("nickname", "text"));
        t.columns[1].ty = ty("character varying(50)");
        add_index(
            &mut to,
            index(q("users_email_idx"), q("users"), vec![key("email")]),
        );
        let rb = rollback(&from, &to, &online()).unwrap();
        assert_eq!(rb.plan, crate::plan(&to, &from, &online()).unwrap());
        assert!(rb.unrecoverable.is_empty(), "{:#?}", rb.unrecoverable);
        let sql: Vec<&str> = rb.plan.steps.iter().map(|s| s.sql.as_str()).collect();
        assert!(
            sql.iter().any(|s| s.contains("DROP COLUMN nickname")),
            "{sql:?}"
        );
        assert!(
            sql.iter().any(|s| s.starts_with("DROP INDEX CONCURRENTLY")),
            "{sql:?}"
        );
        // Dropping what the plan added loses what was written there since: annotated.
        assert!(rb.plan.steps.iter().any(|s| s.risk.data_loss));
    }

    #[test]
    fn a_dropped_column_is_backed_up_by_primary_key() {
        let from = with(vec![users()]);
        let mut to = from.clone();
        to.tables.get_mut(&q("users")).unwrap().columns.pop();
        let forward = crate::plan(&from, &to, &online()).unwrap();
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::ColumnValues);
        assert_eq!(
            u.object,
            ObjectId::Column {
                table: q("users"),
                column: "legacy_flag".into()
            }
        );
        let drop = forward
            .steps
            .iter()
            .find(|s| s.sql.contains("DROP COLUMN legacy_flag"))
            .unwrap();
        assert_eq!(u.step, Some(drop.id));
        assert_eq!(
            u.backup.as_deref(),
            Some(
                "psql \"$DATABASE_URL\" -X -v ON_ERROR_STOP=1 -c \"\\copy (SELECT id, \
                 legacy_flag FROM public.users) TO 'public.users.legacy_flag.csv' WITH (FORMAT \
                 csv, HEADER)\""
            )
        );
        let restore = u.restore.as_deref().unwrap();
        assert!(
            restore.contains("UPDATE public.users AS t SET legacy_flag = r.legacy_flag FROM shale_restore AS r WHERE t.id = r.id"),
            "{restore}"
        );
        // The rollback adds the column back.
        assert!(rb
            .plan
            .steps
            .iter()
            .any(|s| s.sql.contains("ADD COLUMN legacy_flag boolean")));
    }

    #[test]
    fn without_a_surviving_key_the_backup_holds_whole_rows() {
        let mut t = users();
        t.constraints.clear();
        let from = with(vec![t]);
        let mut to = from.clone();
        to.tables.get_mut(&q("users")).unwrap().columns.pop();
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::ColumnValues);
        assert!(u
            .backup
            .as_deref()
            .unwrap()
            .contains("SELECT * FROM public.users"));
        assert!(u.restore.is_none());
        assert!(u.what.contains("by hand"), "{}", u.what);
    }

    #[test]
    fn a_dropped_table_is_dumped_with_its_sequences() {
        let mut from = with(vec![users()]);
        let mut audit = table(q("audit"), vec![], vec![pk("audit_pkey", &["id"])]);
        audit.columns = vec![
            serial(&mut from, &q("audit"), "id", "integer"),
            col("msg", "text"),
        ];
        add_table(&mut from, audit);
        let to = with(vec![users()]);
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::TableRows);
        assert_eq!(u.object, ObjectId::Table { name: q("audit") });
        assert!(u.what.contains("public.audit_id_seq"), "{}", u.what);
        assert_eq!(
            u.backup.as_deref(),
            Some("pg_dump \"$DATABASE_URL\" --data-only --table='public.audit' --file='public.audit.sql'")
        );
        // The owned sequence travels with the table's dump.
        assert!(rb
            .unrecoverable
            .iter()
            .all(|u| u.kind != LossKind::SequenceValue));
    }

    #[test]
    fn a_dropped_sequence_keeps_its_value_in_a_setval_script() {
        let mut from = with(vec![users()]);
        from.sequences.insert(
            q("invoice_no"),
            Sequence::with_defaults(q("invoice_no"), "bigint", 1),
        );
        let to = with(vec![users()]);
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::SequenceValue);
        let backup = u.backup.as_deref().unwrap();
        assert!(
            backup.contains("setval(%L, %s, %s);', 'public.invoice_no'"),
            "{backup}"
        );
        assert!(backup.ends_with("> 'public.invoice_no.sql'"), "{backup}");
        assert!(u.step.is_some());
    }

    #[test]
    fn lossy_type_changes_are_listed_and_widenings_are_not() {
        let mut t = users();
        t.columns.push(col("price", "numeric(10,2)"));
        let from = with(vec![t]);
        let mut to = from.clone();
        to.tables.get_mut(&q("users")).unwrap().columns[3].ty = ty("numeric(10,1)");
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::ConvertedValues);
        assert!(
            u.what.contains("numeric(10,2) to numeric(10,1)"),
            "{}",
            u.what
        );
        assert!(u
            .backup
            .as_deref()
            .unwrap()
            .contains("SELECT id, price FROM"));

        to.tables.get_mut(&q("users")).unwrap().columns[3].ty = ty("numeric(12,2)");
        let rb = rollback(&from, &to, &online()).unwrap();
        assert!(rb.unrecoverable.is_empty(), "{:#?}", rb.unrecoverable);
    }

    #[test]
    fn a_dropped_identity_gets_its_counter_back_from_the_column() {
        let mut t = users();
        t.columns[0].identity = Some(Identity::with_defaults(true, "integer"));
        let from = with(vec![t]);
        let to = with(vec![users()]);
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::IdentityCounter);
        assert!(u.backup.is_none());
        assert!(u.restore.as_deref().unwrap().contains(
            "setval(pg_get_serial_sequence('public.users', 'id'), max(id)) FROM public.users"
        ));
    }

    #[test]
    fn added_enum_values_stay_and_are_listed() {
        let mut from = with(vec![users()]);
        from.enums.insert(
            q("mood"),
            shale_model::EnumType {
                name: q("mood"),
                labels: vec!["ok".into()],
                comment: None,
            },
        );
        let mut to = from.clone();
        to.enums
            .get_mut(&q("mood"))
            .unwrap()
            .labels
            .push("great".into());
        to.tables
            .get_mut(&q("users"))
            .unwrap()
            .columns
            .push(col("nickname", "text"));
        // Planned directly, the way back re-creates the type (High: fails if a row holds
        // the value); the rollback keeps the value instead.
        let back = crate::plan(&to, &from, &online()).unwrap();
        assert_eq!(back.max_risk(), Some(crate::RiskLevel::High));
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::EnumValues);
        assert!(u.what.contains("'great'"), "{}", u.what);
        assert!(rb.plan.steps.iter().all(|s| !s.sql.contains("TYPE")));
        assert_eq!(rb.plan.steps.len(), 1, "{:#?}", rb.plan.steps);
    }

    #[test]
    fn quoted_names_are_quoted_for_sql_and_shell() {
        let t = table(
            q("Order Items"),
            vec![nn("id", "integer"), col("Qty$", "integer")],
            vec![pk("Order Items_pkey", &["id"])],
        );
        let from = with(vec![t]);
        let mut to = from.clone();
        to.tables.get_mut(&q("Order Items")).unwrap().columns.pop();
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::ColumnValues);
        assert_eq!(
            u.backup.as_deref().unwrap(),
            "psql \"$DATABASE_URL\" -X -v ON_ERROR_STOP=1 -c \"\\copy (SELECT id, \\\"Qty\\$\\\" \
             FROM public.\\\"Order Items\\\") TO 'public.Order_Items.Qty_.csv' WITH (FORMAT csv, \
             HEADER)\""
        );
    }

    #[test]
    fn a_dropped_composite_attribute_is_listed() {
        let attrs = |names: &[&str]| {
            names
                .iter()
                .map(|n| shale_model::Attribute {
                    name: n.to_string(),
                    ty: ty("integer"),
                    collation: None,
                })
                .collect()
        };
        let mut from = base();
        from.composites.insert(
            q("pair"),
            shale_model::CompositeType {
                name: q("pair"),
                attributes: attrs(&["a", "b"]),
                comment: None,
            },
        );
        let mut to = from.clone();
        to.composites.get_mut(&q("pair")).unwrap().attributes = attrs(&["a"]);
        let rb = rollback(&from, &to, &online()).unwrap();
        let u = only(&rb, LossKind::ColumnValues);
        assert!(
            u.what.contains("attribute b of composite type public.pair"),
            "{}",
            u.what
        );
        assert_eq!(u.step, Some(1));
    }

    #[test]
    fn an_unplannable_forward_plan_has_no_rollback() {
        let mut from = base();
        from.enums.insert(
            q("mood"),
            shale_model::EnumType {
                name: q("mood"),
                labels: vec!["a".into(), "b".into()],
                comment: None,
            },
        );
        // A reordered composite type cannot be planned (an enum's labels can: re-created).
        from.composites.insert(
            q("pair"),
            shale_model::CompositeType {
                name: q("pair"),
                attributes: ["a", "b"]
                    .iter()
                    .map(|n| shale_model::Attribute {
                        name: n.to_string(),
                        ty: ty("integer"),
                        collation: None,
                    })
                    .collect(),
                comment: None,
            },
        );
        let mut to = from.clone();
        to.composites
            .get_mut(&q("pair"))
            .unwrap()
            .attributes
            .reverse();
        assert!(matches!(
            rollback(&from, &to, &online()),
            Err(PlanError::Unsupported { .. })
        ));
    }
}

/// On a real server: a plan then its rollback gives the original schema back (read back
/// from `pg_dump` by the SQL front end and re-planned: no changes) and keeps every row;
/// the backups and restores of what a destructive plan loses do bring the data back.
#[cfg(test)]
mod pg_tests {
    use super::*;
    use crate::pg_tests::try_psql;
    use crate::{create_script, plan, render};
    use shale_sql::{parse_sources, SourceFile};
    use shale_testkit::TestDb;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn parse(name: &str, sql: &str) -> Catalog {
        parse_sources(&[SourceFile {
            path: name.into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(db: &TestDb, script: &str, what: &str) {
        if let Err(e) = try_psql(db, script) {
            panic!("{what} failed: {e}\n--- script ---\n{script}");
        }
    }

    /// Row count and checksum of every table of `cat`, over the columns `cat` gives it.
    fn checksums(db: &TestDb, cat: &Catalog) -> Vec<(String, i64, String)> {
        let mut c = db.client();
        cat.tables
            .values()
            .map(|t| {
                let cols: Vec<String> = t.columns.iter().map(|c| quote_ident(&c.name)).collect();
                let sql = format!(
                    "SELECT count(*), coalesce(md5(string_agg(r::text, ',' ORDER BY r::text)), '') \
                     FROM (SELECT {} FROM {}) AS r",
                    cols.join(", "),
                    t.name
                );
                let row = c.query_one(sql.as_str(), &[]).unwrap();
                (t.name.to_string(), row.get(0), row.get(1))
            })
            .collect()
    }

    /// The schema of `db` as the SQL front end reads its `pg_dump`.
    fn read_back(db: &TestDb) -> Catalog {
        parse(&format!("pg_dump of {}", db.name()), &db.pg_dump_schema())
    }

    /// `from` loaded with `rows`, the plan to `to` applied, then its rollback: the schema
    /// re-plans empty against `expected` and the rows of `from`'s tables are unchanged.
    fn round_trip(from_sql: &str, to_sql: &str, rows: &str, opts: &PlanOptions, prefix: &str) {
        let (from, to) = (parse("from.sql", from_sql), parse("to.sql", to_sql));
        let db = TestDb::new(prefix);
        run(&db, &create_script(&from).unwrap(), "create");
        run(&db, rows, "rows");
        let before = checksums(&db, &from);
        let forward = plan(&from, &to, opts).unwrap();
        assert!(!forward.is_empty());
        let rb = rollback(&from, &to, opts).unwrap();
        run(&db, &render::sql_with_options(&forward, opts), "plan");
        assert!(
            plan(&read_back(&db), &to, opts).unwrap().is_empty(),
            "the plan did not reach `to`"
        );
        run(&db, &render::rollback_sql(&rb, opts), "rollback");
        // What the rollback leaves as the plan made it (listed as such).
        let mut expected = from.clone();
        for u in &rb.unrecoverable {
            assert_eq!(u.kind, LossKind::EnumValues, "non-destructive: {u:#?}");
            if let ObjectId::Type { name } = &u.object {
                expected.enums.get_mut(name).unwrap().labels = to.enums[name].labels.clone();
            }
        }
        let again = plan(&read_back(&db), &expected, opts).unwrap();
        assert!(
            again.is_empty(),
            "after the rollback, the schema still differs:\n{}\n--- rollback ---\n{}",
            render::text(&again),
            render::rollback_sql(&rb, opts)
        );
        assert_eq!(checksums(&db, &from), before, "rows changed");
    }

    const SHOP: &str = "
        CREATE TYPE mood AS ENUM ('ok', 'meh');
        CREATE TABLE users (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            email varchar(20) NOT NULL,
            name text,
            age integer CHECK (age >= 0),
            mood mood DEFAULT 'ok'
        );
        CREATE INDEX users_name_idx ON users (name);
        CREATE TABLE orders (
            id serial PRIMARY KEY,
            user_id bigint NOT NULL REFERENCES users,
            total numeric(10,2) NOT NULL DEFAULT 0,
            placed_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE SEQUENCE invoice_no START 1000;
    ";

    const ROWS: &str = "
        INSERT INTO users (email, name, age, mood) VALUES
            ('a@x.io', 'Ann', 31, 'ok'), ('b@x.io', NULL, 4, 'meh'), ('c@x.io', 'Cy', NULL, NULL);
        INSERT INTO orders (user_id, total, placed_at) VALUES
            (1, 10.50, '2024-01-01T10:00:00Z'), (1, 3, '2024-01-02T10:00:00Z'),
            (2, 99.99, '2024-02-01T10:00:00Z'), (3, 0, '2024-03-01T10:00:00Z');
        SELECT nextval('invoice_no'), nextval('invoice_no');
    ";

    #[test]
    fn additions_roll_back() {
        let to = "
            CREATE TYPE mood AS ENUM ('ok', 'meh');
            CREATE TYPE channel AS ENUM ('web', 'shop');
            CREATE TABLE users (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                email varchar(20) NOT NULL UNIQUE,
                name text,
                age integer CHECK (age >= 0),
                mood mood DEFAULT 'ok',
                nickname text,
                active boolean NOT NULL DEFAULT true
            );
            CREATE INDEX users_name_idx ON users (name);
            CREATE INDEX users_lower_idx ON users (lower(email));
            CREATE TABLE orders (
                id serial PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES users,
                total numeric(10,2) NOT NULL DEFAULT 0,
                placed_at timestamptz NOT NULL DEFAULT now(),
                channel channel,
                note text CHECK (length(note) < 500)
            );
            CREATE TABLE coupons (code text PRIMARY KEY, user_id bigint REFERENCES users);
            CREATE SEQUENCE invoice_no START 1000;
            CREATE SEQUENCE ticket_no;
            COMMENT ON TABLE users IS 'people';
        ";
        round_trip(SHOP, to, ROWS, &PlanOptions::default(), "rb_add");
        let offline = PlanOptions {
            online: false,
            ..PlanOptions {
                lock_timeout: Some("5s".into()),
                ..PlanOptions::default()
            }
        };
        round_trip(SHOP, to, ROWS, &offline, "rb_add_off");
    }

    #[test]
    fn alterations_roll_back() {
        let to = "
            CREATE TYPE mood AS ENUM ('ok', 'meh', 'great');
            CREATE TABLE users (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                email varchar(50) NOT NULL,
                name text DEFAULT 'anonymous',
                age bigint,
                mood mood DEFAULT 'great'
            );
            CREATE INDEX users_email_idx ON users (email);
            CREATE TABLE orders (
                id serial PRIMARY KEY,
                user_id bigint,
                total numeric(12,2) NOT NULL,
                placed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE SEQUENCE invoice_no START 1000 INCREMENT 5 CACHE 10;
            COMMENT ON COLUMN users.email IS 'login';
        ";
        round_trip(SHOP, to, ROWS, &PlanOptions::default(), "rb_alter");
    }

    fn scratch_dir(db: &TestDb) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("shale-rollback-{}", db.name()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn try_shell(db: &TestDb, dir: &Path, cmd: &str) -> Result<(), String> {
        let out = Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .env("DATABASE_URL", db.url())
            .env("PATH", shale_testkit::path_env())
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run sh: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "`{cmd}` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn shell(db: &TestDb, dir: &Path, cmd: &str) {
        if let Err(e) = try_shell(db, dir, cmd) {
            panic!("{e}");
        }
    }

    #[test]
    fn destructive_plan_lists_losses_and_its_backups_restore_them() {
        let from_sql = "
            CREATE TABLE users (
                id integer PRIMARY KEY,
                email text NOT NULL,
                legacy_flag boolean,
                price numeric(10,2),
                code text NOT NULL
            );
            CREATE TABLE \"Audit Log\" (id serial PRIMARY KEY, msg text);
            CREATE SEQUENCE invoice_no;
            CREATE TABLE tokens (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, t text);
            CREATE TABLE notes (body text, flag boolean);
        ";
        let to_sql = "
            CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, price numeric(10,1));
            CREATE TABLE tokens (id bigint PRIMARY KEY, t text);
            CREATE TABLE notes (body text);
        ";
        let rows = "
            INSERT INTO users VALUES
                (1, 'a', true, 1.25, 'x1'), (2, 'b', false, 2.50, 'x2'), (3, 'c', NULL, NULL, 'x3');
            INSERT INTO \"Audit Log\" (msg) VALUES ('one'), ('two');
            SELECT nextval('invoice_no'), nextval('invoice_no'), nextval('invoice_no');
            INSERT INTO tokens (t) VALUES ('x'), ('y');
            INSERT INTO notes VALUES ('n1', true);
        ";
        let opts = PlanOptions::default();
        let (from, to) = (parse("from.sql", from_sql), parse("to.sql", to_sql));
        let rb = rollback(&from, &to, &opts).unwrap();
        let mut kinds: Vec<(LossKind, String)> = rb
            .unrecoverable
            .iter()
            .map(|u| (u.kind, u.object.to_string()))
            .collect();
        kinds.sort();
        assert_eq!(
            kinds,
            vec![
                (LossKind::TableRows, "table public.\"Audit Log\"".into()),
                (LossKind::ColumnValues, "column public.notes.flag".into()),
                (LossKind::ColumnValues, "column public.users.code".into()),
                (
                    LossKind::ColumnValues,
                    "column public.users.legacy_flag".into()
                ),
                (
                    LossKind::ConvertedValues,
                    "column public.users.price".into()
                ),
                (LossKind::SequenceValue, "sequence public.invoice_no".into()),
                (LossKind::IdentityCounter, "column public.tokens.id".into()),
            ]
        );
        let text = render::text_with_rollback(&plan(&from, &to, &opts).unwrap(), &rb);
        assert!(text.contains("The rollback cannot restore (7)"), "{text}");

        let db = TestDb::new("rb_loss");
        let dir = scratch_dir(&db);
        run(&db, &create_script(&from).unwrap(), "create");
        run(&db, rows, "rows");
        let keep: Catalog = {
            // The tables whose data the restores bring back in full.
            let mut c = from.clone();
            c.tables.retain(|n, _| n.name != "notes");
            c
        };
        let before = checksums(&db, &keep);
        for u in &rb.unrecoverable {
            if let Some(b) = &u.backup {
                shell(&db, &dir, b);
            }
        }
        let forward = plan(&from, &to, &opts).unwrap();
        run(&db, &render::sql_with_options(&forward, &opts), "plan");
        run(&db, &render::rollback_sql(&rb, &opts), "rollback");
        // The data is not back yet; users.code is back without NOT NULL.
        assert_ne!(checksums(&db, &keep), before);
        let users = &read_back(&db).tables[&QualName::new("public", "users")];
        assert!(!users.column("code").unwrap().not_null);
        for u in &rb.unrecoverable {
            if let Some(r) = &u.restore {
                shell(&db, &dir, r);
            }
        }
        assert_eq!(
            checksums(&db, &keep),
            before,
            "restores bring the data back"
        );
        let mut c = db.client();
        let next: i64 = c
            .query_one("SELECT nextval('invoice_no')", &[])
            .unwrap()
            .get(0);
        assert_eq!(next, 4, "the sequence continues where it was");
        let id: i64 = c
            .query_one("INSERT INTO tokens (t) VALUES ('z') RETURNING id", &[])
            .unwrap()
            .get(0);
        assert_eq!(id, 3, "the identity continues after the column's values");
        let audit: i64 = c
            .query_one(
                "INSERT INTO \"Audit Log\" (msg) VALUES ('three') RETURNING id::bigint",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            audit, 3,
            "the dropped table's sequence came back with its rows"
        );
        // Without a key, the column's values are in the backup for a manual restore.
        let notes = std::fs::read_to_string(dir.join("public.notes.flag.csv")).unwrap();
        assert_eq!(notes, "body,flag\nn1,t\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    const RENAME_FROM: &str = "
        CREATE TABLE users (id integer PRIMARY KEY, mail text NOT NULL, legacy integer);
        CREATE INDEX users_mail_idx ON users (mail);
    ";
    const RENAME_TO: &str = "
        -- shale:renamed-from users
        CREATE TABLE accounts (
            id integer PRIMARY KEY,
            email text NOT NULL -- shale:renamed-from mail
        );
        CREATE INDEX accounts_email_idx ON accounts (email); -- shale:renamed-from users_mail_idx
    ";

    fn parse_with(name: &str, sql: &str) -> (Catalog, Directives) {
        shale_sql::parse_sources_with_directives(&[SourceFile {
            path: name.into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn renames_are_renamed_back_and_losses_named_as_before_the_plan() {
        let (from, _) = parse_with("from.sql", RENAME_FROM);
        let (to, hints) = parse_with("to.sql", RENAME_TO);
        assert!(!hints.renames.is_empty());
        let opts = PlanOptions::default();
        let rb = rollback_with(&from, &to, &hints, &opts).unwrap();
        let renames: Vec<&str> = rb
            .plan
            .steps
            .iter()
            .filter(|s| s.action == Action::Rename)
            .map(|s| s.sql.as_str())
            .collect();
        assert!(
            renames.iter().any(|s| s.contains("RENAME TO users")),
            "{renames:?}"
        );
        assert!(
            renames
                .iter()
                .any(|s| s.contains("RENAME COLUMN email TO mail")),
            "{renames:?}"
        );
        assert!(rb
            .plan
            .steps
            .iter()
            .all(|s| !s.sql.contains("DROP COLUMN email")));
        assert_eq!(rb.unrecoverable.len(), 1, "{:#?}", rb.unrecoverable);
        let u = &rb.unrecoverable[0];
        assert_eq!(u.object.to_string(), "column public.users.legacy");
        assert!(
            u.backup
                .as_deref()
                .unwrap()
                .contains("SELECT id, legacy FROM public.users"),
            "{u:#?}"
        );
        // Without the hints the same change is a drop of mail (and its data).
        let blind = rollback(&from, &to, &opts).unwrap();
        assert!(blind
            .unrecoverable
            .iter()
            .any(|u| u.object.to_string() == "table public.users"));

        // On a server, with rows: backup, plan, rollback, restore.
        let db = TestDb::new("rb_rename");
        let dir = scratch_dir(&db);
        run(&db, &create_script(&from).unwrap(), "create");
        run(
            &db,
            "INSERT INTO users VALUES (1, 'a@x', 7), (2, 'b@x', NULL), (3, 'c@x', 9);",
            "rows",
        );
        let before = checksums(&db, &from);
        shell(&db, &dir, u.backup.as_deref().unwrap());
        let forward = crate::plan_with(&from, &to, &hints, &opts).unwrap();
        run(&db, &render::sql_with_options(&forward, &opts), "plan");
        run(&db, &render::rollback_sql(&rb, &opts), "rollback");
        shell(&db, &dir, u.restore.as_deref().unwrap());
        let again = plan(&read_back(&db), &from, &opts).unwrap();
        assert!(again.is_empty(), "{}", render::text(&again));
        assert_eq!(checksums(&db, &from), before);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Every fixture pair: backups, plan, rollback, restores, on a real server; the schema
    /// re-plans empty against the current state (with enum values the rollback keeps).
    #[test]
    fn every_fixture_rolls_back() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("current.sql").is_file() && p.join("desired.sql").is_file())
            .collect();
        cases.sort();
        let opts = PlanOptions::default();
        let mut failures = Vec::new();
        let mut checked = 0;
        for case in &cases {
            let read = |f: &str| {
                let p = case.join(f);
                parse(
                    &p.display().to_string(),
                    &std::fs::read_to_string(&p).unwrap(),
                )
            };
            let (from, to) = (read("current.sql"), read("desired.sql"));
            let (forward, rb) = match (plan(&from, &to, &opts), rollback(&from, &to, &opts)) {
                (Ok(f), Ok(r)) => (f, r),
                (Err(_), Err(_)) => continue,
                (f, r) => {
                    failures.push(format!("{}: plan {f:?} but rollback {r:?}", case.display()));
                    continue;
                }
            };
            let db = TestDb::new("rb_fixture");
            let scratch = scratch_dir(&db);
            run(&db, &create_script(&from).unwrap(), "create");
            let step = |script: &str, what: &str| {
                try_psql(&db, script)
                    .map_err(|e| format!("{}: {what}: {e}\n{script}", case.display()))
            };
            // Backups before, restores after: every command runs (the tables are empty).
            let commands = |pick: fn(&Unrecoverable) -> &Option<String>| {
                rb.unrecoverable
                    .iter()
                    .filter_map(|u| pick(u).as_deref())
                    .try_for_each(|cmd| try_shell(&db, &scratch, cmd))
                    .map_err(|e| format!("{}: {e}", case.display()))
            };
            let result = commands(|u| &u.backup)
                .and_then(|_| step(&render::sql_with_options(&forward, &opts), "plan"))
                .and_then(|_| step(&render::rollback_sql(&rb, &opts), "rollback"))
                .and_then(|_| commands(|u| &u.restore));
            let _ = std::fs::remove_dir_all(&scratch);
            if let Err(e) = result {
                failures.push(e);
                continue;
            }
            let mut expected = from.clone();
            // Grants the files make to the role running them (the owner) are recorded by
            // no catalog, as the fixture suite's comparison knows too (fixture 320).
            expected.as_run_by(&db.current_user());
            for u in &rb.unrecoverable {
                match (u.kind, &u.object) {
                    (LossKind::EnumValues, ObjectId::Type { name }) => {
                        expected.enums.get_mut(name).unwrap().labels =
                            to.enums[name].labels.clone();
                    }
                    // Without a key, a NOT NULL column's values are restored by hand.
                    (_, ObjectId::Column { table, column })
                        if u.restore.is_none() && u.what.contains("without NOT NULL") =>
                    {
                        let t = expected.tables.get_mut(table).unwrap();
                        t.column_mut(column).unwrap().not_null = false;
                    }
                    _ => {}
                }
            }
            // Read back live: the dump of `read_back` is taken without privileges and owners,
            // so grants and revokes (fixtures 100-109, and 45 and 53, whose re-created view
            // and function carry grants) would look lost when they were restored.
            let live = match shale_introspect::introspect(&mut db.client()) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{}: introspect: {e}", case.display()));
                    continue;
                }
            };
            match plan(&live, &expected, &opts) {
                Ok(p) if p.is_empty() => checked += 1,
                Ok(p) => failures.push(format!(
                    "{}: differs after the rollback:\n{}",
                    case.display(),
                    render::text(&p)
                )),
                Err(e) => failures.push(format!("{}: re-plan: {e}", case.display())),
            }
        }
        let failures = crate::reread_tests::without_known_gaps(failures);
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        assert!(checked >= 25, "only {checked} fixtures rolled back");
    }
}

#[cfg(test)]
mod shell_tests {
    use super::dq;
    use std::process::Command;

    /// `printf %s <word>` in a real shell prints the string back.
    #[test]
    fn double_quoted_words_read_back_exactly() {
        for s in [
            "\\copy (SELECT 1) TO 'x.csv'",
            "a \"b\" $HOME `id` \\\\ end\\",
            "back\\$x and \\\" and \\`",
        ] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", dq(s)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), s, "{}", dq(s));
        }
        assert_eq!(dq("\\copy x"), "\"\\copy x\"");
    }
}
