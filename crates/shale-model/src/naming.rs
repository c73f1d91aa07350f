//! Implicit object names, as PostgreSQL 15 chooses them (`makeObjectName`,
//! `ChooseRelationName`, `ChooseIndexColumnNames`): pure string rules shared by the SQL
//! front end (which adds the parse-tree ones, `FigureIndexColname`) and the diff (the
//! names of the copies a detached partition keeps).

use crate::{Index, IndexKeyExpr};

/// `NAMEDATALEN - 1`: the longest identifier in bytes.
pub const MAX_IDENT_BYTES: usize = 63;

/// Largest `n <= len` bytes of `s` that ends on a character boundary (`pg_mbcliplen`).
fn clip(s: &str, len: usize) -> &str {
    let mut n = len.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// Truncate an identifier to 63 bytes as the scanner does.
pub fn truncate_ident(s: &str) -> String {
    clip(s, MAX_IDENT_BYTES).to_string()
}

/// `makeObjectName(name1, name2, label)`: `name1_name2_label`, shortening the longer of
/// `name1`/`name2` first so the result fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: Option<&str>) -> String {
    let mut overhead = 0;
    let mut n1 = name1.len();
    let mut n2 = 0;
    if let Some(n) = name2 {
        n2 = n.len();
        overhead += 1;
    }
    if let Some(l) = label {
        overhead += l.len() + 1;
    }
    let avail = MAX_IDENT_BYTES.saturating_sub(overhead);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    if let Some(l) = label {
        out.push('_');
        out.push_str(l);
    }
    out
}

/// Choose `name1_name2_label`, then `…_label1`, `…_label2`, … until `taken` says no.
pub fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: &dyn Fn(&str) -> bool,
) -> String {
    let mut pass = 0;
    let mut modlabel = label.to_string();
    loop {
        let name = make_object_name(name1, name2, Some(&modlabel));
        if !taken(&name) {
            return name;
        }
        pass += 1;
        modlabel = format!("{label}{pass}");
    }
}

/// Join column names with `_` the way `ChooseIndexNameAddition` /
/// `ChooseForeignKeyConstraintNameAddition` do (stopping once the buffer is over 63 bytes).
pub fn name_addition(cols: &[String]) -> String {
    let mut buf = String::new();
    for c in cols {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(c, MAX_IDENT_BYTES));
        if buf.len() > MAX_IDENT_BYTES {
            break;
        }
    }
    buf
}

/// `ChooseIndexColumnNames`: make the per-key names unique (`a`, `a1`, `a2`, …).
pub fn index_column_names(orig: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in orig {
        let mut cur = o.clone();
        let mut i = 1;
        while out.contains(&cur) {
            let suffix = i.to_string();
            let base = clip(o, MAX_IDENT_BYTES - suffix.len());
            cur = format!("{base}{suffix}");
            i += 1;
        }
        out.push(cur);
    }
    out
}

/// The name an index key expression, as the model holds it (normalized SQL text),
/// contributes to an index name (`FigureIndexColname`): a function's name for a call, the
/// column for a column, the inner expression's (else the type's) for a cast, the keyword
/// for `CASE`, `COALESCE`, `NULLIF`, `GREATEST`, `LEAST`, `ARRAY`, `ROW` and the SQL value
/// functions, `expr` otherwise. Read from text, for the names of the index copies a
/// detached partition keeps, whose expressions the diff holds only as text.
pub fn figure_expr_colname(expr: &str) -> String {
    figure_text(expr.trim())
        .map(|(n, _)| n)
        .unwrap_or_else(|| "expr".to_string())
}

/// An identifier at the start of `s` (quoted or not) and the rest of `s`.
fn leading_ident(s: &str) -> Option<(String, &str)> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if rest[i + 1..].starts_with('"') {
                    out.push('"');
                    chars.next();
                    continue;
                }
                return Some((out, &rest[i + 1..]));
            }
            out.push(c);
        }
        return None;
    }
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
        .map_or(s.len(), |(i, _)| i);
    let first = s.chars().next()?;
    if end == 0 || first.is_ascii_digit() || first == '$' {
        return None;
    }
    Some((s[..end].to_lowercase(), &s[end..]))
}

