//! YAML documents → PostgreSQL DDL, with a map from each generated line back to the YAML
//! object it came from.
//!
//! Statement order: `SET check_function_bodies = false` (with functions), schemas,
//! extensions, default privileges, collations, enum types, domains (one over a table's
//! row type right after that table), composite and range types, sequences, functions
//! with string bodies, foreign-data wrappers, servers with their user mappings, foreign
//! tables, tables (parents first, and after the tables whose row types their domains
//! are over; with their primary keys, unique, check and exclusion constraints, and the
//! foreign keys whose target already exists), the remaining foreign keys and `NOT VALID`
//! constraints as `ALTER TABLE`, sequence ownership, functions with SQL-standard
//! bodies, operators, operator families and classes and the families' members, indexes
//! (partitions' indexes attached to their parents' first, then the parents' and the
//! rest, then `ATTACH PARTITION`), foreign keys onto unique indexes, aggregates and
//! casts, views, table options (`ALTER TABLE`, with extended statistics, publications
//! and subscriptions), rules, triggers, policies, owners, grants, comments. Implicit
//! names are PostgreSQL's for DDL run in that order.
//!
//! Every family's objects go through [`Tails::object`]: names checked, an origin for
//! errors, the statements, then the `comment:`, `owner:` and `grants:` keys.

use crate::doc::*;
use crate::sqlcheck;
use crate::YamlError;
use shale_model::{quote_ident, quote_literal, Catalog, Directives, FkAction, QualName};
use std::collections::{BTreeSet, HashMap};

/// Where a generated line came from.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    object: String,
}

/// Generated DDL plus the origin of each of its lines.
#[derive(Debug)]
pub struct Rendered {
    pub sql: String,
    /// `line_origin[i]` is the origin of line `i + 1`.
    line_origin: Vec<usize>,
    origins: Vec<Origin>,
    /// The file name the DDL is given to the SQL front end under.
    sql_path: String,
}

impl Rendered {
    fn new(sql_path: String) -> Self {
        Rendered {
            sql: String::new(),
            line_origin: Vec::new(),
            origins: Vec::new(),
            sql_path,
        }
    }

    fn origin(&mut self, file: &str, object: &str) -> usize {
        self.origins.push(Origin {
            file: file.to_string(),
            object: object.to_string(),
        });
        self.origins.len() - 1
    }

    /// Append `text` (one or more whole lines, without the final newline).
    fn push(&mut self, origin: usize, text: &str) {
        for line in text.split('\n') {
            self.sql.push_str(line);
            self.sql.push('\n');
            self.line_origin.push(origin);
        }
    }

    /// Run the SQL front end on the DDL (directives included) and map its errors back to
    /// the YAML.
    pub fn parse(&self) -> Result<(Catalog, Directives), YamlError> {
        shale_sql::parse_sources_with_directives(&[self.source()]).map_err(|e| self.error(e))
    }

    /// Fill `cat.owners` from the `ALTER … OWNER TO` statements the `owner:` keys render
    /// to, through the SQL front end's own owner reader.
    pub fn read_owners(&self, cat: &mut Catalog) -> Result<(), YamlError> {
        shale_sql::read_owners(&[self.source()], cat).map_err(|e| self.error(e))
    }

    fn source(&self) -> shale_sql::SourceFile {
        shale_sql::SourceFile {
            path: self.sql_path.clone(),
            text: self.sql.clone(),
        }
    }

    /// An error of the SQL front end on the generated DDL, named after the YAML object
    /// the failing line came from.
    fn error(&self, e: shale_sql::SqlError) -> YamlError {
        let origin = e
            .line
            .checked_sub(1)
            .and_then(|i| self.line_origin.get(i))
            .and_then(|o| self.origins.get(*o));
        match origin {
            Some(o) => YamlError::object(&o.file, o.object.clone(), e.message.clone()),
            None => YamlError {
                file: self
                    .origins
                    .first()
                    .map(|o| o.file.clone())
                    .unwrap_or_else(|| self.sql_path.clone()),
                line: None,
                column: None,
                object: None,
                message: format!("in the DDL generated from YAML: {e}"),
            },
        }
    }
}

const DEFAULT_SCHEMA: &str = "public";

fn check_name(file: &str, object: &str, what: &str, name: &str) -> Result<(), YamlError> {
    if name.is_empty() {
        return Err(YamlError::object(
            file,
            object,
            format!("empty {what} name"),
        ));
    }
    if name.len() > 63 {
        return Err(YamlError::object(
            file,
            object,
            format!("{what} name `{name}` is longer than 63 bytes (PostgreSQL would truncate it)"),
        ));
    }
    if name.contains('\0') {
        return Err(YamlError::object(
            file,
            object,
            format!("{what} name contains a NUL character"),
        ));
    }
    Ok(())
}

/// `key` of a mapping (`users`, `app.users`) plus an optional `schema:` key → a name.
/// With `schema:` given, the key is the whole object name (it may then contain a dot).
fn object_name(key: &str, schema: Option<&str>) -> QualName {
    match schema {
        Some(s) => QualName::new(s, key),
        None => match key.split_once('.') {
            Some((s, n)) => QualName::new(s, n),
            None => QualName::new(DEFAULT_SCHEMA, key),
        },
    }
}

/// The `-- shale:renamed-from …` line (with its newline) for a `renamed_from:` key, or
/// nothing. With `qualified`, the old name may be `schema.name` (tables, enums, sequences,
/// indexes); otherwise it is one literal name (columns, constraints).
fn rename_line(
    file: &str,
    object: &str,
    from: Option<&String>,
    qualified: bool,
    indent: &str,
) -> Result<String, YamlError> {
    let Some(from) = from else {
        return Ok(String::new());
    };
    let sql = match from.split_once('.').filter(|_| qualified) {
        Some((s, n)) => {
            check_name(file, object, "renamed_from schema", s)?;
            check_name(file, object, "renamed_from", n)?;
            format!("{}.{}", quote_ident(s), quote_ident(n))
        }
        None => {
            check_name(file, object, "renamed_from", from)?;
            quote_ident(from)
        }
    };
    Ok(format!("{indent}-- shale:renamed-from {sql}\n"))
}

/// The `-- shale:backfill …` line (with its newline) for a column's `backfill:` key.
fn backfill_line(file: &str, object: &str, expr: Option<&String>) -> Result<String, YamlError> {
    let Some(expr) = expr else {
        return Ok(String::new());
    };
    let e = expr.trim();
    let fail = |m: String| YamlError::object(file, object, m);
    if e.is_empty() {
        return Err(fail(
            "`backfill` is empty: give an SQL expression for the existing rows".into(),
        ));
    }
    if e.contains(['\n', '\r']) {
        return Err(fail(format!(
            "`backfill` must be one line (a folded `>` string works): `{}`",
            e.replace(['\n', '\r'], " ")
        )));
    }
    sqlcheck::check_expr(e).map_err(|m| fail(format!("backfill: {m}")))?;
    Ok(format!("    -- shale:backfill {e}\n"))
}

fn ref_name(t: &RefTarget) -> QualName {
    object_name(&t.table, t.schema.as_deref())
}

fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `name` or `schema.name` → quoted SQL (collations, operator classes).
fn dotted_sql(name: &str) -> String {
    match name.split_once('.') {
        Some((s, n)) => format!("{}.{}", quote_ident(s), quote_ident(n)),
        None => quote_ident(name),
    }
}

fn deferrable_sql(deferrable: bool, initially_deferred: bool) -> &'static str {
    if initially_deferred {
        " DEFERRABLE INITIALLY DEFERRED"
    } else if deferrable {
        " DEFERRABLE"
    } else {
        ""
    }
}

fn seq_options(
    inc: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    start: Option<i64>,
    cache: Option<i64>,
    cycle: bool,
) -> Vec<String> {
    let mut o = Vec::new();
    if let Some(v) = inc {
        o.push(format!("INCREMENT BY {v}"));
    }
    if let Some(v) = min {
        o.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = max {
        o.push(format!("MAXVALUE {v}"));
    }
    if let Some(v) = start {
        o.push(format!("START WITH {v}"));
    }
    if let Some(v) = cache {
        o.push(format!("CACHE {v}"));
    }
    if cycle {
        o.push("CYCLE".into());
    }
    o
}

/// A foreign key gathered from a column's `references:` or a table's `foreign_keys:`.
struct Fk<'a> {
    origin_object: String,
    renamed_from: Option<&'a String>,
    name: Option<&'a str>,
    columns: Vec<String>,
    target: QualName,
    target_columns: Vec<String>,
    on_delete: Option<FkAction>,
    on_update: Option<FkAction>,
    deferrable: bool,
    initially_deferred: bool,
    not_valid: bool,
    match_full: bool,
    comment: Option<&'a str>,
}

impl Fk<'_> {
    /// `REFERENCES t (c) ...` (what follows the column list).
    fn references_sql(&self) -> String {
        let mut s = format!(
            "REFERENCES {} ({})",
            self.target,
            ident_list(&self.target_columns)
        );
        if self.match_full {
            s.push_str(" MATCH FULL");
        }
        if let Some(a) = self.on_update {
            s.push_str(" ON UPDATE ");
            s.push_str(a.sql());
        }
        if let Some(a) = self.on_delete {
            s.push_str(" ON DELETE ");
            s.push_str(a.sql());
        }
        s.push_str(deferrable_sql(self.deferrable, self.initially_deferred));
        s
    }
}

fn constraint_prefix(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("CONSTRAINT {} ", quote_ident(n)),
        None => String::new(),
    }
}

/// What is known of every document before rendering: names of the objects defined.
struct Scope<'a> {
    tables: HashMap<QualName, (&'a str, &'a TableDoc)>,
    /// Types defined here: enums, domains, composite and range types, tables' row types.
    enums: BTreeSet<QualName>,
    /// Extension name → the schema it is declared in (None: default).
    extensions: Vec<(&'a str, Option<&'a str>)>,
}

impl Scope<'_> {
    fn type_known(&self, info: &sqlcheck::TypeInfo) -> bool {
        if info.builtin {
            return true;
        }
        let names = &info.names;
        let ext_allows = |schema: Option<&str>, ty: &str| {
            self.extensions.iter().any(|(e, s)| {
                let in_schema = match schema {
                    None => true,
                    Some(sch) => s.unwrap_or(DEFAULT_SCHEMA) == sch,
                };
                in_schema
                    && match sqlcheck::extension_types(e) {
                        Some(types) => types.contains(&ty),
                        None => true,
                    }
            })
        };
        match names.as_slice() {
            [n] => {
                self.enums
                    .contains(&QualName::new(DEFAULT_SCHEMA, n.as_str()))
                    || ext_allows(None, n)
            }
            [s, n] => {
                s == "pg_catalog"
                    // Its domains (`cardinal_number`, `sql_identifier`, …) are built in.
                    || s == "information_schema"
                    || self.enums.contains(&QualName::new(s.as_str(), n.as_str()))
                    || ext_allows(Some(s), n)
            }
            _ => false,
        }
    }

    fn access_method_known(&self, m: &str) -> bool {
        const BUILTIN: &[&str] = &["btree", "hash", "gist", "gin", "spgist", "brin"];
        BUILTIN.contains(&m)
            || self
                .extensions
                .iter()
                .any(|(e, _)| match sqlcheck::extension_access_methods(e) {
                    Some(ms) => ms.contains(&m),
                    None => true,
                })
    }

    /// The columns of a table defined here, with those it gets from its parents.
    fn all_columns(&self, t: &QualName) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![t.clone()];
        let mut seen = BTreeSet::new();
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some((_, d)) = self.tables.get(&n) {
                out.extend(d.columns.0.iter().map(|(c, _)| c.clone()));
                if let Some(p) = &d.partition_of {
                    todo.push(p.parent.0.clone());
                }
                todo.extend(d.inherits.iter().map(|p| p.0.clone()));
            }
        }
        out
    }

    /// How many `partition_of` parents defined here are above `t`.
    fn partition_depth(&self, t: &QualName) -> usize {
        let mut depth = 0;
        let mut at = t.clone();
        while let Some(p) = self
            .tables
            .get(&at)
            .and_then(|(_, d)| d.partition_of.as_ref())
        {
            depth += 1;
            if depth > self.tables.len() {
                break;
            }
            at = p.parent.0.clone();
        }
        depth
    }

    /// Whether the table `t` defined here has a primary key or unique constraint on
    /// exactly `cols` (in any order), as a foreign key onto it needs; otherwise a unique
    /// index must be made first. A table not defined here is taken to have one.
    fn has_key(&self, t: &QualName, cols: &[String]) -> bool {
        let Some((_, d)) = self.tables.get(t) else {
            return true;
        };
        let sorted = |c: &[String]| {
            let mut v = c.to_vec();
            v.sort();
            v
        };
        let want = sorted(cols);
        let same = |c: &[String]| sorted(c) == want;
        d.primary_key.as_ref().is_some_and(|p| same(&p.0.columns.0))
            || d.unique.iter().any(|u| same(&u.0.columns.0))
            || d.columns
                .0
                .iter()
                .any(|(n, c)| (c.0.primary_key || c.0.unique) && same(std::slice::from_ref(n)))
    }

    fn primary_key_of(&self, t: &QualName) -> Option<Vec<String>> {
        let (_, doc) = self.tables.get(t)?;
        if let Some(pk) = &doc.primary_key {
            return Some(pk.0.columns.0.clone());
        }
        doc.columns
            .0
            .iter()
            .find(|(_, c)| c.0.primary_key)
            .map(|(n, _)| vec![n.clone()])
    }
}

