//! Views, materialized views, functions, procedures and triggers; and the objects shale
//! does not model yet ([`Unmodeled`]), which are reported rather than silently dropped.
//!
//! Canonical conventions (both front ends follow them):
//! - A view's query is an [`Expr`] whose `canon` is the normalized parse tree of its
//!   `SELECT` (see `shale_sql`'s query normalizer) and whose `refs` are the relations and
//!   functions it reads (for ordering only). `columns` are the view's output column names.
//! - A function is keyed by its signature: schema, name and the types of its identity
//!   arguments (IN, INOUT, VARIADIC), spelled as `format_type` spells them without type
//!   modifiers (`character varying`, `numeric`). Defaults PostgreSQL fills in are explicit
//!   (`cost`, `rows` only when not the default, `parallel`, `volatility`).
//! - A trigger is keyed by its table and name; its events are in PostgreSQL's order
//!   (`INSERT`, `DELETE`, `UPDATE`, `TRUNCATE`) and its `UPDATE OF` columns in the order
//!   written.

use crate::ident::{quote_ident, QualName};
use crate::types::{Expr, TypeRef};
use crate::{Catalog, Index, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// `WITH [LOCAL | CASCADED] CHECK OPTION` of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOption {
    Local,
    Cascaded,
}

impl CheckOption {
    pub fn sql(self) -> &'static str {
        match self {
            CheckOption::Local => "local",
            CheckOption::Cascaded => "cascaded",
        }
    }
}

/// A view or a materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: QualName,
    #[serde(default, skip_serializing_if = "is_false")]
    pub materialized: bool,
    /// Output column names, in order.
    pub columns: Vec<String>,
    /// The `SELECT`: printable SQL (relations schema-qualified), its normalized form, and
    /// the relations and functions it reads.
    pub query: Expr,
    /// `security_barrier` (absent: not set; `Some(false)`: set to false explicitly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_barrier: Option<bool>,
    /// `security_invoker` (PostgreSQL 15+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_invoker: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_option: Option<CheckOption>,
    /// Materialized views: `WITH DATA` (populated). Compared only when the view is created:
    /// a refresh is not a schema change.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub with_data: bool,
    /// Storage parameters of a materialized view (`WITH (fillfactor = 70)`), as
    /// `reloptions` holds them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<String, String>,
    /// Indexes of a materialized view, by name.
    #[serde(
        default,
        with = "crate::keyed",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub indexes: BTreeMap<QualName, Index>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Comments on the view's columns, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_comments: BTreeMap<String, String>,
}

impl View {
    pub fn new(name: QualName, columns: Vec<String>, query: Expr) -> View {
        View {
            name,
            materialized: false,
            columns,
            query,
            security_barrier: None,
            security_invoker: None,
            check_option: None,
            with_data: true,
            storage: BTreeMap::new(),
            indexes: BTreeMap::new(),
            comment: None,
            column_comments: BTreeMap::new(),
        }
    }
    /// `VIEW` or `MATERIALIZED VIEW`.
    pub fn kind_sql(&self) -> &'static str {
        if self.materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    Function,
    Procedure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
    /// A column of `RETURNS TABLE (...)`.
    Table,
}

