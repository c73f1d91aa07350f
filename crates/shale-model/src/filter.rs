//! Choosing the schemas and objects to manage: `--schema` (repeatable) and `--exclude
//! 'pattern'` (repeatable).
//!
//! - `schemas`: when not empty, only objects in these schemas are kept (the names are the
//!   catalog's exact spellings, not SQL: `app`, `My Schema`).
//! - `exclude`: glob patterns (`*` any run of characters, `?` one character) matched
//!   against an object's unquoted qualified name: `audit.*`, `public.tmp_*`,
//!   `public.f` (every overload of function `public.f`). A schema is excluded by a pattern
//!   matching its name (`audit`) or by `audit.*`. What belongs to an excluded table goes
//!   with it (columns, constraints, indexes, triggers, owned sequences).
//! - System schemas (`pg_catalog`, `information_schema`, `pg_*`) are never kept, and
//!   [`check_filters`] refuses options that name them.

use crate::{Catalog, QualName};

/// `pg_catalog`, `information_schema`, `pg_toast`, `pg_temp_3`, ...: never managed.
pub fn is_system_schema(name: &str) -> bool {
    name == "information_schema" || name.starts_with("pg_")
}

/// Refuses `--schema`/`--exclude` values naming a system schema (they are never touched,
/// so naming one is a mistake worth reporting) and empty patterns.
pub fn check_filters(schemas: &[String], exclude: &[String]) -> Result<(), String> {
    for s in schemas {
        if is_system_schema(s) {
            return Err(format!(
                "--schema {s}: system schemas are never managed by shale"
            ));
        }
        if s.is_empty() {
            return Err("--schema needs a schema name".into());
        }
    }
    for p in exclude {
        if p.is_empty() {
            return Err("--exclude needs a pattern".into());
        }
        let schema_part = p.split('.').next().unwrap_or("");
        if !schema_part.contains(['*', '?']) && is_system_schema(schema_part) {
            return Err(format!(
                "--exclude {p}: system schemas are never managed by shale (nothing to exclude)"
            ));
        }
    }
    Ok(())
}

/// Does `text` match the glob `pattern` (`*`, `?`; everything else literal)?
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

struct Filter<'a> {
    schemas: &'a [String],
    exclude: &'a [String],
}

impl Filter<'_> {
    fn schema_kept(&self, s: &str) -> bool {
        if is_system_schema(s) {
            return false;
        }
        if !self.schemas.is_empty() && !self.schemas.iter().any(|x| x == s) {
            return false;
        }
        !self
            .exclude
            .iter()
            .any(|p| glob_match(p, s) || p.strip_suffix(".*").is_some_and(|ps| glob_match(ps, s)))
    }
    fn kept(&self, q: &QualName) -> bool {
        self.schema_kept(&q.schema)
            && !self
                .exclude
                .iter()
                .any(|p| glob_match(p, &format!("{}.{}", q.schema, q.name)))
    }
}

/// The schema part of an [`crate::Unmodeled`] object's SQL name (`public.f(integer)`,
/// `"My S".t`, `p on public.t`: the relation's schema), if it names one.
fn unmodeled_schema(name: &str) -> Option<String> {
    let name = match name.rfind(" on ") {
        Some(i) => &name[i + 4..],
        None => name,
    };
    let mut out = String::new();
    let mut chars = name.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => return Some(out),
            '(' | ' ' if !quoted => return None,
            c => out.push(c),
        }
    }
    None
}

