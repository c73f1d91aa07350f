//! Export of the issue-3 families: views, routines, triggers, domains, composite and
//! range types, row-level security, policies, privileges, default privileges and table
//! options. Each writer leaves out what reading the YAML back fills in the same way.

use super::{dotted_key, dotted_name, expr_scalar, flow_list, object_key, scalar, type_sql};
use super::{write_index, Out, Taken, PUBLIC};
use shale_model::security::{all_privileges, Grant, PUBLIC as PUBLIC_ROLE};
use shale_model::{
    ArgMode, Catalog, CheckOption, FunctionBody, IndexKeyExpr, ObjectId, Parallel, PartitionBound,
    PolicyCommand, QualName, ReplicaIdentity, RoutineKind, Table, TriggerEnabled, TriggerEvent,
    TriggerTiming, View, Volatility,
};
use std::collections::{BTreeMap, BTreeSet};

/// A reference to another object as YAML reads it back: `name` in `public`,
/// `schema.name` elsewhere, `{schema: ..., name: ...}` when a dot makes that ambiguous.
pub(super) fn ref_name(q: &QualName) -> String {
    if q.schema.contains('.') || q.name.contains('.') {
        format!(
            "{{schema: {}, name: {}}}",
            scalar(&q.schema),
            scalar(&q.name)
        )
    } else if q.schema == PUBLIC {
        scalar(&q.name)
    } else {
        scalar(&format!("{}.{}", q.schema, q.name))
    }
}

/// `{role: [select, "insert with grant option"]}` as a flow mapping, or `None` when the
/// object holds what a new object gets anyway.
pub(super) fn grants_value(cat: &Catalog, id: &ObjectId) -> Option<String> {
    let have = cat.grants_on(id);
    let expect = match id {
        ObjectId::Column { .. } => BTreeSet::new(),
        _ => cat.new_object_grants(id),
    };
    if have == expect {
        return None;
    }
    Some(grant_map(&have, all_privileges(id)))
}

/// `owner: role` when the model holds the object's owner (`--include owners`).
pub(super) fn write_owner(out: &mut Out, indent: usize, cat: &Catalog, id: &ObjectId) {
    if let Some(r) = cat.owners.get(id) {
        out.kv(indent, "owner", &scalar(r));
    }
}

pub(super) fn grant_map(grants: &BTreeSet<Grant>, all: &[&str]) -> String {
    let mut by_role: BTreeMap<&str, Vec<&Grant>> = BTreeMap::new();
    for g in grants {
        by_role.entry(g.grantee.as_str()).or_default().push(g);
    }
    let mut items = Vec::new();
    for (role, gs) in by_role {
        let plain: BTreeSet<&str> = gs
            .iter()
            .filter(|g| !g.grantable)
            .map(|g| g.privilege.as_str())
            .collect();
        let grantable: BTreeSet<&str> = gs
            .iter()
            .filter(|g| g.grantable)
            .map(|g| g.privilege.as_str())
            .collect();
        let mut privs: Vec<String> = Vec::new();
        let mut push = |set: &BTreeSet<&str>, suffix: &str| {
            if all.len() > 1 && all.iter().all(|p| set.contains(p)) && all.len() == set.len() {
                privs.push(format!("all{suffix}"));
            } else {
                for a in all {
                    if set.contains(a) {
                        privs.push(format!("{}{suffix}", a.to_ascii_lowercase()));
                    }
                }
            }
        };
        push(&plain, "");
        push(&grantable, " with grant option");
        let key = if role == PUBLIC_ROLE {
            "PUBLIC".to_string()
        } else {
            role.to_string()
        };
        items.push(format!("{}: {}", scalar(&key), flow_list(&privs)));
    }
    format!("{{{}}}", items.join(", "))
}

// ---------------------------------------------------------------------------------------
// Schemas and default privileges