pub fn render(docs: &[(String, Document)]) -> Result<Rendered, YamlError> {
    let sql_path = match docs {
        [(p, _)] => format!("{p} (as SQL)"),
        _ => "YAML files (as SQL)".to_string(),
    };
    let mut out = Rendered::new(sql_path);

    // ---- gather names, reject duplicates
    let mut scope = Scope {
        tables: HashMap::new(),
        enums: BTreeSet::new(),
        extensions: Vec::new(),
    };
    // relation and type namespaces: name → (file, what)
    let mut relations: HashMap<QualName, (String, String)> = HashMap::new();
    let mut types: HashMap<QualName, (String, String)> = HashMap::new();
    let claim = |map: &mut HashMap<QualName, (String, String)>,
                 file: &str,
                 name: &QualName,
                 what: &str|
     -> Result<(), YamlError> {
        if let Some((f, w)) = map.get(name) {
            return Err(YamlError::object(
                file,
                format!("{what} {name}"),
                format!("the name is already taken by {w} {name} in {f}"),
            ));
        }
        map.insert(name.clone(), (file.to_string(), what.to_string()));
        Ok(())
    };
    let mut schemas: Vec<String> = Vec::new();
    let add_schema = |s: &str, schemas: &mut Vec<String>| {
        if s != DEFAULT_SCHEMA && !schemas.iter().any(|x| x == s) {
            schemas.push(s.to_string());
        }
    };
    for (file, d) in docs {
        for s in &d.schemas {
            let s = &s.0.name;
            check_name(file, &format!("schema {}", quote_ident(s)), "schema", s)?;
            add_schema(s, &mut schemas);
        }
    }
    let mut ext_seen: HashMap<&str, &str> = HashMap::new();
    for (file, d) in docs {
        for e in &d.extensions {
            let e = &e.0;
            let obj = format!("extension {}", quote_ident(&e.name));
            check_name(file, &obj, "extension", &e.name)?;
            if let Some(prev) = ext_seen.insert(e.name.as_str(), file.as_str()) {
                return Err(YamlError::object(
                    file,
                    obj,
                    format!("declared twice (also in {prev})"),
                ));
            }
            if let Some(s) = &e.schema {
                check_name(file, &obj, "schema", s)?;
                add_schema(s, &mut schemas);
            }
            scope
                .extensions
                .push((e.name.as_str(), e.schema.as_deref()));
        }
        for (key, en) in &d.enums.0 {
            let name = object_name(key, en.0.schema.as_deref());
            let obj = format!("enum {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "type", &name.name)?;
            claim(&mut types, file, &name, "enum")?;
            add_schema(&name.schema, &mut schemas);
            scope.enums.insert(name);
        }
        for (key, sq) in &d.sequences.0 {
            let name = object_name(key, sq.schema.as_deref());
            let obj = format!("sequence {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "sequence", &name.name)?;
            claim(&mut relations, file, &name, "sequence")?;
            add_schema(&name.schema, &mut schemas);
        }
        for (key, t) in &d.tables.0 {
            let name = object_name(key, t.schema.as_deref());
            let obj = format!("table {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "table", &name.name)?;
            claim(&mut relations, file, &name, "table")?;
            // A table's row type takes the type name too (a column or domain may use it).
            claim(&mut types, file, &name, "table")?;
            scope.enums.insert(name.clone());
            add_schema(&name.schema, &mut schemas);
            scope.tables.insert(name, (file.as_str(), t));
        }
        let mut type_names: Vec<(QualName, &str)> = Vec::new();
        for (key, x) in &d.domains.0 {
            type_names.push((object_name(key, x.schema.as_deref()), "domain"));
        }
        for (key, x) in &d.composite_types.0 {
            type_names.push((object_name(key, x.schema.as_deref()), "composite type"));
        }
        for (key, x) in &d.range_types.0 {
            let name = object_name(key, x.schema.as_deref());
            let multi = match &x.multirange {
                Some(m) => m.clone(),
                None => shale_model::RangeType::default_multirange(&name.name),
            };
            type_names.push((QualName::new(name.schema.clone(), multi), "multirange type"));
            type_names.push((name, "range type"));
        }
        for (name, what) in type_names {
            let obj = format!("{what} {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "type", &name.name)?;
            claim(&mut types, file, &name, what)?;
            add_schema(&name.schema, &mut schemas);
            scope.enums.insert(name);
        }
        for (key, v) in &d.views.0 {
            let name = object_name(key, v.schema.as_deref());
            let obj = format!("view {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "view", &name.name)?;
            claim(&mut relations, file, &name, "view")?;
            claim(&mut types, file, &name, "view")?;
            add_schema(&name.schema, &mut schemas);
            for ix in &v.indexes {
                if let Some(n) = &ix.name {
                    let iname = QualName::new(name.schema.clone(), n.clone());
                    check_name(file, &format!("index {iname}"), "index", n)?;
                    claim(&mut relations, file, &iname, "index")?;
                }
            }
        }
        for (key, t) in &d.foreign_tables.0 {
            let name = object_name(key, t.schema.as_deref());
            let obj = format!("foreign table {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "foreign table", &name.name)?;
            claim(&mut relations, file, &name, "foreign table")?;
            claim(&mut types, file, &name, "foreign table")?;
            add_schema(&name.schema, &mut schemas);
        }
        for f in d.functions.iter().chain(&d.procedures) {
            let name = object_name(&f.name, f.schema.as_deref());
            check_name(file, &format!("function {name}"), "schema", &name.schema)?;
            add_schema(&name.schema, &mut schemas);
        }
        for (key, c) in &d.collations.0 {
            add_schema(&object_name(key, c.schema.as_deref()).schema, &mut schemas);
        }
        for dp in &d.default_privileges {
            if let Some(sch) = &dp.schema {
                check_name(file, "default_privileges", "schema", sch)?;
                add_schema(sch, &mut schemas);
            }
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.tables.0 {
            let tname = object_name(key, t.schema.as_deref());
            // Explicit constraint names: unique in the table; those of primary keys and
            // unique constraints also name their index, among the schema's relations.
            let tobj = format!("table {tname}");
            let mut in_table: BTreeSet<String> = BTreeSet::new();
            let mut named = |n: &str, has_index: bool| -> Result<(), YamlError> {
                check_name(file, &tobj, "constraint", n)?;
                if !in_table.insert(n.to_string()) {
                    return Err(YamlError::object(
                        file,
                        &tobj,
                        format!("two constraints are named `{n}`"),
                    ));
                }
                if has_index {
                    let q = QualName::new(tname.schema.clone(), n);
                    claim(&mut relations, file, &q, "constraint")?;
                }
                Ok(())
            };
            if let Some(n) = t.primary_key.as_ref().and_then(|p| p.0.name.as_deref()) {
                named(n, true)?;
            }
            for u in &t.unique {
                if let Some(n) = &u.0.name {
                    named(n, true)?;
                }
            }
            for c in &t.checks {
                if let Some(n) = &c.0.name {
                    named(n, false)?;
                }
            }
            for f in &t.foreign_keys {
                if let Some(n) = &f.name {
                    named(n, false)?;
                }
            }
            for (_, c) in &t.columns.0 {
                if let Some(n) = c.0.references.as_ref().and_then(|r| r.name.as_deref()) {
                    named(n, false)?;
                }
            }
            for ix in &t.indexes {
                if let Some(n) = &ix.name {
                    let iname = QualName::new(tname.schema.clone(), n.clone());
                    check_name(file, &format!("index {iname}"), "index", n)?;
                    claim(&mut relations, file, &iname, "index")?;
                }
            }
        }
    }

    // ---- function bodies may name tables created later (as in pg_dump's output)
    if docs
        .iter()
        .any(|(_, d)| !d.functions.is_empty() || !d.procedures.is_empty())
    {
        let o = out.origin(&docs[0].0, "functions");
        out.push(o, "SET check_function_bodies = false;");
    }

    // ---- schemas and extensions
    for s in &schemas {
        let o = out.origin(&docs[0].0, &format!("schema {}", quote_ident(s)));
        let file = docs
            .iter()
            .find(|(_, d)| d.schemas.iter().any(|x| x.0.name == *s))
            .map(|(f, _)| f.as_str())
            .unwrap_or(&docs[0].0);
        out.origins[o].file = file.to_string();
        out.push(o, &format!("CREATE SCHEMA {};", quote_ident(s)));
    }
    for (file, d) in docs {
        for e in &d.extensions {
            let e = &e.0;
            let o = out.origin(file, &format!("extension {}", quote_ident(&e.name)));
            let mut sql = format!("CREATE EXTENSION {}", quote_ident(&e.name));
            if let Some(s) = &e.schema {
                sql.push_str(&format!(" SCHEMA {}", quote_ident(s)));
            }
            if let Some(v) = &e.version {
                sql.push_str(&format!(" VERSION {}", quote_literal(v)));
            }
            sql.push(';');
            out.push(o, &sql);
        }
    }

    // ---- default privileges (before every object they apply to)
    let mut tails = Tails::default();
    let mut dp_stmts: Stmts = Vec::new();
    for (file, d) in docs {
        for dp in &d.default_privileges {
            default_privileges_stmts(file, dp, &mut out, &mut dp_stmts)?;
            tails
                .revoke_from
                .extend(dp.grants.0.iter().map(|(r, _)| r.clone()));
        }
    }
    tails
        .revoke_from
        .retain(|r| !r.eq_ignore_ascii_case("public"));
    for (o, s) in dp_stmts {
        out.push(o, &s);
    }
    for (file, d) in docs {
        for sc in &d.schemas {
            let sc = &sc.0;
            let ob =
                Object::of(file, "schema", "SCHEMA", quote_ident(&sc.name)).keys(sc, SCHEMA_PRIVS);
            tails.object(&mut out, ob, Dest::Now, |_, _| Ok(Vec::new()))?;
        }
    }

    // ---- collations
    for (file, d) in docs {
        for (key, c) in &d.collations.0 {
            let name = object_name(key, c.schema.as_deref());
            let ob = Object::of(file, "collation", "COLLATION", &name)
                .check("schema", &name.schema)
                .check("collation", &name.name)
                .keys(c, &[])
                .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                let provider = lower_word(c.provider.as_deref().unwrap_or("libc"));
                if provider != "libc" && provider != "icu" {
                    return Err(YamlError::object(
                        file,
                        obj,
                        format!("provider is libc or icu, not `{provider}`"),
                    ));
                }
                let coll = shale_model::Collation {
                    name: name.clone(),
                    provider,
                    locale: c.locale.clone(),
                    lc_ctype: c.lc_ctype.clone(),
                    deterministic: c.deterministic,
                    comment: None,
                };
                Ok(vec![format!("{coll};")])
            })?;
        }
    }

    // ---- enums
    for (file, d) in docs {
        for (key, en) in &d.enums.0 {
            let name = object_name(key, en.0.schema.as_deref());
            let obj = format!("enum {name}");
            let mut seen = BTreeSet::new();
            for l in &en.0.values {
                if l.is_empty() || l.len() > 63 {
                    return Err(YamlError::object(
                        file,
                        obj,
                        format!("enum label `{l}` must be 1 to 63 bytes long"),
                    ));
                }
                if !seen.insert(l) {
                    return Err(YamlError::object(
                        file,
                        obj,
                        format!("enum label `{l}` is given twice"),
                    ));
                }
            }
            let ob = Object::new(file, obj, format!("TYPE {name}")).keys(&en.0, TYPE_PRIVS);
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                let hint = rename_line(file, obj, en.0.renamed_from.as_ref(), true, "")?;
                let labels =
                    en.0.values
                        .iter()
                        .map(|l| quote_literal(l))
                        .collect::<Vec<_>>()
                        .join(", ");
                Ok(vec![format!(
                    "{hint}CREATE TYPE {name} AS ENUM ({labels});"
                )])
            })?;
        }
    }

    // ---- domains, composite types, range types
    let mut type_later: Stmts = Vec::new();
    // A domain over a table's row type is made right after that table (by domain name:
    // the table, the document).
    let mut row_domains: HashMap<QualName, (QualName, &String, &DomainDoc)> = HashMap::new();
    for (file, d) in docs {
        for (key, x) in &d.domains.0 {
            let name = object_name(key, x.schema.as_deref());
            if let Some(t) = type_name(&x.ty).filter(|t| scope.tables.contains_key(t)) {
                row_domains.insert(name, (t, file, x));
                continue;
            }
            let ob = Object::of(file, "domain", "DOMAIN", &name).keys(x, TYPE_PRIVS);
            tails.object(&mut out, ob, Dest::Now, |_, o| {
                Ok(vec![domain_stmts(
                    file,
                    &name,
                    x,
                    &scope,
                    o,
                    &mut type_later,
                )?])
            })?;
        }
    }
    for (o, s) in type_later {
        out.push(o, &s);
    }
    // Composite types after the composite types their attributes use.
    let mut pending: Vec<(&String, &String, &CompositeDoc)> = docs
        .iter()
        .flat_map(|(f, d)| d.composite_types.0.iter().map(move |(k, x)| (f, k, x)))
        .collect();
    let all_composites: BTreeSet<QualName> = pending
        .iter()
        .map(|(_, k, x)| object_name(k, x.schema.as_deref()))
        .collect();
    let mut composites: Vec<(&String, &String, &CompositeDoc)> = Vec::new();
    let mut placed: BTreeSet<QualName> = BTreeSet::new();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|(f, k, x)| {
            let uses = x.attributes.0.iter().filter_map(|(_, a)| {
                let names = sqlcheck::check_type(&a.0.ty).ok()?.names;
                match names.as_slice() {
                    [n] => Some(QualName::new(DEFAULT_SCHEMA, n.as_str())),
                    [s, n] => Some(QualName::new(s.as_str(), n.as_str())),
                    _ => None,
                }
            });
            let mut uses = uses;
            if uses.all(|u| placed.contains(&u) || !all_composites.contains(&u)) {
                placed.insert(object_name(k, x.schema.as_deref()));
                composites.push((f, k, x));
                false
            } else {
                true
            }
        });
        if pending.len() == before {
            composites.append(&mut pending);
        }
    }
    // Composite types, then range types.
    for (file, key, x) in composites {
        let name = object_name(key, x.schema.as_deref());
        let ob = Object::of(file, "composite type", "TYPE", &name).keys(x, TYPE_PRIVS);
        tails.object(&mut out, ob, Dest::Now, |_, _| {
            Ok(vec![composite_stmt(file, &name, x, &scope)?])
        })?;
    }
    for (file, d) in docs {
        for (key, x) in &d.range_types.0 {
            let name = object_name(key, x.schema.as_deref());
            let ob = Object::of(file, "range type", "TYPE", &name).keys(x, TYPE_PRIVS);
            tails.object(&mut out, ob, Dest::Now, |_, _| {
                Ok(vec![range_stmt(file, &name, x, &scope)?])
            })?;
        }
    }

    // ---- sequences
    let mut owned_by: Vec<(usize, String)> = Vec::new();
    for (file, d) in docs {
        for (key, sq) in &d.sequences.0 {
            let name = object_name(key, sq.schema.as_deref());
            let ob = Object::of(file, "sequence", "SEQUENCE", &name).keys(sq, SEQUENCE_PRIVS);
            tails.object(&mut out, ob, Dest::Now, |obj, o| {
                let sql = sequence_stmt(file, obj, &name, sq)?;
                if let Some(ob) = &sq.owned_by {
                    owned_by.push((o, owned_by_stmt(file, obj, &scope, &name, ob)?));
                }
                Ok(vec![sql])
            })?;
        }
    }

    // ---- functions and procedures: string bodies before the tables (defaults and checks
    // may call them), SQL-standard bodies after the tables and before the views (PostgreSQL
    // parses them against the tables they read).
    let mut std_functions: Stmts = Vec::new();
    for (file, d) in docs {
        for (f, procedure) in d
            .functions
            .iter()
            .map(|f| (f, false))
            .chain(d.procedures.iter().map(|f| (f, true)))
        {
            let (name, sql, target) = function_stmt(file, f, procedure)?;
            let kind = if procedure { "procedure" } else { "function" };
            let ob = Object::new(file, format!("{kind} {name}"), target).keys(f, FUNCTION_PRIVS);
            // A SQL-language string body may name tables created later: shale-sql resolves
            // its references once every statement is read, as for SQL files.
            let dest = match f.sql_body {
                Some(_) => Dest::Later(&mut std_functions),
                None => Dest::Now,
            };
            tails.object(&mut out, ob, dest, |_, _| Ok(vec![sql]))?;
        }
    }

    // ---- SQL/MED (foreign_data.rs): wrappers (after the functions they name), servers
    // and their user mappings, foreign tables (after the types their columns use)
    for (file, d) in docs {
        for (n, w) in &d.foreign_data_wrappers.0 {
            let ob = Object::named(file, "foreign data wrapper", "FOREIGN DATA WRAPPER", n)
                .keys(w, TYPE_PRIVS)
                .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                Ok(vec![crate::foreign_data::wrapper_stmt(file, obj, n, w)?])
            })?;
        }
    }
    for (file, d) in docs {
        for (n, sv) in &d.servers.0 {
            let ob = Object::named(file, "server", "SERVER", n)
                .keys(sv, TYPE_PRIVS)
                .grant_on(format!("FOREIGN SERVER {}", quote_ident(n)))
                .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                crate::foreign_data::server_stmts(file, obj, n, sv)
            })?;
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.foreign_tables.0 {
            let name = object_name(key, t.schema.as_deref());
            let ob = Object::of(file, "foreign table", "FOREIGN TABLE", &name)
                .keys(t, &[])
                .one_each();
            let o = tails.object(&mut out, ob, Dest::Now, |obj, _| {
                Ok(vec![crate::foreign_data::foreign_table_stmt(
                    file, obj, &name, t,
                )?])
            })?;
            for (c, cd) in &t.columns.0 {
                tails.comment(
                    o,
                    format!("COLUMN {name}.{}", quote_ident(c)),
                    cd.0.comment.as_ref(),
                );
            }
        }
    }

    // ---- text search (text_search.rs): parsers and templates (after the functions they
    // name), dictionaries, configurations and their mappings, before the tables whose
    // columns and indexes name them
    for (file, d) in docs {
        for (key, p) in &d.text_search_parsers.0 {
            let name = object_name(key, p.schema.as_deref());
            let ob = Object::of(file, "text search parser", "TEXT SEARCH PARSER", &name)
                .check("text search parser", &name.name)
                .keys(p, &[])
                .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                Ok(vec![crate::text_search::parser_stmt(file, obj, &name, p)?])
            })?;
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.text_search_templates.0 {
            let name = object_name(key, t.schema.as_deref());
            let ob = Object::of(file, "text search template", "TEXT SEARCH TEMPLATE", &name)
                .check("text search template", &name.name)
                .keys(t, &[])
                .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                Ok(vec![crate::text_search::template_stmt(
                    file, obj, &name, t,
                )?])
            })?;
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.text_search_dictionaries.0 {
            let name = object_name(key, t.schema.as_deref());
            let ob = Object::of(
                file,
                "text search dictionary",
                "TEXT SEARCH DICTIONARY",
                &name,
            )
            .check("text search dictionary", &name.name)
            .keys(t, &[])
            .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                Ok(vec![crate::text_search::dictionary_stmt(
                    file, obj, &name, t,
                )?])
            })?;
        }
    }
    for (file, d) in docs {
        for (key, c) in &d.text_search_configurations.0 {
            let name = object_name(key, c.schema.as_deref());
            let ob = Object::of(
                file,
                "text search configuration",
                "TEXT SEARCH CONFIGURATION",
                &name,
            )
            .check("text search configuration", &name.name)
            .keys(c, &[])
            .one_each();
            tails.object(&mut out, ob, Dest::Now, |obj, _| {
                crate::text_search::configuration_stmts(file, obj, &name, c)
            })?;
        }
    }

    // ---- tables
    let mut created: BTreeSet<QualName> = BTreeSet::new();
    let mut later: Vec<(usize, String)> = Vec::new();
    let mut indexes: Vec<(usize, String)> = Vec::new();
    // Partitions' indexes attached to their parents' (deepest partitions first), and the
    // `ALTER INDEX … ATTACH PARTITION`s of those and of keys.
    let mut attached_first: Vec<(usize, usize, String)> = Vec::new();
    let mut attaches: Stmts = Vec::new();
    let mut only_keys: Stmts = Vec::new();
    // Foreign keys onto columns that only a unique index (no key) covers.
    let mut fks_after_indexes: Stmts = Vec::new();
    let mut alters: Stmts = Vec::new();
    let mut triggers: Stmts = Vec::new();
    let mut policies: Stmts = Vec::new();
    // Rewrite rules, after the views (their actions may name any relation).
    let mut rules: Stmts = Vec::new();
    // Parents (partitioned and inherited tables) before their children.
    let mut pending: Vec<(&String, &String, &TableDoc)> = docs
        .iter()
        .flat_map(|(f, d)| d.tables.0.iter().map(move |(k, t)| (f, k, t)))
        .collect();
    let mut ordered: Vec<(&String, &String, &TableDoc)> = Vec::new();
    let mut placed: BTreeSet<QualName> = BTreeSet::new();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|(f, k, t)| {
            // Its parents, and the tables whose row types its columns' domains are over.
            let row_types = t.columns.0.iter().filter_map(|(_, c)| {
                let d = type_name(&c.0.ty)?;
                row_domains.get(&d).map(|(t, _, _)| t.clone())
            });
            let parents: Vec<QualName> = t
                .partition_of
                .iter()
                .map(|p| p.parent.0.clone())
                .chain(t.inherits.iter().map(|p| p.0.clone()))
                .chain(row_types)
                .collect();
            if parents
                .iter()
                .all(|p| placed.contains(p) || !scope.tables.contains_key(p))
            {
                placed.insert(object_name(k, t.schema.as_deref()));
                ordered.push((f, k, t));
                false
            } else {
                true
            }
        });
        if pending.len() == before {
            // A cycle: the SQL front end reports it.
            ordered.append(&mut pending);
        }
    }
    {
        for (file, key, t) in ordered {
            let tname = object_name(key, t.schema.as_deref());
            let tobj = format!("table {tname}");
            let terr = |m: String| YamlError::object(file, tobj.clone(), m);
            let all_cols = scope.all_columns(&tname);
            let need_cols = |what: &str, cols: &[String]| -> Result<(), YamlError> {
                need_columns(file, &tobj, Some(&all_cols), what, cols)
            };
            let t_origin = out.origin(file, &tobj);
            let mut lines: Vec<(usize, String)> = Vec::new();
            let mut fks: Vec<Fk> = Vec::new();
            let col_pk: Vec<&str> = t
                .columns
                .0
                .iter()
                .filter(|(_, c)| c.0.primary_key)
                .map(|(n, _)| n.as_str())
                .collect();
            if col_pk.len() > 1 {
                return Err(terr(format!(
                    "columns {} all say `primary_key: true`; give a composite key as the table's `primary_key: [{}]`",
                    col_pk.join(", "),
                    col_pk.join(", ")
                )));
            }
            if !col_pk.is_empty() && t.primary_key.is_some() {
                return Err(terr(format!(
                    "both column `{}` and the table give a primary key",
                    col_pk[0]
                )));
            }

            for (cname, c) in &t.columns.0 {
                let c = &c.0;
                let cobj = format!("{tobj}, column {}", quote_ident(cname));
                let cerr = |m: String| YamlError::object(file, cobj.clone(), m);
                check_name(file, &cobj, "column", cname)?;
                let info = sqlcheck::check_type(&c.ty).map_err(cerr)?;
                if !scope.type_known(&info) {
                    return Err(cerr(format!("invalid type \"{}\": no such type", c.ty)));
                }
                let not_null = match (c.not_null, c.nullable) {
                    (Some(a), Some(b)) if a == b => {
                        return Err(cerr(
                            "`not_null` and `nullable` contradict each other".into(),
                        ))
                    }
                    (Some(a), _) => a,
                    (None, Some(b)) => !b,
                    (None, None) => false,
                };
                if c.primary_key && (c.nullable == Some(true) || c.not_null == Some(false)) {
                    return Err(cerr("a primary key column cannot be nullable".into()));
                }
                let kinds = [
                    ("default", c.default.is_some()),
                    ("identity", c.identity.is_some()),
                    ("generated", c.generated.is_some()),
                    ("a serial type", info.is_serial()),
                ];
                let set: Vec<&str> = kinds.iter().filter(|k| k.1).map(|k| k.0).collect();
                if set.len() > 1 {
                    return Err(cerr(format!("{} cannot be combined", set.join(" and "))));
                }
                let co = out.origin(file, &cobj);
                let mut line = rename_line(file, &cobj, c.renamed_from.as_ref(), false, "    ")?;
                line.push_str(&backfill_line(file, &cobj, c.backfill.as_ref())?);
                line.push_str(&format!("    {} {}", quote_ident(cname), c.ty.trim()));
                if let Some(coll) = &c.collation {
                    line.push_str(&format!(" COLLATE {}", dotted_sql(coll)));
                }
                if let Some(g) = &c.generated {
                    sqlcheck::check_expr(g).map_err(cerr)?;
                    line.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
                }
                if let Some(id) = &c.identity {
                    let id = &id.0;
                    if id.increment == Some(0) {
                        return Err(cerr("identity increment must not be zero".into()));
                    }
                    line.push_str(if id.always {
                        " GENERATED ALWAYS AS IDENTITY"
                    } else {
                        " GENERATED BY DEFAULT AS IDENTITY"
                    });
                    let opts =
                        seq_options(id.increment, id.min, id.max, id.start, id.cache, id.cycle);
                    if !opts.is_empty() {
                        line.push_str(&format!(" ({})", opts.join(" ")));
                    }
                }
                if let Some(def) = &c.default {
                    sqlcheck::check_expr(def).map_err(cerr)?;
                    if let Some(refs) = sqlcheck::column_refs(def) {
                        if let Some(r) = refs.first() {
                            return Err(cerr(format!(
                                "default `{def}` refers to column `{r}`; a string literal is written \"'{r}'\""
                            )));
                        }
                    }
                    if sqlcheck::default_fits_bare(def) {
                        line.push_str(&format!(" DEFAULT {def}"));
                    } else {
                        line.push_str(&format!(" DEFAULT ({def})"));
                    }
                }
                if not_null {
                    line.push_str(" NOT NULL");
                }
                if c.primary_key {
                    line.push_str(" PRIMARY KEY");
                }
                if c.unique {
                    line.push_str(" UNIQUE");
                }
                if let Some(r) = &c.references {
                    let target = ref_name(&r.target);
                    let target_columns = if r.target.columns.is_empty() {
                        match scope.primary_key_of(&target) {
                            Some(pk) if pk.len() == 1 => pk,
                            Some(_) => {
                                return Err(cerr(format!(
                                    "{target} has a composite primary key; use the table's `foreign_keys`"
                                )))
                            }
                            None => {
                                return Err(cerr(if scope.tables.contains_key(&target) {
                                    format!("{target} has no primary key; name the column: `{}(column)`", r.target.table)
                                } else {
                                    format!("references {target}, which is not a table defined here")
                                }))
                            }
                        }
                    } else {
                        r.target.columns.clone()
                    };
                    fks.push(Fk {
                        origin_object: format!("{cobj}, references"),
                        renamed_from: r.renamed_from.as_ref(),
                        name: r.name.as_deref(),
                        columns: vec![cname.clone()],
                        target,
                        target_columns,
                        on_delete: r.options.on_delete.map(|a| a.0),
                        on_update: r.options.on_update.map(|a| a.0),
                        deferrable: r.options.deferrable,
                        initially_deferred: r.options.initially_deferred,
                        not_valid: r.options.not_valid,
                        match_full: r.options.match_full,
                        comment: r.comment.as_deref(),
                    });
                }
                lines.push((co, line));
                tails.comment(
                    co,
                    format!("COLUMN {tname}.{}", quote_ident(cname)),
                    c.comment.as_ref(),
                );
            }

            // table-level constraints
            // The primary key and unique constraints differ only in their keyword.
            let pk = t.primary_key.iter().map(|pk| {
                let pk = &pk.0;
                KeyConstraint {
                    key: "primary_key",
                    keyword: "PRIMARY KEY",
                    object: format!("{tobj}, primary key"),
                    name: pk.name.as_deref(),
                    columns: &pk.columns.0,
                    include: &pk.include,
                    nulls_not_distinct: false,
                    deferrable: pk.deferrable,
                    initially_deferred: pk.initially_deferred,
                    renamed_from: pk.renamed_from.as_ref(),
                    comment: pk.comment.as_ref(),
                    index_comment: pk.index_comment.as_ref(),
                    attach_to: pk.attach_to.as_ref(),
                    only: pk.only,
                }
            });
            let uniques = t.unique.iter().map(|u| {
                let u = &u.0;
                KeyConstraint {
                    key: "unique",
                    keyword: "UNIQUE",
                    object: format!("{tobj}, unique ({})", u.columns.0.join(", ")),
                    name: u.name.as_deref(),
                    columns: &u.columns.0,
                    include: &u.include,
                    nulls_not_distinct: u.nulls_not_distinct,
                    deferrable: u.deferrable,
                    initially_deferred: u.initially_deferred,
                    renamed_from: u.renamed_from.as_ref(),
                    comment: u.comment.as_ref(),
                    index_comment: u.index_comment.as_ref(),
                    attach_to: u.attach_to.as_ref(),
                    only: u.only,
                }
            });
            for k in pk.chain(uniques) {
                need_cols(k.key, k.columns)?;
                if !k.include.is_empty() {
                    need_cols(&format!("{} include", k.key), k.include)?;
                }
                let o = out.origin(file, &k.object);
                let mut s = format!(
                    "{}    {}{}",
                    rename_line(file, &k.object, k.renamed_from, false, "    ")?,
                    constraint_prefix(k.name),
                    k.keyword
                );
                if k.nulls_not_distinct {
                    s.push_str(" NULLS NOT DISTINCT");
                }
                s.push_str(&format!(" ({})", ident_list(k.columns)));
                if !k.include.is_empty() {
                    s.push_str(&format!(" INCLUDE ({})", ident_list(k.include)));
                }
                s.push_str(deferrable_sql(k.deferrable, k.initially_deferred));
                if k.only {
                    // After the partitions exist, before their indexes are attached to it.
                    if k.name.is_none() {
                        return Err(YamlError::object(
                            file,
                            &k.object,
                            "a key with `only` needs a `name`",
                        ));
                    }
                    let def = s.trim_start().to_string();
                    only_keys.push((o, format!("ALTER TABLE ONLY {tname} ADD {def};")));
                } else {
                    lines.push((o, s));
                }
                if let Some(to) = k.attach_to {
                    attaches.push((o, attach_stmt(file, &k.object, &tname, k.name, to)?));
                }
                constraint_comment(file, &k.object, o, &tname, k.name, k.comment, &mut tails)?;
                if let Some(t) = k.index_comment.filter(|t| !t.is_empty()) {
                    let Some(n) = k.name else {
                        return Err(YamlError::object(
                            file,
                            &k.object,
                            "a key with an `index_comment` needs a `name`",
                        ));
                    };
                    let index = QualName::new(tname.schema.clone(), n.to_string());
                    tails.comment(o, format!("INDEX {index}"), Some(t));
                }
            }
            for ck in &t.checks {
                let ck = &ck.0;
                let kobj = match &ck.name {
                    Some(n) => format!("{tobj}, check {}", quote_ident(n)),
                    None => format!("{tobj}, check `{}`", ck.expr),
                };
                sqlcheck::check_expr(&ck.expr).map_err(|m| YamlError::object(file, &kobj, m))?;
                let o = out.origin(file, &kobj);
                let mut s = format!(
                    "{}CHECK ({})",
                    constraint_prefix(ck.name.as_deref()),
                    ck.expr
                );
                if ck.no_inherit {
                    s.push_str(" NO INHERIT");
                }
                let hint =
                    |indent| rename_line(file, &kobj, ck.renamed_from.as_ref(), false, indent);
                if ck.not_valid {
                    let h = hint("")?;
                    later.push((o, format!("{h}ALTER TABLE {tname} ADD {s} NOT VALID;")));
                } else {
                    let h = hint("    ")?;
                    lines.push((o, format!("{h}    {s}")));
                }
                constraint_comment(
                    file,
                    &kobj,
                    o,
                    &tname,
                    ck.name.as_deref(),
                    ck.comment.as_ref(),
                    &mut tails,
                )?;
            }
            for fk in &t.foreign_keys {
                let target = ref_name(&fk.references);
                let fobj = format!("{tobj}, foreign key ({})", fk.columns.0.join(", "));
                need_cols("foreign key", &fk.columns.0)?;
                let target_columns = if fk.references.columns.is_empty() {
                    match scope.primary_key_of(&target) {
                        Some(pk) => pk,
                        None => {
                            return Err(YamlError::object(
                                file,
                                fobj,
                                if scope.tables.contains_key(&target) {
                                    format!(
                                        "{target} has no primary key; name the referenced columns"
                                    )
                                } else {
                                    format!(
                                        "references {target}, which is not a table defined here"
                                    )
                                },
                            ))
                        }
                    }
                } else {
                    fk.references.columns.clone()
                };
                fks.push(Fk {
                    origin_object: fobj,
                    renamed_from: fk.renamed_from.as_ref(),
                    name: fk.name.as_deref(),
                    columns: fk.columns.0.clone(),
                    target,
                    target_columns,
                    on_delete: fk.on_delete.map(|a| a.0),
                    on_update: fk.on_update.map(|a| a.0),
                    deferrable: fk.deferrable,
                    initially_deferred: fk.initially_deferred,
                    not_valid: fk.not_valid,
                    match_full: fk.match_full,
                    comment: fk.comment.as_deref(),
                });
            }
            for fk in &fks {
                // The target's columns, with those it gets from its parents.
                let target_cols = scope.all_columns(&fk.target);
                let target_cols: Vec<&str> = match scope.tables.get(&fk.target) {
                    Some(_) => target_cols.iter().map(String::as_str).collect(),
                    None => {
                        return Err(YamlError::object(
                            file,
                            &fk.origin_object,
                            format!(
                                "references {}, which is not a table defined here",
                                fk.target
                            ),
                        ))
                    }
                };
                if let Some(c) = fk
                    .target_columns
                    .iter()
                    .find(|c| !target_cols.contains(&c.as_str()))
                {
                    return Err(YamlError::object(
                        file,
                        &fk.origin_object,
                        format!(
                            "references {}.{}, which is not a column of that table",
                            fk.target,
                            quote_ident(c)
                        ),
                    ));
                }
                if fk.target_columns.len() != fk.columns.len() {
                    return Err(YamlError::object(
                        file,
                        &fk.origin_object,
                        format!(
                            "{} referencing columns but {} referenced",
                            fk.columns.len(),
                            fk.target_columns.len()
                        ),
                    ));
                }
                let o = out.origin(file, &fk.origin_object);
                let body = format!(
                    "{}FOREIGN KEY ({}) {}",
                    constraint_prefix(fk.name),
                    ident_list(&fk.columns),
                    fk.references_sql()
                );
                let target_exists = created.contains(&fk.target) || fk.target == tname;
                let hint =
                    |indent| rename_line(file, &fk.origin_object, fk.renamed_from, false, indent);
                let valid = if fk.not_valid { " NOT VALID" } else { "" };
                if !scope.has_key(&fk.target, &fk.target_columns) {
                    // Onto a unique index: after the indexes.
                    let h = hint("")?;
                    fks_after_indexes
                        .push((o, format!("{h}ALTER TABLE {tname} ADD {body}{valid};")));
                } else if fk.not_valid {
                    let h = hint("")?;
                    later.push((o, format!("{h}ALTER TABLE {tname} ADD {body} NOT VALID;")));
                } else if target_exists {
                    let h = hint("    ")?;
                    lines.push((o, format!("{h}    {body}")));
                } else {
                    let h = hint("")?;
                    later.push((o, format!("{h}ALTER TABLE {tname} ADD {body};")));
                }
                let comment_text = fk.comment.map(str::to_string);
                constraint_comment(
                    file,
                    &fk.origin_object,
                    o,
                    &tname,
                    fk.name,
                    comment_text.as_ref(),
                    &mut tails,
                )?;
            }

            // indexes
            for ix in &t.indexes {
                let (o, sql, cm) =
                    index_stmt(file, &scope, &tname, &tobj, Some(&all_cols), ix, &mut out)?;
                match &ix.attach_to {
                    // Made before the parent's index, which adopts it (an index made
                    // later would be one more); then attached by name.
                    Some(to) => {
                        let obj = match &ix.name {
                            Some(n) => format!("index {}", QualName::new(tname.schema.clone(), n)),
                            None => format!("{tobj}, index"),
                        };
                        if let Some(n) = &ix.name {
                            if implied_partition_index(n, &tname.name, ix) {
                                return Err(YamlError::object(
                                    file,
                                    &obj,
                                    "an index PostgreSQL names itself when the parent's index is made (as `<partition>_<columns>_idx`, or any name under an index on expressions) is the parent's, not the partition's own: leave it out, or give it a name of its own",
                                ));
                            }
                        }
                        let sql_attach = attach_stmt(file, &obj, &tname, ix.name.as_deref(), to)?;
                        attached_first.push((scope.partition_depth(&tname), o, sql));
                        attaches.push((o, sql_attach));
                    }
                    None => indexes.push((o, sql)),
                }
                if let Some((on, text)) = cm {
                    tails.comment(o, on, Some(text));
                }
            }

            for x in &t.exclusions {
                let o = out.origin(file, &tobj);
                lines.push((o, format!("    {}", exclusion_sql(file, &tobj, x)?)));
                constraint_comment(
                    file,
                    &tobj,
                    o,
                    &tname,
                    x.name.as_deref(),
                    x.comment.as_ref(),
                    &mut tails,
                )?;
            }
            table_optionsras(
                file,
                &tname,
                &tobj,
                t,
                t_origin,
                &mut out,
                &mut alters,
                &mut triggers,
                &mut policies,
                &mut tails,
            )?;

            rule_objects(file, &tname, &t.rules, &mut out, &mut tails, &mut rules)?;
            for s in inherited_column_alters(file, &tobj, &tname, t, &all_cols)? {
                alters.push((t_origin, s));
            }

            // the CREATE TABLE itself
            let hint = rename_line(file, &tobj, t.renamed_from.as_ref(), true, "")?;
            let (head, tail) = table_head_tail(file, &tobj, &tname, t)?;
            if lines.is_empty() && t.partition_of.is_some() {
                out.push(t_origin, &format!("{hint}{head}{tail};"));
            } else {
                out.push(t_origin, &format!("{hint}{head} ("));
                let n = lines.len();
                for (i, (o, l)) in lines.into_iter().enumerate() {
                    let sep = if i + 1 < n { "," } else { "" };
                    out.push(o, &format!("{l}{sep}"));
                }
                out.push(t_origin, &format!("){tail};"));
            }
            tails.comment(t_origin, format!("TABLE {tname}"), t.comment.as_ref());
            let target = format!("TABLE {tname}");
            tails.owner(file, &tobj, t_origin, &target, t.owner.as_ref())?;
            let mut over_this: Vec<_> = row_domains
                .iter()
                .filter(|(_, (rt, _, _))| *rt == tname)
                .collect();
            over_this.sort_by_key(|(n, _)| (*n).clone());
            for (name, (_, dfile, x)) in over_this {
                let ob = Object::of(dfile, "domain", "DOMAIN", name).keys(*x, TYPE_PRIVS);
                let mut checks: Stmts = Vec::new();
                tails.object(&mut out, ob, Dest::Now, |_, o| {
                    Ok(vec![domain_stmts(dfile, name, x, &scope, o, &mut checks)?])
                })?;
                for (o, s) in checks {
                    out.push(o, &s);
                }
            }
            created.insert(tname);
        }
    }

    for (o, s) in later.into_iter().chain(owned_by).chain(std_functions) {
        out.push(o, &s);
    }

    // ---- operators, operator families and classes (operators.rs): after the functions
    // and types they use, before the indexes using the classes
    operator_objects(docs, &mut out, &mut tails)?;

    attached_first.sort_by_key(|(depth, _, _)| std::cmp::Reverse(*depth));
    let attached_first = attached_first.into_iter().map(|(_, o, s)| (o, s));
    for (o, s) in only_keys
        .into_iter()
        .chain(attached_first)
        .chain(indexes)
        .chain(attaches)
        .chain(fks_after_indexes)
    {
        out.push(o, &s);
    }

    // ---- aggregates and casts (aggregates.rs): after the functions they use, before
    // the views calling them
    for (file, d) in docs {
        let aggregates = d
            .aggregates
            .iter()
            .map(|a| crate::aggregates::aggregate_stmts(file, a));
        let casts = d
            .casts
            .iter()
            .map(|c| crate::aggregates::cast_stmts(file, c));
        for r in aggregates.chain(casts) {
            // Their statements carry their comments: no target for common keys.
            let (obj, stmts) = r?;
            let ob = Object::new(file, obj, String::new()).one_each();
            tails.object(&mut out, ob, Dest::Now, |_, _| Ok(stmts))?;
        }
    }

    // ---- views and materialized views, in the order written
    for (file, d) in docs {
        for (key, v) in &d.views.0 {
            let name = object_name(key, v.schema.as_deref());
            let kw = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            let obj = format!("view {name}");
            let target = format!("TABLE {name}");
            let ob = Object::new(file, obj.clone(), format!("{kw} {name}"))
                .keys(v, TABLE_PRIVS)
                .grant_on(target.clone());
            let o = tails.object(&mut out, ob, Dest::Now, |_, _| {
                Ok(vec![view_stmt(file, &name, v)?])
            })?;
            for (c, text) in &v.column_comments.0 {
                tails.comment(o, format!("COLUMN {name}.{}", quote_ident(c)), Some(text));
            }
            for ix in &v.indexes {
                if ix.attach_to.is_some() || ix.only {
                    return Err(YamlError::object(
                        file,
                        &obj,
                        "`attach_to` and `only` are for indexes of partitioned tables and their partitions",
                    ));
                }
                let (io, sql, cm) = index_stmt(
                    file,
                    &scope,
                    &name,
                    &obj,
                    v.columns.as_deref(),
                    ix,
                    &mut out,
                )?;
                out.push(io, &sql);
                if let Some((on, text)) = cm {
                    tails.comment(io, on, Some(text));
                }
            }
            for (tn, tr) in &v.triggers.0 {
                let o = out.origin(file, &format!("trigger {} on {name}", quote_ident(tn)));
                for s in trigger_stmts(file, &name, tn, tr)? {
                    triggers.push((o, s));
                }
                tails.comment(
                    o,
                    format!("TRIGGER {} ON {name}", quote_ident(tn)),
                    tr.comment.as_ref(),
                );
            }
            for (c, g) in &v.column_grants.0 {
                tails.grant(file, &obj, o, &target, Some(c), g, COLUMN_PRIVS)?;
            }
            rule_objects(file, &name, &v.rules, &mut out, &mut tails, &mut rules)?;
        }
    }

    // ---- extended statistics (statistics.rs), after their tables
    for (file, d) in docs {
        for (key, st) in &d.statistics.0 {
            let name = object_name(key, st.schema.as_deref());
            let ob = Object::of(file, "statistics", "STATISTICS", &name)
                .check("statistics", &name.name)
                .keys(st, &[]);
            tails.object(&mut out, ob, Dest::Later(&mut alters), |obj, _| {
                crate::statistics::stmts(file, obj, &name, st)
            })?;
        }
    }

    // ---- publications, after their tables; subscriptions (publications.rs)
    for (file, d) in docs {
        for (n, p) in &d.publications.0 {
            let ob = Object::named(file, "publication", "PUBLICATION", n)
                .keys(p, &[])
                .one_each();
            tails.object(&mut out, ob, Dest::Later(&mut alters), |obj, _| {
                Ok(vec![crate::publications::publication_stmt(
                    file, obj, n, p,
                )?])
            })?;
        }
        for (n, sb) in &d.subscriptions.0 {
            let ob = Object::named(file, "subscription", "SUBSCRIPTION", n)
                .keys(sb, &[])
                .one_each();
            tails.object(&mut out, ob, Dest::Later(&mut alters), |obj, _| {
                Ok(vec![crate::publications::subscription_stmt(
                    file, obj, n, sb,
                )?])
            })?;
        }
    }

    // ---- event triggers: database-wide, after the functions they execute
    for (file, d) in docs {
        for (n, e) in &d.event_triggers.0 {
            let ob = Object::named(file, "event trigger", "EVENT TRIGGER", n).keys(e, &[]);
            tails.object(&mut out, ob, Dest::Later(&mut triggers), |obj, _| {
                event_trigger_stmts(file, obj, n, e)
            })?;
        }
    }

    for (o, s) in alters
        .into_iter()
        .chain(rules)
        .chain(triggers)
        .chain(policies)
        .chain(tails.owners)
        .chain(tails.grants)
        .chain(tails.comments)
    {
        out.push(o, &s);
    }
    Ok(out)
}

