//! Views, materialized views (and their indexes), functions, procedures and triggers.
//!
//! Rules, beyond those of the crate:
//! - A view whose definition (columns or normalized query) changes is dropped and created
//!   again (a plain view stores no data; `CREATE OR REPLACE VIEW` cannot change a
//!   column's type, which the files do not state). Only its options (`security_barrier`,
//!   `security_invoker`, `check_option`) change in place (`ALTER VIEW … SET/RESET`).
//! - What depends on something re-created or changed is re-created around it, because
//!   PostgreSQL refuses the change while the dependent exists: a view whose query names
//!   a column that changes type or is dropped (a mention anywhere in its normalized query
//!   counts; a whole-row reference to the table alone is not detected), a view reading a re-created view or calling
//!   a re-created function, a trigger whose function is re-created, a trigger whose
//!   `WHEN`/`UPDATE OF` names a column that changes type, the triggers and indexes of a
//!   re-created view. Each such change says why (`recreate`).
//! - A function whose signature stays is replaced in place (`CREATE OR REPLACE`) when
//!   PostgreSQL allows it (same kind, result type, argument names, modes and types, no
//!   default removed); otherwise dropped and created again.
//! - Whether a materialized view is populated is compared only when it is created.
//! - Triggers and indexes of a dropped table or view go with it (no step of their own).
//! - [`Catalog::unmodeled`] is never compared.

use crate::Change;
use serde::Serialize;
use shale_model::{Catalog, Function, Index, ObjectId, QualName, Trigger, TriggerEnabled, View};
use std::collections::{BTreeMap, BTreeSet};

/// One difference in views, functions or triggers.
#[allow(clippy::large_enum_variant)] // plain data, built once per change
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "routine_change", rename_all = "snake_case")]
pub enum RoutineChange {
    CreateView {
        view: View,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropView {
        view: View,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER VIEW … SET (…)` / `RESET (…)`: options only.
    AlterViewOptions { from: View, to: View },
    /// `CREATE OR REPLACE VIEW`: the new query keeps the old columns (names, order,
    /// types) and may add columns at the end; options may change too.
    ReplaceView { from: View, to: View },
    /// An index of a materialized view.
    CreateViewIndex {
        index: Index,
        /// The materialized view is created by this diff.
        new_view: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropViewIndex {
        index: Index,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateFunction {
        function: Function,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `CREATE OR REPLACE` with the same signature and result.
    ReplaceFunction { from: Function, to: Function },
    DropFunction {
        function: Function,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateTrigger {
        trigger: Trigger,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropTrigger {
        trigger: Trigger,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER TABLE … ENABLE/DISABLE TRIGGER`.
    SetTriggerEnabled {
        trigger: Trigger,
        from: TriggerEnabled,
    },
    /// `COMMENT ON` a view, materialized view, function, procedure, trigger or an index of
    /// a materialized view. `target` is what follows `COMMENT ON` (`MATERIALIZED VIEW
    /// public.mv`, `PROCEDURE public.p(integer)`, `TRIGGER t ON public.x`).
    SetComment {
        object: ObjectId,
        target: String,
        from: Option<String>,
        to: Option<String>,
    },
}

impl RoutineChange {
    pub fn object(&self) -> ObjectId {
        match self {
            RoutineChange::CreateView { view, .. } | RoutineChange::DropView { view, .. } => {
                ObjectId::View {
                    name: view.name.clone(),
                }
            }
            RoutineChange::AlterViewOptions { to, .. } | RoutineChange::ReplaceView { to, .. } => {
                ObjectId::View {
                    name: to.name.clone(),
                }
            }
            RoutineChange::CreateViewIndex { index, .. }
            | RoutineChange::DropViewIndex { index, .. } => ObjectId::Index {
                name: index.name.clone(),
            },
            RoutineChange::CreateFunction { function, .. }
            | RoutineChange::DropFunction { function, .. } => function.id(),
            RoutineChange::ReplaceFunction { to, .. } => to.id(),
            RoutineChange::CreateTrigger { trigger, .. }
            | RoutineChange::DropTrigger { trigger, .. }
            | RoutineChange::SetTriggerEnabled { trigger, .. } => trigger.id(),
            RoutineChange::SetComment { object, .. } => object.clone(),
        }
    }
}

/// `COMMENT ON` target of a view.
pub fn view_target(v: &View) -> String {
    format!("{} {}", v.kind_sql(), v.name)
}

/// `COMMENT ON` target of a function or procedure.
pub fn function_target(f: &Function) -> String {
    format!("{} {}", f.kind_sql(), f.signature())
}

/// `COMMENT ON` target of a trigger.
pub fn trigger_target(t: &Trigger) -> String {
    format!(
        "TRIGGER {} ON {}",
        shale_model::quote_ident(&t.name),
        t.table
    )
}

fn without_comment_v(v: &View) -> View {
    View {
        comment: None,
        column_comments: BTreeMap::new(),
        indexes: BTreeMap::new(),
        with_data: true,
        security_barrier: None,
        security_invoker: None,
        check_option: None,
        storage: BTreeMap::new(),
        ..v.clone()
    }
}

fn without_comment_f(f: &Function) -> Function {
    Function {
        comment: None,
        ..f.clone()
    }
}

fn without_comment_t(t: &Trigger) -> Trigger {
    Trigger {
        comment: None,
        enabled: TriggerEnabled::Origin,
        ..t.clone()
    }
}

fn without_comment_i(i: &Index) -> Index {
    Index {
        comment: None,
        ..i.clone()
    }
}

/// An index of a materialized view compared without its comment and options (changed in
/// place: relation_options.rs).
fn index_definition(i: &Index) -> Index {
    Index {
        storage: BTreeMap::new(),
        statistics: BTreeMap::new(),
        ..without_comment_i(i)
    }
}

/// Why `f0` cannot become `f1` with `CREATE OR REPLACE`, if it cannot.
pub fn function_recreate_reason(f0: &Function, f1: &Function) -> Option<String> {
    if f0.kind != f1.kind {
        return Some("it changes between function and procedure".into());
    }
    if f0.returns != f1.returns || f0.returns_set != f1.returns_set {
        let show = |f: &Function| {
            f.returns
                .as_ref()
                .map(|r| format!("{}{r}", if f.returns_set { "SETOF " } else { "" }))
                .unwrap_or_else(|| "none".into())
        };
        return Some(format!(
            "its result type changes ({} to {})",
            show(f0),
            show(f1)
        ));
    }
    let strip = |f: &Function| {
        f.args
            .iter()
            .map(|a| (a.name.clone(), a.mode, a.ty.clone()))
            .collect::<Vec<_>>()
    };
    if strip(f0) != strip(f1) {
        return Some("its argument names or output arguments change".into());
    }
    if f0
        .args
        .iter()
        .zip(&f1.args)
        .any(|(a0, a1)| a0.default.is_some() && a1.default.is_none())
    {
        return Some("an argument default is removed".into());
    }
    None
}

struct Rd<'a> {
    from: &'a Catalog,
    to: &'a Catalog,
    out: Vec<Change>,
    /// Columns (of `from`) that change type/collation, are dropped or re-created, with a
    /// phrase saying how.
    changed_columns: BTreeMap<(QualName, String), String>,
    /// Function names whose overloads are dropped and re-created (or just dropped).
    recreated_functions: BTreeMap<QualName, String>,
    /// Views (of `from`) dropped, or dropped and re-created, with why.
    removed_views: BTreeMap<QualName, Option<String>>,
    /// Views whose query changes compatibly: replaced in place (`CREATE OR REPLACE`).
    replaced_views: BTreeSet<QualName>,
}

/// The changes in views, functions and triggers that turn `from` into `to`, appended to
/// `out`.
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    let mut d = Rd {
        from,
        to,
        out: Vec::new(),
        changed_columns: BTreeMap::new(),
        recreated_functions: BTreeMap::new(),
        removed_views: BTreeMap::new(),
        replaced_views: BTreeSet::new(),
    };
    // Operators and text search configurations that go, by name (`crate::going_by_name`).
    let going_operators = crate::going_by_name(from, to);
    d.classify_columns(&going_operators);
    d.functions();
    let aggregates = crate::aggregates::recreated_aggregates(from, to, &d.recreated_functions);
    d.recreated_functions.extend(aggregates);
    // Operators are keyed by their names here too (an operator's name is never a
    // function's): what uses one that goes is found by name in its normalized text; a
    // configuration among an expression's or a view's references.
    d.bodies_around_operators(&going_operators);
    d.bodies_around_dropped_tables();
    d.recreated_functions.extend(going_operators);
    d.classify_views();
    d.views();
    d.triggers();
    defaults_around_recreated_functions(from, to, &d.recreated_functions, out);
    checks_and_indexes_around_recreated_functions(from, to, &d.recreated_functions, out);
    out.extend(d.out);
}

