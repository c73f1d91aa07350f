//! YAML documents → PostgreSQL DDL, with a map from each generated line back to the YAML
//! object it came from.
//!
//! Statement order: `SET check_function_bodies = false` (with functions), schemas,
//! extensions, default privileges, collations, enum types, domains, composite and range
//! types, sequences, functions with string bodies, foreign-data wrappers, servers with
//! their user mappings, foreign tables, tables (parents first; with their primary
//! keys, unique, check and exclusion constraints, and the foreign keys whose target
//! already exists), the remaining foreign keys and `NOT VALID` constraints as `ALTER
//! TABLE`, sequence ownership, indexes, functions with SQL-standard bodies, views, table options (`ALTER
//! TABLE`, with extended statistics, publications and subscriptions), triggers, policies,
//! grants, comments. Implicit names are PostgreSQL's for DDL
//! run in that order.

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
            // A table's row type takes the type name too.
            claim(&mut types, file, &name, "table")?;
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

    let mut comments: Vec<(usize, String)> = Vec::new();
    let mut comment = |origin: usize, on: String, text: Option<&String>| {
        if let Some(t) = text.filter(|t| !t.is_empty()) {
            comments.push((origin, format!("COMMENT ON {on} IS {};", quote_literal(t))));
        }
    };

    // ---- default privileges (before every object they apply to)
    let mut grants: Stmts = Vec::new();
    // `ALTER … OWNER TO` for `owner:` keys, before the grants (as pg_dump writes them).
    let mut owners: Stmts = Vec::new();
    let mut dp_stmts: Stmts = Vec::new();
    // Roles default privileges may give to a new object: `grants:` revokes from them too.
    let mut revoke_from: BTreeSet<String> = BTreeSet::new();
    for (file, d) in docs {
        for dp in &d.default_privileges {
            default_privileges_stmts(file, dp, &mut out, &mut dp_stmts)?;
            revoke_from.extend(dp.grants.0.iter().map(|(r, _)| r.clone()));
        }
    }
    revoke_from.retain(|r| !r.eq_ignore_ascii_case("public"));
    for (o, s) in dp_stmts {
        out.push(o, &s);
    }
    for (file, d) in docs {
        for sc in &d.schemas {
            let sc = &sc.0;
            let obj = format!("schema {}", quote_ident(&sc.name));
            let o = out.origin(file, &obj);
            comment(
                o,
                format!("SCHEMA {}", quote_ident(&sc.name)),
                sc.comment.as_ref(),
            );
            let target = format!("SCHEMA {}", quote_ident(&sc.name));
            owner_stmt(file, &obj, o, &target, sc.owner.as_ref(), &mut owners)?;
            if let Some(g) = &sc.grants {
                let target = format!("SCHEMA {}", quote_ident(&sc.name));
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &target,
                    None,
                    g,
                    SCHEMA_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
        }
    }

    // ---- collations
    for (file, d) in docs {
        for (key, c) in &d.collations.0 {
            let name = object_name(key, c.schema.as_deref());
            let obj = format!("collation {name}");
            check_name(file, &obj, "schema", &name.schema)?;
            check_name(file, &obj, "collation", &name.name)?;
            let provider = lower_word(c.provider.as_deref().unwrap_or("libc"));
            if provider != "libc" && provider != "icu" {
                return Err(YamlError::object(
                    file,
                    obj,
                    format!("provider is libc or icu, not `{provider}`"),
                ));
            }
            let o = out.origin(file, &obj);
            let coll = shale_model::Collation {
                name: name.clone(),
                provider,
                locale: c.locale.clone(),
                lc_ctype: c.lc_ctype.clone(),
                deterministic: c.deterministic,
                comment: None,
            };
            let sql = format!("{coll};");
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            comment(o, format!("COLLATION {name}"), c.comment.as_ref());
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
            let o = out.origin(file, &obj);
            let hint = rename_line(file, &obj, en.0.renamed_from.as_ref(), true, "")?;
            let labels =
                en.0.values
                    .iter()
                    .map(|l| quote_literal(l))
                    .collect::<Vec<_>>()
                    .join(", ");
            out.push(o, &format!("{hint}CREATE TYPE {name} AS ENUM ({labels});"));
            type_keys(
                file,
                &obj,
                o,
                format!("TYPE {name}"),
                (
                    en.0.comment.as_ref(),
                    en.0.owner.as_ref(),
                    en.0.grants.as_ref(),
                ),
                &revoke_from,
                &mut comment,
                (&mut owners, &mut grants),
            )?;
        }
    }

    // ---- domains, composite types, range types
    let mut type_later: Stmts = Vec::new();
    for (file, d) in docs {
        for (key, x) in &d.domains.0 {
            let name = object_name(key, x.schema.as_deref());
            let obj = format!("domain {name}");
            let o = out.origin(file, &obj);
            let sql = domain_stmts(file, &name, x, &scope, o, &mut type_later)?;
            out.push(o, &sql);
            type_keys(
                file,
                &obj,
                o,
                format!("DOMAIN {name}"),
                (x.comment.as_ref(), x.owner.as_ref(), x.grants.as_ref()),
                &revoke_from,
                &mut comment,
                (&mut owners, &mut grants),
            )?;
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
    // Composite types, then range types: statement, comment, owner and grants alike.
    let mut typed = Vec::new();
    for (file, key, x) in composites {
        let name = object_name(key, x.schema.as_deref());
        let obj = format!("composite type {name}");
        let o = out.origin(file, &obj);
        let sql = composite_stmt(file, &name, x, &scope)?;
        let keys = (x.comment.as_ref(), x.owner.as_ref(), x.grants.as_ref());
        typed.push((file, obj, o, name, sql, keys));
    }
    for (file, d) in docs {
        for (key, x) in &d.range_types.0 {
            let name = object_name(key, x.schema.as_deref());
            let obj = format!("range type {name}");
            let o = out.origin(file, &obj);
            let sql = range_stmt(file, &name, x, &scope)?;
            let keys = (x.comment.as_ref(), x.owner.as_ref(), x.grants.as_ref());
            typed.push((file, obj, o, name, sql, keys));
        }
    }
    for (file, obj, o, name, sql, keys) in typed {
        out.push(o, &sql);
        type_keys(
            file,
            &obj,
            o,
            format!("TYPE {name}"),
            keys,
            &revoke_from,
            &mut comment,
            (&mut owners, &mut grants),
        )?;
    }

    // ---- sequences
    let mut owned_by: Vec<(usize, String)> = Vec::new();
    for (file, d) in docs {
        for (key, sq) in &d.sequences.0 {
            let name = object_name(key, sq.schema.as_deref());
            let obj = format!("sequence {name}");
            let o = out.origin(file, &obj);
            let hint = rename_line(file, &obj, sq.renamed_from.as_ref(), true, "")?;
            let mut sql = format!("{hint}CREATE SEQUENCE {name}");
            if let Some(ty) = &sq.ty {
                let info =
                    sqlcheck::check_type(ty).map_err(|m| YamlError::object(file, &obj, m))?;
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
            out.push(o, &sql);
            let target = format!("SEQUENCE {name}");
            owner_stmt(file, &obj, o, &target, sq.owner.as_ref(), &mut owners)?;
            if let Some(ob) = &sq.owned_by {
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
                    OwnedBy::Full(f) => {
                        (object_name(&f.table, f.schema.as_deref()), f.column.clone())
                    }
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
                owned_by.push((
                    o,
                    format!(
                        "ALTER SEQUENCE {name} OWNED BY {table}.{};",
                        quote_ident(&column)
                    ),
                ));
            }
            comment(o, format!("SEQUENCE {name}"), sq.comment.as_ref());
            if let Some(g) = &sq.grants {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &format!("SEQUENCE {name}"),
                    None,
                    g,
                    SEQUENCE_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
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
            let obj = format!(
                "{} {name}",
                if procedure { "procedure" } else { "function" }
            );
            let o = out.origin(file, &obj);
            // A SQL-language string body may name tables created later: shale-sql resolves
            // its references once every statement is read, as for SQL files.
            if f.sql_body.is_some() {
                std_functions.push((o, sql));
            } else {
                out.push(o, &sql);
            }
            comment(o, target.clone(), f.comment.as_ref());
            owner_stmt(file, &obj, o, &target, f.owner.as_ref(), &mut owners)?;
            if let Some(g) = &f.grants {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &target,
                    None,
                    g,
                    FUNCTION_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
        }
    }

    // ---- SQL/MED (foreign_data.rs): wrappers (after the functions they name), servers
    // and their user mappings, foreign tables (after the types their columns use)
    for (file, d) in docs {
        for (n, w) in &d.foreign_data_wrappers.0 {
            let obj = format!("foreign data wrapper {}", quote_ident(n));
            check_name(file, &obj, "foreign data wrapper", n)?;
            let o = out.origin(file, &obj);
            let sql = crate::foreign_data::wrapper_stmt(file, &obj, n, w)?;
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            let target = format!("FOREIGN DATA WRAPPER {}", quote_ident(n));
            comment(o, target.clone(), w.comment.as_ref());
            if let Some(g) = &w.grants {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &target,
                    None,
                    g,
                    TYPE_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
        }
    }
    for (file, d) in docs {
        for (n, sv) in &d.servers.0 {
            let obj = format!("server {}", quote_ident(n));
            check_name(file, &obj, "server", n)?;
            let o = out.origin(file, &obj);
            for sql in crate::foreign_data::server_stmts(file, &obj, n, sv)? {
                one_statement(file, &obj, &sql)?;
                out.push(o, &sql);
            }
            let target = format!("SERVER {}", quote_ident(n));
            comment(o, target, sv.comment.as_ref());
            if let Some(g) = &sv.grants {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &format!("FOREIGN SERVER {}", quote_ident(n)),
                    None,
                    g,
                    TYPE_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.foreign_tables.0 {
            let name = object_name(key, t.schema.as_deref());
            let obj = format!("foreign table {name}");
            let o = out.origin(file, &obj);
            let sql = crate::foreign_data::foreign_table_stmt(file, &obj, &name, t)?;
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            comment(o, format!("FOREIGN TABLE {name}"), t.comment.as_ref());
            for (c, cd) in &t.columns.0 {
                comment(
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
            let obj = format!("text search parser {name}");
            check_name(file, &obj, "text search parser", &name.name)?;
            let o = out.origin(file, &obj);
            let sql = crate::text_search::parser_stmt(file, &obj, &name, p)?;
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            comment(o, format!("TEXT SEARCH PARSER {name}"), p.comment.as_ref());
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.text_search_templates.0 {
            let name = object_name(key, t.schema.as_deref());
            let obj = format!("text search template {name}");
            check_name(file, &obj, "text search template", &name.name)?;
            let o = out.origin(file, &obj);
            let sql = crate::text_search::template_stmt(file, &obj, &name, t)?;
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            comment(
                o,
                format!("TEXT SEARCH TEMPLATE {name}"),
                t.comment.as_ref(),
            );
        }
    }
    for (file, d) in docs {
        for (key, t) in &d.text_search_dictionaries.0 {
            let name = object_name(key, t.schema.as_deref());
            let obj = format!("text search dictionary {name}");
            check_name(file, &obj, "text search dictionary", &name.name)?;
            let o = out.origin(file, &obj);
            let sql = crate::text_search::dictionary_stmt(file, &obj, &name, t)?;
            one_statement(file, &obj, &sql)?;
            out.push(o, &sql);
            comment(
                o,
                format!("TEXT SEARCH DICTIONARY {name}"),
                t.comment.as_ref(),
            );
            let target = format!("TEXT SEARCH DICTIONARY {name}");
            owner_stmt(file, &obj, o, &target, t.owner.as_ref(), &mut owners)?;
        }
    }
    for (file, d) in docs {
        for (key, c) in &d.text_search_configurations.0 {
            let name = object_name(key, c.schema.as_deref());
            let obj = format!("text search configuration {name}");
            check_name(file, &obj, "text search configuration", &name.name)?;
            let o = out.origin(file, &obj);
            for sql in crate::text_search::configuration_stmts(file, &obj, &name, c)? {
                one_statement(file, &obj, &sql)?;
                out.push(o, &sql);
            }
            comment(
                o,
                format!("TEXT SEARCH CONFIGURATION {name}"),
                c.comment.as_ref(),
            );
            let target = format!("TEXT SEARCH CONFIGURATION {name}");
            owner_stmt(file, &obj, o, &target, c.owner.as_ref(), &mut owners)?;
        }
    }

    // ---- tables
    let mut created: BTreeSet<QualName> = BTreeSet::new();
    let mut later: Vec<(usize, String)> = Vec::new();
    let mut indexes: Vec<(usize, String)> = Vec::new();
    let mut alters: Stmts = Vec::new();
    let mut triggers: Stmts = Vec::new();
    let mut policies: Stmts = Vec::new();
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
            let parents: Vec<QualName> = t
                .partition_of
                .iter()
                .map(|p| p.parent.0.clone())
                .chain(t.inherits.iter().map(|p| p.0.clone()))
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
                comment(
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
                lines.push((o, s));
                constraint_comment(file, &k.object, o, &tname, k.name, k.comment, &mut comment)?;
                if let Some(t) = k.index_comment.filter(|t| !t.is_empty()) {
                    let Some(n) = k.name else {
                        return Err(YamlError::object(
                            file,
                            &k.object,
                            "a key with an `index_comment` needs a `name`",
                        ));
                    };
                    let index = QualName::new(tname.schema.clone(), n.to_string());
                    comment(o, format!("INDEX {index}"), Some(t));
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
                    &mut comment,
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
                let target_cols: Vec<&str> = match scope.tables.get(&fk.target) {
                    Some((_, td)) => td.columns.0.iter().map(|(n, _)| n.as_str()).collect(),
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
                if fk.not_valid {
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
                    &mut comment,
                )?;
            }

            // indexes
            for ix in &t.indexes {
                let (o, sql, cm) =
                    index_stmt(file, &scope, &tname, &tobj, Some(&all_cols), ix, &mut out)?;
                indexes.push((o, sql));
                if let Some((on, text)) = cm {
                    comment(o, on, Some(text));
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
                    &mut comment,
                )?;
            }
            table_optionsras(
                file,
                &tname,
                &tobj,
                t,
                t_origin,
                &mut out,
                &revoke_from,
                &mut alters,
                &mut triggers,
                &mut policies,
                &mut grants,
                &mut comment,
            )?;

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
            comment(t_origin, format!("TABLE {tname}"), t.comment.as_ref());
            let target = format!("TABLE {tname}");
            owner_stmt(
                file,
                &tobj,
                t_origin,
                &target,
                t.owner.as_ref(),
                &mut owners,
            )?;
            created.insert(tname);
        }
    }

    for (o, s) in later.into_iter().chain(owned_by).chain(indexes) {
        out.push(o, &s);
    }
    for (o, s) in std_functions {
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
            let (obj, stmts) = r?;
            let o = out.origin(file, &obj);
            for s in stmts {
                one_statement(file, &obj, &s)?;
                out.push(o, &s);
            }
        }
    }

    // ---- views and materialized views, in the order written
    for (file, d) in docs {
        for (key, v) in &d.views.0 {
            let name = object_name(key, v.schema.as_deref());
            let obj = format!("view {name}");
            let o = out.origin(file, &obj);
            out.push(o, &view_stmt(file, &name, v)?);
            let kw = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            comment(o, format!("{kw} {name}"), v.comment.as_ref());
            let target = format!("{kw} {name}");
            owner_stmt(file, &obj, o, &target, v.owner.as_ref(), &mut owners)?;
            for (c, text) in &v.column_comments.0 {
                comment(o, format!("COLUMN {name}.{}", quote_ident(c)), Some(text));
            }
            for ix in &v.indexes {
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
                    comment(io, on, Some(text));
                }
            }
            for (tn, tr) in &v.triggers.0 {
                let o = out.origin(file, &format!("trigger {} on {name}", quote_ident(tn)));
                for s in trigger_stmts(file, &name, tn, tr)? {
                    triggers.push((o, s));
                }
                comment(
                    o,
                    format!("TRIGGER {} ON {name}", quote_ident(tn)),
                    tr.comment.as_ref(),
                );
            }
            let target = format!("TABLE {name}");
            if let Some(g) = &v.grants {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &target,
                    None,
                    g,
                    TABLE_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
            for (c, g) in &v.column_grants.0 {
                grant_stmts(
                    file,
                    &obj,
                    o,
                    &target,
                    Some(c),
                    g,
                    COLUMN_PRIVS,
                    &revoke_from,
                    &mut grants,
                )?;
            }
        }
    }

    // ---- extended statistics (statistics.rs), after their tables
    for (file, d) in docs {
        for (key, st) in &d.statistics.0 {
            let name = object_name(key, st.schema.as_deref());
            let obj = format!("statistics {name}");
            check_name(file, &obj, "statistics", &name.name)?;
            let o = out.origin(file, &obj);
            for s in crate::statistics::stmts(file, &obj, &name, st)? {
                alters.push((o, s));
            }
            comment(o, format!("STATISTICS {name}"), st.comment.as_ref());
        }
    }

    // ---- publications, after their tables; subscriptions (publications.rs)
    for (file, d) in docs {
        for (n, p) in &d.publications.0 {
            let obj = format!("publication {}", quote_ident(n));
            check_name(file, &obj, "publication", n)?;
            let o = out.origin(file, &obj);
            let sql = crate::publications::publication_stmt(file, &obj, n, p)?;
            one_statement(file, &obj, &sql)?;
            alters.push((o, sql));
            comment(
                o,
                format!("PUBLICATION {}", quote_ident(n)),
                p.comment.as_ref(),
            );
        }
        for (n, sb) in &d.subscriptions.0 {
            let obj = format!("subscription {}", quote_ident(n));
            check_name(file, &obj, "subscription", n)?;
            let o = out.origin(file, &obj);
            let sql = crate::publications::subscription_stmt(file, &obj, n, sb)?;
            one_statement(file, &obj, &sql)?;
            alters.push((o, sql));
            comment(
                o,
                format!("SUBSCRIPTION {}", quote_ident(n)),
                sb.comment.as_ref(),
            );
        }
    }

    // ---- event triggers: database-wide, after the functions they execute
    for (file, d) in docs {
        for (n, e) in &d.event_triggers.0 {
            let obj = format!("event trigger {}", quote_ident(n));
            check_name(file, &obj, "event trigger", n)?;
            let o = out.origin(file, &obj);
            for s in event_trigger_stmts(file, &obj, n, e)? {
                triggers.push((o, s));
            }
            let target = format!("EVENT TRIGGER {}", quote_ident(n));
            owner_stmt(file, &obj, o, &target, e.owner.as_ref(), &mut owners)?;
            comment(o, target, e.comment.as_ref());
        }
    }

    for (o, s) in alters
        .into_iter()
        .chain(triggers)
        .chain(policies)
        .chain(owners)
        .chain(grants)
        .chain(comments)
    {
        out.push(o, &s);
    }
    Ok(out)
}

/// A type's `comment:`, `owner:` and `grants:` keys (`target`: `TYPE name` or
/// `DOMAIN name`) as statements.
#[allow(clippy::too_many_arguments)]
fn type_keys(
    file: &str,
    object: &str,
    origin: usize,
    target: String,
    (text, owner, privileges): (Option<&String>, Option<&String>, Option<&Grants>),
    revoke_from: &BTreeSet<String>,
    comment: &mut impl FnMut(usize, String, Option<&String>),
    (owners, grants): (&mut Stmts, &mut Stmts),
) -> Result<(), YamlError> {
    owner_stmt(file, object, origin, &target, owner, owners)?;
    if let Some(g) = privileges {
        grant_stmts(
            file,
            object,
            origin,
            &target,
            None,
            g,
            TYPE_PRIVS,
            revoke_from,
            grants,
        )?;
    }
    comment(origin, target, text);
    Ok(())
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
}

/// Comments on constraints need the constraint's name.
fn constraint_comment(
    file: &str,
    object: &str,
    origin: usize,
    table: &QualName,
    name: Option<&str>,
    text: Option<&String>,
    comment: &mut impl FnMut(usize, String, Option<&String>),
) -> Result<(), YamlError> {
    let Some(t) = text.filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    match name {
        Some(n) => {
            check_name(file, object, "constraint", n)?;
            comment(
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
fn trigger_state(enabled: Option<&str>) -> Result<Option<&'static str>, String> {
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
    s.push_str(&format!("ON {tname}"));
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
    revoke_from: &BTreeSet<String>,
    alters: &mut Stmts,
    triggers: &mut Stmts,
    policies: &mut Stmts,
    grants: &mut Stmts,
    comment: &mut impl FnMut(usize, String, Option<&String>),
) -> Result<(), YamlError> {
    let err = |m: String| YamlError::object(file, tobj, m);
    // After the table's own grants: `REVOKE ALL` on a table revokes column privileges too.
    let mut column_grants: Stmts = Vec::new();
    for (cname, c) in &t.columns.0 {
        let c = &c.0;
        let col = format!("ALTER TABLE {tname} ALTER COLUMN {}", quote_ident(cname));
        if let Some(n) = c.statistics {
            alters.push((o, format!("{col} SET STATISTICS {n};")));
        }
        if let Some(st) = &c.storage {
            let st = lower_word(st);
            if !matches!(st.as_str(), "plain" | "external" | "extended" | "main") {
                return Err(err(format!(
                    "column {cname}: storage is plain, external, extended or main, not `{st}`"
                )));
            }
            alters.push((o, format!("{col} SET STORAGE {};", st.to_ascii_uppercase())));
        }
        if let Some(cm) = &c.compression {
            let cm = lower_word(cm);
            if !matches!(cm.as_str(), "pglz" | "lz4" | "default") {
                return Err(err(format!(
                    "column {cname}: compression is pglz, lz4 or default, not `{cm}`"
                )));
            }
            alters.push((o, format!("{col} SET COMPRESSION {cm};")));
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
                revoke_from,
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
        comment(
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
        comment(
            o,
            format!("TRIGGER {} ON {tname}", quote_ident(n)),
            tr.comment.as_ref(),
        );
    }
    if let Some(g) = &t.grants {
        grant_stmts(
            file,
            tobj,
            o,
            &format!("TABLE {tname}"),
            None,
            g,
            TABLE_PRIVS,
            revoke_from,
            grants,
        )?;
    }
    grants.append(&mut column_grants);
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
