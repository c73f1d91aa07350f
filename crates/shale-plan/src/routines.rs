//! Steps for views, materialized views (and their indexes), functions, procedures and
//! triggers (their risk rules are rows of the one registry in `rules.rs`, codes
//! SH130–SH147); and the note listing the objects shale does not manage ([`unmodeled_note`]).
//!
//! Ordering follows the model's dependencies (`Catalog::dependencies`): a view is created
//! after the tables, views and functions it reads, a trigger after its table and function;
//! drops run in reverse. A view dropped to be re-created around a column change is dropped
//! before the column's `ALTER` and created after it, in the same transaction (every step
//! here is transactional), and the plan says why on both steps.

use crate::build::{deps, Builder, Draft};
use crate::model::{Action, Plan, Risk};
use crate::rules::{self, RuleId, Vars};
use crate::sql;
use shale_diff::RoutineChange;
use shale_model::{
    quote_ident, quote_literal, ArgMode, Catalog, Function, FunctionBody, Index, ObjectId,
    Parallel, QualName, RoutineKind, Trigger, TriggerEnabled, TriggerTiming, Unmodeled, View,
    Volatility,
};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP_TRIGGER: u8 = 0;
    pub const DROP_VIEW: u8 = 0;
    pub const DROP_VIEW_INDEX: u8 = 1;
    pub const DROP_FUNCTION: u8 = 7;
    pub const FUNCTION: u8 = 13;
    pub const VIEW: u8 = 19;
    pub const TRIGGER: u8 = 20;
    pub const COMMENT: u8 = 21;
}

/// The risk of a step of this module, from the registry (`rules.rs`, codes SH130–SH147).
fn risk(id: RuleId, object: &str, table: &str, detail: &str) -> Risk {
    rules::rule_for(id).risk(&Vars {
        object: object.to_string(),
        table: table.to_string(),
        detail: detail.to_string(),
        ..Vars::default()
    })
}

// ---------------------------------------------------------------------------------------
// SQL

/// `CREATE [MATERIALIZED] VIEW …`.
pub fn create_view_sql(v: &View) -> String {
    let cols = v
        .columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let query = v.query.sql.trim().trim_end_matches(';').trim_end();
    if v.materialized {
        return format!(
            "CREATE MATERIALIZED VIEW {} ({cols}){} AS\n{query}\nWITH {}DATA",
            v.name,
            crate::relation_options::with_clause(&v.storage),
            if v.with_data { "" } else { "NO " }
        );
    }
    let opts = view_options(v);
    let with = if opts.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", opts.join(", "))
    };
    format!("CREATE VIEW {} ({cols}){with} AS\n{query}", v.name)
}

/// `CREATE OR REPLACE VIEW …` (options given replace the old ones; absent ones are reset).
pub fn replace_view_sql(v: &View) -> String {
    create_view_sql(v).replacen("CREATE VIEW ", "CREATE OR REPLACE VIEW ", 1)
}

fn view_options(v: &View) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(b) = v.security_barrier {
        out.push(format!("security_barrier = {b}"));
    }
    if let Some(b) = v.security_invoker {
        out.push(format!("security_invoker = {b}"));
    }
    if let Some(c) = v.check_option {
        out.push(format!("check_option = {}", c.sql()));
    }
    out
}

/// A dollar-quote tag not occurring in `body`.
fn dollar_quote(body: &str, base: &str) -> String {
    let mut tag = format!("${base}$");
    let mut i = 0;
    while body.contains(&tag) {
        i += 1;
        tag = format!("${base}{i}$");
    }
    format!("{tag}{body}{tag}")
}

/// Split a list GUC value as `proconfig` holds it (`public, "My Schema"`).
fn split_guc_list(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = v.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ',' if !quoted => {
                out.push(std::mem::take(&mut cur));
                any = false;
            }
            c if c.is_whitespace() && !quoted => {}
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any || !cur.is_empty() || !out.is_empty() {
        out.push(cur);
    }
    out
}

