//! `-- shale:renamed-from …` and `-- shale:backfill …` comment directives.
//!
//! The statements of a file are applied first; while doing so the builder records an
//! [`Anchor`] for every object a directive may name (where its definition starts in the
//! file). Then the file's comment tokens (PostgreSQL's own scanner, so comments inside
//! string literals and dollar-quoted bodies are not comments) are read: a directive
//! applies to the object defined on the same line (a comment at the end of a line) or on
//! the next line (a comment on a line of its own, possibly among other comment lines).
//! Once every file is read, the hints are resolved against the final catalog.

use crate::parse::{line_col, locate_syntax_error, snippet_at};
use crate::{normalize, SqlError};
use pg_query::protobuf::Token;
use shale_model::{
    quote_ident, Backfill, Catalog, ColumnRef, Directives, ObjectId, QualName, RenameHint,
};
use std::collections::{BTreeMap, BTreeSet};

const RENAMED_FROM: &str = "renamed-from";
const BACKFILL: &str = "backfill";
const KNOWN: &[&str] = &[RENAMED_FROM, BACKFILL];
const USAGE: &str =
    "shale knows `-- shale:renamed-from <old name>` and `-- shale:backfill <SQL expression>`";
const TARGETS: &str = "table, column, constraint, index, enum type or sequence";

/// Where an object a directive may apply to is defined.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    /// Byte offset of the start of its definition in the file.
    pub byte: usize,
    /// 0: a statement (table, index, type, sequence); 1: an element of a statement
    /// (column, table constraint). On one line, a statement wins over its elements.
    pub level: u8,
    pub id: ObjectId,
}

/// A place in a file, for errors.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    file: String,
    line: usize,
    column: usize,
    snippet: String,
}

impl Site {
    fn new(file: &str, text: &str, byte: usize) -> Site {
        let (line, column) = line_col(text, byte);
        Site {
            file: file.to_string(),
            line,
            column,
            snippet: snippet_at(text, byte),
        }
    }

    fn error(&self, message: impl Into<String>) -> SqlError {
        SqlError {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            message: message.into(),
            snippet: self.snippet.clone(),
        }
    }

    fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

#[derive(Debug, Clone)]
enum Kind {
    /// The old name: one part, or schema and name.
    RenamedFrom(Vec<String>),
    Backfill(String),
}

/// A directive attached to the object it applies to, not yet checked against the catalog.
#[derive(Debug, Clone)]
pub(crate) struct Attached {
    /// The comment.
    site: Site,
    /// Its argument.
    arg_site: Site,
    target: ObjectId,
    kind: Kind,
}

/// Byte offsets of line starts, for line numbers of many offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut v = vec![0];
        v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(v)
    }
    /// 0-based line of a byte offset.
    fn of(&self, byte: usize) -> usize {
        self.0.partition_point(|&s| s <= byte) - 1
    }
    fn start(&self, line: usize) -> usize {
        self.0[line]
    }
    fn text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let end = self.0.get(line + 1).map(|e| e - 1).unwrap_or(text.len());
        text.get(self.0[line]..end).unwrap_or("")
    }
}

fn is_comment(token: i32) -> bool {
    token == Token::SqlComment as i32 || token == Token::CComment as i32
}

/// Could `text` hold a directive? If not, [`attach`] finds none whatever the anchors.
pub(crate) fn may_have_directives(text: &str) -> bool {
    text.contains("shale:")
}