/// Operators, then families, then classes (those in a family of their own name first,
/// which they may make), then the families' members: `ALTER OPERATOR FAMILY … ADD`
/// after the classes, so PostgreSQL binds members to the class they serve, as the
/// plan does.
fn operator_objects(
    docs: &[(String, Document)],
    out: &mut Rendered,
    tails: &mut Tails,
) -> Result<(), YamlError> {
    use crate::operators::{class_stmt, comment_target, family_stmts, operator_stmt};
    for (file, d) in docs {
        for o in &d.operators {
            let (obj, target, sql) = operator_stmt(file, o)?;
            let ob = Object::new(file, obj, target).keys(o, &[]).one_each();
            tails.object(out, ob, Dest::Now, |_, _| Ok(vec![sql]))?;
        }
    }
    let mut members: Stmts = Vec::new();
    for (file, d) in docs {
        for f in &d.operator_families {
            let name = &f.name.0;
            let label = format!("operator family {name} using {}", f.using.trim());
            let ob = Object::new(file, label, comment_target("FAMILY", name, &f.using))
                .check("schema", &name.schema)
                .check("operator family", &name.name)
                .keys(f, &[])
                .one_each();
            tails.object(out, ob, Dest::Now, |obj, o| {
                let (create, add) = family_stmts(file, obj, f)?;
                members.extend(add.map(|a| (o, a)));
                Ok(vec![create])
            })?;
        }
    }
    let mut classes: Vec<(&String, &crate::operators::ClassDoc)> = docs
        .iter()
        .flat_map(|(f, d)| d.operator_classes.iter().map(move |c| (f, c)))
        .collect();
    classes.sort_by_key(|(_, c)| c.family.as_ref().is_some_and(|f| f.0 != c.name.0));
    for (file, c) in classes {
        let name = &c.name.0;
        let label = format!("operator class {name} using {}", c.using.trim());
        let ob = Object::new(file, label, comment_target("CLASS", name, &c.using))
            .check("schema", &name.schema)
            .check("operator class", &name.name)
            .keys(c, &[])
            .one_each();
        tails.object(out, ob, Dest::Now, |obj, _| {
            Ok(vec![class_stmt(file, obj, c)?])
        })?;
    }
    for (o, s) in members {
        out.push(o, &s);
    }
    Ok(())
}

