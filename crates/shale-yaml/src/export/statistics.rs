//! Export of extended statistics (`statistics:`; see `crate::statistics`).

use super::families::ref_name;
use super::{flow_list, object_key, scalar, Out};
use shale_model::Catalog;

pub(super) fn write_statistics(out: &mut Out, cat: &Catalog) {
    if cat.statistics.is_empty() {
        return;
    }
    out.line(0, "statistics:");
    for s in cat.statistics.values() {
        object_key(out, 1, &s.name);
        out.kv(2, "table", &ref_name(&s.table));
        let all = s.kinds.len() == shale_model::statistics::STATISTICS_KINDS.len();
        if !all && !s.kinds.is_empty() {
            out.kv(2, "kinds", &flow_list(&s.kinds));
        }
        if !s.columns.is_empty() {
            out.kv(2, "columns", &flow_list(&s.columns));
        }
        if !s.exprs.is_empty() {
            let exprs: Vec<String> = s.exprs.iter().map(|e| scalar(&e.sql)).collect();
            out.kv(2, "expressions", &format!("[{}]", exprs.join(", ")));
        }
        if let Some(t) = s.target {
            out.kv(2, "target", &t.to_string());
        }
        if let Some(c) = &s.comment {
            out.kv(2, "comment", &scalar(c));
        }
    }
}