/// The `schemas:` list: plain names, or mappings for those with a comment or grants.
pub(super) fn write_schemas(out: &mut Out, cat: &Catalog) {
    let mut items: Vec<String> = Vec::new();
    let mut rich = false;
    for s in cat.schemas.keys() {
        let comment = cat.schema_comments.get(s);
        let id = ObjectId::Schema { name: s.clone() };
        let grants = grants_value(cat, &id);
        let owner = cat.owners.get(&id);
        if comment.is_none() && grants.is_none() && owner.is_none() {
            if s != PUBLIC {
                items.push(format!("- {}", scalar(s)));
            }
            continue;
        }
        rich = true;
        let mut item = format!("- name: {}", scalar(s));
        if let Some(c) = comment {
            item.push_str(&format!("\n    comment: {}", scalar(c)));
        }
        if let Some(g) = grants {
            item.push_str(&format!("\n    grants: {g}"));
        }
        if let Some(r) = owner {
            item.push_str(&format!("\n    owner: {}", scalar(r)));
        }
        items.push(item);
    }
    if items.is_empty() {
        return;
    }
    if !rich {
        let names: Vec<String> = cat
            .schemas
            .keys()
            .filter(|s| s.as_str() != PUBLIC)
            .cloned()
            .collect();
        out.kv(0, "schemas", &flow_list(&names));
        return;
    }
    out.line(0, "schemas:");
    for i in items {
        out.line(1, &i);
    }
}

pub(super) fn write_default_privileges(out: &mut Out, cat: &Catalog) {
    if cat.default_privileges.is_empty() {
        return;
    }
    out.line(0, "default_privileges:");
    for d in cat.default_privileges.values() {
        let on = d.objects.sql().to_ascii_lowercase();
        out.line(1, &format!("- on: {on}"));
        if let Some(r) = &d.role {
            out.kv(2, "role", &scalar(r));
        }
        if let Some(s) = &d.schema {
            out.kv(2, "schema", &scalar(s));
        }
        out.kv(
            2,
            "grants",
            &grant_map(&d.grants, all_privileges(&d.objects.sample())),
        );
    }
}

// ---------------------------------------------------------------------------------------
// Types

pub(super) fn write_collations(out: &mut Out, cat: &Catalog) {
    if cat.collations.is_empty() {
        return;
    }
    out.line(0, "collations:");
    for c in cat.collations.values() {
        object_key(out, 1, &c.name);
        if c.provider != "libc" {
            out.kv(2, "provider", &scalar(&c.provider));
        }
        out.kv(2, "locale", &super::quoted(&c.locale));
        if let Some(ct) = &c.lc_ctype {
            out.kv(2, "lc_ctype", &super::quoted(ct));
        }
        if !c.deterministic {
            out.kv(2, "deterministic", "false");
        }
        if let Some(cm) = &c.comment {
            out.kv(2, "comment", &scalar(cm));
        }
    }
}