/// The `rules:` of a table or view (rewrite_rules.rs).
fn rule_objects(
    file: &str,
    table: &QualName,
    rules: &OrderedMap<crate::rewrite_rules::RuleDoc>,
    out: &mut Rendered,
    tails: &mut Tails,
    dest: &mut Stmts,
) -> Result<(), YamlError> {
    for (n, r) in &rules.0 {
        let ob = Object::new(
            file,
            format!("rule {} on {table}", quote_ident(n)),
            format!("RULE {} ON {table}", quote_ident(n)),
        )
        .check("rule", n)
        .keys(r, &[]);
        tails.object(out, ob, Dest::Later(dest), |obj, _| {
            crate::rewrite_rules::stmts(file, obj, table, n, r)
        })?;
    }
    Ok(())
}

/// `CREATE SEQUENCE` (with its rename hint).
fn sequence_stmt(
    file: &str,
    obj: &str,
    name: &QualName,
    sq: &SequenceDoc,
) -> Result<String, YamlError> {
    let hint = rename_line(file, obj, sq.renamed_from.as_ref(), true, "")?;
    let mut sql = format!("{hint}CREATE SEQUENCE {name}");
    if let Some(ty) = &sq.ty {
        let info = sqlcheck::check_type(ty).map_err(|m| YamlError::object(file, obj, m))?;
        let ok = matches!(
            info.names.last().map(String::as_str),
            Some("int2" | "int4" | "int8")
        ) && (info.names.len() == 1 || info.names[0] == "pg_catalog");
        if !ok {
            return Err(YamlError::object(
                file,
                obj,
                format!("sequence type must be smallint, integer or bigint, not \"{ty}\""),
            ));
        }
        sql.push_str(&format!(" AS {ty}"));
    }
    if sq.increment == Some(0) {
        return Err(YamlError::object(file, obj, "increment must not be zero"));
    }
    for opt in seq_options(sq.increment, sq.min, sq.max, sq.start, sq.cache, sq.cycle) {
        sql.push(' ');
        sql.push_str(&opt);
    }
    sql.push(';');
    Ok(sql)
}