/// A column default calling a function that is dropped and created again (same name)
/// keeps PostgreSQL from dropping it: the default is dropped before and set again after.
/// `out` holds the table changes already; a `SET DEFAULT` there gets a `DROP DEFAULT`
/// in front of it, and an unchanged default gets both.
fn defaults_around_recreated_functions(
    from: &Catalog,
    to: &Catalog,
    recreated: &BTreeMap<QualName, String>,
    out: &mut Vec<Change>,
) {
    if recreated.is_empty() {
        return; // nothing to step around; spares a pass over every column
    }
    for (tname, t0) in &from.tables {
        let Some(t1) = to.tables.get(tname) else {
            continue;
        };
        for c0 in &t0.columns {
            let Some(d0) = &c0.default else {
                continue;
            };
            let calls = recreated.keys().any(|f| uses_routine(d0, f));
            if !calls {
                continue;
            }
            let Some(d1) = t1.column(&c0.name).and_then(|c| c.default.clone()) else {
                continue; // dropped anyway
            };
            let same = |c: &Change, drop: bool| match c {
                Change::DropDefault { table, column, .. } => {
                    drop && table == tname && *column == c0.name
                }
                Change::SetDefault { table, column, .. } => {
                    !drop && table == tname && *column == c0.name
                }
                _ => false,
            };
            if out.iter().any(|c| same(c, true)) {
                continue; // already dropped and set again (a type change)
            }
            // Shown in the step: spelled the same whichever side `from` was read from (the
            // desired spelling when unchanged, else the canonical form).
            let shown = if *d0 == d1 {
                d1.clone()
            } else {
                shale_model::Expr {
                    sql: d0.canon.clone(),
                    ..d0.clone()
                }
            };
            let drop = Change::DropDefault {
                table: tname.clone(),
                column: c0.name.clone(),
                from: shown,
            };
            match out.iter().position(|c| same(c, false)) {
                Some(i) => {
                    if let Change::SetDefault { from, .. } = &mut out[i] {
                        *from = None;
                    }
                    out.insert(i, drop);
                }
                None => {
                    out.push(drop);
                    out.push(Change::SetDefault {
                        table: tname.clone(),
                        column: c0.name.clone(),
                        from: None,
                        to: d1,
                    });
                }
            }
        }
    }
}

/// Checks and indexes whose expressions call a function that is dropped and created
/// again are dropped before and created again after it (unless the table diff does so
/// already).
fn checks_and_indexes_around_recreated_functions(
    from: &Catalog,
    to: &Catalog,
    recreated: &BTreeMap<QualName, String>,
    out: &mut Vec<Change>,
) {
    if recreated.is_empty() {
        return; // no expression can call a re-created function
    }
    let why_for = |e: &shale_model::Expr| {
        recreated
            .iter()
            .find(|(f, _)| uses_routine(e, f))
            .map(|(_, why)| why.clone())
    };
    let mut extra = Vec::new();
    for (tname, t0) in &from.tables {
        let Some(t1) = to.tables.get(tname) else {
            continue;
        };
        for c0 in t0.constraints.values() {
            let shale_model::ConstraintKind::Check { expr, .. } = &c0.kind else {
                continue;
            };
            let (Some(why), Some(c1)) = (why_for(expr), t1.constraints.get(&c0.name)) else {
                continue;
            };
            let handled = out.iter().any(|c| {
                matches!(c, Change::DropConstraint { table, constraint, .. }
                    if table == tname && constraint.name == c0.name)
            });
            if handled {
                continue;
            }
            extra.push(Change::DropConstraint {
                table: tname.clone(),
                constraint: c0.clone(),
                recreate: Some(why.clone()),
            });
            extra.push(Change::AddConstraint {
                table: tname.clone(),
                constraint: c1.without_comments(),
                new_table: false,
                recreate: Some(why),
            });
            if c1.comment.is_some() {
                extra.push(Change::SetComment {
                    object: ObjectId::Constraint {
                        table: tname.clone(),
                        name: c1.name.clone(),
                    },
                    from: None,
                    to: c1.comment.clone(),
                });
            }
        }
    }
    for (name, ix0) in &from.indexes {
        let exprs: Vec<&shale_model::Expr> = ix0
            .keys
            .iter()
            .filter_map(|k| match &k.key {
                shale_model::IndexKeyExpr::Expr(e) => Some(e),
                _ => None,
            })
            .chain(ix0.predicate.iter())
            .collect();
        let Some(why) = exprs.iter().find_map(|e| why_for(e)) else {
            continue;
        };
        let Some(ix1) = to.indexes.get(name) else {
            continue;
        };
        if drops_index(out, name) {
            continue;
        }
        // A comment change the indexes' diff found is the re-creation's now.
        out.retain(|c| {
            !matches!(c, Change::SetComment { object: ObjectId::Index { name: n }, .. } if n == name)
        });
        recreate_index(ix0, ix1, why, &mut extra);
    }
    out.extend(extra);
}

