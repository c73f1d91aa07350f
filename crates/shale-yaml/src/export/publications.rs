//! `publications:` and `subscriptions:` of a YAML export (keys in `crate::publications`).

use super::families::ref_name;
use super::{flow_list, scalar, Out};
use shale_model::Catalog;

pub(super) fn write(out: &mut Out, cat: &Catalog) {
    if !cat.publications.is_empty() {
        out.line(0, "publications:");
        for p in cat.publications.values() {
            let key = scalar(&p.name);
            let before = out.0.len();
            out.line(1, &format!("{key}:"));
            let header = out.0.len();
            if p.all_tables {
                out.kv(2, "all_tables", "true");
            }
            if !p.tables.is_empty() {
                out.line(2, "tables:");
                for t in &p.tables {
                    let name = ref_name(&t.table);
                    if t.columns.is_empty() && t.row_filter.is_none() && !name.starts_with('{') {
                        out.line(3, &format!("- {name}"));
                        continue;
                    }
                    out.line(3, &format!("- table: {name}"));
                    if !t.columns.is_empty() {
                        out.kv(4, "columns", &flow_list(&t.columns));
                    }
                    if let Some(f) = &t.row_filter {
                        out.kv(4, "where", &scalar(&f.sql));
                    }
                }
            }
            if !p.schemas.is_empty() {
                out.kv(2, "schemas", &flow_list(&p.schemas));
            }
            if !(p.insert && p.update && p.delete && p.truncate) {
                let ops: Vec<String> = p.publish().split(", ").map(str::to_string).collect();
                let ops: Vec<String> = ops.into_iter().filter(|o| !o.is_empty()).collect();
                out.kv(2, "publish", &flow_list(&ops));
            }
            if p.via_root {
                out.kv(2, "via_partition_root", "true");
            }
            if let Some(c) = &p.comment {
                out.kv(2, "comment", &scalar(c));
            }
            if out.0.len() == header {
                out.0.truncate(before);
                out.kv(1, &key, "{}");
            }
        }
    }
    if !cat.subscriptions.is_empty() {
        out.line(0, "subscriptions:");
        for s in cat.subscriptions.values() {
            out.line(1, &format!("{}:", scalar(&s.name)));
            // A connection string the server kept from the user is not compared.
            out.kv(
                2,
                "connection",
                &scalar(s.conninfo.as_deref().unwrap_or_default()),
            );
            out.kv(2, "publications", &flow_list(&s.publications));
            if !s.enabled {
                out.kv(2, "enabled", "false");
            }
            match &s.slot_name {
                None => out.kv(2, "slot_name", "none"),
                Some(n) if *n == s.name => {}
                Some(n) => out.kv(2, "slot_name", &scalar(n)),
            }
            if s.synchronous_commit != "off" {
                out.kv(2, "synchronous_commit", &scalar(&s.synchronous_commit));
            }
            if s.binary {
                out.kv(2, "binary", "true");
            }
            if s.streaming != "off" {
                out.kv(2, "streaming", &scalar(&s.streaming));
            }
            if let Some(c) = &s.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
}