impl ArgMode {
    /// Part of the signature (an input argument).
    pub fn is_input(self) -> bool {
        matches!(self, ArgMode::In | ArgMode::InOut | ArgMode::Variadic)
    }
    /// Part of the result row.
    pub fn is_output(self) -> bool {
        matches!(self, ArgMode::Out | ArgMode::InOut | ArgMode::Table)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionArg {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub mode: ArgMode,
    /// Without type modifiers (PostgreSQL drops them on arguments).
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parallel {
    Unsafe,
    Restricted,
    Safe,
}

/// A routine's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionBody {
    /// `AS '…'` / `AS $$…$$`: PostgreSQL stores the text verbatim (`prosrc`), so `canon` is
    /// that exact text. `refs`: relations a SQL-language body names (ordering only).
    Source(Expr),
    /// A SQL-standard body (`RETURN expr`, `BEGIN ATOMIC … END`), stored parsed by
    /// PostgreSQL: `canon` is its normalized form.
    Standard(Expr),
    /// `AS 'obj_file', 'link_symbol'` (C functions).
    Object { file: String, symbol: String },
}

/// A function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: QualName,
    pub kind: RoutineKind,
    pub args: Vec<FunctionArg>,
    /// The result type (`None` for a procedure): the declared one, or the one PostgreSQL
    /// derives from OUT arguments (`record` for several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<TypeRef>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub returns_set: bool,
    pub language: String,
    pub volatility: Volatility,
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub security_definer: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub leakproof: bool,
    pub parallel: Parallel,
    /// `COST`, only when not the default for the language (1 for C/internal, else 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<String>,
    /// `ROWS`, only for a set-returning function and when not 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// `SET` options as `proconfig` holds them: `name=value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<String>,
    pub body: FunctionBody,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Function {
    /// The identity argument types: `integer, text`.
    /// A function with no arguments and PostgreSQL's defaults for everything a
    /// `CREATE FUNCTION` does not say (volatile, not strict, invoker, parallel unsafe).
    pub fn new(name: QualName, returns: TypeRef, language: &str, body: FunctionBody) -> Self {
        Function {
            name,
            kind: RoutineKind::Function,
            args: vec![],
            returns: Some(returns),
            returns_set: false,
            language: language.into(),
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Parallel::Unsafe,
            cost: None,
            rows: None,
            config: vec![],
            body,
            comment: None,
        }
    }

    pub fn identity_args(&self) -> String {
        self.args
            .iter()
            .filter(|a| a.mode.is_input())
            .map(|a| a.ty.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// `public.f(integer, text)`: the key of the function in the catalog.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args())
    }
    pub fn id(&self) -> ObjectId {
        ObjectId::Function {
            name: self.name.clone(),
            args: self.identity_args(),
        }
    }
    pub fn kind_sql(&self) -> &'static str {
        match self.kind {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

impl TriggerTiming {
    pub fn sql(self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

/// In PostgreSQL's order (that of `tgtype`'s bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    Insert,
    Delete,
    Update,
    Truncate,
}

impl TriggerEvent {
    pub fn sql(self) -> &'static str {
        match self {
            TriggerEvent::Insert => "INSERT",
            TriggerEvent::Delete => "DELETE",
            TriggerEvent::Update => "UPDATE",
            TriggerEvent::Truncate => "TRUNCATE",
        }
    }
}

/// `tgenabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEnabled {
    /// Fires in `origin` and `local` replication roles (the default).
    #[default]
    Origin,
    Disabled,
    Replica,
    Always,
}

impl TriggerEnabled {
    /// The `ALTER TABLE … <this> TRIGGER` clause.
    pub fn sql(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE",
            TriggerEnabled::Disabled => "DISABLE",
            TriggerEnabled::Replica => "ENABLE REPLICA",
            TriggerEnabled::Always => "ENABLE ALWAYS",
        }
    }
}

fn is_origin(e: &TriggerEnabled) -> bool {
    *e == TriggerEnabled::Origin
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The table (or view, for `INSTEAD OF`) it is on.
    pub table: QualName,
    pub name: String,
    pub timing: TriggerTiming,
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF` columns, in the order written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub update_columns: Vec<String>,
    pub for_each_row: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Expr>,
    pub function: QualName,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// `CREATE CONSTRAINT TRIGGER`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub constraint: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub initially_deferred: bool,
    /// `FROM referenced_table` of a constraint trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_table: Option<QualName>,
    /// `REFERENCING OLD TABLE AS …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_table: Option<String>,
    #[serde(default, skip_serializing_if = "is_origin")]
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Trigger {
    pub fn id(&self) -> ObjectId {
        ObjectId::Trigger {
            table: self.table.clone(),
            name: self.name.clone(),
        }
    }
    pub fn key(&self) -> (QualName, String) {
        (self.table.clone(), self.name.clone())
    }
}

/// An object of a kind shale does not model yet, found in the files or in the database.
/// Reported in plans (never diffed, never dropped).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Unmodeled {
    /// `aggregate`, `rule`, `policy`, `domain`, `CREATE PUBLICATION`, …
    pub kind: String,
    /// The object's name as SQL prints it (`public.my_agg(integer)`, `p on public.t`).
    pub name: String,
    /// `file:line:column` for an object of the files; `None` for one of a database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl fmt::Display for Unmodeled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)?;
        if let Some(l) = &self.location {
            write!(f, " ({l})")?;
        }
        Ok(())
    }
}

/// The names `sql` calls, as written: each identifier (`name`) or quoted identifier
/// (`"Name"`) followed by `(` (after optional white space), outside string literals and
/// not preceded by an identifier character or a quote (`public.f(` counts: the normalizer
/// drops function schemas, but a written one is allowed). One pass over `sql`; a function
/// named `n` is called exactly when `quote_ident(n)` is among these.
pub(crate) fn called_names(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut in_string = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'\'' {
            in_string = !in_string;
            continue;
        }
        if in_string {
            continue;
        }
        if i > 0 {
            let p = bytes[i - 1];
            if p.is_ascii_alphanumeric() || p == b'_' || p == b'"' || p == b'$' {
                continue;
            }
        }
        let end = if c == b'"' {
            quoted_end(bytes, i)
        } else if c.is_ascii_lowercase() || c == b'_' {
            let run = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || **b == b'_')
                .count();
            Some(i + run)
        } else {
            None
        };
        if let Some(end) = end {
            if sql[end..].trim_start().starts_with('(') {
                out.push(&sql[i..end]);
            }
        }
    }
    out
}