const LIST_GUCS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
    "unix_socket_directories",
];

/// `SET name TO value` of a `proconfig` entry.
fn set_clause(entry: &str) -> String {
    let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
    let value = if LIST_GUCS.contains(&name) {
        split_guc_list(value)
            .iter()
            .map(|v| quote_literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        quote_literal(value)
    };
    format!("SET {name} TO {value}")
}

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE …`.
pub fn create_function_sql(f: &Function, replace: bool) -> String {
    let table_fn = f.args.iter().any(|a| a.mode == ArgMode::Table);
    let args: Vec<String> = f
        .args
        .iter()
        .filter(|a| a.mode != ArgMode::Table)
        .map(|a| {
            let mode = match a.mode {
                ArgMode::In => "",
                ArgMode::Out => "OUT ",
                ArgMode::InOut => "INOUT ",
                ArgMode::Variadic => "VARIADIC ",
                ArgMode::Table => "",
            };
            let name = a
                .name
                .as_ref()
                .map(|n| format!("{} ", quote_ident(n)))
                .unwrap_or_default();
            let default = a
                .default
                .as_ref()
                .map(|d| format!(" DEFAULT {}", d.sql))
                .unwrap_or_default();
            format!("{mode}{name}{}{default}", a.ty)
        })
        .collect();
    let mut s = format!(
        "CREATE {}{} {}({})",
        if replace { "OR REPLACE " } else { "" },
        f.kind_sql(),
        f.name,
        args.join(", ")
    );
    if table_fn {
        let cols: Vec<String> = f
            .args
            .iter()
            .filter(|a| a.mode == ArgMode::Table)
            .map(|a| {
                format!(
                    "{} {}",
                    a.name.as_deref().map(quote_ident).unwrap_or_default(),
                    a.ty
                )
            })
            .collect();
        s.push_str(&format!("\n RETURNS TABLE({})", cols.join(", ")));
    } else if let Some(r) = &f.returns {
        s.push_str(&format!(
            "\n RETURNS {}{r}",
            if f.returns_set { "SETOF " } else { "" }
        ));
    }
    s.push_str(&format!("\n LANGUAGE {}", quote_ident(&f.language)));
    let mut attrs = Vec::new();
    match f.volatility {
        Volatility::Immutable => attrs.push("IMMUTABLE".to_string()),
        Volatility::Stable => attrs.push("STABLE".to_string()),
        Volatility::Volatile => {}
    }
    if f.strict {
        attrs.push("STRICT".into());
    }
    if f.security_definer {
        attrs.push("SECURITY DEFINER".into());
    }
    if f.leakproof {
        attrs.push("LEAKPROOF".into());
    }
    match f.parallel {
        Parallel::Safe => attrs.push("PARALLEL SAFE".into()),
        Parallel::Restricted => attrs.push("PARALLEL RESTRICTED".into()),
        Parallel::Unsafe => {}
    }
    if let Some(c) = &f.cost {
        attrs.push(format!("COST {c}"));
    }
    if let Some(r) = &f.rows {
        attrs.push(format!("ROWS {r}"));
    }
    if !attrs.is_empty() && f.kind == RoutineKind::Function {
        s.push_str(&format!("\n {}", attrs.join(" ")));
    } else if f.security_definer {
        s.push_str("\n SECURITY DEFINER");
    }
    for c in &f.config {
        s.push_str(&format!("\n {}", set_clause(c)));
    }
    match &f.body {
        FunctionBody::Source(e) => {
            let tag = if f.kind == RoutineKind::Procedure {
                "procedure"
            } else {
                "function"
            };
            s.push_str(&format!("\nAS {}", dollar_quote(&e.canon, tag)));
        }
        FunctionBody::Standard(e) => s.push_str(&format!("\n{}", e.sql)),
        FunctionBody::Object { file, symbol } => s.push_str(&format!(
            "\nAS {}, {}",
            quote_literal(file),
            quote_literal(symbol)
        )),
    }
    s
}

/// `DROP FUNCTION|PROCEDURE name(argtypes)`.
pub fn drop_function_sql(f: &Function) -> String {
    format!("DROP {} {}", f.kind_sql(), f.signature())
}

/// `CREATE [CONSTRAINT] TRIGGER …`.
pub fn create_trigger_sql(t: &Trigger) -> String {
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| {
            if *e == shale_model::TriggerEvent::Update && !t.update_columns.is_empty() {
                format!(
                    "UPDATE OF {}",
                    t.update_columns
                        .iter()
                        .map(|c| quote_ident(c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                e.sql().to_string()
            }
        })
        .collect();
    let mut s = format!(
        "CREATE {}TRIGGER {} {} {} ON {}",
        if t.constraint { "CONSTRAINT " } else { "" },
        quote_ident(&t.name),
        t.timing.sql(),
        events.join(" OR "),
        t.table
    );
    if let Some(f) = &t.from_table {
        s.push_str(&format!(" FROM {f}"));
    }
    if t.constraint {
        if t.deferrable {
            s.push_str(" DEFERRABLE");
            if t.initially_deferred {
                s.push_str(" INITIALLY DEFERRED");
            }
        } else {
            s.push_str(" NOT DEFERRABLE");
        }
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &t.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", quote_ident(o)));
        }
        if let Some(n) = &t.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", quote_ident(n)));
        }
    }
    s.push_str(if t.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({})", w.sql));
    }
    s.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        t.function,
        t.args
            .iter()
            .map(|a| quote_literal(a))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s
}

/// `ALTER TABLE … ENABLE/DISABLE TRIGGER …`.
pub fn trigger_enabled_sql(t: &Trigger) -> String {
    format!(
        "ALTER TABLE {} {} TRIGGER {}",
        t.table,
        t.enabled.sql(),
        quote_ident(&t.name)
    )
}

// ---------------------------------------------------------------------------------------
// Steps

fn view_id(name: &QualName) -> ObjectId {
    ObjectId::View { name: name.clone() }
}

fn index_id(name: &QualName) -> ObjectId {
    ObjectId::Index { name: name.clone() }
}

fn object_name(o: &ObjectId) -> String {
    crate::build::object_name(o)
}

/// A create/alter step needing its dependencies in `to`.
fn create(
    b: &Builder,
    object: ObjectId,
    action: Action,
    sql: String,
    risk: Risk,
    rank: u8,
) -> Draft {
    let mut d = Draft::new(object.clone(), action, sql, risk, rank);
    d.needs = deps(b.to, &object);
    d.creates = vec![object];
    d
}

/// A drop step: removes `removes` (the first is the object), releases what they needed.
fn drop(b: &Builder, removes: Vec<ObjectId>, sql: String, risk: Risk, rank: u8) -> Draft {
    let mut d = Draft::new(removes[0].clone(), Action::Drop, sql, risk, rank);
    let mut rel: Vec<ObjectId> = removes.iter().flat_map(|o| deps(b.from, o)).collect();
    rel.sort();
    rel.dedup();
    rel.retain(|o| !removes.contains(o));
    d.releases = rel;
    d.removes = removes;
    d
}

/// Column alterations of `tables` planned so far must wait for `object`'s drop (a view
/// or trigger PostgreSQL would not let them change under).
fn hold_column_changes(b: &mut Builder, tables: &[QualName], object: &ObjectId) {
    for d in b.out.iter_mut() {
        if let ObjectId::Column { table, .. } = &d.object {
            if d.action == Action::Alter
                && tables.contains(table)
                && !d.after_drops_of.contains(object)
            {
                d.after_drops_of.push(object.clone());
            }
        }
    }
}

fn events_phrase(t: &Trigger) -> String {
    let each = if t.for_each_row {
        "for each row"
    } else {
        "once per statement"
    };
    let timing = match t.timing {
        TriggerTiming::Before => "before",
        TriggerTiming::After => "after",
        TriggerTiming::InsteadOf => "instead of",
    };
    let evs: Vec<String> = t.events.iter().map(|e| e.sql().to_lowercase()).collect();
    format!("{each} {timing} {}", evs.join("/"))
}

/// Expand one change into drafts.
pub(crate) fn expand(b: &mut Builder, c: &RoutineChange) {
    let object = c.object();
    let name = object_name(&object);
    match c {
        RoutineChange::CreateView { view, recreate } => {
            let (id, detail) = if view.materialized {
                let d = if view.with_data {
                    " and fills it by running its query"
                } else {
                    " WITH NO DATA (empty until REFRESH MATERIALIZED VIEW)"
                };
                (RuleId::CreateMatview, d.to_string())
            } else {
                (RuleId::CreateView, String::new())
            };
            let detail = match recreate {
                Some(why) => format!("{detail} (again, because {why})"),
                None => detail,
            };
            let r = risk(id, &name, "", &detail);
            let mut d = create(
                b,
                object,
                Action::Create,
                create_view_sql(view),
                r,
                rank::VIEW,
            );
            d.names_created.push(view.name.clone());
            b.out.push(d);
        }
        RoutineChange::DropView { view, recreate } => {
            let mut removes = vec![object.clone()];
            let mut names = vec![view.name.clone()];
            for ix in view.indexes.keys() {
                removes.push(index_id(ix));
                names.push(ix.clone());
            }
            let r = match (recreate, view.materialized) {
                (Some(why), false) => risk(RuleId::RecreateView, &name, "", why),
                (Some(why), true) => risk(
                    RuleId::DropMatview,
                    &name,
                    "",
                    &format!(" to create it again because {why}"),
                ),
                (None, false) => risk(RuleId::DropView, &name, "", ""),
                (None, true) => risk(RuleId::DropMatview, &name, "", ""),
            };
            let mut d = drop(
                b,
                removes,
                format!("DROP {} {}", view.kind_sql(), view.name),
                r,
                rank::DROP_VIEW,
            );
            d.names_removed = names;
            b.out.push(d);
            if recreate.is_some() {
                hold_column_changes(b, &view.query.refs, &object);
            }
        }
        RoutineChange::ReplaceView { from, to } => {
            let added: Vec<String> = to.columns[from.columns.len().min(to.columns.len())..]
                .iter()
                .map(|c| quote_ident(c))
                .collect();
            let detail = match added.len() {
                0 => String::new(),
                1 => format!(", adding column {}", added[0]),
                _ => format!(", adding columns {}", added.join(", ")),
            };
            let r = risk(RuleId::ReplaceView, &name, "", &detail);
            let mut d = create(
                b,
                object.clone(),
                Action::Alter,
                replace_view_sql(to),
                r,
                rank::VIEW,
            );
            d.releases = deps(b.from, &object);
            b.out.push(d);
        }
        RoutineChange::AlterViewOptions { from, to } => {
            let set = view_options(to);
            let mut reset = Vec::new();
            if from.security_barrier.is_some() && to.security_barrier.is_none() {
                reset.push("security_barrier");
            }
            if from.security_invoker.is_some() && to.security_invoker.is_none() {
                reset.push("security_invoker");
            }
            if from.check_option.is_some() && to.check_option.is_none() {
                reset.push("check_option");
            }
            let changed = |a: String, b: String| a != b;
            let set: Vec<String> = set
                .into_iter()
                .filter(|s| changed(s.clone(), String::new()) && !view_options(from).contains(s))
                .collect();
            if !set.is_empty() {
                let detail = format!(" (SET {})", set.join(", "));
                let r = risk(RuleId::AlterViewOptions, &name, "", &detail);
                let d = create(
                    b,
                    object.clone(),
                    Action::Alter,
                    format!("ALTER VIEW {} SET ({})", to.name, set.join(", ")),
                    r,
                    rank::VIEW,
                );
                b.out.push(d);
            }
            if !reset.is_empty() {
                let detail = format!(" (RESET {})", reset.join(", "));
                let r = risk(RuleId::AlterViewOptions, &name, "", &detail);
                let d = create(
                    b,
                    object,
                    Action::Alter,
                    format!("ALTER VIEW {} RESET ({})", to.name, reset.join(", ")),
                    r,
                    rank::VIEW,
                );
                b.out.push(d);
            }
        }
        RoutineChange::CreateViewIndex {
            index,
            new_view,
            recreate,
        } => {
            let concurrently = !new_view && b.opts.online;
            let detail = match recreate {
                Some(why) => format!(" (again, because {why})"),
                None if concurrently => " CONCURRENTLY".into(),
                None => String::new(),
            };
            let mut r = risk(
                RuleId::CreateViewIndex,
                &name,
                &index.table.to_string(),
                &detail,
            );
            if concurrently {
                // CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, not SHARE.
                r.lock = Some(format!(
                    "SHARE UPDATE EXCLUSIVE on {} (reads continue; REFRESH waits)",
                    index.table
                ));
            }
            let mut d = create(
                b,
                object,
                Action::Create,
                sql::create_index(index, concurrently),
                r,
                rank::VIEW,
            );
            d.needs.push(view_id(&index.table));
            d.transactional = !concurrently;
            d.names_created.push(index.name.clone());
            b.out.push(d);
        }
        RoutineChange::DropViewIndex { index, recreate } => {
            let detail = recreate
                .as_ref()
                .map(|w| format!(" to create it again because {w}"))
                .unwrap_or_default();
            let r = risk(
                RuleId::DropViewIndex,
                &name,
                &index.table.to_string(),
                &detail,
            );
            let mut d = drop(
                b,
                vec![object],
                format!("DROP INDEX {}", index.name),
                r,
                rank::DROP_VIEW_INDEX,
            );
            d.releases.push(view_id(&index.table));
            d.names_removed.push(index.name.clone());
            b.out.push(d);
        }
        RoutineChange::CreateFunction { function, recreate } => {
            let kind = function.kind_sql().to_lowercase();
            let mut r = risk(RuleId::CreateFunction, &name, "", &kind);
            if let Some(why) = recreate {
                r.reason = format!("{} again, because {why}", r.reason);
            }
            let d = create(
                b,
                object,
                Action::Create,
                create_function_sql(function, false),
                r,
                rank::FUNCTION,
            );
            b.out.push(d);
        }
        RoutineChange::ReplaceFunction { from, to } => {
            let r = risk(
                RuleId::ReplaceFunction,
                &name,
                "",
                &to.kind_sql().to_lowercase(),
            );
            let mut d = create(
                b,
                object,
                Action::Alter,
                create_function_sql(to, true),
                r,
                rank::FUNCTION,
            );
            d.releases = deps(b.from, &from.id());
            b.out.push(d);
        }
        RoutineChange::DropFunction { function, recreate } => {
            let r = match recreate {
                Some(why) => risk(RuleId::RecreateFunction, &name, "", why),
                None => risk(
                    RuleId::DropFunction,
                    &name,
                    "",
                    &function.kind_sql().to_lowercase(),
                ),
            };
            if recreate.is_some() {
                b.defaults_around(&object);
            }
            let mut d = drop(
                b,
                vec![object],
                drop_function_sql(function),
                r,
                rank::DROP_FUNCTION,
            );
            if let FunctionBody::Source(body) = &function.body {
                // PostgreSQL records no dependency on what a string body reads: the drop
                // need not wait for those tables and columns to go (a default calling the
                // function, on a column the body reads, is dropped first).
                d.releases.retain(|o| match o {
                    ObjectId::Table { name } | ObjectId::Column { table: name, .. } => {
                        !body.refs.contains(name)
                    }
                    _ => true,
                });
            }
            b.out.push(d);
        }
        RoutineChange::CreateTrigger { trigger, recreate } => {
            let table = trigger.table.to_string();
            let r = match recreate {
                Some(why) => {
                    let mut r = risk(RuleId::RecreateTrigger, &name, &table, why);
                    r.reason = format!(
                        "creates trigger {name} again (dropped because {why}); it runs {} on {table}",
                        events_phrase(trigger)
                    );
                    // CREATE TRIGGER takes SHARE ROW EXCLUSIVE; the rule's lock is the DROP's.
                    r.lock = Some(format!("SHARE ROW EXCLUSIVE on {table} (brief)"));
                    r
                }
                None => risk(
                    RuleId::CreateTrigger,
                    &name,
                    &table,
                    &events_phrase(trigger),
                ),
            };
            let d = create(
                b,
                object,
                Action::Create,
                create_trigger_sql(trigger),
                r,
                rank::TRIGGER,
            );
            b.out.push(d);
        }
        RoutineChange::DropTrigger { trigger, recreate } => {
            let table = trigger.table.to_string();
            let r = match recreate {
                Some(why) => risk(RuleId::RecreateTrigger, &name, &table, why),
                None => risk(RuleId::DropTrigger, &name, &table, ""),
            };
            let d = drop(
                b,
                vec![object.clone()],
                format!(
                    "DROP TRIGGER {} ON {}",
                    quote_ident(&trigger.name),
                    trigger.table
                ),
                r,
                rank::DROP_TRIGGER,
            );
            b.out.push(d);
            if recreate.is_some() {
                hold_column_changes(b, std::slice::from_ref(&trigger.table), &object);
            }
        }
        RoutineChange::SetTriggerEnabled { trigger, from } => {
            let verb = match (from, trigger.enabled) {
                (_, TriggerEnabled::Disabled) => "disables",
                (TriggerEnabled::Disabled, TriggerEnabled::Origin) => "enables",
                (_, TriggerEnabled::Origin) => "makes origin-only",
                (_, TriggerEnabled::Replica) => "makes replica-only",
                (_, TriggerEnabled::Always) => "makes always-firing",
            };
            let r = risk(
                RuleId::SetTriggerEnabled,
                &name,
                &trigger.table.to_string(),
                verb,
            );
            let d = create(
                b,
                object,
                Action::Alter,
                trigger_enabled_sql(trigger),
                r,
                rank::TRIGGER,
            );
            b.out.push(d);
        }
        RoutineChange::SetComment {
            object,
            target,
            from,
            to,
        } => {
            let verb = match (from, to) {
                (None, _) => "sets",
                (_, None) => "removes",
                _ => "changes",
            };
            // `COLUMN public.v.id` → `column public.v.id`: the keywords in lower case.
            let mut words: Vec<String> = Vec::new();
            let mut rest = target.as_str();
            while let Some((w, r)) = rest.split_once(' ') {
                if w.chars().all(|c| c.is_ascii_uppercase()) && !w.is_empty() {
                    words.push(w.to_lowercase());
                    rest = r;
                } else {
                    break;
                }
            }
            words.push(rest.to_string());
            let r = risk(RuleId::CommentOnRoutine, &words.join(" "), "", verb);
            let mut d = Draft::new(
                object.clone(),
                Action::Comment,
                format!("COMMENT ON {target} IS {}", sql::comment_literal(to)),
                r,
                rank::COMMENT,
            );
            d.needs.push(object.clone());
            b.out.push(d);
        }
    }
}

/// The objects of kinds shale does not manage, in the current and the desired state
/// (deduplicated by kind and name), for the plan.
pub fn unmodeled(from: &Catalog, to: &Catalog) -> Vec<Unmodeled> {
    let mut out: Vec<Unmodeled> = Vec::new();
    for u in from.unmodeled.iter().chain(&to.unmodeled) {
        match out
            .iter_mut()
            .find(|x| x.kind == u.kind && x.name == u.name)
        {
            Some(x) => {
                if x.location.is_none() {
                    x.location = u.location.clone();
                }
            }
            None => out.push(u.clone()),
        }
    }
    out.sort();
    out
}

/// "Not managed by shale: …": the plan's unmodeled objects, one per line, grouped by kind
/// (empty when there are none). Renderers print it after the steps.
pub fn unmodeled_note(plan: &Plan) -> String {
    if plan.unmodeled.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Not managed by shale ({} object{}: left as they are, never diffed):\n",
        plan.unmodeled.len(),
        if plan.unmodeled.len() == 1 { "" } else { "s" }
    );
    for u in &plan.unmodeled {
        out.push_str(&format!("  {} {}", u.kind, u.name));
        if let Some(l) = &u.location {
            out.push_str(&format!(" ({l})"));
        }
        out.push('\n');
    }
    out
}

/// The index of a materialized view, for callers that hold its name.
pub fn view_index<'a>(cat: &'a Catalog, name: &QualName) -> Option<&'a Index> {
    cat.view_index(name).map(|(_, ix)| ix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(sql: &str) -> Catalog {
        shale_sql::parse_sources(&[shale_sql::SourceFile {
            path: "s.sql".into(),
            text: sql.into(),
        }])
        .unwrap()
    }

    #[test]
    fn drops_have_approval_keys_and_run_dependents_first() {
        let from = cat("CREATE TABLE t (a int);\n\
             CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n\
             CREATE TRIGGER \"Tr\" BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
             CREATE VIEW v AS SELECT a FROM t;\n\
             CREATE VIEW w AS SELECT a FROM v;");
        let to = cat("CREATE TABLE t (a int);");
        let p = crate::plan(&from, &to, &crate::PlanOptions::default()).unwrap();
        let keys: Vec<String> = p.steps.iter().map(|s| s.approval_key()).collect();
        assert_eq!(
            keys,
            vec![
                "drop:public.w",
                "drop:public.v",
                "drop:trigger:public.t.\"Tr\"",
                "drop:function:public.f()"
            ],
            "{}",
            crate::render::text(&p)
        );
        // w reads v: dropped first; the trigger before its function
        let pos = |k: &str| keys.iter().position(|x| x == k).unwrap();
        assert!(pos("drop:public.w") < pos("drop:public.v"));
        assert!(pos("drop:trigger:public.t.\"Tr\"") < pos("drop:function:public.f()"));
        // and the plan back creates them in the opposite order
        let back = crate::plan(&to, &from, &crate::PlanOptions::default()).unwrap();
        let objs: Vec<String> = back.steps.iter().map(|s| s.object.to_string()).collect();
        let at = |k: &str| objs.iter().position(|x| x == k).unwrap();
        assert!(at("function public.f()") < at("trigger \"Tr\" on public.t"));
        assert!(at("view public.v") < at("view public.w"));
    }

    #[test]
    fn guc_lists_split_and_quote() {
        assert_eq!(split_guc_list("public, pg_temp"), vec!["public", "pg_temp"]);
        assert_eq!(split_guc_list("\"My S\", x"), vec!["My S", "x"]);
        assert_eq!(split_guc_list("\"\""), vec![""]);
        assert_eq!(
            set_clause("search_path=public, pg_temp"),
            "SET search_path TO 'public', 'pg_temp'"
        );
        assert_eq!(set_clause("search_path=\"\""), "SET search_path TO ''");
        assert_eq!(set_clause("work_mem=64MB"), "SET work_mem TO '64MB'");
        assert_eq!(
            dollar_quote("a $function$ b", "function"),
            "$function1$a $function$ b$function1$"
        );
    }
}
