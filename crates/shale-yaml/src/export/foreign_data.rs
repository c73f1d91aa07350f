//! `foreign_data_wrappers:`, `servers:` (with `user_mappings:`) and `foreign_tables:` of
//! a YAML export (keys in `crate::foreign_data`).

use super::families::{grants_value, ref_name};
use super::{dotted_name, expr_scalar, object_key, scalar, type_sql, Out};
use shale_model::foreign_data::Options;
use shale_model::Catalog;

/// `{k: v, …}` as a flow mapping of strings.
pub(super) fn options_yaml(o: &Options) -> String {
    let items: Vec<String> = o
        .iter()
        .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A user mapping's key: `public`, `current_user` or the role name.
fn mapping_key(user: &str) -> String {
    match user {
        "PUBLIC" => "public".into(),
        "CURRENT_USER" => "current_user".into(),
        u => scalar(u),
    }
}

pub(super) fn write(out: &mut Out, cat: &Catalog) {
    if !cat.foreign_data_wrappers.is_empty() {
        out.line(0, "foreign_data_wrappers:");
        for w in cat.foreign_data_wrappers.values() {
            let key = scalar(&w.name);
            let before = out.0.len();
            out.line(1, &format!("{key}:"));
            let header = out.0.len();
            if let Some(h) = &w.handler {
                out.kv(2, "handler", &ref_name(h));
            }
            if let Some(v) = &w.validator {
                out.kv(2, "validator", &ref_name(v));
            }
            if !w.options.is_empty() {
                out.kv(2, "options", &options_yaml(&w.options));
            }
            if let Some(c) = &w.comment {
                out.kv(2, "comment", &scalar(c));
            }
            if let Some(g) = grants_value(cat, &w.id()) {
                out.kv(2, "grants", &g);
            }
            if out.0.len() == header {
                // Nothing but defaults: an empty mapping.
                out.0.truncate(before);
                out.kv(1, &key, "{}");
            }
        }
    }
    if !cat.foreign_servers.is_empty() {
        out.line(0, "servers:");
        for s in cat.foreign_servers.values() {
            out.line(1, &format!("{}:", scalar(&s.name)));
            out.kv(2, "wrapper", &scalar(&s.wrapper));
            if let Some(t) = &s.server_type {
                out.kv(2, "type", &scalar(t));
            }
            if let Some(v) = &s.version {
                out.kv(2, "version", &scalar(v));
            }
            if !s.options.is_empty() {
                out.kv(2, "options", &options_yaml(&s.options));
            }
            let mappings: Vec<_> = cat
                .user_mappings
                .values()
                .filter(|m| m.server == s.name)
                .collect();
            if !mappings.is_empty() {
                out.line(2, "user_mappings:");
                for m in mappings {
                    out.kv(3, &mapping_key(&m.user), &options_yaml(&m.options));
                }
            }
            if let Some(c) = &s.comment {
                out.kv(2, "comment", &scalar(c));
            }
            if let Some(g) = grants_value(cat, &s.id()) {
                out.kv(2, "grants", &g);
            }
        }
    }
    if !cat.foreign_tables.is_empty() {
        out.line(0, "foreign_tables:");
        for t in cat.foreign_tables.values() {
            object_key(out, 1, &t.name);
            out.kv(2, "server", &scalar(&t.server));
            if !t.options.is_empty() {
                out.kv(2, "options", &options_yaml(&t.options));
            }
            if !t.columns.is_empty() {
                out.line(2, "columns:");
            }
            for c in &t.columns {
                let ty = scalar(&type_sql(&c.ty));
                let mut fields: Vec<(&str, String)> = Vec::new();
                if c.not_null {
                    fields.push(("not_null", "true".into()));
                }
                if let Some(d) = &c.default {
                    fields.push(("default", expr_scalar(&d.sql)));
                }
                if let Some(coll) = &c.collation {
                    fields.push(("collation", scalar(&dotted_name(coll))));
                }
                if let Some(o) = t.column_options.get(&c.name).filter(|o| !o.is_empty()) {
                    fields.push(("options", options_yaml(o)));
                }
                if let Some(cm) = &c.comment {
                    fields.push(("comment", scalar(cm)));
                }
                if fields.is_empty() {
                    out.kv(3, &scalar(&c.name), &ty);
                    continue;
                }
                out.line(3, &format!("{}:", scalar(&c.name)));
                out.kv(4, "type", &ty);
                for (k, v) in fields {
                    out.kv(4, k, &v);
                }
            }
            if let Some(c) = &t.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
}