/// The end (exclusive) of the quoted identifier opening at `bytes[open]`, doubled quotes
/// inside; `None` when it is not closed.
fn quoted_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut k = open + 1;
    while k < bytes.len() {
        if bytes[k] == b'"' {
            if bytes.get(k + 1) == Some(&b'"') {
                k += 2;
                continue;
            }
            return Some(k + 1);
        }
        k += 1;
    }
    None
}

/// The identifier a name of [`called_names`] spells (quotes removed, doubled ones undone).
fn unquote(token: &str) -> std::borrow::Cow<'_, str> {
    match token.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if inner.contains('"') => inner.replace("\"\"", "\"").into(),
        Some(inner) => inner.into(),
        None => token.into(),
    }
}

/// `name` quoted for SQL (helper for displays of triggers).
pub(crate) fn trigger_display(table: &QualName, name: &str) -> String {
    format!("{} on {table}", quote_ident(name))
}

impl Catalog {
    /// The function overloads named `name` (any signature).
    pub fn functions_named<'a>(&'a self, name: &'a QualName) -> impl Iterator<Item = &'a Function> {
        self.functions.values().filter(move |f| &f.name == name)
    }

    /// The materialized view holding index `name`, with the index.
    pub fn view_index(&self, name: &QualName) -> Option<(&View, &Index)> {
        self.views
            .values()
            .find_map(|v| v.indexes.get(name).map(|ix| (v, ix)))
    }

