//! Export of text search objects (`text_search_parsers:`, `text_search_templates:`,
//! `text_search_dictionaries:`, `text_search_configurations:`; see
//! `crate::text_search`).

use super::families::write_owner;
use super::{object_key, scalar, Out, PUBLIC};
use shale_model::{Catalog, QualName};

/// A name an object refers to, as the YAML keys read it back: unqualified in `public`,
/// and in `pg_catalog` unless `shadowed` (an object of the files with that name in
/// `public` would be found first).
fn ref_name(q: &QualName, shadowed: impl Fn(&QualName) -> bool) -> String {
    let public = QualName::new(PUBLIC, q.name.clone());
    let bare = q.schema == PUBLIC || (q.schema == "pg_catalog" && !shadowed(&public));
    if bare {
        scalar(&q.name)
    } else {
        scalar(&format!("{}.{}", q.schema, q.name))
    }
}

/// A dictionary option's value from its `dictinitoption` form: a quoted literal is a
/// string, anything else a number.
fn option_value(v: &str) -> String {
    let (escape, body) = match v.strip_prefix("E'") {
        Some(b) => (true, b),
        None => match v.strip_prefix('\'') {
            Some(b) => (false, b),
            None => return v.to_string(),
        },
    };
    let body = body.strip_suffix('\'').unwrap_or(body);
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if (c == '\'' || (escape && c == '\\')) && chars.peek() == Some(&c) {
            chars.next();
        }
        out.push(c);
    }
    scalar(&out)
}

pub(super) fn write(out: &mut Out, cat: &Catalog) {
    let function = |q: &QualName| ref_name(q, |p| cat.functions_named(p).next().is_some());
    if !cat.ts_parsers.is_empty() {
        out.line(0, "text_search_parsers:");
        for p in cat.ts_parsers.values() {
            object_key(out, 1, &p.name);
            out.kv(2, "start", &function(&p.start));
            out.kv(2, "gettoken", &function(&p.gettoken));
            out.kv(2, "end", &function(&p.end));
            out.kv(2, "lextypes", &function(&p.lextypes));
            if let Some(h) = &p.headline {
                out.kv(2, "headline", &function(h));
            }
            if let Some(c) = &p.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
    if !cat.ts_templates.is_empty() {
        out.line(0, "text_search_templates:");
        for t in cat.ts_templates.values() {
            object_key(out, 1, &t.name);
            if let Some(i) = &t.init {
                out.kv(2, "init", &function(i));
            }
            out.kv(2, "lexize", &function(&t.lexize));
            if let Some(c) = &t.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
    if !cat.ts_dictionaries.is_empty() {
        out.line(0, "text_search_dictionaries:");
        for d in cat.ts_dictionaries.values() {
            object_key(out, 1, &d.name);
            out.kv(
                2,
                "template",
                &ref_name(&d.template, |p| cat.ts_templates.contains_key(p)),
            );
            if !d.options.is_empty() {
                let items: Vec<String> = d
                    .options
                    .iter()
                    .map(|o| format!("{}: {}", scalar(&o.name), option_value(&o.value)))
                    .collect();
                out.kv(2, "options", &format!("{{{}}}", items.join(", ")));
            }
            if let Some(c) = &d.comment {
                out.kv(2, "comment", &scalar(c));
            }
            write_owner(out, 2, cat, &d.id());
        }
    }
    if !cat.ts_configurations.is_empty() {
        out.line(0, "text_search_configurations:");
        for c in cat.ts_configurations.values() {
            object_key(out, 1, &c.name);
            out.kv(
                2,
                "parser",
                &ref_name(&c.parser, |p| cat.ts_parsers.contains_key(p)),
            );
            if !c.mappings.is_empty() {
                out.line(2, "mappings:");
                for m in &c.mappings {
                    let d: Vec<String> = m
                        .dictionaries
                        .iter()
                        .map(|d| ref_name(d, |p| cat.ts_dictionaries.contains_key(p)))
                        .collect();
                    out.kv(3, &scalar(&m.token), &format!("[{}]", d.join(", ")));
                }
            }
            if let Some(cm) = &c.comment {
                out.kv(2, "comment", &scalar(cm));
            }
            write_owner(out, 2, cat, &c.id());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::option_value;

    #[test]
    fn option_values_read_back() {
        assert_eq!(option_value("10"), "10");
        assert_eq!(option_value("'english'"), "english");
        assert_eq!(option_value("'10'"), scalar_of("10"));
        assert_eq!(option_value("E'a''b\\\\c'"), scalar_of("a'b\\c"));
    }

    fn scalar_of(s: &str) -> String {
        super::scalar(s)
    }
}