/// Whether `out` drops index `name` already (the table diff re-creates it).
pub(crate) fn drops_index(out: &[Change], name: &QualName) -> bool {
    out.iter()
        .any(|c| matches!(c, Change::DropIndex { index, .. } if index.name == *name))
}

/// Index `ix0` dropped and created again as `ix1` because of `why`: the drop, the create
/// and the new one's comment.
pub(crate) fn recreate_index(ix0: &Index, ix1: &Index, why: String, out: &mut Vec<Change>) {
    out.push(Change::DropIndex {
        index: ix0.clone(),
        recreate: Some(why.clone()),
    });
    out.push(Change::CreateIndex {
        index: Index {
            comment: None,
            ..ix1.clone()
        },
        new_table: false,
        recreate: Some(why),
    });
    if ix1.comment.is_some() {
        out.push(Change::SetComment {
            object: ObjectId::Index {
                name: ix1.name.clone(),
            },
            from: None,
            to: ix1.comment.clone(),
        });
    }
}

/// Does the normalized expression call a function named `f`, use an operator named `f`,
/// or name the text search configuration `f` (`crate::uses_going`)?
fn uses_routine(e: &shale_model::Expr, f: &QualName) -> bool {
    crate::uses_going(e, f)
        || (!shale_model::operators::is_operator_name(&f.name) && calls_function(&e.canon, &f.name))
}

/// The functions (of `from`, by id) that `to` drops or drops and creates again, with why,
/// as [`crate::operators::dropped_functions`] words them from the changes.
pub(crate) fn going_functions(from: &Catalog, to: &Catalog) -> BTreeMap<ObjectId, String> {
    let mut out = BTreeMap::new();
    for (key, f0) in &from.functions {
        let why = match to.functions.get(key) {
            None => Some(format!("function {} is dropped", f0.signature())),
            Some(f1) if without_comment_f(f0) != without_comment_f(f1) => {
                function_recreate_reason(f0, f1)
                    .map(|why| format!("function {} is re-created ({why})", f0.signature()))
            }
            Some(_) => None,
        };
        if let Some(why) = why {
            out.insert(f0.id(), why);
        }
    }
    out
}

/// Does the normalized expression call a function named `name`?
fn calls_function(canon: &str, name: &str) -> bool {
    let q = shale_model::quote_ident(name);
    canon.match_indices(&q).any(|(i, _)| {
        let before_ok = canon[..i]
            .chars()
            .next_back()
            .is_none_or(|p| !(p.is_alphanumeric() || p == '_' || p == '"' || p == '.'));
        before_ok && canon[i + q.len()..].trim_start().starts_with('(')
    })
}

/// Can `CREATE OR REPLACE VIEW` turn `v0` into `v1`? PostgreSQL requires the new query to
/// produce the old columns with the same names, order, types and collations (new columns
/// may follow them). The model holds no column types for views, so this decides from the
/// canonical queries, conservatively: both are one plain `SELECT` (no `WITH`, `DISTINCT`
/// or set operation), their `FROM` clauses are the same, and the old target list (the
/// expressions and their output names) is the start of the new one. The same expressions
/// over the same relations have the same types; what the relations themselves change
/// (a column's type) is handled by the caller, which re-creates the view then. Anything
/// else is dropped and created again, which is always correct.
pub(crate) fn replaceable(v0: &View, v1: &View) -> bool {
    if v0.materialized || v1.materialized || v0.name != v1.name {
        return false;
    }
    let n0 = v0.columns.len();
    if v1.columns.len() < n0 || v1.columns[..n0] != v0.columns[..] {
        return false;
    }
    let (Some((t0, f0)), Some((t1, f1))) =
        (select_parts(&v0.query.canon), select_parts(&v1.query.canon))
    else {
        return false;
    };
    if t0.len() != n0 || t1.len() != v1.columns.len() || t1[..n0] != t0[..] || f0 != f1 {
        return false;
    }
    // The canonical form drops casts PostgreSQL would apply implicitly (`a::bigint` on an
    // integer column reads as `a`), which change an output column's type: a kept column
    // whose printed expression holds a cast on either side is not trusted, unless both
    // sides print the kept columns exactly alike (the same written expressions over the
    // same relations have the same types).
    let (Some((p0, _)), Some((p1, _))) = (select_parts(&v0.query.sql), select_parts(&v1.query.sql))
    else {
        return false;
    };
    if p0.len() < n0 || p1.len() < n0 {
        return false;
    }
    if p0[..n0] == p1[..n0] {
        return true;
    }
    let casts = |t: &[&str]| {
        t[..n0]
            .iter()
            .any(|e| e.contains("::") || e.to_ascii_uppercase().contains("CAST"))
    };
    !casts(&p0) && !casts(&p1)
}

/// Top-level words (byte offset, text) and top-level comma offsets of a query.
type TopLevel<'a> = (Vec<(usize, &'a str)>, Vec<usize>);