/// The end of the parenthesized group `s` starts with (`s[0]` is `(`), skipping quotes.
fn group_end(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `FigureColnameInternal` over text: a name and its strength (2 strong, 1 weak).
fn figure_text(s: &str) -> Option<(String, u8)> {
    // A cast at the top level: `x::type` or `(x)::type`.
    if let Some((inner, ty)) = split_top_cast(s) {
        return match figure_text(inner) {
            Some((n, 2)) => Some((n, 2)),
            other => {
                let last = ty.rsplit('.').next().unwrap_or(ty).trim();
                match leading_ident(last) {
                    Some((t, _)) => Some((t, 1)),
                    None => other,
                }
            }
        };
    }
    if s.starts_with('(') && group_end(s) == Some(s.len() - 1) {
        return figure_text(s[1..s.len() - 1].trim());
    }
    let upper = s.to_ascii_uppercase();
    for (kw, name) in [
        ("CASE ", "case"),
        ("ARRAY[", "array"),
        ("ARRAY(", "array"),
        ("ROW(", "row"),
        ("COALESCE(", "coalesce"),
        ("NULLIF(", "nullif"),
        ("GREATEST(", "greatest"),
        ("LEAST(", "least"),
    ] {
        if upper.starts_with(kw) {
            if name == "case" {
                return Some(("case".into(), 1));
            }
            return Some((name.into(), 2));
        }
    }
    for f in [
        "current_date",
        "current_time",
        "current_timestamp",
        "localtime",
        "localtimestamp",
        "current_role",
        "current_user",
        "session_user",
        "current_catalog",
        "current_schema",
    ] {
        if s.eq_ignore_ascii_case(f) {
            return Some((f.into(), 2));
        }
    }
    // A (qualified) name, then a call or nothing.
    let (mut name, mut rest) = leading_ident(s)?;
    while let Some(r) = rest.strip_prefix('.') {
        (name, rest) = leading_ident(r)?;
    }
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Some((name, 2)); // a column
    }
    if rest.starts_with('(') && group_end(rest) == Some(rest.len() - 1) {
        return Some((name, 2)); // a call
    }
    None
}

/// `inner` and `type` of a top-level cast `inner::type` (the last `::` outside quotes
/// and parentheses, with nothing but a type name after it).
fn split_top_cast(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut at = None;
    let b = s.as_bytes();
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ':') if depth == 0 && b.get(i + 1) == Some(&b':') => at = Some(i),
            _ => {}
        }
    }
    let i = at?;
    let ty = &s[i + 2..];
    // Only a type name (maybe qualified, with a modifier or array brackets) follows.
    if ty
        .chars()
        .all(|c| c.is_alphanumeric() || " _.\"()[],".contains(c))
    {
        Some((s[..i].trim(), ty.trim()))
    } else {
        None
    }
}

/// Whether `name` is a name PostgreSQL gives the index it makes on the partition
/// `partition` for the parent's index `parent` (`ChooseIndexName`:
/// `<partition>_<columns>_idx`, with a number when that is taken). Any name is when a
/// key is an expression, whose name PostgreSQL figures from its parse tree. Both front
/// ends decide with it which attached indexes are implied.
pub fn is_implied_index_name(name: &str, partition: &str, parent: &Index) -> bool {
    let mut cols = Vec::new();
    for k in &parent.keys {
        match &k.key {
            IndexKeyExpr::Column(c) => cols.push(c.clone()),
            IndexKeyExpr::Expr(_) => return true,
        }
    }
    cols.extend(parent.include.iter().cloned());
    let add = name_addition(&index_column_names(&cols));
    std::iter::once("idx".to_string())
        .chain((1..1000).map(|n| format!("idx{n}")))
        .any(|l| make_object_name(partition, Some(&add), Some(&l)) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_key_names_follow_figure_index_colname() {
        for (expr, name) in [
            ("lower(line)", "lower"),
            ("public.lower(line)", "lower"),
            ("(lower(line))", "lower"),
            ("\"Mixed\"", "Mixed"),
            ("(a + b)", "expr"),
            ("((a)::text)", "a"),
            ("(a + b)::text", "text"),
            ("(a + 1)::character varying(10)", "character"),
            ("COALESCE(a, 0)", "coalesce"),
            ("CASE WHEN a THEN 1 ELSE 2 END", "case"),
            ("CURRENT_DATE", "current_date"),
            ("lower(a) || upper(b)", "expr"),
            ("date_trunc('day'::text, at)", "date_trunc"),
            ("'x'::text", "text"),
        ] {
            assert_eq!(figure_expr_colname(expr), name, "{expr}");
        }
    }

    #[test]
    fn copy_names_are_shortened_and_numbered_like_postgresql() {
        let long = "a".repeat(60);
        assert_eq!(
            make_object_name(&long, Some("line"), Some("idx")).len(),
            MAX_IDENT_BYTES
        );
        let taken = |n: &str| n == "t_line_idx";
        assert_eq!(choose_name("t", Some("line"), "idx", &taken), "t_line_idx1");
    }
}