/// `ALTER SEQUENCE … OWNED BY` for a sequence's `owned_by:` key, which must name a
/// column defined here.
fn owned_by_stmt(
    file: &str,
    obj: &str,
    scope: &Scope,
    name: &QualName,
    ob: &OwnedBy,
) -> Result<String, YamlError> {
    let (table, column) = match ob {
        OwnedBy::Dotted(s) => {
            let parts: Vec<&str> = s.split('.').collect();
            match parts.as_slice() {
                [t, c] => (QualName::new(DEFAULT_SCHEMA, *t), c.to_string()),
                [s, t, c] => (QualName::new(*s, *t), c.to_string()),
                _ => {
                    return Err(YamlError::object(
                        file,
                        obj,
                        format!("owned_by `{s}`: expected `table.column` or `schema.table.column`"),
                    ))
                }
            }
        }
        OwnedBy::Full(f) => (object_name(&f.table, f.schema.as_deref()), f.column.clone()),
    };
    let has_column = scope
        .tables
        .get(&table)
        .is_some_and(|(_, t)| t.columns.0.iter().any(|(c, _)| *c == column));
    if !has_column {
        return Err(YamlError::object(
            file,
            obj,
            format!(
                "owned_by names {table}.{}, which is not a column defined here",
                quote_ident(&column)
            ),
        ));
    }
    Ok(format!(
        "ALTER SEQUENCE {name} OWNED BY {table}.{};",
        quote_ident(&column)
    ))
}

/// `ALTER <target> OWNER TO <role>` for an object's `owner:` key.
fn owner_stmt(
    file: &str,
    object: &str,
    origin: usize,
    target: &str,
    owner: Option<&String>,
    owners: &mut Stmts,
) -> Result<(), YamlError> {
    if let Some(role) = owner {
        check_name(file, object, "owner", role)?;
        owners.push((
            origin,
            format!("ALTER {target} OWNER TO {};", quote_ident(role)),
        ));
    }
    Ok(())
}

/// A table's primary key or one of its unique constraints, as rendered.
struct KeyConstraint<'a> {
    /// The YAML key (`primary_key`, `unique`), for errors.
    key: &'static str,
    keyword: &'static str,
    /// The object errors name.
    object: String,
    name: Option<&'a str>,
    columns: &'a [String],
    include: &'a [String],
    nulls_not_distinct: bool,
    deferrable: bool,
    initially_deferred: bool,
    renamed_from: Option<&'a String>,
    comment: Option<&'a String>,
    /// The comment on the key's index.
    index_comment: Option<&'a String>,
    attach_to: Option<&'a IndexRef>,
    only: bool,
}

/// Comments on constraints need the constraint's name.
fn constraint_comment(
    file: &str,
    object: &str,
    origin: usize,
    table: &QualName,
    name: Option<&str>,
    text: Option<&String>,
    tails: &mut Tails,
) -> Result<(), YamlError> {
    let Some(t) = text.filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    match name {
        Some(n) => {
            check_name(file, object, "constraint", n)?;
            tails.comment(
                origin,
                format!("CONSTRAINT {} ON {table}", quote_ident(n)),
                Some(t),
            );
            Ok(())
        }
        None => Err(YamlError::object(
            file,
            object,
            "a constraint with a comment needs a `name`",
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Issue-3 families: helpers rendering one object each.

/// A statement list with the origin of each statement.
type Stmts = Vec<(usize, String)>;

/// The statements objects' `comment:`, `owner:` and `grants:` keys give, which run after
/// every object exists: owners, then grants (as pg_dump writes them), then comments.
#[derive(Default)]
struct Tails {
    comments: Stmts,
    owners: Stmts,
    grants: Stmts,
    /// Roles default privileges may give to a new object: `grants:` revokes from them too.
    revoke_from: BTreeSet<String>,
}

/// One object of a family, as each family's loop hands it to [`Tails::object`]: the
/// object errors name, the names to check, and what its common keys say.
struct Object<'a> {
    file: &'a str,
    /// What errors call it (`server "x"`).
    label: String,
    /// `(what, name)` pairs checked with [`check_name`] first.
    names: Vec<(&'static str, &'a str)>,
    /// How `COMMENT ON` and `ALTER … OWNER TO` name it (`SERVER x`).
    target: String,
    comment: Option<&'a String>,
    owner: Option<&'a String>,
    grants: Option<&'a Grants>,
    /// The privileges of its kind.
    privs: &'static [&'static str],
    /// How `GRANT … ON` names it, when not as `target` (`FOREIGN SERVER x`).
    grant_target: Option<String>,
    /// Check that each statement is exactly one.
    one_each: bool,
}

impl<'a> Object<'a> {
    fn new(file: &'a str, label: String, target: String) -> Self {
        Object {
            file,
            label,
            names: Vec::new(),
            target,
            comment: None,
            owner: None,
            grants: None,
            privs: &[],
            grant_target: None,
            one_each: false,
        }
    }

    /// `kind name` in errors, `KEYWORD name` to its keys.
    fn of(file: &'a str, kind: &str, keyword: &str, name: impl std::fmt::Display) -> Self {
        Object::new(file, format!("{kind} {name}"), format!("{keyword} {name}"))
    }

    /// A database-wide object: one name, checked and quoted.
    fn named(file: &'a str, kind: &'static str, keyword: &str, name: &'a str) -> Self {
        Object::of(file, kind, keyword, quote_ident(name)).check(kind, name)
    }

    fn check(mut self, what: &'static str, name: &'a str) -> Self {
        self.names.push((what, name));
        self
    }

    /// The `comment:`, `owner:` and `grants:` keys of its document; `privs`: the
    /// privileges of its kind.
    fn keys(mut self, doc: &'a impl CommonKeys, privs: &'static [&'static str]) -> Self {
        (self.comment, self.owner, self.grants) = doc.keys();
        self.privs = privs;
        self
    }

    fn grant_on(mut self, target: String) -> Self {
        self.grant_target = Some(target);
        self
    }

    fn one_each(mut self) -> Self {
        self.one_each = true;
        self
    }
}

/// The keys most objects share: `comment:`, `owner:` and `grants:`.
trait CommonKeys {
    fn keys(&self) -> (Option<&String>, Option<&String>, Option<&Grants>);
}

/// `CommonKeys` for documents, naming which of the three keys each has (`-`: none).
macro_rules! common_keys {
    ($($t:ty => $c:tt $o:tt $g:tt;)*) => {$(
        impl CommonKeys for $t {
            fn keys(&self) -> (Option<&String>, Option<&String>, Option<&Grants>) {
                (common_keys!(self $c), common_keys!(self $o), common_keys!(self $g))
            }
        }
    )*};
    ($s:ident -) => { None };
    ($s:ident $k:ident) => { $s.$k.as_ref() };
}

common_keys! {
    SchemaFull => comment owner grants;
    CollationDoc => comment - -;
    EnumFull => comment owner grants;
    DomainDoc => comment owner grants;
    CompositeDoc => comment owner grants;
    RangeDoc => comment owner grants;
    SequenceDoc => comment owner grants;
    FunctionDoc => comment owner grants;
    ViewDoc => comment owner grants;
    EventTriggerDoc => comment owner -;
    crate::foreign_data::WrapperDoc => comment - grants;
    crate::foreign_data::ServerDoc => comment - grants;
    crate::foreign_data::ForeignTableDoc => comment - -;
    crate::statistics::StatisticsDoc => comment - -;
    crate::publications::PublicationDoc => comment - -;
    crate::publications::SubscriptionDoc => comment - -;
    crate::rewrite_rules::RuleDoc => comment - -;
    crate::operators::OperatorDoc => comment - -;
    crate::operators::FamilyDoc => comment - -;
    crate::operators::ClassDoc => comment - -;
    crate::text_search::ParserDoc => comment - -;
    crate::text_search::TemplateDoc => comment - -;
    crate::text_search::DictionaryDoc => comment owner -;
    crate::text_search::ConfigurationDoc => comment owner -;
}

/// Where an object's own statements go: into the DDL now, or onto a list run later.
enum Dest<'s> {
    Now,
    Later(&'s mut Stmts),
}

impl Tails {
    /// `COMMENT ON <on>` for a `comment:` key (nothing for none or an empty one).
    fn comment(&mut self, origin: usize, on: String, text: Option<&String>) {
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            self.comments
                .push((origin, format!("COMMENT ON {on} IS {};", quote_literal(t))));
        }
    }

    /// `ALTER <target> OWNER TO` for an `owner:` key.
    fn owner(
        &mut self,
        file: &str,
        object: &str,
        origin: usize,
        target: &str,
        owner: Option<&String>,
    ) -> Result<(), YamlError> {
        owner_stmt(file, object, origin, target, owner, &mut self.owners)
    }

    /// The `REVOKE`/`GRANT`s of a `grants:` key (of a column: `column`).
    #[allow(clippy::too_many_arguments)]
    fn grant(
        &mut self,
        file: &str,
        object: &str,
        origin: usize,
        target: &str,
        column: Option<&str>,
        grants: &Grants,
        privs: &[&str],
    ) -> Result<(), YamlError> {
        grant_stmts(
            file,
            object,
            origin,
            target,
            column,
            grants,
            privs,
            &self.revoke_from,
            &mut self.grants,
        )
    }

    /// One object: its names checked, an origin for it, its statements (`stmts`, given
    /// its label and origin) added to `dest`, then its comment, owner and grants.
    /// Returns the origin.
    fn object(
        &mut self,
        out: &mut Rendered,
        ob: Object,
        dest: Dest,
        stmts: impl FnOnce(&str, usize) -> Result<Vec<String>, YamlError>,
    ) -> Result<usize, YamlError> {
        let (file, label) = (ob.file, ob.label.as_str());
        for (what, name) in &ob.names {
            check_name(file, label, what, name)?;
        }
        let o = out.origin(file, label);
        let sqls = stmts(label, o)?;
        let mut dest = dest;
        for sql in sqls {
            if ob.one_each {
                one_statement(file, label, &sql)?;
            }
            match &mut dest {
                Dest::Now => out.push(o, &sql),
                Dest::Later(list) => list.push((o, sql)),
            }
        }
        self.comment(o, ob.target.clone(), ob.comment);
        self.owner(file, label, o, &ob.target, ob.owner)?;
        if let Some(g) = ob.grants {
            let target = ob.grant_target.as_ref().unwrap_or(&ob.target);
            self.grant(file, label, o, target, None, g, ob.privs)?;
        }
        Ok(o)
    }
}

/// Per role, its privileges and whether each is grantable.
type RoleGrants = Vec<(String, Vec<(String, bool)>)>;

/// An index statement: origin, SQL, and the target and text of its comment.
type IndexStmt<'a> = (usize, String, Option<(String, &'a String)>);

/// Check that a whole generated statement is exactly one statement (so no fragment in it
/// reached beyond it), naming the object on failure.
fn one_statement(file: &str, object: &str, sql: &str) -> Result<(), YamlError> {
    sqlcheck::check_statement(sql).map_err(|m| YamlError::object(file, object, m))
}