/// Read the directives of one file (`text` as parsed, with the byte offsets of `anchors`)
/// and attach each to its object.
pub(crate) fn attach(
    file: &str,
    text: &str,
    anchors: &[Anchor],
) -> Result<Vec<Attached>, SqlError> {
    if !may_have_directives(text) {
        return Ok(Vec::new());
    }
    let tokens = pg_query::scan_tokens(text)
        .map_err(|e| Site::new(file, text, 0).error(format!("cannot scan the file: {e}")))?;
    let lines = Lines::new(text);
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let (start, end) = (t.start.max(0) as usize, t.end.max(0) as usize);
        let Some(content) = text.get(start..end) else {
            continue;
        };
        let site = Site::new(file, text, start);
        if t.token == Token::CComment as i32 {
            let inner = content.trim_start_matches("/*").trim_start();
            if inner.starts_with("shale:") {
                let body = inner.trim_end_matches("*/").trim_end();
                return Err(site.error(format!(
                    "directives are `--` comments: write `-- {body}` on a line of its own \
                     before the object, or at the end of its line"
                )));
            }
            continue;
        }
        if t.token != Token::SqlComment as i32 {
            continue;
        }
        let after_dashes = &content[2..];
        let body = after_dashes.trim_start();
        let Some(rest) = body.strip_prefix("shale:") else {
            continue;
        };
        let body_at = start + 2 + (after_dashes.len() - body.len());
        let name_len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let name = &rest[..name_len];
        let arg_raw = &rest[name_len..];
        let arg = arg_raw.trim();
        let arg_at =
            body_at + "shale:".len() + name_len + (arg_raw.len() - arg_raw.trim_start().len());
        let arg_site = Site::new(file, text, arg_at);
        let kind = match name {
            RENAMED_FROM => {
                if arg.is_empty() {
                    return Err(site.error(
                        "`shale:renamed-from` needs the object's old name: \
                         `-- shale:renamed-from old_name`",
                    ));
                }
                let parts = parse_name(arg).map_err(|m| arg_site.error(m))?;
                Kind::RenamedFrom(parts)
            }
            BACKFILL => {
                if arg.is_empty() {
                    return Err(site.error(
                        "`shale:backfill` needs an SQL expression for the existing rows: \
                         `-- shale:backfill lower(email)`",
                    ));
                }
                check_expression(arg).map_err(|(off, m)| {
                    Site::new(file, text, arg_at + off.min(arg.len())).error(m)
                })?;
                Kind::Backfill(arg.to_string())
            }
            "" => {
                return Err(site.error(format!(
                    "`shale:` must be followed directly by a directive name; {USAGE}"
                )))
            }
            other => {
                let hint = KNOWN
                    .iter()
                    .filter(|k| edit_distance(&other.to_ascii_lowercase(), k) <= 3)
                    .min_by_key(|k| edit_distance(&other.to_ascii_lowercase(), k))
                    .map(|k| format!(" (did you mean `shale:{k}`?)"))
                    .unwrap_or_default();
                return Err(site.error(format!("unknown directive `shale:{other}`{hint}; {USAGE}")));
            }
        };
        let directive = format!("`shale:{name}`");
        // What it applies to: the object defined on this line (a trailing comment) or
        // on the next line that is not a comment.
        let line = lines.of(start);
        let before = &text[lines.start(line)..start];
        let (target_line, candidates): (usize, Vec<&Anchor>) = if !before.trim().is_empty() {
            let c = anchors
                .iter()
                .filter(|a| a.byte < start && lines.of(a.byte) == line)
                .collect();
            (line, c)
        } else {
            let Some(next) = tokens[i + 1..].iter().find(|t| !is_comment(t.token)) else {
                return Err(site.error(format!(
                    "{directive} is not attached to anything: nothing follows it. Put it on the \
                     line just before the {TARGETS} it is about, or at the end of that line"
                )));
            };
            let next_line = lines.of(next.start.max(0) as usize);
            if let Some(blank) =
                (line + 1..next_line).find(|l| lines.text(text, *l).trim().is_empty())
            {
                return Err(site.error(format!(
                    "{directive} is separated by a blank line (line {}) from what follows; \
                     put it on the line just before the definition it is about",
                    blank + 1
                )));
            }
            let c = anchors
                .iter()
                .filter(|a| lines.of(a.byte) == next_line)
                .collect();
            (next_line, c)
        };
        let level = candidates.iter().map(|a| a.level).min();
        let chosen: Vec<&Anchor> = candidates
            .into_iter()
            .filter(|a| Some(a.level) == level)
            .collect();
        let target = match chosen.as_slice() {
            [] => {
                let place = if target_line == line {
                    "this line defines".to_string()
                } else {
                    format!("the next line (line {}) defines", target_line + 1)
                };
                return Err(site.error(format!(
                    "{directive} is not attached to anything: {place} no {TARGETS}. Put it on \
                     the line just before the first line of the definition, or at the end of \
                     that first line"
                )));
            }
            [one] => one.id.clone(),
            many => {
                let names: Vec<String> = many.iter().map(|a| a.id.to_string()).collect();
                return Err(site.error(format!(
                    "{directive} is ambiguous: line {} defines {}; put each definition on a \
                     line of its own",
                    target_line + 1,
                    names.join(" and ")
                )));
            }
        };
        if matches!(kind, Kind::Backfill(_)) && !matches!(target, ObjectId::Column { .. }) {
            return Err(site.error(format!(
                "{directive} applies to a column, not to {target}; put it on the column's line \
                 or the line before it"
            )));
        }
        out.push(Attached {
            site,
            arg_site,
            target,
            kind,
        });
    }
    Ok(out)
}

