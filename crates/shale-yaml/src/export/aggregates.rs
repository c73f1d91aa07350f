//! `aggregates:` and `casts:` of a YAML export (keys in `crate::aggregates`).

use super::families::ref_name;
use super::{flow_list, quoted, scalar, type_sql, Out};
use shale_model::{AggregateKind, CastContext, CastMethod, Catalog, FinalModify, Parallel};

fn modify(m: FinalModify) -> &'static str {
    match m {
        FinalModify::ReadOnly => "read_only",
        FinalModify::Shareable => "shareable",
        FinalModify::ReadWrite => "read_write",
    }
}

pub(super) fn write(out: &mut Out, cat: &Catalog) {
    if !cat.aggregates.is_empty() {
        out.line(0, "aggregates:");
        for a in cat.aggregates.values() {
            out.line(1, &format!("- name: {}", ref_name(&a.name)));
            let types: Vec<String> = a.args.iter().map(type_sql).collect();
            if a.kind == AggregateKind::Normal {
                if !types.is_empty() {
                    out.kv(2, "args", &flow_list(&types));
                }
            } else {
                let n = (a.direct_args.max(0) as usize).min(types.len());
                if n > 0 {
                    out.kv(2, "args", &flow_list(&types[..n]));
                }
                out.kv(2, "order_by", &flow_list(&types[n..]));
                if a.kind == AggregateKind::Hypothetical {
                    out.kv(2, "hypothetical", "true");
                }
            }
            out.kv(2, "sfunc", &ref_name(&a.sfunc));
            out.kv(2, "stype", &scalar(&type_sql(&a.stype)));
            if a.sspace != 0 {
                out.kv(2, "sspace", &a.sspace.to_string());
            }
            let funcs = [
                ("finalfunc", &a.finalfunc),
                ("combinefunc", &a.combinefunc),
                ("serialfunc", &a.serialfunc),
                ("deserialfunc", &a.deserialfunc),
                ("msfunc", &a.msfunc),
                ("minvfunc", &a.minvfunc),
                ("mfinalfunc", &a.mfinalfunc),
            ];
            for (k, f) in funcs {
                if let Some(f) = f {
                    out.kv(2, k, &ref_name(f));
                }
            }
            if a.finalfunc_extra {
                out.kv(2, "finalfunc_extra", "true");
            }
            if a.finalfunc_modify != FinalModify::default_for(a.kind) {
                out.kv(2, "finalfunc_modify", modify(a.finalfunc_modify));
            }
            if let Some(i) = &a.initcond {
                out.kv(2, "initcond", &quoted(i));
            }
            if let Some(t) = &a.mstype {
                out.kv(2, "mstype", &scalar(&type_sql(t)));
                if a.mfinalfunc_modify != FinalModify::default_for(a.kind) {
                    out.kv(2, "mfinalfunc_modify", modify(a.mfinalfunc_modify));
                }
            }
            if a.msspace != 0 {
                out.kv(2, "msspace", &a.msspace.to_string());
            }
            if a.mfinalfunc_extra {
                out.kv(2, "mfinalfunc_extra", "true");
            }
            if let Some(i) = &a.minitcond {
                out.kv(2, "minitcond", &quoted(i));
            }
            if let Some(op) = &a.sortop {
                let s = if op.schema == "pg_catalog" {
                    op.name.clone()
                } else {
                    format!("{}.{}", op.schema, op.name)
                };
                out.kv(2, "sortop", &quoted(&s));
            }
            match a.parallel {
                Parallel::Unsafe => {}
                Parallel::Restricted => out.kv(2, "parallel", "restricted"),
                Parallel::Safe => out.kv(2, "parallel", "safe"),
            }
            if let Some(c) = &a.comment {
                out.kv(2, "comment", &scalar(c));
            }
        }
    }
    if !cat.casts.is_empty() {
        out.line(0, "casts:");
        for c in cat.casts.values() {
            out.line(1, &format!("- source: {}", scalar(&type_sql(&c.source))));
            out.kv(2, "target", &scalar(&type_sql(&c.target)));
            match &c.method {
                CastMethod::Function { name, args } => {
                    out.kv(2, "function", &ref_name(name));
                    let types: Vec<String> = args.iter().map(type_sql).collect();
                    out.kv(2, "function_args", &flow_list(&types));
                }
                CastMethod::Inout => out.kv(2, "method", "inout"),
                CastMethod::Binary => out.kv(2, "method", "binary"),
            }
            match c.context {
                CastContext::Explicit => {}
                CastContext::Assignment => out.kv(2, "context", "assignment"),
                CastContext::Implicit => out.kv(2, "context", "implicit"),
            }
            if let Some(cm) = &c.comment {
                out.kv(2, "comment", &scalar(cm));
            }
        }
    }
}