fn lower_word(s: &str) -> String {
    s.trim()
        .to_ascii_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `PUBLIC` (any case) or a quoted role name.
fn role_sql(r: &str) -> String {
    if r.eq_ignore_ascii_case("public") {
        "PUBLIC".into()
    } else {
        quote_ident(r)
    }
}

/// The privileges `role → [privilege, ...]` as `(privilege, grantable)` per role; `all`
/// stands for every privilege of the kind.
fn read_grants(
    file: &str,
    object: &str,
    grants: &Grants,
    allowed: &[&str],
) -> Result<RoleGrants, YamlError> {
    let mut out = Vec::new();
    for (role, privs) in &grants.0 {
        check_name(file, object, "role", role)?;
        let mut list = Vec::new();
        for p in privs {
            let w = lower_word(p);
            let (name, grantable) = match w.strip_suffix(" with grant option") {
                Some(n) => (n.to_string(), true),
                None => (w.clone(), false),
            };
            let name = name
                .strip_suffix(" privileges")
                .unwrap_or(&name)
                .to_string();
            if name == "all" {
                for a in allowed {
                    list.push((a.to_string(), grantable));
                }
                continue;
            }
            let up = name.to_ascii_uppercase();
            if !allowed.contains(&up.as_str()) {
                return Err(YamlError::object(
                    file,
                    object,
                    format!(
                        "grants: `{p}` is not a privilege of this object (expected one of {}, all)",
                        allowed
                            .iter()
                            .map(|a| a.to_ascii_lowercase())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            list.push((up, grantable));
        }
        out.push((role.clone(), list));
    }
    Ok(out)
}

/// `REVOKE ALL … FROM PUBLIC, <roles>` and one `GRANT` per privilege: the object then
/// holds exactly `grants` (roles other than its owner). `columns`: column privileges,
/// which start empty (no revoke).
#[allow(clippy::too_many_arguments)]
fn grant_stmts(
    file: &str,
    object: &str,
    origin: usize,
    target: &str,
    column: Option<&str>,
    grants: &Grants,
    allowed: &[&str],
    revoke_from: &BTreeSet<String>,
    out: &mut Stmts,
) -> Result<(), YamlError> {
    let list = read_grants(file, object, grants, allowed)?;
    if column.is_none() {
        let mut roles = vec!["PUBLIC".to_string()];
        roles.extend(revoke_from.iter().map(|r| role_sql(r)));
        roles.dedup();
        out.push((
            origin,
            format!("REVOKE ALL ON {target} FROM {};", roles.join(", ")),
        ));
    }
    for (role, privs) in list {
        for (p, g) in privs {
            let p = match column {
                Some(c) => format!("{p} ({})", quote_ident(c)),
                None => p,
            };
            out.push((
                origin,
                format!(
                    "GRANT {p} ON {target} TO {}{};",
                    role_sql(&role),
                    if g { " WITH GRANT OPTION" } else { "" }
                ),
            ));
        }
    }
    Ok(())
}

const TABLE_PRIVS: &[&str] = &[
    "INSERT",
    "SELECT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];
const COLUMN_PRIVS: &[&str] = &["INSERT", "SELECT", "UPDATE", "REFERENCES"];
const SEQUENCE_PRIVS: &[&str] = &["SELECT", "UPDATE", "USAGE"];
const SCHEMA_PRIVS: &[&str] = &["USAGE", "CREATE"];
const TYPE_PRIVS: &[&str] = &["USAGE"];
const FUNCTION_PRIVS: &[&str] = &["EXECUTE"];

/// `ALTER DEFAULT PRIVILEGES …` for one entry.
fn default_privileges_stmts(
    file: &str,
    dp: &DefaultPrivilegesDoc,
    out: &mut Rendered,
    stmts: &mut Stmts,
) -> Result<(), YamlError> {
    let on = lower_word(&dp.on);
    let (kw, allowed, baseline_public) = match on.as_str() {
        "tables" => ("TABLES", TABLE_PRIVS, false),
        "sequences" => ("SEQUENCES", SEQUENCE_PRIVS, false),
        "functions" | "routines" => ("FUNCTIONS", FUNCTION_PRIVS, true),
        "types" => ("TYPES", TYPE_PRIVS, true),
        "schemas" => ("SCHEMAS", SCHEMA_PRIVS, false),
        _ => {
            return Err(YamlError::object(
                file,
                "default_privileges",
                format!(
                    "unknown `on: {}`, expected tables, sequences, functions, types or schemas",
                    dp.on
                ),
            ))
        }
    };
    let mut head = "ALTER DEFAULT PRIVILEGES".to_string();
    if let Some(r) = &dp.role {
        head.push_str(&format!(" FOR ROLE {}", quote_ident(r)));
    }
    if let Some(s) = &dp.schema {
        if kw == "SCHEMAS" {
            return Err(YamlError::object(
                file,
                "default_privileges",
                "default privileges on schemas cannot be given per schema",
            ));
        }
        head.push_str(&format!(" IN SCHEMA {}", quote_ident(s)));
    }
    let obj = format!("default privileges {head} ON {kw}");
    let o = out.origin(file, &obj);
    let list = read_grants(file, &obj, &dp.grants, allowed)?;
    if baseline_public && dp.schema.is_none() {
        stmts.push((o, format!("{head} REVOKE ALL ON {kw} FROM PUBLIC;")));
    }
    for (role, privs) in list {
        for (p, g) in privs {
            stmts.push((
                o,
                format!(
                    "{head} GRANT {p} ON {kw} TO {}{};",
                    role_sql(&role),
                    if g { " WITH GRANT OPTION" } else { "" }
                ),
            ));
        }
    }
    Ok(())
}

/// The name a type's text names (`public` when unqualified), if it parses.
fn type_name(ty: &str) -> Option<QualName> {
    let names = sqlcheck::check_type(ty).ok()?.names;
    match names.as_slice() {
        [n] => Some(QualName::new(DEFAULT_SCHEMA, n.as_str())),
        [s, n] => Some(QualName::new(s.as_str(), n.as_str())),
        _ => None,
    }
}

fn check_type_known(
    file: &str,
    object: &str,
    scope: &Scope,
    ty: &str,
) -> Result<sqlcheck::TypeInfo, YamlError> {
    let info = sqlcheck::check_type(ty).map_err(|m| YamlError::object(file, object, m))?;
    if !scope.type_known(&info) {
        return Err(YamlError::object(
            file,
            object,
            format!("invalid type \"{ty}\": no such type"),
        ));
    }
    Ok(info)
}

/// `CREATE DOMAIN`, and `ALTER DOMAIN … NOT VALID` checks into `later`.
fn domain_stmts(
    file: &str,
    name: &QualName,
    d: &DomainDoc,
    scope: &Scope,
    o: usize,
    later: &mut Stmts,
) -> Result<String, YamlError> {
    let obj = format!("domain {name}");
    check_type_known(file, &obj, scope, &d.ty)?;
    let mut sql = format!("CREATE DOMAIN {name} AS {}", d.ty.trim());
    if let Some(c) = &d.collation {
        sql.push_str(&format!(" COLLATE {}", dotted_sql(c)));
    }
    if let Some(def) = &d.default {
        sqlcheck::check_expr(def).map_err(|m| YamlError::object(file, &obj, m))?;
        sql.push_str(&format!(" DEFAULT ({def})"));
    }
    if d.not_null {
        sql.push_str(" NOT NULL");
    }
    for ck in &d.checks {
        let ck = &ck.0;
        sqlcheck::check_expr(&ck.expr).map_err(|m| YamlError::object(file, &obj, m))?;
        if ck.no_inherit || ck.comment.is_some() || ck.renamed_from.is_some() {
            return Err(YamlError::object(
                file,
                &obj,
                "a domain check takes only `name`, `expr` and `not_valid`",
            ));
        }
        if let Some(n) = &ck.name {
            check_name(file, &obj, "constraint", n)?;
        }
        let c = format!(
            "{}CHECK ({})",
            constraint_prefix(ck.name.as_deref()),
            ck.expr
        );
        if ck.not_valid {
            later.push((o, format!("ALTER DOMAIN {name} ADD {c} NOT VALID;")));
        } else {
            sql.push_str(&format!(" {c}"));
        }
    }
    sql.push(';');
    one_statement(file, &obj, &sql)?;
    Ok(sql)
}

fn composite_stmt(
    file: &str,
    name: &QualName,
    c: &CompositeDoc,
    scope: &Scope,
) -> Result<String, YamlError> {
    let obj = format!("composite type {name}");
    let mut attrs = Vec::new();
    for (a, ad) in &c.attributes.0 {
        check_name(file, &obj, "attribute", a)?;
        check_type_known(file, &obj, scope, &ad.0.ty)?;
        let mut s = format!("{} {}", quote_ident(a), ad.0.ty.trim());
        if let Some(coll) = &ad.0.collation {
            s.push_str(&format!(" COLLATE {}", dotted_sql(coll)));
        }
        attrs.push(s);
    }
    Ok(format!("CREATE TYPE {name} AS ({});", attrs.join(", ")))
}

fn range_stmt(
    file: &str,
    name: &QualName,
    r: &RangeDoc,
    scope: &Scope,
) -> Result<String, YamlError> {
    let obj = format!("range type {name}");
    check_type_known(file, &obj, scope, &r.subtype)?;
    let mut opts = vec![format!("SUBTYPE = {}", r.subtype.trim())];
    if let Some(x) = &r.subtype_opclass {
        opts.push(format!("SUBTYPE_OPCLASS = {}", dotted_sql(x)));
    }
    if let Some(x) = &r.collation {
        opts.push(format!("COLLATION = {}", dotted_sql(x)));
    }
    if let Some(x) = &r.canonical {
        opts.push(format!("CANONICAL = {}", dotted_sql(x)));
    }
    if let Some(x) = &r.subtype_diff {
        opts.push(format!("SUBTYPE_DIFF = {}", dotted_sql(x)));
    }
    if let Some(x) = &r.multirange {
        check_name(file, &obj, "multirange type", x)?;
        opts.push(format!(
            "MULTIRANGE_TYPE_NAME = {}",
            QualName::new(name.schema.clone(), x.clone())
        ));
    }
    let sql = format!("CREATE TYPE {name} AS RANGE ({});", opts.join(", "));
    one_statement(file, &obj, &sql)?;
    Ok(sql)
}

/// A dollar quote for `body` that does not occur in it.
fn dollar_quote(body: &str) -> String {
    let mut tag = "$body$".to_string();
    let mut i = 0;
    // The first occurrence of the tag after the opening one must be the closing one
    // (`x$body` + `$body$` would otherwise close early).
    while format!("{body}{tag}").find(&tag) != Some(body.len()) {
        i += 1;
        tag = format!("$body{i}$");
    }
    format!("{tag}{body}{tag}")
}

fn arg_mode(file: &str, obj: &str, m: Option<&String>) -> Result<&'static str, YamlError> {
    Ok(match m.map(|s| lower_word(s)).as_deref() {
        None | Some("in") => "",
        Some("out") => "OUT ",
        Some("inout") | Some("in out") => "INOUT ",
        Some("variadic") => "VARIADIC ",
        Some(other) => {
            return Err(YamlError::object(
                file,
                obj,
                format!("unknown argument mode `{other}`, expected in, out, inout or variadic"),
            ))
        }
    })
}

/// `CREATE FUNCTION` / `CREATE PROCEDURE`, and the text naming it in `GRANT … ON
/// FUNCTION` (name and input argument types).
fn function_stmt(
    file: &str,
    f: &FunctionDoc,
    procedure: bool,
) -> Result<(QualName, String, String), YamlError> {
    let name = object_name(&f.name, f.schema.as_deref());
    let what = if procedure { "procedure" } else { "function" };
    let obj = format!("{what} {name}");
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    check_name(file, &obj, what, &name.name)?;
    let mut args = Vec::new();
    let mut identity = Vec::new();
    for a in &f.args {
        let a = &a.0;
        let mode = arg_mode(file, &obj, a.mode.as_ref())?;
        sqlcheck::check_type(&a.ty).map_err(&err)?;
        let mut s = mode.to_string();
        if let Some(n) = &a.name {
            check_name(file, &obj, "argument", n)?;
            s.push_str(&quote_ident(n));
            s.push(' ');
        }
        s.push_str(a.ty.trim());
        if let Some(d) = &a.default {
            sqlcheck::check_expr(d).map_err(&err)?;
            s.push_str(&format!(" DEFAULT {d}"));
        }
        if mode != "OUT " {
            identity.push(a.ty.trim().to_string());
        }
        args.push(s);
    }
    let mut sql = format!(
        "CREATE {} {name}(",
        if procedure { "PROCEDURE" } else { "FUNCTION" }
    );
    match (&f.returns, &f.returns_table) {
        (Some(_), Some(_)) => {
            return Err(err("give `returns` or `returns_table`, not both".into()))
        }
        (_, Some(_)) | (Some(_), _) if procedure => {
            return Err(err("a procedure returns nothing".into()))
        }
        _ => {}
    }
    if let Some(t) = &f.returns_table {
        for (c, ty) in &t.0 {
            check_name(file, &obj, "column", c)?;
            sqlcheck::check_type(ty).map_err(&err)?;
        }
    }
    sql.push_str(&args.join(", "));
    sql.push(')');
    if let Some(r) = &f.returns {
        let t = r.trim();
        let (setof, ty) = match t.get(..6) {
            Some(p) if p.eq_ignore_ascii_case("setof ") => (true, t[6..].trim()),
            _ => (false, t),
        };
        sqlcheck::check_type(ty).map_err(&err)?;
        sql.push_str(&format!(
            " RETURNS {}{ty}",
            if setof { "SETOF " } else { "" }
        ));
    } else if let Some(t) = &f.returns_table {
        let cols: Vec<String> =
            t.0.iter()
                .map(|(c, ty)| format!("{} {}", quote_ident(c), ty.trim()))
                .collect();
        sql.push_str(&format!(" RETURNS TABLE ({})", cols.join(", ")));
    }
    check_name(file, &obj, "language", &f.language)?;
    sql.push_str(&format!(" LANGUAGE {}", quote_ident(&f.language)));
    if let Some(v) = &f.volatility {
        let v = match lower_word(v).as_str() {
            "immutable" => "IMMUTABLE",
            "stable" => "STABLE",
            "volatile" => "VOLATILE",
            _ => {
                return Err(err(format!(
                    "unknown volatility `{v}`, expected immutable, stable or volatile"
                )))
            }
        };
        sql.push_str(&format!(" {v}"));
    }
    if f.strict {
        sql.push_str(" STRICT");
    }
    if f.security_definer {
        sql.push_str(" SECURITY DEFINER");
    }
    if f.leakproof {
        sql.push_str(" LEAKPROOF");
    }
    if let Some(p) = &f.parallel {
        let p = match lower_word(p).as_str() {
            "unsafe" => "UNSAFE",
            "restricted" => "RESTRICTED",
            "safe" => "SAFE",
            _ => {
                return Err(err(format!(
                    "unknown parallel `{p}`, expected unsafe, restricted or safe"
                )))
            }
        };
        sql.push_str(&format!(" PARALLEL {p}"));
    }
    if let Some(c) = &f.cost {
        sql.push_str(&format!(" COST {}", c.0));
    }
    if let Some(r) = &f.rows {
        sql.push_str(&format!(" ROWS {}", r.0));
    }
    for (k, v) in &f.config.0 {
        check_name(file, &obj, "setting", k)?;
        let list = [
            "local_preload_libraries",
            "search_path",
            "session_preload_libraries",
            "shared_preload_libraries",
            "temp_tablespaces",
            "unix_socket_directories",
        ]
        .contains(&k.as_str());
        let value = if list {
            v.split(',')
                .map(|p| {
                    let p = p.trim();
                    if p.starts_with('"') {
                        p.to_string()
                    } else {
                        quote_literal(p)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            quote_literal(v)
        };
        sql.push_str(&format!(" SET {} = {value}", quote_ident(k)));
    }
    match (&f.body, &f.sql_body, &f.obj_file, &f.link_symbol) {
        (Some(b), None, None, None) => {
            sql.push_str(" AS ");
            sql.push_str(&dollar_quote(b));
        }
        (None, Some(b), None, None) => {
            sql.push('\n');
            sql.push_str(b.trim().trim_end_matches(';').trim_end());
        }
        (None, None, Some(file), Some(symbol)) => {
            sql.push_str(&format!(
                " AS {}, {}",
                quote_literal(file),
                quote_literal(symbol)
            ));
        }
        (None, None, Some(_), None) | (None, None, None, Some(_)) => {
            return Err(err(
                "a C function needs both `obj_file` and `link_symbol`".into()
            ))
        }
        _ => {
            return Err(err(
                "give exactly one of `body`, `sql_body` or `obj_file` with `link_symbol`".into(),
            ))
        }
    }
    sql.push(';');
    one_statement(file, &obj, &sql)?;
    let target = format!(
        "{} {name}({})",
        if procedure { "PROCEDURE" } else { "FUNCTION" },
        identity.join(", ")
    );
    Ok((name, sql, target))
}

/// `CREATE [MATERIALIZED] VIEW`.
fn view_stmt(file: &str, name: &QualName, v: &ViewDoc) -> Result<String, YamlError> {
    let obj = format!("view {name}");
    let err = |m: &str| YamlError::object(file, obj.clone(), m.to_string());
    let mut sql = format!(
        "CREATE {}VIEW {name}",
        if v.materialized { "MATERIALIZED " } else { "" }
    );
    if let Some(cols) = &v.columns {
        for c in cols {
            check_name(file, &obj, "column", c)?;
        }
        sql.push_str(&format!(" ({})", ident_list(cols)));
    }
    let mut opts = Vec::new();
    if let Some(b) = v.security_barrier {
        opts.push(format!("security_barrier = {b}"));
    }
    if let Some(b) = v.security_invoker {
        opts.push(format!("security_invoker = {b}"));
    }
    if v.materialized && (!opts.is_empty() || v.check_option.is_some()) {
        return Err(err(
            "a materialized view takes no security_barrier, security_invoker or check_option",
        ));
    }
    if !v.materialized && (!v.with_data || !v.indexes.is_empty()) {
        return Err(err(
            "`with_data` and `indexes` are for materialized views (`materialized: true`)",
        ));
    }
    if !opts.is_empty() {
        sql.push_str(&format!(" WITH ({})", opts.join(", ")));
    }
    if !v.with.0.is_empty() {
        if !v.materialized {
            return Err(err(
                "`with` (storage parameters) is for materialized views; a view takes security_barrier, security_invoker, check_option",
            ));
        }
        sql.push_str(&crate::relation_options::with_sql(&v.with).map_err(|m| err(&m))?);
    }
    let q = v.query.trim().trim_end_matches(';').trim_end();
    if q.is_empty() {
        return Err(err("empty query"));
    }
    sql.push_str(&format!(" AS\n{q}"));
    if let Some(c) = &v.check_option {
        match lower_word(c).as_str() {
            "local" => sql.push_str("\nWITH LOCAL CHECK OPTION"),
            "cascaded" => sql.push_str("\nWITH CASCADED CHECK OPTION"),
            _ => return Err(err("check_option is `local` or `cascaded`")),
        }
    }
    if v.materialized && !v.with_data {
        sql.push_str("\nWITH NO DATA");
    }
    sql.push(';');
    one_statement(file, &obj, &sql)?;
    Ok(sql)
}

/// `CREATE [CONSTRAINT] TRIGGER`, and the `ALTER TABLE … ENABLE/DISABLE TRIGGER` for its
/// state.
fn trigger_stmts(
    file: &str,
    table: &QualName,
    name: &str,
    t: &TriggerDoc,
) -> Result<Vec<String>, YamlError> {
    let obj = format!("trigger {} on {table}", quote_ident(name));
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    check_name(file, &obj, "trigger", name)?;
    let timing = match lower_word(&t.timing).as_str() {
        "before" => "BEFORE",
        "after" => "AFTER",
        "instead of" => "INSTEAD OF",
        _ => {
            return Err(err(format!(
                "unknown timing `{}`, expected before, after or instead_of",
                t.timing
            )))
        }
    };
    if t.events.is_empty() {
        return Err(err("a trigger needs at least one event".into()));
    }
    let mut events = Vec::new();
    for e in &t.events {
        events.push(match lower_word(e).as_str() {
            "insert" => "INSERT".to_string(),
            "delete" => "DELETE".to_string(),
            "truncate" => "TRUNCATE".to_string(),
            "update" if t.update_of.is_empty() => "UPDATE".to_string(),
            "update" => format!("UPDATE OF {}", ident_list(&t.update_of)),
            _ => {
                return Err(err(format!(
                    "unknown event `{e}`, expected insert, update, delete or truncate"
                )))
            }
        });
    }
    if !t.update_of.is_empty() && !events.iter().any(|e| e.starts_with("UPDATE")) {
        return Err(err("`update_of` needs the `update` event".into()));
    }
    let row = match t.for_each.as_deref().map(lower_word).as_deref() {
        None | Some("statement") => false,
        Some("row") => true,
        Some(o) => return Err(err(format!("for_each is `row` or `statement`, not `{o}`"))),
    };
    let mut sql = format!(
        "CREATE {}TRIGGER {} {timing} {} ON {table}",
        if t.constraint { "CONSTRAINT " } else { "" },
        quote_ident(name),
        events.join(" OR ")
    );
    if let Some(f) = &t.from {
        sql.push_str(&format!(" FROM {}", f.0));
    }
    if (t.deferrable || t.initially_deferred || t.from.is_some()) && !t.constraint {
        return Err(err(
            "`deferrable`, `initially_deferred` and `from` are for constraint triggers".into(),
        ));
    }
    if t.constraint {
        sql.push_str(if t.initially_deferred {
            " DEFERRABLE INITIALLY DEFERRED"
        } else if t.deferrable {
            " DEFERRABLE"
        } else {
            " NOT DEFERRABLE"
        });
    }
    if let Some(r) = &t.referencing {
        let mut s = String::new();
        if let Some(o) = &r.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", quote_ident(o)));
        }
        if let Some(n) = &r.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", quote_ident(n)));
        }
        if !s.is_empty() {
            sql.push_str(" REFERENCING");
            sql.push_str(&s);
        }
    }
    sql.push_str(if row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &t.when {
        sqlcheck::check_expr(w).map_err(&err)?;
        sql.push_str(&format!(" WHEN ({w})"));
    }
    let args: Vec<String> = t.args.iter().map(|a| quote_literal(a)).collect();
    sql.push_str(&format!(
        " EXECUTE FUNCTION {}({});",
        t.function.0,
        args.join(", ")
    ));
    one_statement(file, &obj, &sql)?;
    let mut out = vec![sql];
    if let Some(s) = trigger_state(t.enabled.as_deref()).map_err(err)? {
        out.push(format!(
            "ALTER TABLE {table} {s} TRIGGER {};",
            quote_ident(name)
        ));
    }
    Ok(out)
}

/// The `ALTER … TRIGGER` words for a trigger's or event trigger's `enabled:` key (`None`:
/// enabled, as created).
pub(crate) fn trigger_state(enabled: Option<&str>) -> Result<Option<&'static str>, String> {
    Ok(match enabled.map(lower_word).as_deref() {
        None | Some("origin") | Some("enabled") => None,
        Some("disabled") => Some("DISABLE"),
        Some("replica") => Some("ENABLE REPLICA"),
        Some("always") => Some("ENABLE ALWAYS"),
        Some(o) => {
            return Err(format!(
                "enabled is origin, disabled, replica or always, not `{o}`"
            ))
        }
    })
}

/// `CREATE EVENT TRIGGER` and, when not enabled, `ALTER EVENT TRIGGER … DISABLE/ENABLE …`.
fn event_trigger_stmts(
    file: &str,
    obj: &str,
    name: &str,
    e: &EventTriggerDoc,
) -> Result<Vec<String>, YamlError> {
    let err = |m: String| YamlError::object(file, obj, m);
    let word = lower_word(&e.event).replace(' ', "_");
    let event = shale_model::EventTriggerEvent::from_sql(&word).ok_or_else(|| {
        err(format!(
            "unknown event `{}`, expected ddl_command_start, ddl_command_end, sql_drop, \
             table_rewrite or login",
            e.event
        ))
    })?;
    let mut sql = format!(
        "CREATE EVENT TRIGGER {} ON {}",
        quote_ident(name),
        event.sql()
    );
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| quote_literal(t)).collect();
        sql.push_str(&format!(" WHEN TAG IN ({})", tags.join(", ")));
    }
    sql.push_str(&format!(" EXECUTE FUNCTION {}();", e.function.0));
    one_statement(file, obj, &sql)?;
    let mut out = vec![sql];
    if let Some(s) = trigger_state(e.enabled.as_deref()).map_err(err)? {
        out.push(format!("ALTER EVENT TRIGGER {} {s};", quote_ident(name)));
    }
    Ok(out)
}

fn policy_stmt(
    file: &str,
    table: &QualName,
    name: &str,
    p: &PolicyDoc,
) -> Result<String, YamlError> {
    let obj = format!("policy {} on {table}", quote_ident(name));
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    check_name(file, &obj, "policy", name)?;
    let mut sql = format!("CREATE POLICY {} ON {table}", quote_ident(name));
    if p.restrictive {
        sql.push_str(" AS RESTRICTIVE");
    }
    if let Some(c) = &p.command {
        let c = match lower_word(c).as_str() {
            "all" => "ALL",
            "select" => "SELECT",
            "insert" => "INSERT",
            "update" => "UPDATE",
            "delete" => "DELETE",
            _ => {
                return Err(err(format!(
                    "unknown command `{c}`, expected all, select, insert, update or delete"
                )))
            }
        };
        sql.push_str(&format!(" FOR {c}"));
    }
    if !p.roles.is_empty() {
        let roles: Vec<String> = p.roles.iter().map(|r| role_sql(r)).collect();
        sql.push_str(&format!(" TO {}", roles.join(", ")));
    }
    if let Some(u) = &p.using {
        sqlcheck::check_expr(u).map_err(&err)?;
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(w) = &p.with_check {
        sqlcheck::check_expr(w).map_err(&err)?;
        sql.push_str(&format!(" WITH CHECK ({w})"));
    }
    sql.push(';');
    one_statement(file, &obj, &sql)?;
    Ok(sql)
}

/// `EXCLUDE USING … (…)` as a table element.
fn exclusion_sql(file: &str, tobj: &str, x: &ExclusionDoc) -> Result<String, YamlError> {
    let err = |m: String| YamlError::object(file, tobj, m);
    if x.elements.is_empty() {
        return Err(err("an exclusion constraint needs `elements`".into()));
    }
    let mut els = Vec::new();
    for e in &x.elements {
        let k = match (&e.column, &e.expr) {
            (Some(c), None) => quote_ident(c),
            (None, Some(x)) => {
                sqlcheck::check_expr(x).map_err(&err)?;
                format!("({x})")
            }
            _ => {
                return Err(err(
                    "an exclusion element has either `column` or `expr`".into()
                ))
            }
        };
        let op = e.with.trim();
        if op.is_empty() || !op.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c)) {
            return Err(err(format!("`with: {op}` is not an operator")));
        }
        els.push(format!("{k} WITH {op}"));
    }
    let mut s = format!("{}EXCLUDE", constraint_prefix(x.name.as_deref()));
    if let Some(m) = &x.using {
        s.push_str(&format!(" USING {}", quote_ident(m)));
    }
    s.push_str(&format!(" ({})", els.join(", ")));
    if let Some(p) = &x.predicate {
        sqlcheck::check_expr(p).map_err(&err)?;
        s.push_str(&format!(" WHERE ({p})"));
    }
    s.push_str(deferrable_sql(x.deferrable, x.initially_deferred));
    Ok(s)
}

/// `CREATE INDEX` on a table or materialized view; with the `COMMENT ON INDEX` target
/// and text when it has a comment. `cols`: the columns of the relation, when known.
fn index_stmt<'a>(
    file: &str,
    scope: &Scope,
    tname: &QualName,
    tobj: &str,
    cols: Option<&[String]>,
    ix: &'a IndexDoc,
    out: &mut Rendered,
) -> Result<IndexStmt<'a>, YamlError> {
    let need_cols = |what: &str, c: &[String]| -> Result<(), YamlError> {
        need_columns(file, tobj, cols, what, c)
    };
    let iobj = match &ix.name {
        Some(n) => format!("index {}", QualName::new(tname.schema.clone(), n.clone())),
        None => format!("{tobj}, index"),
    };
    let ierr = |m: String| YamlError::object(file, iobj.clone(), m);
    let mut statistics: Vec<(usize, i32)> = Vec::new();
    let keys: Vec<String> = match (&ix.columns, &ix.keys) {
        (Some(_), Some(_)) => return Err(ierr("give `columns` or `keys`, not both".into())),
        (None, None) => return Err(ierr("an index needs `columns` or `keys`".into())),
        (Some(cols), None) => {
            need_cols("index", cols)?;
            cols.iter().map(|c| quote_ident(c)).collect()
        }
        (None, Some(keys)) => {
            if keys.is_empty() {
                return Err(ierr("an index needs at least one key".into()));
            }
            let mut v = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                let k = &k.0;
                if let Some(t) = k.statistics {
                    if k.expr.is_none() {
                        return Err(ierr("`statistics` is for expression keys (`expr`)".into()));
                    }
                    statistics.push((i + 1, t));
                }
                let mut s = match (&k.column, &k.expr) {
                    (Some(c), None) => {
                        need_cols("index key", std::slice::from_ref(c))?;
                        quote_ident(c)
                    }
                    (None, Some(e)) => {
                        sqlcheck::check_expr(e).map_err(&ierr)?;
                        format!("({e})")
                    }
                    _ => return Err(ierr("an index key has either `column` or `expr`".into())),
                };
                if let Some(c) = &k.collation {
                    s.push_str(&format!(" COLLATE {}", dotted_sql(c)));
                }
                if let Some(oc) = &k.opclass {
                    s.push_str(&format!(" {}", dotted_sql(oc)));
                }
                if k.desc {
                    s.push_str(" DESC");
                }
                match k.nulls {
                    Some(Nulls::First) => s.push_str(" NULLS FIRST"),
                    Some(Nulls::Last) => s.push_str(" NULLS LAST"),
                    None => {}
                }
                v.push(s);
            }
            v
        }
    };
    if !ix.include.is_empty() {
        need_cols("index include", &ix.include)?;
    }
    let o = out.origin(file, &iobj);
    let mut s = rename_line(file, &iobj, ix.renamed_from.as_ref(), true, "")?;
    s.push_str("CREATE ");
    if ix.unique {
        s.push_str("UNIQUE ");
    }
    s.push_str("INDEX ");
    if let Some(n) = &ix.name {
        s.push_str(&quote_ident(n));
        s.push(' ');
    }
    s.push_str(if ix.only { "ON ONLY " } else { "ON " });
    s.push_str(&tname.to_string());
    if let Some(m) = &ix.using {
        if !scope.access_method_known(m) {
            return Err(ierr(format!("unknown index method `{m}`")));
        }
        s.push_str(&format!(" USING {}", quote_ident(m)));
    }
    s.push_str(&format!(" ({})", keys.join(", ")));
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&ix.include)));
    }
    if ix.nulls_not_distinct {
        if !ix.unique {
            return Err(ierr("`nulls_not_distinct` needs `unique: true`".into()));
        }
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&crate::relation_options::with_sql(&ix.with).map_err(&ierr)?);
    if let Some(w) = &ix.predicate {
        sqlcheck::check_expr(w).map_err(&ierr)?;
        s.push_str(&format!(" WHERE {w}"));
    }
    s.push(';');
    if !statistics.is_empty() {
        let Some(n) = &ix.name else {
            return Err(ierr("an index with `statistics` needs a `name`".into()));
        };
        let iq = QualName::new(tname.schema.clone(), n.clone());
        s.push_str(&crate::relation_options::statistics_sql(
            &iq.to_string(),
            &statistics,
        ));
    }
    let cm = match (&ix.name, ix.comment.as_ref().filter(|c| !c.is_empty())) {
        (Some(n), Some(c)) => Some((
            format!("INDEX {}", QualName::new(tname.schema.clone(), n.clone())),
            c,
        )),
        (None, Some(_)) => return Err(ierr("an index with a comment needs a `name`".into())),
        _ => None,
    };
    Ok((o, s, cm))
}