/// The part of `cat` to manage: see the module documentation.
pub fn filter(cat: &Catalog, schemas: &[String], exclude: &[String]) -> Catalog {
    let f = Filter { schemas, exclude };
    let mut out = cat.clone();
    out.schemas.retain(|s, _| f.schema_kept(s));
    out.extensions
        .retain(|n, e| f.schema_kept(&e.schema) && !exclude.iter().any(|p| glob_match(p, n)));
    out.enums.retain(|q, _| f.kept(q));
    out.domains.retain(|q, _| f.kept(q));
    out.composites.retain(|q, _| f.kept(q));
    out.ranges.retain(|q, _| f.kept(q));
    out.tables.retain(|q, _| f.kept(q));
    let tables = out
        .tables
        .keys()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>();
    out.sequences.retain(|q, s| {
        f.kept(q)
            && s.owned_by
                .as_ref()
                .is_none_or(|o| tables.contains(&o.table))
    });
    out.indexes
        .retain(|q, ix| f.kept(q) && tables.contains(&ix.table));
    out.views.retain(|q, _| f.kept(q));
    out.functions.retain(|_, fun| f.kept(&fun.name));
    out.triggers
        .retain(|(t, _), _| tables.contains(t) || out.views.contains_key(t));
    // Event triggers are database-wide: kept when their function is.
    out.event_triggers.retain(|_, e| f.kept(&e.function));
    // Foreign tables are relations of their schema; publications keep only the tables
    // and schemas kept (the wrappers, servers and mappings are database-wide).
    out.foreign_tables.retain(|q, _| f.kept(q));
    for p in out.publications.values_mut() {
        p.tables.retain(|t| f.kept(&t.table));
        p.schemas.retain(|s| f.schema_kept(s));
    }
    out.aggregates.retain(|_, a| f.kept(&a.name));
    // Casts are database-wide: kept when the user types they convert are.
    out.casts.retain(|_, c| {
        [&c.source, &c.target]
            .iter()
            .all(|t| t.user_type().is_none_or(|q| f.schema_kept(&q.schema)))
    });
    out.statistics
        .retain(|q, st| f.kept(q) && tables.contains(&st.table));
    out.operators.retain(|_, o| f.schema_kept(&o.name.schema));
    out.ts_parsers.retain(|q, _| f.schema_kept(&q.schema));
    out.ts_templates.retain(|q, _| f.schema_kept(&q.schema));
    out.ts_dictionaries.retain(|q, _| f.schema_kept(&q.schema));
    out.ts_configurations
        .retain(|q, _| f.schema_kept(&q.schema));
    out.operator_families
        .retain(|(q, _), _| f.schema_kept(&q.schema));
    out.operator_classes
        .retain(|(q, _), _| f.schema_kept(&q.schema));
    out.rewrite_rules
        .retain(|(t, _), _| tables.contains(t) || out.views.contains_key(t));
    // Attached partition indexes: kept while both ends are.
    let ends: Vec<QualName> = out
        .attached_indexes
        .values()
        .filter(|a| out.index_object(&a.index).is_none() || out.index_object(&a.parent).is_none())
        .map(|a| a.index.clone())
        .collect();
    out.attached_indexes.retain(|q, _| !ends.contains(q));
    out.unmodeled.retain(|u| match unmodeled_schema(&u.name) {
        Some(s) => f.schema_kept(&s),
        None => true,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, ColumnRef, Index, Schema, Sequence, Table, TypeRef, Unmodeled};

    fn q(s: &str, n: &str) -> QualName {
        QualName::new(s, n)
    }

    fn sample() -> Catalog {
        let mut cat = Catalog::default();
        for s in ["public", "audit", "app"] {
            cat.schemas.insert(s.into(), Schema { name: s.into() });
        }
        for (s, n) in [
            ("public", "users"),
            ("public", "tmp_load"),
            ("public", "tmp"),
            ("audit", "log"),
            ("app", "orders"),
        ] {
            let mut t = Table::new(q(s, n));
            t.columns
                .push(Column::new("id", TypeRef::builtin("integer")));
            cat.tables.insert(q(s, n), t);
        }
        let mut seq = Sequence::with_defaults(q("public", "tmp_load_id_seq"), "integer", 1);
        seq.owned_by = Some(ColumnRef {
            table: q("public", "tmp_load"),
            column: "id".into(),
        });
        cat.sequences.insert(seq.name.clone(), seq);
        cat.indexes.insert(
            q("public", "some_idx"),
            Index {
                name: q("public", "some_idx"),
                table: q("public", "tmp_load"),
                unique: false,
                method: "btree".into(),
                keys: vec![],
                include: vec![],
                predicate: None,
                nulls_not_distinct: false,
                comment: None,
                invalid: false,
                storage: Default::default(),
                statistics: Default::default(),
            },
        );
        cat.unmodeled.push(Unmodeled {
            kind: "aggregate".into(),
            name: "audit.agg(integer)".into(),
            location: None,
        });
        cat.unmodeled.push(Unmodeled {
            kind: "rule".into(),
            name: "r on \"My S\".t".into(),
            location: None,
        });
        cat
    }

    fn names(cat: &Catalog) -> Vec<String> {
        cat.tables
            .keys()
            .map(|k| format!("{}.{}", k.schema, k.name))
            .collect()
    }

    #[test]
    fn globs() {
        assert!(glob_match("audit.*", "audit.log"));
        assert!(glob_match("public.tmp_*", "public.tmp_load"));
        assert!(!glob_match("public.tmp_*", "public.tmp"));
        assert!(glob_match("p?blic.*_x", "public.a_b_x"));
        assert!(!glob_match("audit.*", "auditx.log"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
    }

    #[test]
    fn no_filter_keeps_everything() {
        let cat = sample();
        assert_eq!(filter(&cat, &[], &[]), cat);
    }

    #[test]
    fn schemas_select_and_exclude_patterns_remove() {
        let cat = sample();
        let only_app = filter(&cat, &["app".into()], &[]);
        assert_eq!(names(&only_app), vec!["app.orders"]);
        assert_eq!(only_app.schemas.keys().collect::<Vec<_>>(), vec!["app"]);
        assert!(only_app.sequences.is_empty() && only_app.indexes.is_empty());
        assert!(only_app.unmodeled.is_empty());

        let ex = filter(&cat, &[], &["audit.*".into(), "public.tmp_*".into()]);
        assert_eq!(names(&ex), vec!["app.orders", "public.tmp", "public.users"]);
        assert!(!ex.schemas.contains_key("audit"));
        // The owned sequence and the index go with their table.
        assert!(ex.sequences.is_empty() && ex.indexes.is_empty());
        assert_eq!(ex.unmodeled.len(), 1, "{:?}", ex.unmodeled);
        assert_eq!(ex.unmodeled[0].kind, "rule");
    }

    #[test]
    fn event_triggers_follow_their_function() {
        let mut cat = sample();
        for (name, schema) in [("in_app", "app"), ("in_audit", "audit")] {
            cat.event_triggers.insert(
                name.into(),
                crate::EventTrigger {
                    name: name.into(),
                    event: crate::EventTriggerEvent::SqlDrop,
                    tags: vec![],
                    function: q(schema, "on_ddl"),
                    enabled: Default::default(),
                    comment: None,
                },
            );
        }
        let only_app = filter(&cat, &["app".into()], &[]);
        assert_eq!(
            only_app.event_triggers.keys().collect::<Vec<_>>(),
            vec!["in_app"]
        );
        let ex = filter(&cat, &[], &["app.on_*".into()]);
        assert_eq!(
            ex.event_triggers.keys().collect::<Vec<_>>(),
            vec!["in_audit"]
        );
    }

    #[test]
    fn system_schemas_are_never_kept_and_refused() {
        let mut cat = sample();
        cat.schemas.insert(
            "pg_catalog".into(),
            Schema {
                name: "pg_catalog".into(),
            },
        );
        let f = filter(&cat, &["pg_catalog".into()], &[]);
        assert!(f.schemas.is_empty() && f.tables.is_empty());
        assert!(check_filters(&["pg_catalog".into()], &[]).is_err());
        assert!(check_filters(&[], &["information_schema.*".into()]).is_err());
        assert!(check_filters(&["app".into()], &["audit.*".into(), "*.tmp".into()]).is_ok());
    }

    #[test]
    fn unmodeled_schema_names() {
        assert_eq!(
            unmodeled_schema("public.f(integer)").as_deref(),
            Some("public")
        );
        assert_eq!(unmodeled_schema("\"a.b\".x").as_deref(), Some("a.b"));
        assert_eq!(unmodeled_schema("p on s.t").as_deref(), Some("s"));
        assert_eq!(unmodeled_schema("(integer AS text)"), None);
    }
}