/// A name as SQL writes it: `name`, `"Name"`, `schema.name`. Unquoted parts fold to lower
/// case (ASCII letters only, as PostgreSQL does for UTF-8), every part is cut to 63 bytes.
fn parse_name(s: &str) -> Result<Vec<String>, String> {
    let bad = |why: &str| {
        format!(
            "cannot read the old name `{s}`: {why}; write `old_name` or `schema.old_name` \
             (double-quote a name with upper case or spaces: `\"OldName\"`)"
        )
    };
    let mut parts = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut part = String::new();
        match chars.peek() {
            Some('"') => {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(bad("a quoted name is not closed")),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            part.push('"');
                        }
                        Some('"') => break,
                        Some(c) => part.push(c),
                    }
                }
                if part.is_empty() {
                    return Err(bad("a quoted name is empty"));
                }
            }
            Some(&c) if c.is_alphabetic() || c == '_' => {
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '$' {
                        part.push(c.to_ascii_lowercase());
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            Some(c) => return Err(bad(&format!("unexpected `{c}`"))),
            None => return Err(bad("a name is missing")),
        }
        parts.push(crate::naming::truncate_ident(&part));
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some('.') => continue,
            Some(c) => {
                return Err(bad(&format!(
                    "unexpected `{c}` after the name (one name, nothing else, on the line)"
                )))
            }
        }
    }
    if parts.len() > 2 {
        return Err(bad("too many dots"));
    }
    Ok(parts)
}