/// Whether the SQL front end takes the partition `table`'s index `name`, attached to a
/// parent's index like `ix`, for the one PostgreSQL makes itself (named
/// `<table>_<columns>_idx`, maybe numbered; any name when a key is an expression):
/// then it is implied by the parent's index, not an object of its own.
fn implied_partition_index(name: &str, table: &str, ix: &IndexDoc) -> bool {
    let mut cols: Vec<String> = match (&ix.columns, &ix.keys) {
        (Some(c), _) => c.clone(),
        (None, Some(keys)) => {
            let mut v = Vec::new();
            for k in keys {
                match &k.0.column {
                    Some(c) if k.0.expr.is_none() => v.push(c.clone()),
                    _ => return true,
                }
            }
            v
        }
        (None, None) => return false,
    };
    cols.extend(ix.include.iter().cloned());
    let add = crate::names::name_addition(&cols);
    std::iter::once("idx".to_string())
        .chain((1..1000).map(|n| format!("idx{n}")))
        .any(|l| crate::names::make_object_name(table, Some(&add), &l).as_deref() == Some(name))
}

/// `ALTER INDEX parent ATTACH PARTITION child` for the `attach_to:` of the index or key
/// `name` of the partition `table` (a plain parent name is in the table's schema).
fn attach_stmt(
    file: &str,
    obj: &str,
    table: &QualName,
    name: Option<&str>,
    to: &IndexRef,
) -> Result<String, YamlError> {
    let Some(name) = name else {
        return Err(YamlError::object(
            file,
            obj,
            "an index or key with `attach_to` needs a `name`",
        ));
    };
    let schema = to.schema.as_deref().unwrap_or(&table.schema);
    check_name(file, obj, "attach_to schema", schema)?;
    check_name(file, obj, "attach_to", &to.name)?;
    let parent = QualName::new(schema, to.name.clone());
    let child = QualName::new(table.schema.clone(), name);
    Ok(format!("ALTER INDEX {parent} ATTACH PARTITION {child};"))
}