    /// Dependencies of views, functions, triggers and materialized-view indexes (the part of
    /// [`Catalog::dependencies`] for these kinds).
    pub(crate) fn routine_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        let schema = |s: &str| ObjectId::Schema {
            name: s.to_string(),
        };
        match id {
            ObjectId::View { name } => {
                out.push(schema(&name.schema));
                if let Some(v) = self.views.get(name) {
                    self.relation_refs(&v.query.refs, out);
                }
            }
            ObjectId::Function { name, args } => {
                out.push(schema(&name.schema));
                let key = format!("{name}({args})");
                if let Some(f) = self.functions.get(&key) {
                    for a in &f.args {
                        self.routine_type_dependency(&a.ty, out);
                        if let Some(d) = &a.default {
                            self.relation_refs(&d.refs, out);
                        }
                    }
                    if let Some(r) = &f.returns {
                        self.routine_type_dependency(r, out);
                    }
                    match &f.body {
                        FunctionBody::Source(e) | FunctionBody::Standard(e) => {
                            self.relation_refs(&e.refs, out)
                        }
                        FunctionBody::Object { .. } => {}
                    }
                }
            }
            ObjectId::Trigger { table, name } => {
                let rel = if self.views.contains_key(table) {
                    ObjectId::View {
                        name: table.clone(),
                    }
                } else {
                    ObjectId::Table {
                        name: table.clone(),
                    }
                };
                out.push(rel);
                if let Some(t) = self.triggers.get(&(table.clone(), name.clone())) {
                    for f in self.overloads(&t.function) {
                        out.push(f.id());
                    }
                    for c in &t.update_columns {
                        out.push(ObjectId::Column {
                            table: table.clone(),
                            column: c.clone(),
                        });
                    }
                    if t.when.is_some() {
                        self.all_columns(table, out);
                    }
                    if let Some(ft) = &t.from_table {
                        out.push(ObjectId::Table { name: ft.clone() });
                    }
                }
            }
            ObjectId::Index { name } if !self.indexes.contains_key(name) => {
                if let Some((v, _)) = self.view_index(name) {
                    out.push(ObjectId::View {
                        name: v.name.clone(),
                    });
                }
            }
            // Defaults, generated columns, checks and index expressions may call user
            // functions: those must exist first (and be dropped after).
            ObjectId::Column { table, column } => {
                if let Some(c) = self.tables.get(table).and_then(|t| t.column(column)) {
                    for e in c.default.iter().chain(c.generated.iter()) {
                        self.function_calls(&e.canon, out);
                    }
                }
            }
            ObjectId::Constraint { table, name } => {
                if let Some(crate::ConstraintKind::Check { expr, .. }) = self
                    .tables
                    .get(table)
                    .and_then(|t| t.constraints.get(name))
                    .map(|c| &c.kind)
                {
                    self.function_calls(&expr.canon, out);
                }
            }
            ObjectId::Index { name } => {
                if let Some(ix) = self.indexes.get(name) {
                    for k in &ix.keys {
                        if let crate::IndexKeyExpr::Expr(e) = &k.key {
                            self.function_calls(&e.canon, out);
                        }
                    }
                    if let Some(p) = &ix.predicate {
                        self.function_calls(&p.canon, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// The user functions an expression's normalized text calls (by name: the normalizer
    /// drops function schemas, so every overload of that name counts). The text is scanned
    /// once and each called name looked up (lookup.rs).
    fn function_calls(&self, canon: &str, out: &mut Vec<ObjectId>) {
        if self.functions.is_empty() {
            return;
        }
        let names = self.names();
        for token in called_names(canon) {
            let name = unquote(token);
            let Some(keys) = names.functions.get(name.as_ref()) else {
                continue;
            };
            if quote_ident(&name) != token {
                // A keyword written bare, a name written quoted that needs no quotes:
                // not how this function's name prints.
                continue;
            }
            out.extend(
                keys.iter()
                    .filter_map(|k| self.functions.get(k))
                    .map(|f| f.id()),
            );
        }
    }

    /// The function overloads named `name` (any signature), from the name lookups: for
    /// the dependency queries, which ask once per reference (`functions_named` scans).
    pub(crate) fn overloads(&self, name: &QualName) -> Vec<&Function> {
        if self.functions.is_empty() {
            return Vec::new();
        }
        let names = self.names();
        names
            .functions
            .get(&name.name)
            .into_iter()
            .flatten()
            .filter_map(|k| self.functions.get(k))
            .filter(|f| f.name == *name)
            .collect()
    }

    /// A type a function's signature uses: an enum, an extension's type, or a table's or
    /// view's row type.
    fn routine_type_dependency(&self, ty: &TypeRef, out: &mut Vec<ObjectId>) {
        self.type_dependency(ty, out);
        if let Some(q) = ty.user_type() {
            if self.tables.contains_key(&q) {
                out.push(ObjectId::Table { name: q });
            } else if self.views.contains_key(&q) {
                out.push(ObjectId::View { name: q });
            }
        }
    }

    /// Every column of a table (what an expression over the table may read).
    fn all_columns(&self, table: &QualName, out: &mut Vec<ObjectId>) {
        if let Some(t) = self.tables.get(table) {
            for c in &t.columns {
                out.push(ObjectId::Column {
                    table: table.clone(),
                    column: c.name.clone(),
                });
            }
        }
    }

    /// What a list of referenced names (relations, functions, types, sequences) needs:
    /// a table and all its columns, a view, every overload of a function, a type, a
    /// sequence.
    pub(crate) fn relation_refs(&self, refs: &[QualName], out: &mut Vec<ObjectId>) {
        for r in refs {
            if self.tables.contains_key(r) {
                out.push(ObjectId::Table { name: r.clone() });
                self.all_columns(r, out);
            } else if self.views.contains_key(r) {
                out.push(ObjectId::View { name: r.clone() });
            } else if self.foreign_tables.contains_key(r) {
                out.push(ObjectId::ForeignTable { name: r.clone() });
            } else if self.sequences.contains_key(r) {
                out.push(ObjectId::Sequence { name: r.clone() });
            } else if self.enums.contains_key(r) {
                out.push(ObjectId::Type { name: r.clone() });
            } else if self.ts_configurations.contains_key(r) {
                // `'cfg'::regconfig` (text_search.rs).
                out.push(ObjectId::TextSearchConfiguration { name: r.clone() });
            }
            for f in self.overloads(r) {
                out.push(f.id());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Schema, Table};

    fn expr(sql: &str, refs: &[QualName]) -> Expr {
        Expr {
            sql: sql.into(),
            canon: sql.into(),
            refs: refs.to_vec(),
        }
    }

    fn sample() -> Catalog {
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let t = QualName::new("public", "t");
        let mut table = Table::new(t.clone());
        table
            .columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        cat.tables.insert(t.clone(), table);
        let f = Function::new(
            QualName::new("public", "trg"),
            TypeRef::builtin("trigger"),
            "plpgsql",
            FunctionBody::Source(expr("begin return new; end", &[])),
        );
        cat.functions.insert(f.signature(), f);
        let v = View::new(
            QualName::new("public", "v"),
            vec!["a".into()],
            expr("SELECT t.a FROM public.t", std::slice::from_ref(&t)),
        );
        cat.views.insert(v.name.clone(), v);
        let tr = Trigger {
            table: t.clone(),
            name: "tr".into(),
            timing: TriggerTiming::Before,
            events: vec![TriggerEvent::Insert],
            update_columns: vec![],
            for_each_row: true,
            when: None,
            function: QualName::new("public", "trg"),
            args: vec![],
            constraint: false,
            deferrable: false,
            initially_deferred: false,
            from_table: None,
            old_table: None,
            new_table: None,
            enabled: TriggerEnabled::Origin,
            comment: None,
        };
        cat.triggers.insert(tr.key(), tr);
        cat
    }

    #[test]
    fn view_needs_its_table_and_columns() {
        let cat = sample();
        let deps = cat.dependencies(&ObjectId::View {
            name: QualName::new("public", "v"),
        });
        assert!(deps.contains(&ObjectId::Table {
            name: QualName::new("public", "t")
        }));
        assert!(deps.contains(&ObjectId::Column {
            table: QualName::new("public", "t"),
            column: "a".into()
        }));
    }

    #[test]
    fn trigger_needs_table_and_function() {
        let cat = sample();
        let deps = cat.dependencies(&ObjectId::Trigger {
            table: QualName::new("public", "t"),
            name: "tr".into(),
        });
        assert!(deps.contains(&ObjectId::Function {
            name: QualName::new("public", "trg"),
            args: String::new()
        }));
        assert!(deps.contains(&ObjectId::Table {
            name: QualName::new("public", "t")
        }));
    }

    #[test]
    fn defaults_calling_user_functions_need_them() {
        let mut cat = sample();
        let mut f = cat.functions.values().next().unwrap().clone();
        f.name = QualName::new("public", "next_code");
        f.returns = Some(TypeRef::builtin("integer"));
        cat.functions.insert(f.signature(), f.clone());
        let t = cat.tables.get_mut(&QualName::new("public", "t")).unwrap();
        t.columns[0].default = Some(expr("next_code()", &[]));
        let deps = cat.dependencies(&ObjectId::Column {
            table: QualName::new("public", "t"),
            column: "a".into(),
        });
        assert!(deps.contains(&f.id()), "{deps:?}");
        assert!(calls("a + next_code( 1)", "next_code"));
        assert!(!calls("'next_code()'", "next_code"));
        assert!(!calls("my_next_code()", "next_code"));
        assert!(calls("\"Odd\"(x)", "Odd"));
    }

    #[test]
    fn signature_and_display() {
        let cat = sample();
        let f = cat.functions.values().next().unwrap();
        assert_eq!(f.signature(), "public.trg()");
        assert_eq!(f.id().to_string(), "function public.trg()");
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
        assert_eq!(
            ObjectId::Trigger {
                table: QualName::new("public", "t"),
                name: "Tr".into()
            }
            .to_string(),
            "trigger \"Tr\" on public.t"
        );
    }

    #[test]
    fn old_catalog_json_still_reads() {
        // A catalog serialized before these kinds existed has none of their fields.
        let back: Catalog = serde_json::from_str(
            r#"{"schemas":[],"extensions":[],"enums":[],"sequences":[],"tables":[],"indexes":[]}"#,
        )
        .unwrap();
        assert!(back.views.is_empty() && back.functions.is_empty() && back.unmodeled.is_empty());
    }

    /// The search `function_calls` ran once per function before session 8 (whether `sql`
    /// calls `name`), kept here as the reference `called_names` must agree with. Only
    /// char-boundary positions are tried (the original sliced at every byte).
    fn calls_reference(sql: &str, name: &str) -> bool {
        let quoted = quote_ident(name);
        let bytes = sql.as_bytes();
        let mut in_string = false;
        for i in 0..bytes.len() {
            if bytes[i] == b'\'' {
                in_string = !in_string;
                continue;
            }
            if !in_string && sql.is_char_boundary(i) && sql[i..].starts_with(&quoted) {
                let before_ok = i == 0 || {
                    let p = bytes[i - 1];
                    !(p.is_ascii_alphanumeric() || p == b'_' || p == b'"' || p == b'$')
                };
                if before_ok && sql[i + quoted.len()..].trim_start().starts_with('(') {
                    return true;
                }
            }
        }
        false
    }

    fn calls(sql: &str, name: &str) -> bool {
        called_names(sql).contains(&quote_ident(name).as_str())
    }

    #[test]
    fn called_names_bare_quoted_qualified() {
        assert_eq!(called_names("f(a) + g (b)"), vec!["f", "g"]);
        assert_eq!(called_names("public.f(1)"), vec!["f"]);
        assert_eq!(
            called_names(r#""My Fn"(a, "x""y"(b))"#),
            vec![r#""My Fn""#, r#""x""y""#]
        );
        assert_eq!(unquote(r#""x""y""#), "x\"y");
        assert_eq!(unquote("f"), "f");
        // Not a call: a column, a name inside a literal, the tail of another name.
        assert!(called_names("a + b").is_empty());
        assert!(called_names("'f(x)' || 'it''s g(y)'").is_empty());
        assert_eq!(called_names("'f(x)' || h(1)"), vec!["h"]);
        assert!(!calls("xf(1)", "f") && calls("xf(1)", "xf"));
        assert!(!calls("\"Xf\"(1)", "f") && calls("\"Xf\"(1)", "Xf"));
        assert!(!calls("$f(1)", "f"));
        // A keyword must be quoted to name a function; a bare one is the keyword.
        assert!(calls(r#""select"(1)"#, "select") && !calls("select(1)", "select"));
        // Upper-case names are quoted; the bare spelling is another name.
        assert!(calls(r#""F"(1)"#, "F") && !calls("F(1)", "F") && !calls("f(1)", "F"));
        // Non-ASCII outside literals (the per-function search sliced mid-character).
        assert!(calls("\"café\" > 0 AND f(1)", "f"));
        assert!(calls("\"café\"(1)", "café"));
        // An unclosed quote or a name at the very end is no call.
        assert!(called_names("\"f(").is_empty() && called_names("a + f").is_empty());
    }

    #[test]
    fn called_names_agree_with_the_per_function_search() {
        let texts = [
            "f(a) + g (b)",
            "public.f(1) || 'g(2)' || h\t(3)",
            r#""My Fn"(a, "x""y"(b)) + "select"(1) + select(2)"#,
            "ff(1) + f_(2) + _f(3) + f1(4) + \"f\"(5)",
            "a.f(1) + (f)(2) + f\n(3) + 'it''s' + f('(')",
            "\"\"(1) + \"\"\"\"(2) + \"a\"\"\"(3) + \"a\"\"(4)",
            "lower(x::text) = 'A' AND coalesce(y, 0) > 0 AND F(1) AND \"F\"(2)",
            "\"café\"(1) + é(2) + xé(3)",
            "'unterminated f(1)",
        ];
        let names = [
            "f", "g", "h", "My Fn", "x\"y", "select", "ff", "f_", "_f", "f1", "a", "", "\"", "a\"",
            "lower", "coalesce", "F", "café", "é", "xé", "x", "text",
        ];
        for t in texts {
            for n in names {
                assert_eq!(calls(t, n), calls_reference(t, n), "{t:?} calls {n:?}");
            }
        }
    }

    #[test]
    fn function_calls_find_every_overload_in_every_schema() {
        let mut cat = Catalog::default();
        let body = || FunctionBody::Source(expr("SELECT 1", &[]));
        let mut ids = Vec::new();
        for (schema, name, arg) in [
            ("public", "f", None),
            ("public", "f", Some("integer")),
            ("other", "f", None),
            ("public", "Up", None),
            ("public", "g", None),
        ] {
            let mut f = Function::new(
                QualName::new(schema, name),
                TypeRef::builtin("integer"),
                "sql",
                body(),
            );
            if let Some(a) = arg {
                f.args.push(FunctionArg {
                    name: None,
                    mode: ArgMode::In,
                    ty: TypeRef::builtin(a),
                    default: None,
                });
            }
            ids.push(f.id());
            cat.functions.insert(f.signature(), f);
        }
        let mut out = Vec::new();
        cat.function_calls("f(1) + \"Up\"(2) + up(3) + 'g(4)'", &mut out);
        out.sort();
        let mut want = vec![
            ids[0].clone(),
            ids[1].clone(),
            ids[2].clone(),
            ids[3].clone(),
        ];
        want.sort();
        assert_eq!(out, want);
        assert_eq!(cat.overloads(&QualName::new("public", "f")).len(), 2);
        assert_eq!(cat.overloads(&QualName::new("other", "f")).len(), 1);
        assert!(cat.overloads(&QualName::new("public", "h")).is_empty());
    }
}
