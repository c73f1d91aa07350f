//! SQL text for model objects: column definitions, constraints, indexes, sequences.
//! Identifiers always go through `quote_ident` / `QualName`'s Display; literals through
//! `quote_literal`; expressions print their `sql`.

use shale_model::{
    quote_ident, quote_literal, Column, Constraint, ConstraintKind, Identity, Index, IndexKeyExpr,
    QualName, Sequence, Table, TypeRef,
};

pub fn idents(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An expression where the grammar only takes a restricted expression (`DEFAULT`):
/// parenthesized unless it is a single token-ish term (no top-level whitespace).
pub fn b_expr(sql: &str) -> String {
    let sql = sql.trim();
    if has_top_level_space(sql) {
        format!("({sql})")
    } else {
        sql.to_string()
    }
}

fn has_top_level_space(sql: &str) -> bool {
    let mut depth = 0i32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // Skip the quoted text; a doubled quote is an escaped one.
                loop {
                    match chars.next() {
                        None => return true,
                        Some(x) if x == c => {
                            if chars.peek() == Some(&c) {
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            c if c.is_whitespace() && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Identity clause: `GENERATED ALWAYS AS IDENTITY (START WITH 10)`; only options that
/// differ from PostgreSQL's defaults for the column type are listed.
pub fn identity_clause(identity: &Identity, ty: &TypeRef) -> String {
    let kind = if identity.always {
        "ALWAYS"
    } else {
        "BY DEFAULT"
    };
    let opts = identity_options(identity, ty);
    if opts.is_empty() {
        format!("GENERATED {kind} AS IDENTITY")
    } else {
        format!("GENERATED {kind} AS IDENTITY ({})", opts.join(" "))
    }
}

/// Sequence options of an identity that differ from the defaults for `ty`.
pub fn identity_options(identity: &Identity, ty: &TypeRef) -> Vec<String> {
    // PostgreSQL's bounds follow the sign of the increment.
    let d = Sequence::with_defaults(
        QualName::new("", ""),
        &ty.name,
        if identity.increment < 0 { -1 } else { 1 },
    );
    let mut o = Vec::new();
    if identity.increment != 1 {
        o.push(format!("INCREMENT BY {}", identity.increment));
    }
    if identity.min_value != d.min_value {
        o.push(format!("MINVALUE {}", identity.min_value));
    }
    if identity.max_value != d.max_value {
        o.push(format!("MAXVALUE {}", identity.max_value));
    }
    // START defaults to MINVALUE (ascending) or MAXVALUE (descending) as given.
    let default_start = if identity.increment > 0 {
        identity.min_value
    } else {
        identity.max_value
    };
    if identity.start != default_start {
        o.push(format!("START WITH {}", identity.start));
    }
    if identity.cache != d.cache {
        o.push(format!("CACHE {}", identity.cache));
    }
    if identity.cycle {
        o.push("CYCLE".into());
    }
    o
}

/// `name type [COLLATE c] [DEFAULT e | GENERATED …] [NOT NULL]`.
pub fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.ty);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.sql.trim()));
    } else if let Some(i) = &c.identity {
        s.push(' ');
        s.push_str(&identity_clause(i, &c.ty));
    } else if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {}", b_expr(&d.sql)));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    s
}

/// `CONSTRAINT name …` as in `CREATE TABLE` or `ADD CONSTRAINT` (without `NOT VALID`).
pub fn constraint_def(c: &Constraint) -> String {
    let mut s = format!("CONSTRAINT {} ", quote_ident(&c.name));
    let include = |inc: &[String]| {
        if inc.is_empty() {
            String::new()
        } else {
            format!(" INCLUDE ({})", idents(inc))
        }
    };
    match &c.kind {
        ConstraintKind::PrimaryKey {
            columns,
            include: inc,
        } => {
            s.push_str(&format!(
                "PRIMARY KEY ({}){}",
                idents(columns),
                include(inc)
            ));
        }
        ConstraintKind::Unique {
            columns,
            include: inc,
            nulls_not_distinct,
        } => {
            s.push_str("UNIQUE ");
            if *nulls_not_distinct {
                s.push_str("NULLS NOT DISTINCT ");
            }
            s.push_str(&format!("({}){}", idents(columns), include(inc)));
        }
        ConstraintKind::Check { expr, no_inherit } => {
            s.push_str(&format!("CHECK ({})", expr.sql.trim()));
            if *no_inherit {
                s.push_str(" NO INHERIT");
            }
        }
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_update,
            on_delete,
            match_full,
        } => {
            s.push_str(&format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                idents(columns),
                ref_table,
                idents(ref_columns)
            ));
            if *match_full {
                s.push_str(" MATCH FULL");
            }
            if *on_update != shale_model::FkAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", on_update.sql()));
            }
            if *on_delete != shale_model::FkAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", on_delete.sql()));
            }
        }
    }
    if c.deferrable || c.initially_deferred {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

pub fn create_table(t: &Table) -> String {
    let mut parts: Vec<String> = t.columns.iter().map(column_def).collect();
    parts.extend(t.constraints.values().map(constraint_def));
    if parts.is_empty() {
        return format!("CREATE TABLE {} ()", t.name);
    }
    format!(
        "CREATE TABLE {} (\n    {}\n)",
        t.name,
        parts.join(",\n    ")
    )
}

pub fn create_index(ix: &Index, concurrently: bool) -> String {
    let mut s = String::from("CREATE ");
    if ix.unique {
        s.push_str("UNIQUE ");
    }
    s.push_str("INDEX ");
    if concurrently {
        s.push_str("CONCURRENTLY ");
    }
    // The index is created in its table's schema: its name is never qualified.
    s.push_str(&format!("{} ON {}", quote_ident(&ix.name.name), ix.table));
    if ix.method != "btree" {
        s.push_str(&format!(" USING {}", quote_ident(&ix.method)));
    }
    let keys: Vec<String> = ix
        .keys
        .iter()
        .map(|k| {
            let mut s = match &k.key {
                IndexKeyExpr::Column(c) => quote_ident(c),
                IndexKeyExpr::Expr(e) => format!("({})", e.sql.trim()),
            };
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(o) = &k.opclass {
                s.push_str(&format!(" {o}"));
            }
            if k.descending {
                s.push_str(" DESC");
            }
            if k.nulls_first != k.descending {
                s.push_str(if k.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            s
        })
        .collect();
    s.push_str(&format!(" ({})", keys.join(", ")));
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", idents(&ix.include)));
    }
    if ix.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&crate::relation_options::with_clause(&ix.storage));
    if let Some(p) = &ix.predicate {
        s.push_str(&format!(" WHERE {}", p.sql.trim()));
    }
    s
}

/// Every option of a sequence, explicit.
pub fn create_sequence(s: &Sequence) -> String {
    format!(
        "CREATE SEQUENCE {} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {}",
        s.name,
        s.data_type,
        s.increment,
        s.min_value,
        s.max_value,
        s.start,
        s.cache,
        if s.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// The options that differ; `AS` brings `MINVALUE`/`MAXVALUE` with it (PostgreSQL would
/// otherwise move bounds that were the old type's defaults).
pub fn alter_sequence_options(from: &Sequence, to: &Sequence) -> Vec<String> {
    let mut o = Vec::new();
    let type_changed = from.data_type != to.data_type;
    if type_changed {
        o.push(format!("AS {}", to.data_type));
    }
    if from.increment != to.increment {
        o.push(format!("INCREMENT BY {}", to.increment));
    }
    if type_changed || from.min_value != to.min_value {
        o.push(format!("MINVALUE {}", to.min_value));
    }
    if type_changed || from.max_value != to.max_value {
        o.push(format!("MAXVALUE {}", to.max_value));
    }
    if from.start != to.start {
        o.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        o.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        o.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    o
}

/// The statement that alters sequence `to.name` from `from` to `to`.
///
/// PostgreSQL refuses a range that leaves out the sequence's current value ("RESTART value
/// (1) cannot be less than MINVALUE (100)"), which files cannot know. When the bound the
/// sequence moves towards is raised past where it may stand (MINVALUE raised on an
/// ascending sequence, MAXVALUE lowered on a descending one), the statement is a `DO` block
/// that reads `last_value` at apply and restarts the sequence at the new bound only when it
/// is behind it: the values it hands out next still move forward, so none repeats.
pub fn alter_sequence_sql(from: &Sequence, to: &Sequence) -> String {
    let opts = alter_sequence_options(from, to).join(" ");
    let plain = format!("ALTER SEQUENCE {} {opts}", to.name);
    let behind = if to.increment > 0 && to.min_value > from.min_value {
        Some(("<", to.min_value))
    } else if to.increment < 0 && to.max_value < from.max_value {
        Some((">", to.max_value))
    } else {
        None
    };
    let Some((op, bound)) = behind else {
        return plain;
    };
    format!(
        "DO $shale$\nBEGIN\n  IF (SELECT last_value FROM {name}) {op} {bound} THEN\n    \
         {plain} RESTART WITH {bound};\n  ELSE\n    {plain};\n  END IF;\nEND\n$shale$",
        name = to.name
    )
}

/// PostgreSQL's longest identifier, in bytes.
const MAX_IDENT: usize = 63;

/// `<name1>_<name2>_<label>` shortened to 63 bytes the way PostgreSQL shortens the
/// implicit names it makes: the longer of the two names loses characters first.
pub fn implicit_name(name1: &str, name2: &str, label: &str) -> String {
    let mut a: Vec<char> = name1.chars().collect();
    let mut b: Vec<char> = name2.chars().collect();
    let len = |v: &[char]| v.iter().map(|c| c.len_utf8()).sum::<usize>();
    let budget = MAX_IDENT.saturating_sub(label.len() + 2);
    while len(&a) + len(&b) > budget && !(a.is_empty() && b.is_empty()) {
        if len(&a) > len(&b) {
            a.pop();
        } else {
            b.pop();
        }
    }
    format!(
        "{}_{}_{label}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    )
}

/// `<name>_<label>` shortened to 63 bytes as PostgreSQL shortens it (`makeObjectName`
/// with one name: `users_pkey`).
pub fn implicit_name_1(name: &str, label: &str) -> String {
    let budget = MAX_IDENT.saturating_sub(label.len() + 1);
    let mut end = name.len().min(budget);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}_{label}", &name[..end])
}

/// A dollar-quote tag that does not occur in `body`.
pub fn dollar_tag(body: &str) -> String {
    let mut tag = "$shale$".to_string();
    let mut i = 0;
    while body.contains(&tag) {
        i += 1;
        tag = format!("$shale{i}$");
    }
    tag
}

/// Rows per batch of a backfill (in heap pages).
pub const BACKFILL_PAGES: u32 = 1000;

/// The backfill of `column` of `table` with `expr` for the rows where it is NULL: a `DO`
/// block that walks the table by ranges of heap pages (`ctid` ranges, a TID range scan
/// on PostgreSQL 14+), commits after each batch (so it holds no lock for long, and a
/// failed run resumes where it stopped: filled rows are skipped), and, when `not_null`,
/// fails as soon as the expression gives NULL for a row. Must run outside a transaction
/// block (it commits).
/// `only_where` narrows the rows filled further (a condition on the table's columns).
pub fn backfill(
    table: &QualName,
    column: &str,
    expr: &str,
    not_null: bool,
    only_where: Option<&str>,
) -> String {
    let col = quote_ident(column);
    let what = format!("{table}.{col}");
    let check = if not_null {
        format!(
            "\n    IF nulls > 0 THEN\n        RAISE EXCEPTION 'backfill of % gave NULL for % row(s): the column cannot be made NOT NULL', {}, nulls;\n    END IF;",
            quote_literal(&what)
        )
    } else {
        String::new()
    };
    let body = format!(
        "DECLARE\n    lo bigint := 0;\n    nulls bigint;\nBEGIN\n  LOOP\n    EXIT WHEN lo > pg_relation_size({rel}) / current_setting('block_size')::bigint;\n    WITH filled AS (\n        UPDATE {table} SET {col} = ({expr})\n        WHERE ctid >= format('(%s,0)', lo)::tid AND ctid < format('(%s,0)', lo + {pages})::tid\n          AND {col} IS NULL{extra}\n        RETURNING {col}\n    )\n    SELECT count(*) FILTER (WHERE {col} IS NULL) INTO nulls FROM filled;{check}\n    COMMIT;\n    lo := lo + {pages};\n  END LOOP;\nEND",
        rel = quote_literal(&table.to_string()) + "::regclass",
        expr = expr.trim(),
        pages = BACKFILL_PAGES,
        extra = only_where
            .map(|w| format!(" AND ({w})"))
            .unwrap_or_default(),
    );
    let tag = dollar_tag(&body);
    format!("DO {tag}\n{body}\n{tag}")
}

/// One column pair a dual-write trigger keeps in step.
pub struct SyncPair {
    pub old: String,
    pub old_type: TypeRef,
    pub new: String,
    pub new_type: TypeRef,
}

/// The dual-write trigger function of an expand phase: on INSERT, a value written to the
/// new column wins and is copied (cast) to the old one, else the old one's is copied to the
/// new; on UPDATE, a change of the new column (other than the copy of the old one's value)
/// is copied back to the old column, else a change of the old column is copied to the new.
/// Runs `BEFORE` the row is stored, so the old column's `NOT NULL` holds for rows written
/// through the new name only.
pub fn sync_function(function: &QualName, pairs: &[SyncPair]) -> String {
    let cast = |v: String, from: &TypeRef, to: &TypeRef| {
        if from == to {
            v
        } else {
            format!("{v}::{to}")
        }
    };
    let mut insert = String::new();
    let mut update = String::new();
    for p in pairs {
        let (o, n) = (quote_ident(&p.old), quote_ident(&p.new));
        let old_as_new = cast(format!("NEW.{o}"), &p.old_type, &p.new_type);
        let new_as_old = cast(format!("NEW.{n}"), &p.new_type, &p.old_type);
        insert.push_str(&format!(
            "        IF NEW.{n} IS NOT NULL THEN\n            NEW.{o} := {new_as_old};\n        ELSE\n            NEW.{n} := {old_as_new};\n        END IF;\n"
        ));
        update.push_str(&format!(
            "        IF NEW.{n} IS DISTINCT FROM OLD.{n} AND NEW.{n} IS DISTINCT FROM {old_as_new} THEN\n            NEW.{o} := {new_as_old};\n        ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n            NEW.{n} := {old_as_new};\n        END IF;\n"
        ));
    }
    let body = format!(
        "BEGIN\n    IF TG_OP = 'INSERT' THEN\n{insert}    ELSE\n{update}    END IF;\n    RETURN NEW;\nEND"
    );
    let tag = dollar_tag(&body);
    format!(
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS {tag}\n{body}\n{tag}"
    )
}

/// The check that opens a contract phase: fails while a row of `table` matches
/// `missing` (a row whose new column was not filled from the old one).
pub fn contract_check(table: &QualName, missing: &str) -> String {
    let body = format!(
        "DECLARE\n    missing bigint;\nBEGIN\n    SELECT count(*) INTO missing FROM {table} WHERE {missing};\n    IF missing > 0 THEN\n        RAISE EXCEPTION 'contract refused: % row(s) of % are not copied to the new column yet; apply the expand phase (again) first', missing, {};\n    END IF;\nEND",
        quote_literal(&table.to_string())
    );
    let tag = dollar_tag(&body);
    format!("DO {tag}\n{body}\n{tag}")
}

pub fn comment_literal(c: &Option<String>) -> String {
    match c {
        Some(c) => quote_literal(c),
        None => "NULL".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restricted_expressions_get_parentheses_only_when_needed() {
        assert_eq!(b_expr("'x'::text"), "'x'::text");
        assert_eq!(b_expr("'a b'::text"), "'a b'::text");
        assert_eq!(
            b_expr("nextval('public.\"my seq\"'::regclass)"),
            "nextval('public.\"my seq\"'::regclass)"
        );
        assert_eq!(b_expr("1 + 2"), "(1 + 2)");
        assert_eq!(b_expr("ARRAY[1, 2]"), "ARRAY[1, 2]");
        assert_eq!(b_expr("'it''s here'::text"), "'it''s here'::text");
        assert_eq!(b_expr("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
    }

    #[test]
    fn implicit_names_are_shortened_to_63_bytes() {
        assert_eq!(
            implicit_name("users", "email", "not_null"),
            "users_email_not_null"
        );
        let long = "x".repeat(60);
        let n = implicit_name(&long, "email", "not_null");
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("_email_not_null"), "{n}");
        let n = implicit_name("tä", &"é".repeat(40), "not_null");
        assert!(n.len() <= 63 && n.starts_with("tä_é"), "{n}");
    }

    #[test]
    fn backfill_is_a_batched_do_block_with_a_free_dollar_tag() {
        let t = QualName::new("public", "Users");
        let s = backfill(&t, "email_lower", "lower(email)", true, None);
        assert!(s.starts_with("DO $shale$\n"), "{s}");
        assert!(s.ends_with("\n$shale$"), "{s}");
        assert!(s.contains("UPDATE public.\"Users\" SET email_lower = (lower(email))"));
        assert!(s.contains("pg_relation_size('public.\"Users\"'::regclass)"));
        assert!(s.contains("RAISE EXCEPTION"));
        assert!(!backfill(&t, "c", "1", false, None).contains("RAISE"));
        assert!(backfill(&t, "c", "1", false, Some("d IS NOT NULL"))
            .contains("AND c IS NULL AND (d IS NOT NULL)"));
        assert_eq!(dollar_tag("a $shale$ b"), "$shale1$");
    }

    #[test]
    fn identity_options_only_non_defaults() {
        let int = TypeRef::builtin("integer");
        let i = Identity::with_defaults(true, "integer");
        assert_eq!(identity_clause(&i, &int), "GENERATED ALWAYS AS IDENTITY");
        let mut j = Identity::with_defaults(false, "bigint");
        j.start = 1000;
        j.increment = 10;
        assert_eq!(
            identity_clause(&j, &TypeRef::builtin("bigint")),
            "GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 10 START WITH 1000)"
        );
        let mut k = Identity::with_defaults(true, "smallint");
        k.increment = -1;
        k.min_value = i16::MIN as i64;
        k.max_value = -1;
        k.start = -1;
        assert_eq!(
            identity_clause(&k, &TypeRef::builtin("smallint")),
            "GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1)"
        );
    }
}