fn need_columns(
    file: &str,
    tobj: &str,
    cols: Option<&[String]>,
    what: &str,
    c: &[String],
) -> Result<(), YamlError> {
    if c.is_empty() {
        return Err(YamlError::object(
            file,
            tobj,
            format!("{what}: no columns given"),
        ));
    }
    if let Some(cols) = cols {
        for x in c {
            if !cols.contains(x) {
                return Err(YamlError::object(
                    file,
                    tobj,
                    format!("{what}: no column `{x}` in this table"),
                ));
            }
        }
    }
    Ok(())
}

/// `CREATE [UNLOGGED] TABLE name [PARTITION OF parent]` and what follows the column list
/// (`INHERITS`, the partition bound, `PARTITION BY`, `WITH`).
fn table_head_tail(
    file: &str,
    tobj: &str,
    tname: &QualName,
    t: &TableDoc,
) -> Result<(String, String), YamlError> {
    let err = |m: String| YamlError::object(file, tobj, m);
    let mut head = format!(
        "CREATE {}TABLE {tname}",
        if t.unlogged { "UNLOGGED " } else { "" }
    );
    let mut tail = String::new();
    if let Some(po) = &t.partition_of {
        if !t.columns.0.is_empty() {
            return Err(err(
                "a partition gets its columns from its parent: give no `columns`".into(),
            ));
        }
        if !t.inherits.is_empty() {
            return Err(err("a partition cannot also inherit".into()));
        }
        head.push_str(&format!(" PARTITION OF {}", po.parent.0));
        let b = po.bound.trim();
        let bound = if b.eq_ignore_ascii_case("default") {
            " DEFAULT".to_string()
        } else {
            let b = match b.get(..11) {
                Some(p) if p.eq_ignore_ascii_case("for values ") => b[11..].trim(),
                _ => b,
            };
            format!(" FOR VALUES {b}")
        };
        sqlcheck::check_statement(&format!("CREATE TABLE t PARTITION OF p{bound}"))
            .map_err(|_| err(format!("invalid partition bound `{}`", po.bound)))?;
        tail.push_str(&bound);
    }
    if !t.inherits.is_empty() {
        let parents: Vec<String> = t.inherits.iter().map(|p| p.0.to_string()).collect();
        tail.push_str(&format!(" INHERITS ({})", parents.join(", ")));
    }
    if let Some(pb) = &t.partition_by {
        let pb = pb.trim();
        sqlcheck::check_statement(&format!("CREATE TABLE t (c int) PARTITION BY {pb}")).map_err(
            |_| {
                err(format!(
                    "invalid partition_by `{pb}`: expected e.g. `range (created_at)`"
                ))
            },
        )?;
        tail.push_str(&format!(" PARTITION BY {pb}"));
    }
    if !t.with.0.is_empty() {
        let mut opts = Vec::new();
        for (k, v) in &t.with.0 {
            if k.is_empty()
                || !k
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(err(format!("`with`: invalid storage parameter name `{k}`")));
            }
            let raw = v.0.parse::<f64>().is_ok()
                || matches!(
                    v.0.to_ascii_lowercase().as_str(),
                    "true" | "false" | "on" | "off"
                );
            let val = if raw {
                v.0.clone()
            } else {
                quote_literal(&v.0)
            };
            opts.push(format!("{k} = {val}"));
        }
        tail.push_str(&format!(" WITH ({})", opts.join(", ")));
    }
    Ok((head, tail))
}

/// `ALTER TABLE … ALTER COLUMN` for a column's `statistics`, `storage` and `compression`.
fn column_option_alters(
    tname: &QualName,
    cname: &str,
    (statistics, storage, compression): (Option<i32>, Option<&String>, Option<&String>),
) -> Result<Vec<String>, String> {
    let col = format!("ALTER TABLE {tname} ALTER COLUMN {}", quote_ident(cname));
    let mut out = Vec::new();
    if let Some(n) = statistics {
        out.push(format!("{col} SET STATISTICS {n};"));
    }
    if let Some(st) = storage {
        let st = lower_word(st);
        if !matches!(st.as_str(), "plain" | "external" | "extended" | "main") {
            return Err(format!(
                "column {cname}: storage is plain, external, extended or main, not `{st}`"
            ));
        }
        out.push(format!("{col} SET STORAGE {};", st.to_ascii_uppercase()));
    }
    if let Some(cm) = compression {
        let cm = lower_word(cm);
        if !matches!(cm.as_str(), "pglz" | "lz4" | "default") {
            return Err(format!(
                "column {cname}: compression is pglz, lz4 or default, not `{cm}`"
            ));
        }
        out.push(format!("{col} SET COMPRESSION {cm};"));
    }
    Ok(out)
}

/// A child's (a partition's) `inherited_columns:`: what it sets of its own on columns it
/// gets from its parents, as `ALTER TABLE` on it (as SQL files may write it).
fn inherited_column_alters(
    file: &str,
    tobj: &str,
    tname: &QualName,
    t: &TableDoc,
    all_cols: &[String],
) -> Result<Vec<String>, YamlError> {
    let err = |m: String| YamlError::object(file, tobj, m);
    let mut out = Vec::new();
    for (cname, c) in &t.inherited_columns.0 {
        let own = t.columns.0.iter().any(|(n, _)| n == cname);
        if own || !all_cols.contains(cname) {
            return Err(err(format!(
                "inherited_columns: `{cname}` is not a column the table gets from a parent"
            )));
        }
        let col = format!("ALTER TABLE {tname} ALTER COLUMN {}", quote_ident(cname));
        if c.not_null {
            out.push(format!("{col} SET NOT NULL;"));
        }
        if let Some(def) = &c.default {
            sqlcheck::check_expr(def).map_err(|m| err(format!("column {cname}: {m}")))?;
            out.push(format!("{col} SET DEFAULT {def};"));
        }
    }
    Ok(out)
}

/// Everything of a table that `ALTER TABLE`, `CREATE TRIGGER`, `CREATE POLICY` and
/// `GRANT` add after it exists.
#[allow(clippy::too_many_arguments)]
fn table_optionsras(
    file: &str,
    tname: &QualName,
    tobj: &str,
    t: &TableDoc,
    o: usize,
    out: &mut Rendered,
    alters: &mut Stmts,
    triggers: &mut Stmts,
    policies: &mut Stmts,
    tails: &mut Tails,
) -> Result<(), YamlError> {
    let err = |m: String| YamlError::object(file, tobj, m);
    // After the table's own grants: `REVOKE ALL` on a table revokes column privileges too.
    let mut column_grants: Stmts = Vec::new();
    for (cname, c) in &t.columns.0 {
        let c = &c.0;
        let opts = (c.statistics, c.storage.as_ref(), c.compression.as_ref());
        for s in column_option_alters(tname, cname, opts).map_err(err)? {
            alters.push((o, s));
        }
        if let Some(g) = &c.grants {
            grant_stmts(
                file,
                tobj,
                o,
                &format!("TABLE {tname}"),
                Some(cname),
                g,
                COLUMN_PRIVS,
                &tails.revoke_from,
                &mut column_grants,
            )?;
        }
    }
    if let Some(ri) = &t.replica_identity {
        let w = lower_word(ri);
        let sql = match w.as_str() {
            "default" => "DEFAULT".to_string(),
            "full" => "FULL".to_string(),
            "nothing" => "NOTHING".to_string(),
            _ => match ri.trim().strip_prefix("index ") {
                Some(ix) => format!("USING INDEX {}", quote_ident(ix.trim())),
                None => {
                    return Err(err(format!(
                        "replica_identity is default, full, nothing or `index <name>`, not `{ri}`"
                    )))
                }
            },
        };
        alters.push((o, format!("ALTER TABLE {tname} REPLICA IDENTITY {sql};")));
    }
    if let Some(ix) = &t.cluster_on {
        check_name(file, tobj, "index", ix)?;
        alters.push((
            o,
            format!("ALTER TABLE {tname} CLUSTER ON {};", quote_ident(ix)),
        ));
    }
    if t.row_level_security {
        alters.push((o, format!("ALTER TABLE {tname} ENABLE ROW LEVEL SECURITY;")));
    }
    if t.force_row_level_security {
        alters.push((o, format!("ALTER TABLE {tname} FORCE ROW LEVEL SECURITY;")));
    }
    for (n, p) in &t.policies.0 {
        // Errors the SQL front end finds in it name the policy.
        let o = out.origin(file, &format!("policy {} on {tname}", quote_ident(n)));
        policies.push((o, policy_stmt(file, tname, n, p)?));
        tails.comment(
            o,
            format!("POLICY {} ON {tname}", quote_ident(n)),
            p.comment.as_ref(),
        );
    }
    for (n, tr) in &t.triggers.0 {
        let o = out.origin(file, &format!("trigger {} on {tname}", quote_ident(n)));
        for s in trigger_stmts(file, tname, n, tr)? {
            triggers.push((o, s));
        }
        tails.comment(
            o,
            format!("TRIGGER {} ON {tname}", quote_ident(n)),
            tr.comment.as_ref(),
        );
    }
    if let Some(g) = &t.grants {
        tails.grant(
            file,
            tobj,
            o,
            &format!("TABLE {tname}"),
            None,
            g,
            TABLE_PRIVS,
        )?;
    }
    tails.grants.append(&mut column_grants);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dollar_quote;

    #[test]
    fn dollar_quotes_never_close_early() {
        assert_eq!(dollar_quote("SELECT 1"), "$body$SELECT 1$body$");
        assert_eq!(dollar_quote("a $body$ b"), "$body1$a $body$ b$body1$");
        assert_eq!(dollar_quote("x$body"), "$body1$x$body$body1$");
        for b in ["x$body", "$body$", "a$body1$b$body$", "$", "$$"] {
            let q = dollar_quote(b);
            let tag_end = q[1..].find('$').unwrap() + 2;
            let tag = &q[..tag_end];
            let rest = &q[tag_end..];
            assert_eq!(rest.find(tag), Some(b.len()), "{q}");
        }
    }
}