/// Words of a canonical query at parenthesis depth 0 (outside quotes), with their byte
/// offsets, and the offsets of the top-level commas. `None` when the text holds something
/// this scanner does not follow (a dollar sign, an unterminated quote).
fn top_level(sql: &str) -> Option<TopLevel<'_>> {
    let b = sql.as_bytes();
    let mut words = Vec::new();
    let mut commas = Vec::new();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' => {
                let escapes = i > 0 && (b[i - 1] == b'E' || b[i - 1] == b'e');
                i += 1;
                loop {
                    if i >= b.len() {
                        return None;
                    }
                    if escapes && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\'' {
                        if i + 1 < b.len() && b[i + 1] == b'\'' {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                loop {
                    if i >= b.len() {
                        return None;
                    }
                    if b[i] == b'"' {
                        if i + 1 < b.len() && b[i + 1] == b'"' {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => return None,
            b'(' | b'[' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
                i += 1;
            }
            b',' => {
                if depth == 0 {
                    commas.push(i);
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if depth == 0 {
                    words.push((start, &sql[start..i]));
                }
            }
            _ => i += 1,
        }
    }
    (depth == 0).then_some((words, commas))
}

/// A canonical plain `SELECT` split into its targets (text of each) and its `FROM` clause
/// (up to `WHERE`, `GROUP BY` and the like). `None` for anything else.
fn select_parts(canon: &str) -> Option<(Vec<&str>, &str)> {
    let sql = canon.trim().trim_end_matches(';').trim_end();
    let (words, commas) = top_level(sql)?;
    let mut it = words.iter();
    let &(0, "SELECT") = it.next()? else {
        return None;
    };
    if words.iter().any(|(_, w)| {
        matches!(
            *w,
            "DISTINCT" | "UNION" | "INTERSECT" | "EXCEPT" | "WITH" | "INTO" | "ALL"
        )
    }) {
        return None;
    }
    const TAIL: &[&str] = &[
        "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "OFFSET", "FETCH", "FOR",
    ];
    let from = words.iter().find(|(_, w)| *w == "FROM").map(|(i, _)| *i);
    let after_from = from.unwrap_or(0);
    let tail = words
        .iter()
        .find(|(i, w)| *i >= after_from && TAIL.contains(w))
        .map(|(i, _)| *i)
        .unwrap_or(sql.len());
    let targets_end = from.unwrap_or(tail);
    let start = "SELECT".len();
    if targets_end < start {
        return None;
    }
    let mut targets = Vec::new();
    let mut s = start;
    for &c in commas.iter().filter(|&&c| c < targets_end) {
        targets.push(sql[s..c].trim());
        s = c + 1;
    }
    targets.push(sql[s..targets_end].trim());
    if targets.iter().any(|t| t.is_empty()) {
        return None;
    }
    let from_clause = from.map(|f| sql[f..tail].trim()).unwrap_or("");
    Some((targets, from_clause))
}

/// The views and functions that [`diff`] drops and creates again (they lose their
/// privileges on the way: the privilege diff grants them again).
pub fn recreated(from: &Catalog, to: &Catalog) -> BTreeSet<ObjectId> {
    let mut out = Vec::new();
    diff(from, to, &mut out);
    out.into_iter()
        .filter_map(|c| match c {
            Change::Routine {
                routine:
                    RoutineChange::DropView {
                        view,
                        recreate: Some(_),
                    },
            } => Some(ObjectId::View { name: view.name }),
            Change::Routine {
                routine:
                    RoutineChange::DropFunction {
                        function,
                        recreate: Some(_),
                    },
            } => Some(function.id()),
            _ => None,
        })
        .collect()
}

impl Rd<'_> {
    fn push(&mut self, c: RoutineChange) {
        self.out.push(Change::Routine { routine: c });
    }

    fn comment(
        &mut self,
        object: ObjectId,
        target: String,
        from: &Option<String>,
        to: &Option<String>,
    ) {
        if from != to {
            self.push(RoutineChange::SetComment {
                object,
                target,
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    fn classify_columns(&mut self, operators: &BTreeMap<QualName, String>) {
        for (name, t0) in &self.from.tables {
            let t1 = self.to.tables.get(name);
            for c0 in &t0.columns {
                let why = match t1.and_then(|t| t.column(&c0.name)) {
                    None => Some(format!(
                        "column {name}.{} is dropped",
                        shale_model::quote_ident(&c0.name)
                    )),
                    Some(c1) if c1.ty != c0.ty || c1.collation != c0.collation => Some(format!(
                        "column {name}.{} changes type",
                        shale_model::quote_ident(&c0.name)
                    )),
                    Some(c1)
                        if (c1.generated != c0.generated && c1.generated.is_some())
                            || crate::generated_over_going_operator(c0, c1, operators)
                                .is_some() =>
                    {
                        Some(format!(
                            "column {name}.{} is re-created",
                            shale_model::quote_ident(&c0.name)
                        ))
                    }
                    Some(_) => None,
                };
                if let Some(w) = why {
                    self.changed_columns
                        .insert((name.clone(), c0.name.clone()), w);
                }
            }
        }
    }

    fn functions(&mut self) {
        let mut drops = Vec::new();
        for (key, f1) in &self.to.functions {
            match self.from.functions.get(key) {
                None => {
                    self.push(RoutineChange::CreateFunction {
                        function: Function {
                            comment: None,
                            ..f1.clone()
                        },
                        recreate: None,
                    });
                    self.comment(f1.id(), function_target(f1), &None, &f1.comment);
                }
                Some(f0) => {
                    if without_comment_f(f0) != without_comment_f(f1) {
                        match function_recreate_reason(f0, f1) {
                            None => self.push(RoutineChange::ReplaceFunction {
                                from: f0.clone(),
                                to: Function {
                                    comment: f0.comment.clone(),
                                    ..f1.clone()
                                },
                            }),
                            Some(why) => {
                                self.recreated_functions.insert(
                                    f0.name.clone(),
                                    format!("function {} is re-created", f0.signature()),
                                );
                                drops.push(RoutineChange::DropFunction {
                                    function: f0.clone(),
                                    recreate: Some(why.clone()),
                                });
                                self.push(RoutineChange::CreateFunction {
                                    function: Function {
                                        comment: None,
                                        ..f1.clone()
                                    },
                                    recreate: Some(why),
                                });
                                self.comment(f1.id(), function_target(f1), &None, &f1.comment);
                                continue;
                            }
                        }
                    }
                    self.comment(f1.id(), function_target(f1), &f0.comment, &f1.comment);
                }
            }
        }
        for (key, f0) in &self.from.functions {
            if !self.to.functions.contains_key(key) {
                self.recreated_functions
                    .entry(f0.name.clone())
                    .or_insert_with(|| format!("function {} is dropped", f0.signature()));
                drops.push(RoutineChange::DropFunction {
                    function: f0.clone(),
                    recreate: None,
                });
            }
        }
        // Drops before creates in the output (the planner orders them anyway).
        let creates = std::mem::take(&mut self.out);
        for d in drops {
            self.push(d);
        }
        self.out.extend(creates);
    }

    /// Which views of `from` are dropped, or dropped and created again, and why.
    fn classify_views(&mut self) {
        for (name, v0) in &self.from.views {
            match self.to.views.get(name) {
                None => {
                    self.removed_views.insert(name.clone(), None);
                }
                Some(v1) => {
                    if without_comment_v(v0) != without_comment_v(v1) {
                        if replaceable(v0, v1) {
                            self.replaced_views.insert(name.clone());
                            continue;
                        }
                        let why = if v0.materialized != v1.materialized {
                            "it changes between view and materialized view"
                        } else if v0.columns != v1.columns {
                            "its columns change"
                        } else {
                            "its query changes"
                        };
                        self.removed_views
                            .insert(name.clone(), Some(why.to_string()));
                    }
                }
            }
        }
        // What a view reads changes under it: re-create it (to a fixed point).
        loop {
            let mut more = Vec::new();
            for (name, v0) in &self.from.views {
                if self.removed_views.contains_key(name) || !self.to.views.contains_key(name) {
                    continue;
                }
                if let Some(why) = self.view_dependency_change(v0) {
                    more.push((name.clone(), why));
                }
            }
            if more.is_empty() {
                break;
            }
            for (n, why) in more {
                // Something under it forces a drop: it cannot be replaced in place.
                self.replaced_views.remove(&n);
                self.removed_views.insert(n, Some(why));
            }
        }
    }

    /// SQL-standard bodies using an operator or a text search configuration that goes
    /// (`operators`: `crate::going_by_name`) keep PostgreSQL from dropping it: such a function that stays and still uses it is
    /// dropped before and created again after (instead of being replaced in place).
    fn bodies_around_operators(&mut self, operators: &BTreeMap<QualName, String>) {
        if operators.is_empty() {
            return;
        }
        let uses = |f: &Function, o: &QualName| match &f.body {
            shale_model::FunctionBody::Standard(body) => crate::uses_going(body, o),
            _ => false,
        };
        // A body that stops using it is replaced in place, and that releases it.
        self.recreate_bodies(|f0, f1| {
            operators
                .iter()
                .find(|(o, _)| uses(f0, o) && uses(f1, o))
                .map(|(_, why)| why.clone())
        });
    }

    /// SQL-standard bodies reading a table that is dropped keep PostgreSQL from dropping
    /// it (it records what they read, by OID, unlike string bodies): such a function that
    /// stays is dropped before and created again after. This is how a table converted
    /// between plain and partitioned (renamed aside in `from`, table_options.rs) takes the
    /// functions reading it along to the new table.
    fn bodies_around_dropped_tables(&mut self) {
        let (from, to) = (self.from, self.to);
        self.recreate_bodies(|f0, _| {
            let shale_model::FunctionBody::Standard(body) = &f0.body else {
                return None;
            };
            body.refs
                .iter()
                .find(|r| from.tables.contains_key(*r) && !to.tables.contains_key(*r))
                .map(|r| format!("table {r} is dropped"))
        });
    }

    /// Functions of `from` that stay, for which `why(old, new)` says they must be dropped
    /// and created again, are (unless the diff drops them already).
    fn recreate_bodies(&mut self, why: impl Fn(&Function, &Function) -> Option<String>) {
        let (from, to) = (self.from, self.to);
        for (key, f0) in &from.functions {
            let Some(f1) = to.functions.get(key) else {
                continue; // dropped anyway
            };
            let Some(why) = why(f0, f1) else {
                continue;
            };
            let id = f0.id();
            let dropped = self.out.iter().any(|c| {
                matches!(c, Change::Routine { routine: RoutineChange::DropFunction { function, .. } }
                    if function.id() == id)
            });
            if dropped {
                continue;
            }
            // Replaced in place, or a comment changed: the re-creation says it all now.
            self.out.retain(|c| match c {
                Change::Routine {
                    routine: RoutineChange::ReplaceFunction { to, .. },
                } => to.id() != id,
                Change::Routine {
                    routine: RoutineChange::SetComment { object, .. },
                } => *object != id,
                _ => true,
            });
            self.recreated_functions.insert(
                f0.name.clone(),
                format!("function {} is re-created", f0.signature()),
            );
            self.push(RoutineChange::DropFunction {
                function: f0.clone(),
                recreate: Some(why.clone()),
            });
            self.push(RoutineChange::CreateFunction {
                function: Function {
                    comment: None,
                    ..f1.clone()
                },
                recreate: Some(why),
            });
            self.comment(id, function_target(f1), &None, &f1.comment);
        }
    }

    fn view_dependency_change(&self, v0: &View) -> Option<String> {
        // An operator that goes, used anywhere in the query, before and after (a query
        // that stops using it is replaced in place, and that releases it).
        let v1 = self.to.views.get(&v0.name);
        if let Some((_, why)) = self.recreated_functions.iter().find(|(o, _)| {
            let uses = |v: &View| shale_model::operators::uses_operator(&v.query.canon, &o.name);
            shale_model::operators::is_operator_name(&o.name) && uses(v0) && v1.is_some_and(uses)
        }) {
            return Some(why.clone());
        }
        for r in &v0.query.refs {
            // A column the view's query names (a conservative test: any mention counts).
            if let Some((_, why)) = self
                .changed_columns
                .iter()
                .find(|((t, c), _)| t == r && crate::mentions_identifier(&v0.query.canon, c))
            {
                return Some(why.clone());
            }
            if self.from.tables.contains_key(r) && !self.to.tables.contains_key(r) {
                return Some(format!("table {r} is dropped"));
            }
            if self.removed_views.contains_key(r) {
                return Some(format!("view {r} is re-created"));
            }
            if let Some(why) = self.recreated_functions.get(r) {
                return Some(why.clone());
            }
        }
        None
    }

    fn views(&mut self) {
        let removed: Vec<(QualName, Option<String>)> = self
            .removed_views
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, why) in &removed {
            let v0 = &self.from.views[name];
            self.push(RoutineChange::DropView {
                view: v0.clone(),
                recreate: why.clone(),
            });
        }
        for (name, v1) in &self.to.views {
            let recreated = removed
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, w)| w.clone());
            let object = ObjectId::View { name: name.clone() };
            let fresh = match (&recreated, self.from.views.get(name)) {
                (Some(why), _) => Some(why.clone()),
                (None, None) => Some(None),
                (None, Some(_)) => None,
            };
            match fresh {
                Some(why) => {
                    self.push(RoutineChange::CreateView {
                        view: View {
                            comment: None,
                            indexes: BTreeMap::new(),
                            ..v1.clone()
                        },
                        recreate: why.clone(),
                    });
                    for ix in v1.indexes.values() {
                        self.push(RoutineChange::CreateViewIndex {
                            index: without_comment_i(ix),
                            new_view: true,
                            recreate: why
                                .as_ref()
                                .map(|_| format!("materialized view {name} is re-created")),
                        });
                        self.comment(
                            ObjectId::Index {
                                name: ix.name.clone(),
                            },
                            format!("INDEX {}", ix.name),
                            &None,
                            &ix.comment,
                        );
                    }
                    self.comment(object.clone(), view_target(v1), &None, &v1.comment);
                    self.column_comments(&object, v1, &BTreeMap::new());
                }
                None if self.replaced_views.contains(name) => {
                    let v0 = &self.from.views[name];
                    self.push(RoutineChange::ReplaceView {
                        from: v0.clone(),
                        to: View {
                            comment: v0.comment.clone(),
                            ..v1.clone()
                        },
                    });
                    self.comment(object.clone(), view_target(v1), &v0.comment, &v1.comment);
                    self.column_comments(&object, v1, &v0.column_comments);
                }
                None => {
                    let v0 = &self.from.views[name];
                    if (v0.security_barrier, v0.security_invoker, v0.check_option)
                        != (v1.security_barrier, v1.security_invoker, v1.check_option)
                    {
                        self.push(RoutineChange::AlterViewOptions {
                            from: v0.clone(),
                            to: v1.clone(),
                        });
                    }
                    self.view_indexes(v0, v1);
                    self.comment(object.clone(), view_target(v1), &v0.comment, &v1.comment);
                    self.column_comments(&object, v1, &v0.column_comments);
                }
            }
        }
    }

    /// `COMMENT ON COLUMN` of a view's columns whose comment differs from `before`.
    fn column_comments(&mut self, object: &ObjectId, v1: &View, before: &BTreeMap<String, String>) {
        let names: BTreeSet<&String> = before.keys().chain(v1.column_comments.keys()).collect();
        for c in names {
            let from = before.get(c).cloned();
            let to = v1.column_comments.get(c).cloned();
            if from != to && v1.columns.contains(c) {
                self.comment(
                    object.clone(),
                    format!("COLUMN {}.{}", v1.name, shale_model::quote_ident(c)),
                    &from,
                    &to,
                );
            }
        }
    }

    fn view_indexes(&mut self, v0: &View, v1: &View) {
        for (n, i0) in &v0.indexes {
            match v1.indexes.get(n) {
                None => self.push(RoutineChange::DropViewIndex {
                    index: i0.clone(),
                    recreate: None,
                }),
                Some(i1) if index_definition(i0) != index_definition(i1) => {
                    let why = "its definition changed".to_string();
                    self.push(RoutineChange::DropViewIndex {
                        index: i0.clone(),
                        recreate: Some(why.clone()),
                    });
                    self.push(RoutineChange::CreateViewIndex {
                        index: without_comment_i(i1),
                        new_view: false,
                        recreate: Some(why),
                    });
                    self.comment(
                        ObjectId::Index { name: n.clone() },
                        format!("INDEX {n}"),
                        &None,
                        &i1.comment,
                    );
                }
                Some(i1) => self.comment(
                    ObjectId::Index { name: n.clone() },
                    format!("INDEX {n}"),
                    &i0.comment,
                    &i1.comment,
                ),
            }
        }
        for (n, i1) in &v1.indexes {
            if !v0.indexes.contains_key(n) {
                self.push(RoutineChange::CreateViewIndex {
                    index: without_comment_i(i1),
                    new_view: false,
                    recreate: None,
                });
                self.comment(
                    ObjectId::Index { name: n.clone() },
                    format!("INDEX {n}"),
                    &None,
                    &i1.comment,
                );
            }
        }
    }

    /// Why trigger `t0` must be re-created although its definition stays, if it must.
    fn trigger_dependency_change(&self, t0: &Trigger) -> Option<String> {
        if let Some(Some(why)) = self.removed_views.get(&t0.table) {
            return Some(format!("view {} is re-created ({why})", t0.table));
        }
        if let Some(why) = self.recreated_functions.get(&t0.function) {
            return Some(why.clone());
        }
        for ((t, c), why) in &self.changed_columns {
            if *t != t0.table {
                continue;
            }
            let in_when = t0
                .when
                .as_ref()
                .is_some_and(|w| crate::mentions_identifier(&w.canon, c));
            if t0.update_columns.contains(c) || in_when {
                return Some(why.clone());
            }
        }
        None
    }

    fn triggers(&mut self) {
        let relation_in_to =
            |q: &QualName| self.to.tables.contains_key(q) || self.to.views.contains_key(q);
        let mut recreate: BTreeSet<(QualName, String)> = BTreeSet::new();
        let mut drops = Vec::new();
        for (key, t0) in &self.from.triggers {
            if !relation_in_to(&t0.table) {
                continue; // goes with its table or view
            }
            match self.to.triggers.get(key) {
                None => drops.push(RoutineChange::DropTrigger {
                    trigger: t0.clone(),
                    recreate: None,
                }),
                Some(t1) => {
                    let why = if without_comment_t(t0) != without_comment_t(t1) {
                        Some("its definition changed".to_string())
                    } else {
                        self.trigger_dependency_change(t0)
                    };
                    if let Some(why) = why {
                        recreate.insert(key.clone());
                        drops.push(RoutineChange::DropTrigger {
                            trigger: t0.clone(),
                            recreate: Some(why),
                        });
                    }
                }
            }
        }
        for d in drops {
            self.push(d);
        }
        for (key, t1) in &self.to.triggers {
            let object = t1.id();
            let old = self
                .from
                .triggers
                .get(key)
                .filter(|_| !recreate.contains(key));
            match old {
                Some(t0) => {
                    if t0.enabled != t1.enabled {
                        self.push(RoutineChange::SetTriggerEnabled {
                            trigger: t1.clone(),
                            from: t0.enabled,
                        });
                    }
                    self.comment(object, trigger_target(t1), &t0.comment, &t1.comment);
                }
                None => {
                    let why = if recreate.contains(key) {
                        self.from.triggers.get(key).and_then(|t0| {
                            if without_comment_t(t0) != without_comment_t(t1) {
                                Some("its definition changed".to_string())
                            } else {
                                self.trigger_dependency_change(t0)
                            }
                        })
                    } else {
                        None
                    };
                    self.push(RoutineChange::CreateTrigger {
                        trigger: Trigger {
                            comment: None,
                            enabled: TriggerEnabled::Origin,
                            ..t1.clone()
                        },
                        recreate: why,
                    });
                    if t1.enabled != TriggerEnabled::Origin {
                        self.push(RoutineChange::SetTriggerEnabled {
                            trigger: t1.clone(),
                            from: TriggerEnabled::Origin,
                        });
                    }
                    self.comment(object, trigger_target(t1), &None, &t1.comment);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{
        Column, Expr, FunctionBody, Schema, Table, TriggerEvent, TriggerTiming, TypeRef,
    };

    fn q(n: &str) -> QualName {
        QualName::new("public", n)
    }

    fn e(sql: &str, refs: &[QualName]) -> Expr {
        Expr {
            sql: sql.into(),
            canon: sql.into(),
            refs: refs.to_vec(),
        }
    }

    fn base() -> Catalog {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let mut t = Table::new(q("t"));
        t.columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        t.columns.push(Column::new("b", TypeRef::builtin("text")));
        c.tables.insert(q("t"), t);
        c
    }

    fn func(name: &str, returns: &str, body: &str) -> Function {
        Function::new(
            q(name),
            TypeRef::builtin(returns),
            "plpgsql",
            FunctionBody::Source(e(body, &[])),
        )
    }

    fn view(name: &str, sql: &str, refs: &[QualName]) -> View {
        View::new(q(name), vec!["a".into()], e(sql, refs))
    }

    fn trigger(name: &str, function: &str) -> Trigger {
        Trigger {
            table: q("t"),
            name: name.into(),
            timing: TriggerTiming::Before,
            events: vec![TriggerEvent::Update],
            update_columns: vec!["a".into()],
            for_each_row: true,
            when: None,
            function: q(function),
            args: vec![],
            constraint: false,
            deferrable: false,
            initially_deferred: false,
            from_table: None,
            old_table: None,
            new_table: None,
            enabled: TriggerEnabled::Origin,
            comment: None,
        }
    }

    fn run(from: &Catalog, to: &Catalog) -> Vec<RoutineChange> {
        let mut out = Vec::new();
        diff(from, to, &mut out);
        out.into_iter()
            .map(|c| match c {
                Change::Routine { routine } => routine,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn kinds(cs: &[RoutineChange]) -> Vec<String> {
        cs.iter()
            .map(|c| {
                let s = serde_json::to_value(c).unwrap();
                format!("{} {}", s["routine_change"].as_str().unwrap(), c.object())
            })
            .collect()
    }

    #[test]
    fn unchanged_is_empty() {
        let mut c = base();
        c.views
            .insert(q("v"), view("v", "SELECT t.a FROM public.t", &[q("t")]));
        let f = func("f", "trigger", "begin return new; end");
        c.functions.insert(f.signature(), f);
        let t = trigger("tr", "f");
        c.triggers.insert(t.key(), t);
        assert!(run(&c, &c).is_empty());
    }

    fn view_cols(name: &str, cols: &[&str], sql: &str) -> View {
        View::new(
            q(name),
            cols.iter().map(|c| c.to_string()).collect(),
            e(sql, &[q("t")]),
        )
    }

    #[test]
    fn select_parts_splits_targets_and_from() {
        let (t, f) = select_parts(
            "SELECT t.a AS a, f(t.b, ',') AS \"x, y\", 'FROM' AS s FROM public.t WHERE t.a > 0 ORDER BY t.a",
        )
        .unwrap();
        assert_eq!(
            t,
            vec!["t.a AS a", "f(t.b, ',') AS \"x, y\"", "'FROM' AS s"]
        );
        assert_eq!(f, "FROM public.t");
        let (t, f) = select_parts("SELECT 1 AS a").unwrap();
        assert_eq!((t, f), (vec!["1 AS a"], ""));
        // Not a plain SELECT: not split.
        for q in [
            "SELECT DISTINCT t.a AS a FROM public.t",
            "SELECT t.a AS a FROM public.t UNION SELECT 2",
            "WITH c AS (SELECT 1 AS a) SELECT c.a AS a FROM c",
            "SELECT t.a IS DISTINCT FROM 1 AS a FROM public.t",
            "SELECT 'unterminated AS a",
        ] {
            assert!(select_parts(q).is_none(), "{q}");
        }
    }

    #[test]
    fn replaceable_only_when_old_columns_lead_the_new_ones() {
        let v0 = view_cols("v", &["a"], "SELECT t.a AS a FROM public.t");
        // A column added at the end, a new WHERE: replaceable.
        let added = view_cols("v", &["a", "b"], "SELECT t.a AS a, t.b AS b FROM public.t");
        assert!(replaceable(&v0, &added));
        let filtered = view_cols("v", &["a"], "SELECT t.a AS a FROM public.t WHERE t.a > 1");
        assert!(replaceable(&v0, &filtered));
        // Reordered, removed, renamed, retyped or over another FROM: not.
        let v2 = view_cols("v", &["a", "b"], "SELECT t.a AS a, t.b AS b FROM public.t");
        let reordered = view_cols("v", &["b", "a"], "SELECT t.b AS b, t.a AS a FROM public.t");
        assert!(!replaceable(&v2, &reordered));
        assert!(!replaceable(&v2, &v0));
        let renamed = view_cols("v", &["z"], "SELECT t.a AS z FROM public.t");
        assert!(!replaceable(&v0, &renamed));
        let retyped = view_cols("v", &["a"], "SELECT t.a::bigint AS a FROM public.t");
        assert!(!replaceable(&v0, &retyped));
        // A cast the canonical form dropped still shows in the printed SQL.
        let mut cast = view_cols("v", &["a", "b"], "SELECT t.a AS a, t.b AS b FROM public.t");
        cast.query.sql = "SELECT t.a::bigint AS a, t.b FROM public.t".into();
        assert!(!replaceable(&v0, &cast));
        // A kept cast written alike on both sides is the same expression, of the same type.
        let mut kept0 = view_cols("v", &["a"], "SELECT t.a AS a FROM public.t");
        kept0.query.sql = "SELECT t.a::integer AS a FROM public.t".into();
        let mut kept1 = view_cols("v", &["a", "b"], "SELECT t.a AS a, t.b AS b FROM public.t");
        kept1.query.sql = "SELECT t.a::integer AS a, t.b AS b FROM public.t".into();
        assert!(replaceable(&kept0, &kept1));
        // Written differently (a cast on one side only): not trusted.
        let mut bare0 = kept0.clone();
        bare0.query.sql = "SELECT t.a AS a FROM public.t".into();
        assert!(!replaceable(&bare0, &kept1));
        let joined = view_cols(
            "v",
            &["a"],
            "SELECT t.a AS a FROM public.t LEFT JOIN public.u ON u.a = t.a",
        );
        assert!(!replaceable(&v0, &joined));
        let mut mat0 = v0.clone();
        mat0.materialized = true;
        let mut mat1 = added.clone();
        mat1.materialized = true;
        assert!(!replaceable(&mat0, &mat1));
    }

    #[test]
    fn compatible_view_change_is_replaced_and_keeps_dependants() {
        let mut from = base();
        from.views.insert(
            q("v"),
            view_cols("v", &["a"], "SELECT t.a AS a FROM public.t"),
        );
        let mut w = view_cols("w", &["a"], "SELECT v.a AS a FROM public.v");
        w.query.refs = vec![q("v")];
        from.views.insert(q("w"), w);
        let mut to = from.clone();
        to.views.insert(
            q("v"),
            view_cols("v", &["a", "b"], "SELECT t.a AS a, t.b AS b FROM public.t"),
        );
        assert_eq!(kinds(&run(&from, &to)), vec!["replace_view view public.v"]);
        assert!(recreated(&from, &to).is_empty());
        // A column type change under it still forces the drop (of it and its dependant).
        to.tables.get_mut(&q("t")).unwrap().columns[0].ty = TypeRef::builtin("bigint");
        assert_eq!(
            kinds(&run(&from, &to)),
            vec![
                "drop_view view public.v",
                "drop_view view public.w",
                "create_view view public.v",
                "create_view view public.w"
            ]
        );
    }

    #[test]
    fn column_type_change_recreates_dependent_views_transitively() {
        let mut from = base();
        from.views
            .insert(q("v"), view("v", "SELECT t.a FROM public.t", &[q("t")]));
        from.views
            .insert(q("w"), view("w", "SELECT v.a FROM public.v", &[q("v")]));
        from.views.insert(q("x"), view("x", "SELECT 1", &[]));
        let mut to = from.clone();
        to.tables.get_mut(&q("t")).unwrap().columns[0].ty = TypeRef::builtin("bigint");
        let got = kinds(&run(&from, &to));
        assert_eq!(
            got,
            vec![
                "drop_view view public.v",
                "drop_view view public.w",
                "create_view view public.v",
                "create_view view public.w"
            ]
        );
        let cs = run(&from, &to);
        let RoutineChange::DropView { recreate, .. } = &cs[1] else {
            panic!()
        };
        assert_eq!(recreate.as_deref(), Some("view public.v is re-created"));
    }

    #[test]
    fn function_replaced_or_recreated() {
        let mut from = base();
        let f = func("f", "trigger", "begin return new; end");
        from.functions.insert(f.signature(), f.clone());
        let t = trigger("tr", "f");
        from.triggers.insert(t.key(), t);
        // body only: replace in place, trigger untouched
        let mut to = from.clone();
        to.functions.get_mut("public.f()").unwrap().body =
            FunctionBody::Source(e("begin return old; end", &[]));
        assert_eq!(
            kinds(&run(&from, &to)),
            vec!["replace_function function public.f()"]
        );
        // result type: drop and create, the trigger around it
        let mut to2 = from.clone();
        to2.functions.get_mut("public.f()").unwrap().returns = Some(TypeRef::builtin("integer"));
        to2.triggers.clear();
        let mut to3 = to2.clone();
        let t = trigger("tr", "f");
        to3.triggers.insert(t.key(), t);
        assert_eq!(
            kinds(&run(&from, &to3)),
            vec![
                "drop_function function public.f()",
                "create_function function public.f()",
                "drop_trigger trigger tr on public.t",
                "create_trigger trigger tr on public.t"
            ]
        );
    }

    #[test]
    fn defaults_calling_a_recreated_function_are_dropped_and_set_again() {
        let mut from = base();
        let f = func("code", "integer", "x");
        from.functions.insert(f.signature(), f);
        from.tables.get_mut(&q("t")).unwrap().columns[0].default = Some(e("code()", &[]));
        let mut to = from.clone();
        to.functions.get_mut("public.code()").unwrap().returns = Some(TypeRef::builtin("bigint"));
        let mut out = Vec::new();
        diff(&from, &to, &mut out);
        let got: Vec<String> = out
            .iter()
            .map(|c| match c {
                Change::DropDefault { .. } => "drop_default".to_string(),
                Change::SetDefault { .. } => "set_default".to_string(),
                Change::Routine { routine } => serde_json::to_value(routine).unwrap()
                    ["routine_change"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                "drop_default",
                "set_default",
                "drop_function",
                "create_function"
            ]
        );
        assert!(calls_function("a + code(1)", "code"));
        assert!(!calls_function("a + barcode(1)", "code"));
    }

    #[test]
    fn trigger_enabled_and_comment_change_in_place() {
        let mut from = base();
        let f = func("f", "trigger", "x");
        from.functions.insert(f.signature(), f);
        let t = trigger("tr", "f");
        from.triggers.insert(t.key(), t);
        let mut to = from.clone();
        let t1 = to.triggers.values_mut().next().unwrap();
        t1.enabled = TriggerEnabled::Disabled;
        t1.comment = Some("c".into());
        assert_eq!(
            kinds(&run(&from, &to)),
            vec![
                "set_trigger_enabled trigger tr on public.t",
                "set_comment trigger tr on public.t"
            ]
        );
    }

    #[test]
    fn objects_of_dropped_tables_go_with_them() {
        let mut from = base();
        let f = func("f", "trigger", "x");
        from.functions.insert(f.signature(), f);
        let t = trigger("tr", "f");
        from.triggers.insert(t.key(), t);
        let mut to = from.clone();
        to.tables.clear();
        to.triggers.clear();
        assert!(run(&from, &to).is_empty());
        assert!(function_recreate_reason(&func("f", "int", "a"), &func("f", "int", "b")).is_none());
    }
}