pub(super) fn write_types(out: &mut Out, cat: &Catalog) {
    if !cat.domains.is_empty() {
        out.line(0, "domains:");
        for d in cat.domains.values() {
            object_key(out, 1, &d.name);
            out.kv(2, "type", &scalar(&type_sql(&d.base)));
            if let Some(c) = &d.collation {
                out.kv(2, "collation", &scalar(&dotted_name(c)));
            }
            if let Some(e) = &d.default {
                out.kv(2, "default", &expr_scalar(&e.sql));
            }
            if d.not_null {
                out.kv(2, "not_null", "true");
            }
            if !d.checks.is_empty() {
                out.line(2, "checks:");
                for c in d.checks.values() {
                    out.line(3, &format!("- name: {}", scalar(&c.name)));
                    out.kv(4, "expr", &scalar(&c.expr.sql));
                    if !c.validated {
                        out.kv(4, "not_valid", "true");
                    }
                }
            }
            if let Some(c) = &d.comment {
                out.kv(2, "comment", &scalar(c));
            }
            let id = ObjectId::Type {
                name: d.name.clone(),
            };
            if let Some(g) = grants_value(cat, &id) {
                out.kv(2, "grants", &g);
            }
            write_owner(out, 2, cat, &id);
        }
    }
    if !cat.composites.is_empty() {
        out.line(0, "composite_types:");
        for c in cat.composites.values() {
            object_key(out, 1, &c.name);
            if c.attributes.is_empty() {
                out.kv(2, "attributes", "{}");
            } else {
                out.line(2, "attributes:");
            }
            for a in &c.attributes {
                let ty = scalar(&type_sql(&a.ty));
                match &a.collation {
                    None => out.kv(3, &scalar(&a.name), &ty),
                    Some(coll) => out.kv(
                        3,
                        &scalar(&a.name),
                        &format!("{{type: {ty}, collation: {}}}", scalar(&dotted_name(coll))),
                    ),
                }
            }
            if let Some(cm) = &c.comment {
                out.kv(2, "comment", &scalar(cm));
            }
            let id = ObjectId::Type {
                name: c.name.clone(),
            };
            if let Some(g) = grants_value(cat, &id) {
                out.kv(2, "grants", &g);
            }
            write_owner(out, 2, cat, &id);
        }
    }
    if !cat.ranges.is_empty() {
        out.line(0, "range_types:");
        for r in cat.ranges.values() {
            object_key(out, 1, &r.name);
            out.kv(2, "subtype", &scalar(&type_sql(&r.subtype)));
            let q = |k: &str, v: &Option<QualName>, out: &mut Out| {
                if let Some(v) = v {
                    out.kv(2, k, &scalar(&dotted_name(v)));
                }
            };
            q("subtype_opclass", &r.subtype_opclass, out);
            q("collation", &r.collation, out);
            q("canonical", &r.canonical, out);
            q("subtype_diff", &r.subtype_diff, out);
            if let Some(m) = &r.multirange {
                out.kv(2, "multirange", &scalar(m));
            }
            if let Some(cm) = &r.comment {
                out.kv(2, "comment", &scalar(cm));
            }
            let id = ObjectId::Type {
                name: r.name.clone(),
            };
            if let Some(g) = grants_value(cat, &id) {
                out.kv(2, "grants", &g);
            }
            write_owner(out, 2, cat, &id);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Functions and procedures

/// A string that reads back exactly: a literal block (`|2`, with the chomping its final
/// newlines need) when it has several lines and nothing a block would change, a quoted
/// scalar otherwise.
pub(super) fn text_value(indent: usize, s: &str) -> String {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let block_ok = body.contains('\n')
        && s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control())
        && !s.contains(['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}'])
        && body
            .split('\n')
            .all(|l| l.is_empty() || !l.trim_matches([' ', '\t']).is_empty());
    if !block_ok {
        return scalar(s);
    }
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let pad = "  ".repeat(indent + 1);
    let mut out = format!("|2{chomp}");
    for l in body.split('\n') {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(&pad);
            out.push_str(l);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    out
}

pub(super) fn write_functions(out: &mut Out, cat: &Catalog) {
    for (kind, key) in [
        (RoutineKind::Function, "functions"),
        (RoutineKind::Procedure, "procedures"),
    ] {
        let fs: Vec<_> = cat.functions.values().filter(|f| f.kind == kind).collect();
        if fs.is_empty() {
            continue;
        }
        out.line(0, &format!("{key}:"));
        for f in fs {
            match dotted_key(&f.name) {
                Some(k) => out.line(1, &format!("- name: {}", scalar(&k))),
                None => {
                    out.line(1, &format!("- name: {}", scalar(&f.name.name)));
                    out.kv(2, "schema", &scalar(&f.name.schema));
                }
            }
            let table_cols: Vec<_> = f.args.iter().filter(|a| a.mode == ArgMode::Table).collect();
            let args: Vec<_> = f.args.iter().filter(|a| a.mode != ArgMode::Table).collect();
            if !args.is_empty() {
                out.line(2, "args:");
                for a in args {
                    let mut fields = Vec::new();
                    if let Some(n) = &a.name {
                        fields.push(format!("name: {}", scalar(n)));
                    }
                    fields.push(format!("type: {}", scalar(&type_sql(&a.ty))));
                    match a.mode {
                        ArgMode::Out => fields.push("mode: out".into()),
                        ArgMode::InOut => fields.push("mode: inout".into()),
                        ArgMode::Variadic => fields.push("mode: variadic".into()),
                        _ => {}
                    }
                    if let Some(d) = &a.default {
                        fields.push(format!("default: {}", expr_scalar(&d.sql)));
                    }
                    out.line(3, &format!("- {{{}}}", fields.join(", ")));
                }
            }
            if !table_cols.is_empty() {
                out.line(2, "returns_table:");
                for a in table_cols {
                    out.kv(
                        3,
                        &scalar(a.name.as_deref().unwrap_or("")),
                        &scalar(&type_sql(&a.ty)),
                    );
                }
            } else if let (RoutineKind::Function, Some(r)) = (f.kind, &f.returns) {
                let t = type_sql(r);
                let t = if f.returns_set {
                    format!("setof {t}")
                } else {
                    t
                };
                out.kv(2, "returns", &scalar(&t));
            }
            out.kv(2, "language", &scalar(&f.language));
            match f.volatility {
                Volatility::Immutable => out.kv(2, "volatility", "immutable"),
                Volatility::Stable => out.kv(2, "volatility", "stable"),
                Volatility::Volatile => {}
            }
            if f.strict {
                out.kv(2, "strict", "true");
            }
            if f.security_definer {
                out.kv(2, "security_definer", "true");
            }
            if f.leakproof {
                out.kv(2, "leakproof", "true");
            }
            match f.parallel {
                Parallel::Safe => out.kv(2, "parallel", "safe"),
                Parallel::Restricted => out.kv(2, "parallel", "restricted"),
                Parallel::Unsafe => {}
            }
            if let Some(c) = &f.cost {
                out.kv(2, "cost", &expr_scalar(c));
            }
            if let Some(r) = &f.rows {
                out.kv(2, "rows", &expr_scalar(r));
            }
            if !f.config.is_empty() {
                out.line(2, "set:");
                for c in &f.config {
                    let (k, v) = c.split_once('=').unwrap_or((c.as_str(), ""));
                    out.kv(3, &scalar(k), &super::quoted(v));
                }
            }
            match &f.body {
                FunctionBody::Source(e) => out.kv(2, "body", &text_value(2, &e.sql)),
                FunctionBody::Standard(e) => out.kv(2, "sql_body", &text_value(2, &e.sql)),
                FunctionBody::Object { file, symbol } => {
                    out.kv(2, "obj_file", &scalar(file));
                    out.kv(2, "link_symbol", &scalar(symbol));
                }
            }
            if let Some(c) = &f.comment {
                out.kv(2, "comment", &scalar(c));
            }
            if let Some(g) = grants_value(cat, &f.id()) {
                out.kv(2, "grants", &g);
            }
            write_owner(out, 2, cat, &f.id());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Event triggers

pub(super) fn write_event_triggers(out: &mut Out, cat: &Catalog) {
    if cat.event_triggers.is_empty() {
        return;
    }
    out.line(0, "event_triggers:");
    for e in cat.event_triggers.values() {
        out.line(1, &format!("{}:", scalar(&e.name)));
        out.kv(2, "event", e.event.sql());
        if !e.tags.is_empty() {
            out.kv(2, "tags", &flow_list(&e.tags));
        }
        out.kv(2, "function", &ref_name(&e.function));
        write_enabled(out, 2, e.enabled);
        if let Some(c) = &e.comment {
            out.kv(2, "comment", &scalar(c));
        }
        write_owner(
            out,
            2,
            cat,
            &ObjectId::EventTrigger {
                name: e.name.clone(),
            },
        );
    }
}

/// `enabled:` of a trigger or event trigger, when not `origin`.
pub(super) fn write_enabled(out: &mut Out, indent: usize, enabled: TriggerEnabled) {
    match enabled {
        TriggerEnabled::Origin => {}
        TriggerEnabled::Disabled => out.kv(indent, "enabled", "disabled"),
        TriggerEnabled::Replica => out.kv(indent, "enabled", "replica"),
        TriggerEnabled::Always => out.kv(indent, "enabled", "always"),
    }
}

// ---------------------------------------------------------------------------------------
// Views

/// Views in an order where each comes after the views it reads.
fn views_in_order(cat: &Catalog) -> Vec<&View> {
    let mut out: Vec<&View> = Vec::new();
    let mut done: BTreeSet<&QualName> = BTreeSet::new();
    let mut pending: Vec<&View> = cat.views.values().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|v| {
            let ready = v
                .query
                .refs
                .iter()
                .all(|r| r == &v.name || done.contains(r) || !cat.views.contains_key(r));
            if ready {
                done.insert(&v.name);
                out.push(v);
            }
            !ready
        });
        if pending.len() == before {
            out.append(&mut pending);
        }
    }
    out
}

pub(super) fn write_views(out: &mut Out, cat: &Catalog, taken: &Taken) {
    if cat.views.is_empty() {
        return;
    }
    out.line(0, "views:");
    for v in views_in_order(cat) {
        object_key(out, 1, &v.name);
        if v.materialized {
            out.kv(2, "materialized", "true");
        }
        out.kv(2, "query", &text_value(2, &v.query.sql));
        out.kv(2, "columns", &flow_list(&v.columns));
        if let Some(b) = v.security_barrier {
            out.kv(2, "security_barrier", &b.to_string());
        }
        if let Some(b) = v.security_invoker {
            out.kv(2, "security_invoker", &b.to_string());
        }
        match v.check_option {
            Some(CheckOption::Local) => out.kv(2, "check_option", "local"),
            Some(CheckOption::Cascaded) => out.kv(2, "check_option", "cascaded"),
            None => {}
        }
        if v.materialized && !v.with_data {
            out.kv(2, "with_data", "false");
        }
        if !v.storage.is_empty() {
            out.kv(
                2,
                "with",
                &crate::relation_options::with_yaml(&v.storage, scalar),
            );
        }
        if !v.indexes.is_empty() {
            out.line(2, "indexes:");
            for ix in v.indexes.values() {
                write_index(out, cat, ix, taken);
            }
        }
        if let Some(c) = &v.comment {
            out.kv(2, "comment", &scalar(c));
        }
        if !v.column_comments.is_empty() {
            out.line(2, "column_comments:");
            for (c, t) in &v.column_comments {
                out.kv(3, &scalar(c), &scalar(t));
            }
        }
        let id = ObjectId::View {
            name: v.name.clone(),
        };
        if let Some(g) = grants_value(cat, &id) {
            out.kv(2, "grants", &g);
        }
        write_owner(out, 2, cat, &id);
        let col_grants: Vec<(String, String)> = v
            .columns
            .iter()
            .filter_map(|c| {
                let id = ObjectId::Column {
                    table: v.name.clone(),
                    column: c.clone(),
                };
                grants_value(cat, &id).map(|g| (c.clone(), g))
            })
            .collect();
        if !col_grants.is_empty() {
            out.line(2, "column_grants:");
            for (c, g) in col_grants {
                out.kv(3, &scalar(&c), &g);
            }
        }
        write_triggers(out, cat, &v.name);
        super::rewrite_rules::write_rules(out, cat, &v.name);
    }
}

// ---------------------------------------------------------------------------------------
// Tables: triggers, policies, options

fn write_triggers(out: &mut Out, cat: &Catalog, table: &QualName) {
    let trs: Vec<_> = cat
        .triggers
        .values()
        .filter(|t| &t.table == table)
        .collect();
    if trs.is_empty() {
        return;
    }
    out.line(2, "triggers:");
    for t in trs {
        out.line(3, &format!("{}:", scalar(&t.name)));
        let timing = match t.timing {
            TriggerTiming::Before => "before",
            TriggerTiming::After => "after",
            TriggerTiming::InsteadOf => "instead_of",
        };
        out.kv(4, "timing", timing);
        let events: Vec<String> = t
            .events
            .iter()
            .map(|e| {
                match e {
                    TriggerEvent::Insert => "insert",
                    TriggerEvent::Delete => "delete",
                    TriggerEvent::Update => "update",
                    TriggerEvent::Truncate => "truncate",
                }
                .to_string()
            })
            .collect();
        out.kv(4, "events", &flow_list(&events));
        if !t.update_columns.is_empty() {
            out.kv(4, "update_of", &flow_list(&t.update_columns));
        }
        if t.for_each_row {
            out.kv(4, "for_each", "row");
        }
        if let Some(w) = &t.when {
            out.kv(4, "when", &scalar(&w.sql));
        }
        out.kv(4, "function", &ref_name(&t.function));
        if !t.args.is_empty() {
            out.kv(4, "args", &flow_list(&t.args));
        }
        if t.constraint {
            out.kv(4, "constraint", "true");
        }
        if t.deferrable {
            out.kv(4, "deferrable", "true");
        }
        if t.initially_deferred {
            out.kv(4, "initially_deferred", "true");
        }
        if let Some(f) = &t.from_table {
            out.kv(4, "from", &ref_name(f));
        }
        if t.old_table.is_some() || t.new_table.is_some() {
            out.line(4, "referencing:");
            if let Some(o) = &t.old_table {
                out.kv(5, "old_table", &scalar(o));
            }
            if let Some(n) = &t.new_table {
                out.kv(5, "new_table", &scalar(n));
            }
        }
        write_enabled(out, 4, t.enabled);
        if let Some(c) = &t.comment {
            out.kv(4, "comment", &scalar(c));
        }
    }
}

/// The extra keys of a column: options and grants.
pub(super) fn column_extras(cat: &Catalog, t: &Table, column: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    if let Some(o) = cat
        .table_options
        .get(&t.name)
        .and_then(|o| o.columns.get(column))
    {
        if let Some(s) = o.statistics {
            fields.push(("statistics".to_string(), s.to_string()));
        }
        if let Some(s) = &o.storage {
            fields.push(("storage".to_string(), scalar(s)));
        }
        if let Some(c) = &o.compression {
            fields.push(("compression".to_string(), scalar(c)));
        }
    }
    let id = ObjectId::Column {
        table: t.name.clone(),
        column: column.to_string(),
    };
    if let Some(g) = grants_value(cat, &id) {
        fields.push(("grants".to_string(), g));
    }
    fields
}

/// Keys of a table after its indexes: exclusions, options, RLS, policies, triggers,
/// grants.
pub(super) fn write_table_optionsras(out: &mut Out, cat: &Catalog, t: &Table) {
    if let Some(o) = cat.table_options.get(&t.name) {
        if !o.exclusions.is_empty() {
            out.line(2, "exclusions:");
            for x in o.exclusions.values() {
                out.line(3, &format!("- name: {}", scalar(&x.name)));
                if x.method != "btree" {
                    out.kv(4, "using", &scalar(&x.method));
                }
                out.line(4, "elements:");
                for e in &x.elements {
                    let k = match &e.key {
                        IndexKeyExpr::Column(c) => format!("column: {}", scalar(c)),
                        IndexKeyExpr::Expr(x) => format!("expr: {}", scalar(&x.sql)),
                    };
                    out.line(
                        5,
                        &format!("- {{{k}, with: {}}}", super::quoted(&e.operator)),
                    );
                }
                if let Some(p) = &x.predicate {
                    out.kv(4, "where", &scalar(&p.sql));
                }
                if x.deferrable {
                    out.kv(4, "deferrable", "true");
                }
                if x.initially_deferred {
                    out.kv(4, "initially_deferred", "true");
                }
                if let Some(c) = &x.comment {
                    out.kv(4, "comment", &scalar(c));
                }
            }
        }
        if o.unlogged {
            out.kv(2, "unlogged", "true");
        }
        if !o.storage.is_empty() {
            let items: Vec<String> = o
                .storage
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), expr_scalar(v)))
                .collect();
            out.kv(2, "with", &format!("{{{}}}", items.join(", ")));
        }
        if let Some(pb) = &o.partition_by {
            out.kv(2, "partition_by", &scalar(&pb.to_string()));
        }
        if let Some(po) = &o.partition_of {
            let bound = match &po.bound {
                PartitionBound::Default => "default".to_string(),
                b => {
                    let s = b.to_string();
                    s.strip_prefix("FOR VALUES ").unwrap_or(&s).to_string()
                }
            };
            out.kv(
                2,
                "partition_of",
                &format!(
                    "{{parent: {}, bound: {}}}",
                    ref_name(&po.parent),
                    scalar(&bound)
                ),
            );
        }
        if !o.inherits.is_empty() {
            let ps: Vec<String> = o.inherits.iter().map(ref_name).collect();
            out.kv(2, "inherits", &format!("[{}]", ps.join(", ")));
        }
        // Settings of the columns it gets from its parents (its own are in `columns`).
        let inherited: Vec<_> = o
            .columns
            .iter()
            .filter(|(c, _)| t.column(c).is_none())
            .collect();
        if !inherited.is_empty() {
            out.line(2, "inherited_columns:");
        }
        for (c, opts) in inherited {
            let mut f: Vec<String> = Vec::new();
            if opts.not_null {
                f.push("not_null: true".into());
            }
            // (Statistics, storage and compression of an inherited column are not
            // modelled by the SQL front end: not written.)
            if let Some(d) = &opts.default {
                f.push(format!("default: {}", expr_scalar(&d.sql)));
            }
            out.kv(3, &scalar(c), &format!("{{{}}}", f.join(", ")));
        }
        match &o.replica_identity {
            ReplicaIdentity::Default => {}
            ReplicaIdentity::Full => out.kv(2, "replica_identity", "full"),
            ReplicaIdentity::Nothing => out.kv(2, "replica_identity", "nothing"),
            ReplicaIdentity::Index(i) => {
                out.kv(2, "replica_identity", &scalar(&format!("index {i}")))
            }
        }
        if let Some(c) = &o.cluster_on {
            out.kv(2, "cluster_on", &scalar(c));
        }
    }
    if t.rls_enabled {
        out.kv(2, "row_level_security", "true");
    }
    if t.rls_forced {
        out.kv(2, "force_row_level_security", "true");
    }
    let pols: Vec<_> = cat
        .policies
        .values()
        .filter(|p| p.table == t.name)
        .collect();
    if !pols.is_empty() {
        out.line(2, "policies:");
        for p in pols {
            let mut f: Vec<(&str, String)> = Vec::new();
            if p.command != PolicyCommand::All {
                f.push(("command", p.command.sql().to_ascii_lowercase()));
            }
            if !p.permissive {
                f.push(("restrictive", "true".into()));
            }
            if p.roles != [PUBLIC_ROLE.to_string()] {
                f.push(("roles", flow_list(&p.roles)));
            }
            if let Some(u) = &p.using {
                f.push(("using", scalar(&u.sql)));
            }
            if let Some(w) = &p.with_check {
                f.push(("with_check", scalar(&w.sql)));
            }
            if let Some(c) = &p.comment {
                f.push(("comment", scalar(c)));
            }
            if f.is_empty() {
                out.kv(3, &scalar(&p.name), "{}");
            } else {
                out.line(3, &format!("{}:", scalar(&p.name)));
                for (k, v) in f {
                    out.kv(4, k, &v);
                }
            }
        }
    }
    write_triggers(out, cat, &t.name);
    super::rewrite_rules::write_rules(out, cat, &t.name);
    let id = ObjectId::Table {
        name: t.name.clone(),
    };
    if let Some(g) = grants_value(cat, &id) {
        out.kv(2, "grants", &g);
    }
    write_owner(out, 2, cat, &id);
}
