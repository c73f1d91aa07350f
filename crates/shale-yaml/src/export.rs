//! The model → YAML, leaving out whatever reading it back would fill in the same way:
//! names PostgreSQL would choose, sequence options at their defaults, `NULLS LAST` on an
//! ascending key, `btree`, `NO ACTION`, `not_null` on primary key and identity columns.

use crate::names::{make_object_name, name_addition};
use crate::sqlcheck;
use shale_model::ident::needs_quotes;
use shale_model::{
    Catalog, Column, ColumnRef, Constraint, ConstraintKind, FkAction, Index, IndexKeyExpr,
    ObjectId, QualName, Sequence, Table, TypeRef,
};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

mod aggregates;
mod families;
mod foreign_data;
mod operators;
mod publications;
mod rewrite_rules;
mod statistics;
mod text_search;

const PUBLIC: &str = "public";

// ---------------------------------------------------------------------------------------
// YAML scalars

/// A scalar that reads back as exactly `s` (a string), plain when that is safe in block
/// and flow context alike, double-quoted otherwise.
fn scalar(s: &str) -> String {
    if plain_ok(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Like [`scalar`], and a plain number stays plain (`default: 0`): the fields that take
/// an expression read it as text.
fn expr_scalar(s: &str) -> String {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let number = match digits.split_once('.') {
        Some((a, b)) => is_digits(a) && is_digits(b),
        None => is_digits(digits),
    };
    if number {
        s.to_string()
    } else {
        scalar(s)
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_') || s.ends_with(' ') {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '(' | ')'))
    {
        return false;
    }
    if s.contains("  ") {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn flow_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| scalar(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

struct Out(String);

impl Out {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
        self.0.push('\n');
    }
    fn kv(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {value}"));
    }
}

// ---------------------------------------------------------------------------------------
// Names

/// The mapping key of an object: `name` in `public`, `schema.name` elsewhere; `None` when
/// a dot in a name makes that ambiguous (then the key is the name and `schema:` is given).
fn dotted_key(q: &QualName) -> Option<String> {
    if q.schema.contains('.') || q.name.contains('.') {
        None
    } else if q.schema == PUBLIC {
        Some(q.name.clone())
    } else {
        Some(format!("{}.{}", q.schema, q.name))
    }
}

/// Writes `key:` for an object and, when needed, its `schema:` line. Returns whether the
/// entry is a mapping already opened (so a short form is no longer possible).
fn object_key(out: &mut Out, indent: usize, q: &QualName) -> bool {
    match dotted_key(q) {
        Some(k) => {
            out.line(indent, &format!("{}:", scalar(&k)));
            false
        }
        None => {
            out.line(indent, &format!("{}:", scalar(&q.name)));
            out.kv(indent + 1, "schema", &scalar(&q.schema));
            true
        }
    }
}

/// A collation or operator class as YAML reads it back (unqualified in `pg_catalog`).
fn dotted_name(q: &QualName) -> String {
    if q.schema == "pg_catalog" && !q.name.contains('.') {
        q.name.clone()
    } else {
        format!("{}.{}", q.schema, q.name)
    }
}

fn type_sql(t: &TypeRef) -> String {
    match &t.schema {
        Some(s)
            if s == PUBLIC
                && !needs_quotes(&t.name)
                // A name the type parser reads as a built-in type needs its schema.
                && shale_sql::parse_type(&t.name, &[]).is_ok_and(|r| r.schema.is_some()) =>
        {
            let mut n = t.name.clone();
            if let Some(m) = &t.typmod {
                n.push_str(m);
            }
            if t.array {
                n.push_str("[]");
            }
            n
        }
        _ => t.to_string(),
    }
}

/// Is `name` free of any other use in `schema` (so that PostgreSQL choosing it for an
/// unnamed object is certain)?
struct Taken(HashMap<(String, String), usize>);

impl Taken {
    fn of(cat: &Catalog) -> Taken {
        let mut m: HashMap<(String, String), usize> = HashMap::new();
        let mut add = |s: &str, n: &str| *m.entry((s.to_string(), n.to_string())).or_default() += 1;
        for t in cat.tables.values() {
            add(&t.name.schema, &t.name.name);
            for c in t.constraints.keys() {
                add(&t.name.schema, c);
            }
        }
        for s in cat.sequences.keys() {
            add(&s.schema, &s.name);
        }
        for i in cat.indexes.keys() {
            add(&i.schema, &i.name);
        }
        for v in cat.views.values() {
            add(&v.name.schema, &v.name.name);
            for i in v.indexes.keys() {
                add(&i.schema, &i.name);
            }
        }
        for t in cat.table_options.values() {
            for x in t.exclusions.keys() {
                add(&t.table.schema, x);
            }
        }
        Taken(m)
    }
    fn unique(&self, schema: &str, name: &str) -> bool {
        self.0
            .get(&(schema.to_string(), name.to_string()))
            .is_some_and(|n| *n == 1)
    }
}

fn implicit_constraint_name(t: &Table, c: &Constraint) -> Option<String> {
    let tn = &t.name.name;
    match &c.kind {
        ConstraintKind::PrimaryKey { .. } => make_object_name(tn, None, "pkey"),
        ConstraintKind::Unique {
            columns, include, ..
        } => {
            let mut all = columns.clone();
            all.extend(include.iter().cloned());
            make_object_name(tn, Some(&name_addition(&all)), "key")
        }
        ConstraintKind::ForeignKey { columns, .. } => {
            make_object_name(tn, Some(&name_addition(columns)), "fkey")
        }
        ConstraintKind::Check { expr, .. } => {
            let refs = sqlcheck::column_refs(&expr.sql)?;
            if refs.len() == 1 {
                make_object_name(tn, Some(&refs[0]), "check")
            } else {
                make_object_name(tn, None, "check")
            }
        }
    }
}

fn implicit_index_name(ix: &Index) -> Option<String> {
    let mut cols: Vec<String> = Vec::new();
    for k in &ix.keys {
        cols.push(match &k.key {
            IndexKeyExpr::Column(c) => c.clone(),
            IndexKeyExpr::Expr(e) => sqlcheck::index_expr_colname(&e.sql)?,
        });
    }
    cols.extend(ix.include.iter().cloned());
    // PostgreSQL numbers repeated column names (`lower`, `lower1`); not worth following.
    let distinct: BTreeSet<&String> = cols.iter().collect();
    if distinct.len() != cols.len() {
        return None;
    }
    make_object_name(&ix.table.name, Some(&name_addition(&cols)), "idx")
}

// ---------------------------------------------------------------------------------------
// Sequence options

fn type_bounds(data_type: &str) -> (i64, i64) {
    match data_type {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The options to write so that PostgreSQL's defaults fill in the rest exactly.
#[allow(clippy::too_many_arguments)]
fn seq_options(
    out: &mut Out,
    indent: usize,
    data_type: &str,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
) {
    let (tmin, tmax) = type_bounds(data_type);
    let (dmin, dmax) = if increment > 0 { (1, tmax) } else { (tmin, -1) };
    let dstart = if increment > 0 { min } else { max };
    if start != dstart {
        out.kv(indent, "start", &start.to_string());
    }
    if increment != 1 {
        out.kv(indent, "increment", &increment.to_string());
    }
    if min != dmin {
        out.kv(indent, "min", &min.to_string());
    }
    if max != dmax {
        out.kv(indent, "max", &max.to_string());
    }
    if cache != 1 {
        out.kv(indent, "cache", &cache.to_string());
    }
    if cycle {
        out.kv(indent, "cycle", "true");
    }
}

// ---------------------------------------------------------------------------------------
// Serial columns

/// The serial type a column plus its owned sequence amount to, if they are exactly what
/// `serial` / `bigserial` / `smallserial` creates.
fn serial_type(cat: &Catalog, t: &Table, c: &Column) -> Option<(&'static str, QualName)> {
    let ty = match (c.ty.schema.as_deref(), c.ty.name.as_str(), c.ty.array) {
        (None, "integer", false) => "serial",
        (None, "bigint", false) => "bigserial",
        (None, "smallint", false) => "smallserial",
        _ => return None,
    };
    if !c.not_null || c.identity.is_some() || c.generated.is_some() {
        return None;
    }
    let default = c.default.as_ref()?;
    let seq_name = QualName::new(
        t.name.schema.clone(),
        make_object_name(&t.name.name, Some(&c.name), "seq")?,
    );
    let seq = cat.sequences.get(&seq_name)?;
    let mut expect = Sequence::with_defaults(seq_name.clone(), &c.ty.name, 1);
    expect.owned_by = Some(ColumnRef {
        table: t.name.clone(),
        column: c.name.clone(),
    });
    if *seq != expect
        || families::grants_value(
            cat,
            &ObjectId::Sequence {
                name: seq_name.clone(),
            },
        )
        .is_some()
    {
        // A sequence with grants of its own is written out, not folded into `serial`.
        return None;
    }
    if cat.owners.contains_key(&ObjectId::Sequence {
        name: seq_name.clone(),
    }) {
        // So is one with an owner (`--include owners`), which `owner:` keeps.
        return None;
    }
    let lit = shale_model::quote_literal(&seq_name.to_string());
    let sql = format!("nextval({lit}::regclass)");
    let column_type = |n: &str| t.column(n).map(|c| c.ty.clone());
    let search_path = [PUBLIC.to_string()];
    let ctx = shale_sql::ExprContext {
        column_type: &column_type,
        target_type: Some(&c.ty),
        search_path: &search_path,
    };
    let expected = shale_sql::normalize_expr(&sql, &ctx).ok()?;
    (expected == *default).then_some((ty, seq_name))
}

// ---------------------------------------------------------------------------------------
// The export

/// Write a catalog as a YAML document of shale's format.
pub fn to_yaml(cat: &Catalog) -> String {
    // Expressions are parsed while exporting (pg_query): as deep as PostgreSQL accepts.
    shale_sql::with_deep_stack(|| to_yaml_here(cat))
}

fn to_yaml_here(cat: &Catalog) -> String {
    let mut out = Out(String::new());
    let taken = Taken::of(cat);

    // Serial columns replace their sequences.
    let mut serials: HashMap<(QualName, String), &'static str> = HashMap::new();
    let mut serial_seqs: BTreeSet<QualName> = BTreeSet::new();
    for t in cat.tables.values() {
        for c in &t.columns {
            if let Some((ty, seq)) = serial_type(cat, t, c) {
                serials.insert((t.name.clone(), c.name.clone()), ty);
                serial_seqs.insert(seq);
            }
        }
    }

    families::write_schemas(&mut out, cat);

    if !cat.extensions.is_empty() {
        out.line(0, "extensions:");
        for e in cat.extensions.values() {
            if e.schema == PUBLIC && e.version.is_none() {
                out.line(1, &format!("- {}", scalar(&e.name)));
            } else {
                out.line(1, &format!("- name: {}", scalar(&e.name)));
                if e.schema != PUBLIC {
                    out.kv(2, "schema", &scalar(&e.schema));
                }
                if let Some(v) = &e.version {
                    out.kv(2, "version", &quoted(v));
                }
            }
        }
    }

    if !cat.enums.is_empty() {
        out.line(0, "enums:");
        for en in cat.enums.values() {
            let labels = flow_list(&en.labels);
            let id = ObjectId::Type {
                name: en.name.clone(),
            };
            let grants = families::grants_value(cat, &id);
            let owner = cat.owners.get(&id);
            match (dotted_key(&en.name), &en.comment, &grants, owner) {
                (Some(k), None, None, None) => out.kv(1, &scalar(&k), &labels),
                _ => {
                    object_key(&mut out, 1, &en.name);
                    out.kv(2, "values", &labels);
                    if let Some(c) = &en.comment {
                        out.kv(2, "comment", &scalar(c));
                    }
                    if let Some(g) = &grants {
                        out.kv(2, "grants", g);
                    }
                    families::write_owner(&mut out, 2, cat, &id);
                }
            }
        }
    }

    let seqs: Vec<&Sequence> = cat
        .sequences
        .values()
        .filter(|s| !serial_seqs.contains(&s.name))
        .collect();
    if !seqs.is_empty() {
        out.line(0, "sequences:");
        for s in seqs {
            let before = out.0.len();
            object_key(&mut out, 1, &s.name);
            let header_end = out.0.len();
            if s.data_type != "bigint" {
                out.kv(2, "type", &scalar(&s.data_type));
            }
            seq_options(
                &mut out,
                2,
                &s.data_type,
                s.start,
                s.increment,
                s.min_value,
                s.max_value,
                s.cache,
                s.cycle,
            );
            if let Some(ob) = &s.owned_by {
                write_owned_by(&mut out, 2, ob);
            }
            if let Some(c) = &s.comment {
                out.kv(2, "comment", &scalar(c));
            }
            let id = ObjectId::Sequence {
                name: s.name.clone(),
            };
            if let Some(g) = families::grants_value(cat, &id) {
                out.kv(2, "grants", &g);
            }
            families::write_owner(&mut out, 2, cat, &id);
            if out.0.len() == header_end {
                // Nothing but defaults: an empty mapping.
                out.0.truncate(before);
                match dotted_key(&s.name) {
                    Some(k) => out.kv(1, &scalar(&k), "{}"),
                    None => {
                        object_key(&mut out, 1, &s.name);
                    }
                }
            }
        }
    }

    families::write_default_privileges(&mut out, cat);
    families::write_collations(&mut out, cat);
    families::write_types(&mut out, cat);
    families::write_functions(&mut out, cat);
    operators::write(&mut out, cat);

    if !cat.tables.is_empty() {
        out.line(0, "tables:");
        for t in cat.tables.values() {
            write_table(&mut out, cat, t, &taken, &serials);
        }
    }
    families::write_views(&mut out, cat, &taken);
    families::write_event_triggers(&mut out, cat);
    aggregates::write(&mut out, cat);
    statistics::write_statistics(&mut out, cat);
    foreign_data::write(&mut out, cat);
    publications::write(&mut out, cat);
    text_search::write(&mut out, cat);
    out.0
}

fn write_owned_by(out: &mut Out, indent: usize, ob: &ColumnRef) {
    let q = &ob.table;
    if q.schema.contains('.') || q.name.contains('.') || ob.column.contains('.') {
        out.line(indent, "owned_by:");
        out.kv(indent + 1, "schema", &scalar(&q.schema));
        out.kv(indent + 1, "table", &scalar(&q.name));
        out.kv(indent + 1, "column", &scalar(&ob.column));
    } else if q.schema == PUBLIC {
        out.kv(
            indent,
            "owned_by",
            &scalar(&format!("{}.{}", q.name, ob.column)),
        );
    } else {
        out.kv(
            indent,
            "owned_by",
            &scalar(&format!("{}.{}.{}", q.schema, q.name, ob.column)),
        );
    }
}

/// `users(id)` / `app.users(a, b)` when that reads back unambiguously.
fn reference_string(table: &QualName, cols: &[String]) -> Option<String> {
    let bad = |s: &str| s.contains(['.', '(', ')', ',']) || s.trim() != s || s.is_empty();
    if bad(&table.schema) || bad(&table.name) || cols.iter().any(|c| bad(c)) {
        return None;
    }
    let head = if table.schema == PUBLIC {
        table.name.clone()
    } else {
        format!("{}.{}", table.schema, table.name)
    };
    Some(format!("{head}({})", cols.join(", ")))
}

fn action(a: FkAction) -> &'static str {
    match a {
        FkAction::NoAction => "no_action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set_null",
        FkAction::SetDefault => "set_default",
    }
}

/// A constraint's name is left out when PostgreSQL would choose it.
fn name_is_implicit(t: &Table, c: &Constraint, taken: &Taken) -> bool {
    implicit_constraint_name(t, c).is_some_and(|n| n == c.name)
        && taken.unique(&t.name.schema, &c.name)
}

fn write_table(
    out: &mut Out,
    cat: &Catalog,
    t: &Table,
    taken: &Taken,
    serials: &HashMap<(QualName, String), &'static str>,
) {
    object_key(out, 1, &t.name);
    if let Some(c) = &t.comment {
        out.kv(2, "comment", &scalar(c));
    }

    // Which constraints fold into a column.
    let mut col_pk: Option<&str> = None;
    let mut col_unique: BTreeSet<&str> = BTreeSet::new();
    let mut col_fk: HashMap<&str, &Constraint> = HashMap::new();
    let mut folded: BTreeSet<&str> = BTreeSet::new();
    let pk_cols: Vec<String> = t
        .primary_key()
        .map(|c| c.kind.columns().to_vec())
        .unwrap_or_default();
    for c in t.constraints.values() {
        // Only a column of the table's own can carry its key (not one from a parent).
        let own = c.kind.columns().iter().all(|n| t.column(n).is_some());
        let simple = own
            && !c.deferrable
            && !c.initially_deferred
            && c.validated
            && c.comment.is_none()
            && c.index_comment.is_none()
            && !c.index_invalid
            && key_attached(cat, t, c).is_none();
        if !simple || !name_is_implicit(t, c, taken) {
            continue;
        }
        match &c.kind {
            ConstraintKind::PrimaryKey { columns, include }
                if columns.len() == 1 && include.is_empty() =>
            {
                col_pk = Some(&columns[0]);
                folded.insert(&c.name);
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct: false,
            } if columns.len() == 1
                && include.is_empty()
                && !col_unique.contains(columns[0].as_str()) =>
            {
                col_unique.insert(&columns[0]);
                folded.insert(&c.name);
            }
            _ => {}
        }
    }
    for c in t.constraints.values() {
        if let ConstraintKind::ForeignKey { columns, .. } = &c.kind {
            if columns.len() == 1
                && t.column(&columns[0]).is_some()
                && c.comment.is_none()
                && name_is_implicit(t, c, taken)
                && !col_fk.contains_key(columns[0].as_str())
            {
                col_fk.insert(&columns[0], c);
                folded.insert(&c.name);
            }
        }
    }

    let partition = cat
        .table_options
        .get(&t.name)
        .is_some_and(|o| o.partition_of.is_some());
    if t.columns.is_empty() {
        // PostgreSQL allows a table without columns; a partition has its parent's.
        if !partition {
            out.kv(2, "columns", "{}");
        }
    } else {
        out.line(2, "columns:");
    }
    for col in &t.columns {
        let serial = serials.get(&(t.name.clone(), col.name.clone())).copied();
        let ty = serial
            .map(str::to_string)
            .unwrap_or_else(|| type_sql(&col.ty));
        let is_pk = col_pk == Some(col.name.as_str());
        let in_pk = pk_cols.contains(&col.name);
        let implied_not_null = in_pk || serial.is_some() || col.identity.is_some();
        let mut fields: Vec<(String, String)> = Vec::new();
        if col.not_null && !implied_not_null {
            fields.push(("not_null".into(), "true".into()));
        }
        if serial.is_none() {
            if let Some(d) = &col.default {
                fields.push(("default".into(), expr_scalar(&d.sql)));
            }
        }
        if let Some(g) = &col.generated {
            fields.push(("generated".into(), expr_scalar(&g.sql)));
        }
        if let Some(c) = &col.collation {
            fields.push(("collation".into(), scalar(&dotted_name(c))));
        }
        if is_pk {
            fields.push(("primary_key".into(), "true".into()));
        }
        if col_unique.contains(col.name.as_str()) {
            fields.push(("unique".into(), "true".into()));
        }
        if let Some(c) = &col.comment {
            fields.push(("comment".into(), scalar(c)));
        }
        fields.extend(families::column_extras(cat, t, &col.name));
        let fk = col_fk.get(col.name.as_str()).copied();
        let key = scalar(&col.name);
        if fields.is_empty() && fk.is_none() && col.identity.is_none() {
            out.kv(3, &key, &scalar(&ty));
            continue;
        }
        out.line(3, &format!("{key}:"));
        out.kv(4, "type", &scalar(&ty));
        for (k, v) in &fields {
            out.kv(4, k, v);
        }
        if let Some(id) = &col.identity {
            let mut sub = Out(String::new());
            seq_options(
                &mut sub,
                5,
                &col.ty.name,
                id.start,
                id.increment,
                id.min_value,
                id.max_value,
                id.cache,
                id.cycle,
            );
            let kind = if id.always { "always" } else { "by_default" };
            if sub.0.is_empty() {
                out.kv(4, "identity", kind);
            } else {
                out.line(4, "identity:");
                if id.always {
                    out.kv(5, "always", "true");
                }
                out.0.push_str(&sub.0);
            }
        }
        if let Some(c) = fk {
            if let ConstraintKind::ForeignKey {
                ref_table,
                ref_columns,
                on_update,
                on_delete,
                match_full,
                ..
            } = &c.kind
            {
                let plain = *on_update == FkAction::NoAction
                    && *on_delete == FkAction::NoAction
                    && !match_full
                    && !c.deferrable
                    && !c.initially_deferred
                    && c.validated;
                match reference_string(ref_table, ref_columns) {
                    Some(s) if plain => out.kv(4, "references", &scalar(&s)),
                    _ => {
                        out.line(4, "references:");
                        if ref_table.schema != PUBLIC || ref_table.name.contains('.') {
                            out.kv(5, "schema", &scalar(&ref_table.schema));
                        }
                        out.kv(5, "table", &scalar(&ref_table.name));
                        out.kv(5, "column", &scalar(&ref_columns[0]));
                        fk_options(out, 5, c, *on_delete, *on_update, *match_full);
                    }
                }
            }
        }
    }

    // Table-level constraints, by kind.
    let rest: Vec<&Constraint> = t
        .constraints
        .values()
        .filter(|c| !folded.contains(c.name.as_str()))
        .collect();
    for c in &rest {
        if let ConstraintKind::PrimaryKey { columns, include } = &c.kind {
            let attached = key_attached(cat, t, c);
            let implicit = name_is_implicit(t, c, taken) && attached.is_none();
            let commented = c.comment.is_some() || c.index_comment.is_some() || c.index_invalid;
            if implicit && include.is_empty() && !c.deferrable && !commented {
                out.kv(2, "primary_key", &flow_list(columns));
            } else {
                out.line(2, "primary_key:");
                if !implicit || commented {
                    out.kv(3, "name", &scalar(&c.name));
                }
                out.kv(3, "columns", &flow_list(columns));
                if !include.is_empty() {
                    out.kv(3, "include", &flow_list(include));
                }
                deferrable(out, 3, c);
                if let Some(cm) = &c.comment {
                    out.kv(3, "comment", &scalar(cm));
                }
                if let Some(cm) = &c.index_comment {
                    out.kv(3, "index_comment", &scalar(cm));
                }
                if let Some(a) = attached {
                    out.kv(3, "attach_to", &a);
                }
                if c.index_invalid {
                    out.kv(3, "only", "true");
                }
            }
        }
    }
    let uniques: Vec<&&Constraint> = rest
        .iter()
        .filter(|c| matches!(c.kind, ConstraintKind::Unique { .. }))
        .collect();
    if !uniques.is_empty() {
        out.line(2, "unique:");
        for c in uniques {
            let ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } = &c.kind
            else {
                continue;
            };
            let attached = key_attached(cat, t, c);
            let implicit = name_is_implicit(t, c, taken) && attached.is_none();
            if implicit
                && include.is_empty()
                && !nulls_not_distinct
                && !c.deferrable
                && c.comment.is_none()
                && c.index_comment.is_none()
                && !c.index_invalid
            {
                out.line(3, &format!("- {}", flow_list(columns)));
                continue;
            }
            let mut first = true;
            let mut item = |out: &mut Out, k: &str, v: &str| {
                let prefix = if first { "- " } else { "  " };
                first = false;
                out.line(3, &format!("{prefix}{k}: {v}"));
            };
            if !implicit || c.comment.is_some() || c.index_comment.is_some() || c.index_invalid {
                item(out, "name", &scalar(&c.name));
            }
            item(out, "columns", &flow_list(columns));
            if !include.is_empty() {
                item(out, "include", &flow_list(include));
            }
            if *nulls_not_distinct {
                item(out, "nulls_not_distinct", "true");
            }
            if c.deferrable {
                item(out, "deferrable", "true");
            }
            if c.initially_deferred {
                item(out, "initially_deferred", "true");
            }
            if let Some(cm) = &c.comment {
                item(out, "comment", &scalar(cm));
            }
            if let Some(cm) = &c.index_comment {
                item(out, "index_comment", &scalar(cm));
            }
            if let Some(a) = &attached {
                item(out, "attach_to", a);
            }
            if c.index_invalid {
                item(out, "only", "true");
            }
        }
    }
    let checks: Vec<&&Constraint> = rest
        .iter()
        .filter(|c| matches!(c.kind, ConstraintKind::Check { .. }))
        .collect();
    if !checks.is_empty() {
        out.line(2, "checks:");
        for c in checks {
            let ConstraintKind::Check { expr, no_inherit } = &c.kind else {
                continue;
            };
            let implicit = name_is_implicit(t, c, taken);
            if implicit && !no_inherit && c.validated && c.comment.is_none() {
                out.line(3, &format!("- {}", scalar(&expr.sql)));
                continue;
            }
            if !implicit || c.comment.is_some() {
                out.line(3, &format!("- name: {}", scalar(&c.name)));
                out.kv(4, "expr", &scalar(&expr.sql));
            } else {
                out.line(3, &format!("- expr: {}", scalar(&expr.sql)));
            }
            if *no_inherit {
                out.kv(4, "no_inherit", "true");
            }
            if !c.validated {
                out.kv(4, "not_valid", "true");
            }
            if let Some(cm) = &c.comment {
                out.kv(4, "comment", &scalar(cm));
            }
        }
    }
    let fks: Vec<&&Constraint> = rest.iter().filter(|c| c.kind.is_foreign_key()).collect();
    if !fks.is_empty() {
        out.line(2, "foreign_keys:");
        for c in fks {
            let ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                on_update,
                on_delete,
                match_full,
            } = &c.kind
            else {
                continue;
            };
            let implicit = name_is_implicit(t, c, taken);
            if !implicit || c.comment.is_some() {
                out.line(3, &format!("- name: {}", scalar(&c.name)));
                out.kv(4, "columns", &flow_list(columns));
            } else {
                out.line(3, &format!("- columns: {}", flow_list(columns)));
            }
            match reference_string(ref_table, ref_columns) {
                Some(s) => out.kv(4, "references", &scalar(&s)),
                None => {
                    out.line(4, "references:");
                    if ref_table.schema != PUBLIC || ref_table.name.contains('.') {
                        out.kv(5, "schema", &scalar(&ref_table.schema));
                    }
                    out.kv(5, "table", &scalar(&ref_table.name));
                    out.kv(5, "columns", &flow_list(ref_columns));
                }
            }
            fk_options(out, 4, c, *on_delete, *on_update, *match_full);
            if let Some(cm) = &c.comment {
                out.kv(4, "comment", &scalar(cm));
            }
        }
    }

    let indexes: Vec<&Index> = cat.indexes.values().filter(|i| i.table == t.name).collect();
    if !indexes.is_empty() {
        out.line(2, "indexes:");
        for ix in indexes {
            write_index(out, cat, ix, taken);
        }
    }
    families::write_table_optionsras(out, cat, t);
}

fn deferrable(out: &mut Out, indent: usize, c: &Constraint) {
    if c.deferrable {
        out.kv(indent, "deferrable", "true");
    }
    if c.initially_deferred {
        out.kv(indent, "initially_deferred", "true");
    }
}

fn fk_options(
    out: &mut Out,
    indent: usize,
    c: &Constraint,
    on_delete: FkAction,
    on_update: FkAction,
    match_full: bool,
) {
    if on_delete != FkAction::NoAction {
        out.kv(indent, "on_delete", action(on_delete));
    }
    if on_update != FkAction::NoAction {
        out.kv(indent, "on_update", action(on_update));
    }
    if match_full {
        out.kv(indent, "match_full", "true");
    }
    deferrable(out, indent, c);
    if !c.validated {
        out.kv(indent, "not_valid", "true");
    }
}

/// `attach_to:` for an index or key attached to a parent's partitioned index: the name
/// alone in the same schema, else `schema.name` (or a mapping when the schema has a dot).
fn attach_to(cat: &Catalog, index: &QualName) -> Option<String> {
    let parent = &cat.attached_indexes.get(index)?.parent;
    Some(
        if parent.schema == index.schema && !parent.name.contains('.') {
            scalar(&parent.name)
        } else if parent.schema.contains('.') {
            format!(
                "{{schema: {}, name: {}}}",
                scalar(&parent.schema),
                scalar(&parent.name)
            )
        } else {
            scalar(&format!("{}.{}", parent.schema, parent.name))
        },
    )
}

/// A key's index is attached to a parent's partitioned index.
fn key_attached(cat: &Catalog, t: &Table, c: &Constraint) -> Option<String> {
    attach_to(cat, &QualName::new(t.name.schema.clone(), c.name.clone()))
}

fn write_index(out: &mut Out, cat: &Catalog, ix: &Index, taken: &Taken) {
    let attached = attach_to(cat, &ix.name);
    // `CREATE INDEX … ON ONLY` a partitioned table, still missing a partition's index.
    let only = ix.invalid
        && cat
            .table_options
            .get(&ix.table)
            .is_some_and(|o| o.partition_by.is_some());
    let implicit = implicit_index_name(ix).is_some_and(|n| n == ix.name.name)
        && taken.unique(&ix.name.schema, &ix.name.name)
        && ix.comment.is_none()
        && ix.statistics.is_empty()
        && attached.is_none();
    let mut first = true;
    let mut item = |out: &mut Out, text: &str| {
        let prefix = if first { "- " } else { "  " };
        first = false;
        out.line(3, &format!("{prefix}{text}"));
    };
    if !implicit {
        item(out, &format!("name: {}", scalar(&ix.name.name)));
    }
    if ix.unique {
        item(out, "unique: true");
    }
    if ix.method != "btree" {
        item(out, &format!("using: {}", scalar(&ix.method)));
    }
    let plain_columns: Option<Vec<String>> = ix
        .keys
        .iter()
        .map(|k| match &k.key {
            IndexKeyExpr::Column(c)
                if k.collation.is_none()
                    && k.opclass.is_none()
                    && !k.descending
                    && !k.nulls_first =>
            {
                Some(c.clone())
            }
            _ => None,
        })
        .collect();
    match plain_columns {
        Some(cols) => item(out, &format!("columns: {}", flow_list(&cols))),
        None => {
            item(out, "keys:");
            for (i, k) in ix.keys.iter().enumerate() {
                let mut fields: Vec<String> = Vec::new();
                match &k.key {
                    IndexKeyExpr::Column(c) => fields.push(format!("column: {}", scalar(c))),
                    IndexKeyExpr::Expr(e) => fields.push(format!("expr: {}", scalar(&e.sql))),
                }
                if let Some(t) = crate::relation_options::key_statistics(ix, i) {
                    fields.push(format!("statistics: {t}"));
                }
                if let Some(c) = &k.collation {
                    fields.push(format!("collation: {}", scalar(&dotted_name(c))));
                }
                if let Some(o) = &k.opclass {
                    fields.push(format!("opclass: {}", scalar(&dotted_name(o))));
                }
                if k.descending {
                    fields.push("desc: true".into());
                }
                if k.nulls_first != k.descending {
                    fields.push(format!(
                        "nulls: {}",
                        if k.nulls_first { "first" } else { "last" }
                    ));
                }
                if fields.len() == 1 {
                    if let IndexKeyExpr::Column(c) = &k.key {
                        out.line(5, &format!("- {}", scalar(c)));
                        continue;
                    }
                }
                for (i, f) in fields.iter().enumerate() {
                    let prefix = if i == 0 { "- " } else { "  " };
                    out.line(5, &format!("{prefix}{f}"));
                }
            }
        }
    }
    if !ix.include.is_empty() {
        item(out, &format!("include: {}", flow_list(&ix.include)));
    }
    if ix.nulls_not_distinct {
        item(out, "nulls_not_distinct: true");
    }
    if !ix.storage.is_empty() {
        item(
            out,
            &format!(
                "with: {}",
                crate::relation_options::with_yaml(&ix.storage, scalar)
            ),
        );
    }
    if let Some(p) = &ix.predicate {
        item(out, &format!("where: {}", scalar(&p.sql)));
    }
    if let Some(c) = &ix.comment {
        item(out, &format!("comment: {}", scalar(c)));
    }
    if only {
        item(out, "only: true");
    }
    if let Some(a) = attached {
        item(out, &format!("attach_to: {a}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back() {
        for s in [
            "users",
            "character varying(20)",
            "numeric(10,2)",
            "true",
            "No",
            "",
            " x",
            "a: b",
            "# not a comment",
            "'draft'::text",
            "say \"hi\"\n\tand \\ bye",
            "émoji ✓",
            "1abc",
            "-",
            "[x]",
            "{x}",
            "a,b",
            "\u{1}",
        ] {
            let y = format!(
                "k: {}\nl: {}\n",
                scalar(s),
                flow_list(&[s.to_string(), "z".into()])
            );
            let v: std::collections::BTreeMap<String, serde_yaml::Value> =
                serde_yaml::from_str(&y).unwrap_or_else(|e| panic!("{y}: {e}"));
            assert_eq!(v["k"].as_str(), Some(s), "{y}");
            let l = v["l"].as_sequence().unwrap();
            assert_eq!(l[0].as_str(), Some(s), "{y}");
            assert_eq!(l[1].as_str(), Some("z"));
        }
    }
}
