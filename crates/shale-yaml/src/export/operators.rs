//! `operators:`, `operator_families:` and `operator_classes:` of a YAML export (keys in
//! `crate::operators`). A family holds every member, as the model does; a class is its
//! header, with `family:` only when not the family of its own name.

use super::families::ref_name;
use super::{flow_list, scalar, type_sql, Out};
use shale_model::{Catalog, QualName};

/// An operator reference: `op` in `public`, `schema.op` elsewhere (an operator name has
/// no dot, so the last dot splits it).
fn operator_ref(q: &QualName) -> String {
    if q.schema == "public" {
        scalar(&q.name)
    } else {
        scalar(&format!("{}.{}", q.schema, q.name))
    }
}

pub(super) fn write(out: &mut Out, cat: &Catalog) {
    if !cat.operators.is_empty() {
        out.line(0, "operators:");
        for o in cat.operators.values() {
            out.line(1, &format!("- name: {}", operator_ref(&o.name)));
            if let Some(l) = &o.left {
                out.kv(2, "left", &scalar(&type_sql(l)));
            }
            out.kv(2, "right", &scalar(&type_sql(&o.right)));
            out.kv(2, "function", &ref_name(&o.function));
            if let Some(c) = &o.commutator {
                out.kv(2, "commutator", &operator_ref(c));
            }
            if let Some(n) = &o.negator {
                out.kv(2, "negator", &operator_ref(n));
            }
            if let Some(r) = &o.restrict {
                out.kv(2, "restrict", &ref_name(r));
            }
            if let Some(j) = &o.join {
                out.kv(2, "join", &ref_name(j));
            }
            if o.hashes {
                out.kv(2, "hashes", "true");
            }
            if o.merges {
                out.kv(2, "merges", "true");
            }
            if let Some(c) = &o.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
    if !cat.operator_families.is_empty() {
        out.line(0, "operator_families:");
        for f in cat.operator_families.values() {
            out.line(1, &format!("- name: {}", ref_name(&f.name)));
            out.kv(2, "using", &scalar(&f.method));
            if !f.operators.is_empty() {
                out.line(2, "operators:");
                for m in &f.operators {
                    let types = flow_list(&[type_sql(&m.left), type_sql(&m.right)]);
                    let mut item = format!(
                        "strategy: {}, operator: {}, types: {types}",
                        m.strategy,
                        operator_ref(&m.operator)
                    );
                    if let Some(o) = &m.order_by {
                        item.push_str(&format!(", order_by: {}", ref_name(o)));
                    }
                    out.line(3, &format!("- {{{item}}}"));
                }
            }
            if !f.functions.is_empty() {
                out.line(2, "functions:");
                for m in &f.functions {
                    let args: Vec<String> = m.args.iter().map(type_sql).collect();
                    let types = flow_list(&[type_sql(&m.left), type_sql(&m.right)]);
                    out.line(
                        3,
                        &format!(
                            "- {{number: {}, function: {}, args: {}, types: {types}}}",
                            m.number,
                            ref_name(&m.function),
                            flow_list(&args)
                        ),
                    );
                }
            }
            if let Some(c) = &f.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
    if !cat.operator_classes.is_empty() {
        out.line(0, "operator_classes:");
        for c in cat.operator_classes.values() {
            out.line(1, &format!("- name: {}", ref_name(&c.name)));
            out.kv(2, "using", &scalar(&c.method));
            out.kv(2, "type", &scalar(&type_sql(&c.ty)));
            if c.default {
                out.kv(2, "default", "true");
            }
            if c.family != c.name {
                out.kv(2, "family", &ref_name(&c.family));
            }
            if let Some(s) = &c.storage {
                out.kv(2, "storage", &scalar(&type_sql(s)));
            }
            if let Some(cm) = &c.comment {
                out.kv(2, "comment", &scalar(cm));
            }
        }
    }
}
