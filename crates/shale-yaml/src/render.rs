//! YAML documents → PostgreSQL DDL, with a map from each generated line back to the YAML
//! object it came from.
//!
//! Statement order: schemas, extensions, enum types, sequences, tables (with their primary
//! keys, unique and check constraints, and the foreign keys whose target already exists),
//! the remaining foreign keys and `NOT VALID` constraints as `ALTER TABLE`, sequence
//! ownership, indexes, comments. Implicit names are PostgreSQL's for DDL run in that order.

use crate::doc::*;
use crate::sqlcheck::{self, BUILTIN_TYPES};
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
        let src = shale_sql::SourceFile {
            path: self.sql_path.clone(),
            text: self.sql.clone(),
        };
        shale_sql::parse_sources_with_directives(&[src]).map_err(|e| {
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
        })
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
    fn type_known(&self, names: &[String]) -> bool {
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
        match names {
            [n] => {
                BUILTIN_TYPES.contains(&n.as_str())
                    || self
                        .enums
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

    // ---- schemas and extensions
    for s in &schemas {
        let o = out.origin(&docs[0].0, &format!("schema {}", quote_ident(s)));
        let file = docs
            .iter()
            .find(|(_, d)| d.schemas.iter().any(|x| x == s))
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
            comment(o, format!("TYPE {name}"), en.0.comment.as_ref());
        }
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
        }
    }

    // ---- tables
    let mut created: BTreeSet<QualName> = BTreeSet::new();
    let mut later: Vec<(usize, String)> = Vec::new();
    let mut indexes: Vec<(usize, String)> = Vec::new();
    for (file, d) in docs {
        for (key, t) in &d.tables.0 {
            let tname = object_name(key, t.schema.as_deref());
            let tobj = format!("table {tname}");
            let terr = |m: String| YamlError::object(file, tobj.clone(), m);
            let colnames: Vec<&str> = t.columns.0.iter().map(|(n, _)| n.as_str()).collect();
            let need_cols = |what: &str, cols: &[String]| -> Result<(), YamlError> {
                if cols.is_empty() {
                    return Err(YamlError::object(
                        file,
                        tobj.clone(),
                        format!("{what}: no columns given"),
                    ));
                }
                for c in cols {
                    if !colnames.contains(&c.as_str()) {
                        return Err(YamlError::object(
                            file,
                            tobj.clone(),
                            format!("{what}: no column `{c}` in this table"),
                        ));
                    }
                }
                Ok(())
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
                if !scope.type_known(&info.names) {
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
            if let Some(pk) = &t.primary_key {
                let pk = &pk.0;
                need_cols("primary_key", &pk.columns.0)?;
                if !pk.include.is_empty() {
                    need_cols("primary_key include", &pk.include)?;
                }
                let pobj = format!("{tobj}, primary key");
                let o = out.origin(file, &pobj);
                let mut s = format!(
                    "{}    {}PRIMARY KEY ({})",
                    rename_line(file, &pobj, pk.renamed_from.as_ref(), false, "    ")?,
                    constraint_prefix(pk.name.as_deref()),
                    ident_list(&pk.columns.0)
                );
                if !pk.include.is_empty() {
                    s.push_str(&format!(" INCLUDE ({})", ident_list(&pk.include)));
                }
                s.push_str(deferrable_sql(pk.deferrable, pk.initially_deferred));
                lines.push((o, s));
                constraint_comment(
                    file,
                    &pobj,
                    o,
                    &tname,
                    pk.name.as_deref(),
                    pk.comment.as_ref(),
                    &mut comment,
                )?;
            }
            for u in &t.unique {
                let u = &u.0;
                let uobj = format!("{tobj}, unique ({})", u.columns.0.join(", "));
                need_cols("unique", &u.columns.0)?;
                if !u.include.is_empty() {
                    need_cols("unique include", &u.include)?;
                }
                let o = out.origin(file, &uobj);
                let mut s = format!(
                    "{}    {}UNIQUE",
                    rename_line(file, &uobj, u.renamed_from.as_ref(), false, "    ")?,
                    constraint_prefix(u.name.as_deref())
                );
                if u.nulls_not_distinct {
                    s.push_str(" NULLS NOT DISTINCT");
                }
                s.push_str(&format!(" ({})", ident_list(&u.columns.0)));
                if !u.include.is_empty() {
                    s.push_str(&format!(" INCLUDE ({})", ident_list(&u.include)));
                }
                s.push_str(deferrable_sql(u.deferrable, u.initially_deferred));
                lines.push((o, s));
                constraint_comment(
                    file,
                    &uobj,
                    o,
                    &tname,
                    u.name.as_deref(),
                    u.comment.as_ref(),
                    &mut comment,
                )?;
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
                let iobj = match &ix.name {
                    Some(n) => format!("index {}", QualName::new(tname.schema.clone(), n.clone())),
                    None => format!("{tobj}, index"),
                };
                let ierr = |m: String| YamlError::object(file, iobj.clone(), m);
                let keys: Vec<String> = match (&ix.columns, &ix.keys) {
                    (Some(_), Some(_)) => {
                        return Err(ierr("give `columns` or `keys`, not both".into()))
                    }
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
                        for k in keys {
                            let k = &k.0;
                            let mut s = match (&k.column, &k.expr) {
                                (Some(c), None) => {
                                    need_cols("index key", std::slice::from_ref(c))?;
                                    quote_ident(c)
                                }
                                (None, Some(e)) => {
                                    sqlcheck::check_expr(e).map_err(ierr)?;
                                    format!("({e})")
                                }
                                _ => {
                                    return Err(ierr(
                                        "an index key has either `column` or `expr`".into(),
                                    ))
                                }
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
                if let Some(w) = &ix.predicate {
                    sqlcheck::check_expr(w).map_err(ierr)?;
                    s.push_str(&format!(" WHERE {w}"));
                }
                s.push(';');
                indexes.push((o, s));
                match (&ix.name, ix.comment.as_ref().filter(|c| !c.is_empty())) {
                    (Some(n), Some(_)) => comment(
                        o,
                        format!("INDEX {}", QualName::new(tname.schema.clone(), n.clone())),
                        ix.comment.as_ref(),
                    ),
                    (None, Some(_)) => {
                        return Err(ierr("an index with a comment needs a `name`".into()))
                    }
                    _ => {}
                }
            }

            // the CREATE TABLE itself
            let hint = rename_line(file, &tobj, t.renamed_from.as_ref(), true, "")?;
            out.push(t_origin, &format!("{hint}CREATE TABLE {tname} ("));
            let n = lines.len();
            for (i, (o, l)) in lines.into_iter().enumerate() {
                let sep = if i + 1 < n { "," } else { "" };
                out.push(o, &format!("{l}{sep}"));
            }
            out.push(t_origin, ");");
            comment(t_origin, format!("TABLE {tname}"), t.comment.as_ref());
            created.insert(tname);
        }
    }

    for (o, s) in later
        .into_iter()
        .chain(owned_by)
        .chain(indexes)
        .chain(comments)
    {
        out.push(o, &s);
    }
    Ok(out)
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