/// The argument of `shale:backfill` must be exactly one SQL expression, without comments
/// (it is pasted into `UPDATE … SET col = (…)`). Errors carry a byte offset in `expr`.
fn check_expression(expr: &str) -> Result<(), (usize, String)> {
    const PREFIX: &str = "SELECT ";
    if let Ok(tokens) = pg_query::scan_tokens(expr) {
        if let Some(t) = tokens.iter().find(|t| is_comment(t.token)) {
            return Err((
                t.start.max(0) as usize,
                "the backfill expression contains a comment; put notes on a line of their own"
                    .into(),
            ));
        }
    }
    match normalize::parse_expr(expr) {
        Ok(_) => Ok(()),
        Err(m) => {
            let text = format!("{PREFIX}{expr}");
            let off = locate_syntax_error(&text)
                .map(|(b, _)| b.saturating_sub(PREFIX.len()))
                .unwrap_or(0);
            Err((
                off,
                format!("`shale:backfill` needs one SQL expression: {m}"),
            ))
        }
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Check the attached directives of every file against the final catalog and resolve the
/// old names.
pub(crate) fn resolve(attached: Vec<Attached>, cat: &Catalog) -> Result<Directives, SqlError> {
    if attached.is_empty() {
        return Ok(Directives::default());
    }
    let objects: BTreeSet<ObjectId> = cat.objects().into_iter().collect();
    let exists = |id: &ObjectId| objects.contains(id);
    for a in &attached {
        if !exists(&a.target) {
            return Err(a.site.error(format!(
                "`shale:{}` applies to {}, which is not in the desired schema (a later \
                 statement drops or replaces it)",
                match a.kind {
                    Kind::RenamedFrom(_) => RENAMED_FROM,
                    Kind::Backfill(_) => BACKFILL,
                },
                a.target
            )));
        }
    }
    // Old names of renamed tables first: columns, constraints and indexes of a renamed
    // table were in the old table.
    let mut old_table: BTreeMap<QualName, QualName> = BTreeMap::new();
    let mut renames: Vec<(RenameHint, &Attached)> = Vec::new();
    let order = |a: &Attached| match a.target {
        ObjectId::Table { .. } => 0,
        _ => 1,
    };
    let mut sorted: Vec<&Attached> = attached.iter().collect();
    sorted.sort_by_key(|a| order(a));
    for a in sorted {
        let Kind::RenamedFrom(parts) = &a.kind else {
            continue;
        };
        let from =
            old_identity(cat, &a.target, parts, &old_table).map_err(|m| a.arg_site.error(m))?;
        if from == a.target {
            return Err(a.arg_site.error(format!(
                "`shale:renamed-from` names {} itself; name the old name, or remove the directive",
                a.target
            )));
        }
        if let Some((_, prev)) = renames.iter().find(|(r, _)| r.object == a.target) {
            return Err(a.site.error(format!(
                "{} has two rename hints (the other at {}); keep one",
                a.target,
                prev.site.at()
            )));
        }
        if let Some((r, prev)) = renames.iter().find(|(r, _)| r.from == from) {
            return Err(a.arg_site.error(format!(
                "{} and {} are both renamed from {from} (the other hint at {}); an object can \
                 be renamed to one name only",
                r.object,
                a.target,
                prev.site.at()
            )));
        }
        if exists(&from) {
            return Err(a.arg_site.error(format!(
                "{from} is also defined in the desired schema, so {} cannot be renamed from it; \
                 remove the hint or the old definition",
                a.target
            )));
        }
        if let (ObjectId::Table { name }, ObjectId::Table { name: old }) = (&a.target, &from) {
            old_table.insert(name.clone(), old.clone());
        }
        renames.push((
            RenameHint {
                object: a.target.clone(),
                from,
            },
            a,
        ));
    }
    let mut backfills: Vec<(Backfill, &Attached)> = Vec::new();
    for a in &attached {
        let Kind::Backfill(expr) = &a.kind else {
            continue;
        };
        let ObjectId::Column { table, column } = &a.target else {
            continue;
        };
        let col = cat.tables.get(table).and_then(|t| t.column(column));
        if col.is_some_and(|c| c.generated.is_some()) {
            return Err(a.site.error(format!(
                "{} is a generated column: its values are computed, a backfill does not apply",
                a.target
            )));
        }
        if col.is_some_and(|c| c.identity.is_some()) {
            return Err(a.site.error(format!(
                "{} is an identity column: existing rows get values from its sequence, a \
                 backfill does not apply",
                a.target
            )));
        }
        let cref = ColumnRef {
            table: table.clone(),
            column: column.clone(),
        };
        if let Some((_, prev)) = backfills.iter().find(|(b, _)| b.column == cref) {
            return Err(a.site.error(format!(
                "{} has two backfills (the other at {}); keep one",
                a.target,
                prev.site.at()
            )));
        }
        backfills.push((
            Backfill {
                column: cref,
                expr: expr.clone(),
            },
            a,
        ));
    }
    let mut d = Directives {
        renames: renames.into_iter().map(|(r, _)| r).collect(),
        backfills: backfills.into_iter().map(|(b, _)| b).collect(),
    };
    d.sort();
    Ok(d)
}

/// The identity the object had before, from the name a directive gives.
fn old_identity(
    cat: &Catalog,
    target: &ObjectId,
    parts: &[String],
    old_table: &BTreeMap<QualName, QualName>,
) -> Result<ObjectId, String> {
    let table_then = |t: &QualName| old_table.get(t).cloned().unwrap_or_else(|| t.clone());
    let plain = |what: &str| -> Result<String, String> {
        match parts {
            [n] => Ok(n.clone()),
            _ => Err(format!(
                "the old name of a {what} is a plain name, without table or schema: \
                 `-- shale:renamed-from {}`",
                quote_ident(parts.last().map(String::as_str).unwrap_or(""))
            )),
        }
    };
    let qualified = |schema: &str| match parts {
        [n] => QualName::new(schema, n.clone()),
        [s, n] => QualName::new(s.clone(), n.clone()),
        _ => QualName::new(schema, ""),
    };
    Ok(match target {
        ObjectId::Table { name } => ObjectId::Table {
            name: qualified(&name.schema),
        },
        ObjectId::Type { name } => ObjectId::Type {
            name: qualified(&name.schema),
        },
        ObjectId::Sequence { name } => ObjectId::Sequence {
            name: qualified(&name.schema),
        },
        ObjectId::Column { table, .. } => ObjectId::Column {
            table: table_then(table),
            column: plain("column")?,
        },
        ObjectId::Constraint { table, .. } => ObjectId::Constraint {
            table: table_then(table),
            name: plain("constraint")?,
        },
        ObjectId::Index { name } => {
            // An index lives in its table's schema: the old table's, if that moved.
            let schema = cat
                .indexes
                .get(name)
                .map(|ix| table_then(&ix.table).schema)
                .unwrap_or_else(|| name.schema.clone());
            let old = qualified(&schema);
            if old.schema != schema {
                return Err(format!(
                    "an index is in its table's schema, so the old index was in `{}`: write \
                     `-- shale:renamed-from {}`",
                    schema,
                    quote_ident(&old.name)
                ));
            }
            ObjectId::Index { name: old }
        }
        other => return Err(format!("a {} cannot be renamed by a hint", other.kind())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(parse_name("Old_Name").unwrap(), vec!["old_name"]);
        assert_eq!(
            parse_name("legacy . \"Users\"").unwrap(),
            vec!["legacy", "Users"]
        );
        assert_eq!(parse_name("\"a\"\"b\"").unwrap(), vec!["a\"b"]);
        assert_eq!(parse_name("ÄBC").unwrap(), vec!["Äbc"]);
        assert!(parse_name("a.b.c").is_err());
        assert!(parse_name("\"open").is_err());
        assert!(parse_name("old name").is_err());
        assert!(parse_name("a.").is_err());
        assert!(parse_name("1abc").is_err());
    }

    #[test]
    fn expressions() {
        assert!(check_expression("lower(email)").is_ok());
        assert!(check_expression("coalesce(a, 'x')").is_ok());
        let (off, m) = check_expression("lower(email) -- note").unwrap_err();
        assert_eq!(off, 13, "{m}");
        assert!(check_expression("1; drop table t").is_err());
        assert!(check_expression("a from t").is_err());
        let (off, m) = check_expression("lower(email))").unwrap_err();
        assert_eq!(off, 12, "{m}");
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("renmed-from", "renamed-from"), 1);
        assert_eq!(edit_distance("renamed_from", "renamed-from"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
