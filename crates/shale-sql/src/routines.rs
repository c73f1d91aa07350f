//! Views, materialized views (and their indexes), functions, procedures and triggers in
//! the SQL front end; and statements of kinds shale does not model (an error, or collected
//! as [`Unmodeled`] when asked).
//!
//! This module is a child of `parse` (it extends its `Builder`). The live-database front
//! end replays the catalog's own DDL (`pg_get_viewdef`, `pg_get_functiondef`,
//! `pg_get_triggerdef`, `pg_get_indexdef`) through the same code ([`Replay`]), so both
//! sides of the invariant `parse(S) == introspect(db after S)` are built by one function
//! per object kind, and differ only in spelling, which the normalizers absorb.

use super::*;
use crate::select::{self, Params, RelInfo, Resolver};
use pg_query::protobuf::{FunctionParameterMode, ViewCheckOption};
use shale_model::quote_literal;
use shale_model::{
    ArgMode, CheckOption, Function, FunctionArg, FunctionBody, Parallel, RoutineKind, Trigger,
    TriggerEnabled, TriggerEvent, TriggerTiming, Unmodeled, View, Volatility,
};

/// The routine-related state of a [`Builder`].
#[derive(Default)]
pub(crate) struct State {
    /// Collect statements of unsupported kinds as [`Unmodeled`] instead of failing.
    pub collect_unmodeled: bool,
    /// SQL-language string bodies, bound once every statement is read.
    pub sql_bodies: Vec<crate::binder::SqlBodySite>,
}

/// Types PostgreSQL has in `pg_catalog` that are not data types (pseudo-types) or that
/// the type table does not list; valid as function argument and result types.
const PSEUDO_TYPES: &[&str] = &[
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "cstring",
    "event_trigger",
    "fdw_handler",
    "index_am_handler",
    "internal",
    "language_handler",
    "pg_ddl_command",
    "record",
    "table_am_handler",
    "trigger",
    "tsm_handler",
    "unknown",
    "void",
];

/// GUCs whose values are lists of identifiers (`GUC_LIST_QUOTE`): each element is quoted
/// as an identifier in `proconfig`.
const LIST_QUOTE_GUCS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
    "unix_socket_directories",
];

/// A function argument type: no type modifiers (PostgreSQL drops them), spelled as
/// `format_type` prints a type without modifiers.
fn strip_typmod(mut t: TypeRef) -> TypeRef {
    if t.schema.is_none() {
        let base = types::base_name(&t.name);
        t.name = if base == "bpchar" {
            "character".into()
        } else if base.starts_with("interval") {
            "interval".into()
        } else {
            base
        };
    }
    t
}

/// `proconfig`'s `name=value` for a `SET` clause.
fn config_entry(v: &protobuf::VariableSetStmt) -> R<String> {
    use protobuf::VariableSetKind as K;
    match K::try_from(v.kind).unwrap_or(K::Undefined) {
        K::VarSetValue => {}
        K::VarSetCurrent => {
            return unsupported(
                v.location,
                "SET … FROM CURRENT on a function (its value depends on the session)",
            )
        }
        _ => return unsupported(v.location, "this SET form on a function"),
    }
    let list = LIST_QUOTE_GUCS.contains(&v.name.as_str());
    let mut parts = Vec::new();
    for a in &v.args {
        let text = match a.node.as_ref() {
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(protobuf::a_const::Val::Sval(s)) => s.sval.clone(),
                Some(protobuf::a_const::Val::Ival(i)) => i.ival.to_string(),
                Some(protobuf::a_const::Val::Fval(f)) => f.fval.clone(),
                Some(protobuf::a_const::Val::Boolval(b)) => {
                    if b.boolval { "on" } else { "off" }.to_string()
                }
                _ => return err(v.location, format!("invalid value for {}", v.name)),
            },
            _ => return err(v.location, format!("invalid value for {}", v.name)),
        };
        parts.push(if list {
            if text.is_empty() {
                "\"\"".to_string()
            } else {
                quote_ident(&text)
            }
        } else {
            text
        });
    }
    Ok(format!("{}={}", v.name, parts.join(", ")))
}

/// A DefElem's value as a word (`check_option = local`, `= 'local'`).
fn def_word(d: &protobuf::DefElem) -> R<String> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::TypeName(tn)) => Ok(types::type_names(tn)
            .last()
            .cloned()
            .unwrap_or_default()
            .to_ascii_lowercase()),
        _ => Ok(def_string(d)?.to_ascii_lowercase()),
    }
}

/// A number as PostgreSQL prints a float4 option (`COST 100`, `ROWS 0.5`).
fn canon_number(d: &protobuf::DefElem) -> R<f64> {
    let bad = || E {
        loc: d.location,
        msg: format!(
            "{} requires a numeric value",
            d.defname.to_ascii_uppercase()
        ),
    };
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::Integer(i)) => Ok(i.ival as f64),
        Some(NodeEnum::Float(f)) => f.fval.parse::<f64>().map_err(|_| bad()),
        Some(NodeEnum::String(s)) => s.sval.trim().parse::<f64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

fn number_text(n: f64) -> String {
    let f = n as f32;
    format!("{f}")
}

/// A query the offline normalizer cannot compare exactly says where to turn.
fn with_dev_db_hint(m: String) -> String {
    if m.contains("unsupported") || m.contains("not supported") || m.contains("not known offline") {
        format!(
            "{m} (the offline normalizer cannot read this query exactly; the dev-database mode, \
             --dev-url, reads it through PostgreSQL)"
        )
    } else {
        m
    }
}

/// The Builder seen as the query normalizer's resolver.
pub(super) struct Res<'b>(pub(super) &'b Builder);

impl Resolver for Res<'_> {
    fn relation(&self, schema: Option<&str>, name: &str) -> Option<RelInfo> {
        let b = self.0;
        let at = |s: &str| -> Option<RelInfo> {
            let q = QualName::new(s, name);
            if let Some(t) = b.cat.tables.get(&q) {
                return Some(RelInfo {
                    name: q,
                    columns: t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), Some(b.cat.domain_base(&c.ty))))
                        .collect(),
                });
            }
            if let Some(t) = b.cat.foreign_tables.get(&q) {
                return Some(RelInfo {
                    name: q,
                    columns: t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), Some(b.cat.domain_base(&c.ty))))
                        .collect(),
                });
            }
            b.cat.views.get(&q).map(|v| RelInfo {
                name: q.clone(),
                columns: v.columns.iter().map(|c| (c.clone(), None)).collect(),
            })
        };
        match schema {
            Some(s) => at(s),
            None => b.path().iter().find_map(|s| at(s)),
        }
    }
    fn function(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        let b = self.0;
        let has = |s: &str| {
            let q = QualName::new(s, name);
            (b.cat.functions.values().any(|f| f.name == q)
                || b.cat.aggregates.values().any(|a| a.name == q))
            .then_some(q)
        };
        match schema {
            Some(s) => has(s),
            None => b.path().iter().find_map(|s| has(s)),
        }
    }
    fn sequence(&self, schema: Option<&str>, name: &str) -> QualName {
        self.0.resolve_seq_name(schema, name)
    }
    fn user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String> {
        self.0.resolve_user_type(schema, name)
    }
    fn columns_complete(&self, q: &QualName) -> bool {
        crate::binder::columns_complete(&self.0.cat, q)
    }
    fn ts_config(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        self.0.resolve_ts_config(schema, name)
    }
}

fn names_of(n: Option<&Node>) -> Vec<String> {
    match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => vec![],
    }
}

/// `DROP TRIGGER`/`DROP RULE` of one object: its relation (`relation`, or the error that
/// `IF EXISTS` skips) and its entry in `objects`, which must exist unless `IF EXISTS`.
pub(super) fn drop_relation_object<V>(
    objects: &mut std::collections::BTreeMap<(QualName, String), V>,
    relation: R<QualName>,
    name: &str,
    missing_ok: bool,
    missing: impl FnOnce(&QualName) -> E,
) -> R<()> {
    let table = match relation {
        Ok(t) => t,
        Err(_) if missing_ok => return Ok(()),
        Err(e) => return Err(e),
    };
    if objects.remove(&(table.clone(), name.to_string())).is_none() && !missing_ok {
        return Err(missing(&table));
    }
    Ok(())
}

/// `[schema.]table.trigger` as named by `COMMENT ON TRIGGER` / `DROP TRIGGER`: the
/// table (unresolved) and the trigger's name.
fn trigger_object(names: &[String]) -> R<(protobuf::RangeVar, String)> {
    let [.., table, trigger] = names else {
        return err(-1, "improper trigger name");
    };
    let schema = match names {
        [.., schema, _, _] => schema.clone(),
        _ => String::new(),
    };
    let rv = protobuf::RangeVar {
        schemaname: schema,
        relname: table.clone(),
        inh: true,
        location: -1,
        ..Default::default()
    };
    Ok((rv, trigger.clone()))
}

impl Builder {
    /// A builder over an existing catalog (the live front end's tables, enums, …), with
    /// the given search path.
    pub(crate) fn over(cat: Catalog, search_path: Vec<String>) -> Builder {
        let mut b = Builder::new();
        b.cat = cat;
        b.rebuild_name_indexes();
        b.search_path = search_path;
        b
    }

    // -----------------------------------------------------------------------------------
    // Lookups

    /// A view (or materialized view) by name as written.
    fn find_view_names(&self, names: &[String], loc: i32) -> R<QualName> {
        let (schema, name) = match names {
            [n] => ("", n.as_str()),
            [s, n] | [_, s, n] => (s.as_str(), n.as_str()),
            _ => return err(loc, format!("improper view name `{}`", names.join("."))),
        };
        self.lookup(schema, name, &self.cat.views).ok_or_else(|| E {
            loc,
            msg: format!("view \"{}\" does not exist", names.join(".")),
        })
    }

    /// The table or view a trigger is on.
    fn find_trigger_relation(&self, rv: &protobuf::RangeVar) -> R<QualName> {
        if let Ok(q) = self.find_table(rv) {
            return Ok(q);
        }
        self.lookup(&rv.schemaname, &rv.relname, &self.cat.views)
            .ok_or_else(|| E {
                loc: rv.location,
                msg: format!("relation \"{}\" does not exist", rv_display(rv)),
            })
    }

    /// Is `q` a relation name in use (tables, sequences, indexes, views, their indexes)?
    fn relation_or_view_taken(&self, q: &QualName) -> bool {
        self.relation_taken(&q.schema, &q.name)
            || self.cat.views.contains_key(q)
            || self.cat.view_index(q).is_some()
    }

    /// A type in a routine's signature: pseudo-types allowed, modifiers dropped, and an
    /// unknown non-built-in name taken as a user type (a domain shale does not model).
    pub(super) fn routine_type(&self, tn: &protobuf::TypeName) -> R<TypeRef> {
        let mut tn = tn.clone();
        tn.setof = false;
        let names = types::type_names(&tn);
        let array = !tn.array_bounds.is_empty();
        let builtin_name = match names.as_slice() {
            [n] | [_, n] if names.len() == 1 || names[0] == "pg_catalog" => Some(n.as_str()),
            _ => None,
        };
        if let Some(n) = builtin_name {
            if PSEUDO_TYPES.contains(&n) {
                let mut t = TypeRef::builtin(n);
                t.array = array;
                return Ok(t);
            }
        }
        let first = first_schema(&self.path());
        let mut user = |s: Option<&str>, n: &str| {
            self.resolve_user_type(s, n)
                .or_else(|_| Ok(QualName::new(s.unwrap_or(&first), n)))
        };
        let t = types::type_from_typename(&tn, &mut user).map_err(at(tn.location))?;
        Ok(strip_typmod(t))
    }

    /// The signature key of `name(args)` as `DROP FUNCTION` / `COMMENT ON FUNCTION` name
    /// it; `None` for the arguments: the only function of that name.
    fn function_key(&self, owa: &protobuf::ObjectWithArgs, loc: i32) -> R<Option<String>> {
        let names = strings(&owa.objname);
        let (schema, name) = match names.as_slice() {
            [n] => (None, n.clone()),
            [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
            _ => return err(loc, "improper function name"),
        };
        let schemas = match &schema {
            Some(s) => vec![s.clone()],
            None => self.path(),
        };
        let candidates: Vec<&Function> = schemas
            .iter()
            .flat_map(|s| {
                let q = QualName::new(s.clone(), name.clone());
                self.cat
                    .functions
                    .values()
                    .filter(move |f| f.name == q)
                    .collect::<Vec<_>>()
            })
            .collect();
        if owa.args_unspecified {
            return match candidates.as_slice() {
                [] => Ok(None),
                [f] => Ok(Some(f.signature())),
                _ => err(
                    loc,
                    format!("function name \"{name}\" is not unique (name its argument types)"),
                ),
            };
        }
        let mut args = Vec::new();
        // objfuncargs (with modes) when given, else objargs
        if !owa.objfuncargs.is_empty() {
            for a in &owa.objfuncargs {
                if let Some(NodeEnum::FunctionParameter(p)) = a.node.as_ref() {
                    let mode = FunctionParameterMode::try_from(p.mode)
                        .unwrap_or(FunctionParameterMode::FuncParamDefault);
                    if matches!(
                        mode,
                        FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamTable
                    ) {
                        continue;
                    }
                    if let Some(tn) = p.arg_type.as_ref() {
                        args.push(self.routine_type(tn)?.to_string());
                    }
                }
            }
        } else {
            for a in &owa.objargs {
                if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                    args.push(self.routine_type(tn)?.to_string());
                }
            }
        }
        let args = args.join(", ");
        Ok(candidates
            .iter()
            .find(|f| f.identity_args() == args)
            .map(|f| f.signature()))
    }

    // -----------------------------------------------------------------------------------
    // Views

    pub(super) fn create_view(&mut self, s: &protobuf::ViewStmt) -> R<()> {
        let rv = s.view.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing view name".into(),
        })?;
        if rv.relpersistence == "t" {
            return unsupported(rv.location, "CREATE TEMPORARY VIEW");
        }
        let q = self.range_var_target(rv)?;
        let replacing = s.replace && self.cat.views.get(&q).is_some_and(|v| !v.materialized);
        if !replacing && self.relation_or_view_taken(&q) {
            return err(
                rv.location,
                format!("relation \"{}\" already exists", q.name),
            );
        }
        let mut view = self.view_from_query(q.clone(), s.query.as_deref(), &strings(&s.aliases))?;
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            match d.defname.as_str() {
                "security_barrier" => view.security_barrier = Some(def_bool(d)?),
                "security_invoker" => view.security_invoker = Some(def_bool(d)?),
                "check_option" => {
                    view.check_option = match def_word(d)?.as_str() {
                        "local" => Some(CheckOption::Local),
                        "cascaded" => Some(CheckOption::Cascaded),
                        other => {
                            return err(
                                d.location,
                                format!("invalid value for check_option: \"{other}\""),
                            )
                        }
                    }
                }
                other => {
                    return err(
                        d.location,
                        format!("unrecognized parameter \"{other}\" for a view"),
                    )
                }
            }
        }
        match ViewCheckOption::try_from(s.with_check_option).unwrap_or(ViewCheckOption::Undefined) {
            ViewCheckOption::LocalCheckOption => view.check_option = Some(CheckOption::Local),
            ViewCheckOption::CascadedCheckOption => view.check_option = Some(CheckOption::Cascaded),
            _ => {}
        }
        if let Some(old) = self.cat.views.get(&q) {
            // CREATE OR REPLACE VIEW: the new columns must extend the old ones.
            if view.columns.len() < old.columns.len()
                || view.columns[..old.columns.len()] != old.columns[..]
            {
                return err(
                    -1,
                    format!(
                        "cannot change the columns of view {q} with CREATE OR REPLACE (drop it first)"
                    ),
                );
            }
            view.comment = old.comment.clone();
        }
        self.cat.views.insert(q, view);
        Ok(())
    }

    fn view_from_query(&self, q: QualName, query: Option<&Node>, names: &[String]) -> R<View> {
        let query = query.ok_or_else(|| E {
            loc: -1,
            msg: "missing query".into(),
        })?;
        let out = select::normalize_query(query, names, &Res(self), None).map_err(|m| E {
            loc: -1,
            msg: with_dev_db_hint(m),
        })?;
        let mut seen = BTreeSet::new();
        for c in &out.columns {
            if !seen.insert(c) {
                return err(-1, format!("column \"{c}\" specified more than once"));
            }
        }
        Ok(View::new(
            q,
            out.columns,
            Expr {
                sql: out.sql_pretty,
                canon: out.canon,
                refs: out.refs,
            },
        ))
    }

    /// `CREATE MATERIALIZED VIEW` (other `CREATE TABLE AS` forms are not supported).
    pub(super) fn create_matview(&mut self, s: &protobuf::CreateTableAsStmt) -> R<()> {
        let into = s.into.as_deref().ok_or_else(|| E {
            loc: -1,
            msg: "missing target".into(),
        })?;
        let rv = into.rel.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing materialized view name".into(),
        })?;
        let storage = super::relation_options::with_params(&into.options)?;
        if !into.table_space_name.is_empty() || !into.access_method.is_empty() {
            return unsupported(-1, "CREATE MATERIALIZED VIEW … USING/TABLESPACE");
        }
        let q = self.range_var_target(rv)?;
        if self.relation_or_view_taken(&q) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(
                rv.location,
                format!("relation \"{}\" already exists", q.name),
            );
        }
        let mut view =
            self.view_from_query(q.clone(), s.query.as_deref(), &strings(&into.col_names))?;
        view.materialized = true;
        view.with_data = !into.skip_data;
        view.storage = storage;
        self.cat.views.insert(q, view);
        Ok(())
    }

    /// Is this `CREATE INDEX` on a materialized view?
    pub(super) fn index_on_view(&self, s: &protobuf::IndexStmt) -> bool {
        s.relation.as_ref().is_some_and(|rv| {
            self.find_table(rv).is_err()
                && self
                    .lookup(&rv.schemaname, &rv.relname, &self.cat.views)
                    .is_some()
        })
    }

    /// `CREATE INDEX` on a materialized view: built as on a table whose columns have an
    /// unknown type (the view's column types are not known offline; the live front end
    /// replays `pg_get_indexdef` the same way).
    pub(super) fn create_view_index(&mut self, s: &protobuf::IndexStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let q = self
            .lookup(&rv.schemaname, &rv.relname, &self.cat.views)
            .ok_or_else(|| E {
                loc: rv.location,
                msg: format!("relation \"{}\" does not exist", rv_display(rv)),
            })?;
        let view = self.cat.views.get(&q).cloned().ok_or_else(|| E {
            loc: rv.location,
            msg: format!("relation \"{}\" does not exist", rv_display(rv)),
        })?;
        if !view.materialized {
            return err(
                rv.location,
                format!(
                    "cannot create index on relation \"{}\": it is a view",
                    q.name
                ),
            );
        }
        // (CONCURRENTLY changes how the index is built, not what is built.)
        let mut pseudo = Table::new(q.clone());
        for c in &view.columns {
            pseudo
                .columns
                .push(Column::new(c.clone(), TypeRef::builtin("unknown")));
        }
        let before: BTreeSet<QualName> = self.cat.indexes.keys().cloned().collect();
        // The view's own indexes take names too.
        for (n, ix) in &view.indexes {
            self.cat.indexes.insert(n.clone(), ix.clone());
            self.sync_index(n);
        }
        self.cat.views.remove(&q);
        self.cat.tables.insert(q.clone(), pseudo);
        let result = self.create_index(s);
        self.cat.tables.remove(&q);
        let mut view = view;
        let added: Vec<QualName> = self
            .cat
            .indexes
            .keys()
            .filter(|k| !before.contains(*k))
            .cloned()
            .collect();
        for k in added {
            if let Some(ix) = self.cat.indexes.remove(&k) {
                self.sync_index(&k);
                view.indexes.insert(k, ix);
            }
        }
        self.cat.views.insert(q, view);
        result
    }

    pub(super) fn refresh_matview(&mut self, s: &protobuf::RefreshMatViewStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing name".into(),
        })?;
        let q = self
            .lookup(&rv.schemaname, &rv.relname, &self.cat.views)
            .ok_or_else(|| E {
                loc: rv.location,
                msg: format!("relation \"{}\" does not exist", rv_display(rv)),
            })?;
        if let Some(v) = self.cat.views.get_mut(&q) {
            if !v.materialized {
                return err(
                    rv.location,
                    format!("\"{}\" is not a materialized view", q.name),
                );
            }
            v.with_data = !s.skip_data;
        }
        Ok(())
    }

    /// `ALTER VIEW`/`ALTER MATERIALIZED VIEW`, or `ALTER TABLE` on a view, or `ALTER TABLE
    /// … ENABLE/DISABLE TRIGGER`: handled here?
    pub(super) fn is_routine_alter(&self, s: &protobuf::AlterTableStmt) -> bool {
        let objtype = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
        if matches!(objtype, ObjectType::ObjectView | ObjectType::ObjectMatview) {
            return true;
        }
        let on_view = s.relation.as_ref().is_some_and(|rv| {
            self.find_table(rv).is_err()
                && self
                    .lookup(&rv.schemaname, &rv.relname, &self.cat.views)
                    .is_some()
        });
        let trig = |c: &Node| match c.node.as_ref() {
            Some(NodeEnum::AlterTableCmd(c)) => (AlterTableType::AtEnableTrig as i32
                ..=AlterTableType::AtDisableTrigUser as i32)
                .contains(&c.subtype),
            _ => false,
        };
        on_view || (!s.cmds.is_empty() && s.cmds.iter().all(trig))
    }

    pub(super) fn alter_routine_relation(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let q = match self.find_trigger_relation(rv) {
            Ok(q) => q,
            Err(_) if s.missing_ok => return Ok(()),
            Err(e) => return Err(e),
        };
        for c in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = c.node.as_ref() else {
                continue;
            };
            use AlterTableType as A;
            let subtype = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
            let enabled = match subtype {
                A::AtEnableTrig | A::AtEnableTrigAll | A::AtEnableTrigUser => {
                    Some(TriggerEnabled::Origin)
                }
                A::AtDisableTrig | A::AtDisableTrigAll | A::AtDisableTrigUser => {
                    Some(TriggerEnabled::Disabled)
                }
                A::AtEnableAlwaysTrig => Some(TriggerEnabled::Always),
                A::AtEnableReplicaTrig => Some(TriggerEnabled::Replica),
                _ => None,
            };
            if let Some(state) = enabled {
                let all = matches!(
                    subtype,
                    A::AtEnableTrigAll
                        | A::AtDisableTrigAll
                        | A::AtEnableTrigUser
                        | A::AtDisableTrigUser
                );
                if all {
                    for t in self.cat.triggers.values_mut().filter(|t| t.table == q) {
                        t.enabled = state;
                    }
                } else {
                    let t = self
                        .cat
                        .triggers
                        .get_mut(&(q.clone(), cmd.name.clone()))
                        .ok_or_else(|| E {
                            loc: -1,
                            msg: format!(
                                "trigger \"{}\" for table \"{}\" does not exist",
                                cmd.name, q.name
                            ),
                        })?;
                    t.enabled = state;
                }
                continue;
            }
            let Some(v) = self.cat.views.get_mut(&q) else {
                return unsupported(
                    -1,
                    &format!("ALTER TABLE {} on a table", alter_cmd_name(subtype)),
                );
            };
            match subtype {
                A::AtSetRelOptions | A::AtResetRelOptions => {
                    let reset = subtype == A::AtResetRelOptions;
                    let defs = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                        Some(NodeEnum::List(l)) => l.items.clone(),
                        _ => vec![],
                    };
                    for dn in &defs {
                        let Some(NodeEnum::DefElem(d)) = dn.node.as_ref() else {
                            continue;
                        };
                        match d.defname.as_str() {
                            "security_barrier" if !v.materialized => {
                                v.security_barrier = if reset { None } else { Some(def_bool(d)?) }
                            }
                            "security_invoker" if !v.materialized => {
                                v.security_invoker = if reset { None } else { Some(def_bool(d)?) }
                            }
                            "check_option" if !v.materialized => {
                                v.check_option = if reset {
                                    None
                                } else {
                                    match def_word(d)?.as_str() {
                                        "local" => Some(CheckOption::Local),
                                        "cascaded" => Some(CheckOption::Cascaded),
                                        other => {
                                            return err(
                                                d.location,
                                                format!(
                                                    "invalid value for check_option: \"{other}\""
                                                ),
                                            )
                                        }
                                    }
                                }
                            }
                            _ if v.materialized => {
                                let params = super::table_options::storage_params(
                                    std::slice::from_ref(dn),
                                    reset,
                                )?;
                                for (k, val) in params {
                                    if reset {
                                        v.storage.remove(&k);
                                    } else {
                                        v.storage.insert(k, val);
                                    }
                                }
                            }
                            other => {
                                return unsupported(d.location, &format!("view option \"{other}\""))
                            }
                        }
                    }
                }
                A::AtChangeOwner => {}
                other => return unsupported(-1, &format!("ALTER VIEW {}", alter_cmd_name(other))),
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Functions and procedures

    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`; returns the signature.
    pub(super) fn create_function(&mut self, s: &protobuf::CreateFunctionStmt) -> R<String> {
        let names = strings(&s.funcname);
        let (schema, name) = match names.as_slice() {
            [n] => ("", n.clone()),
            [sc, n] | [_, sc, n] => (sc.as_str(), n.clone()),
            _ => return err(-1, format!("improper function name `{}`", names.join("."))),
        };
        let schema = self.create_schema_for(schema, -1)?;
        let qname = QualName::new(schema, name);
        let kind = if s.is_procedure {
            RoutineKind::Procedure
        } else {
            RoutineKind::Function
        };

        let mut args = Vec::new();
        for p in &s.parameters {
            let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_ref() else {
                continue;
            };
            let mode = match FunctionParameterMode::try_from(fp.mode)
                .unwrap_or(FunctionParameterMode::FuncParamDefault)
            {
                FunctionParameterMode::FuncParamOut => ArgMode::Out,
                FunctionParameterMode::FuncParamInout => ArgMode::InOut,
                FunctionParameterMode::FuncParamVariadic => ArgMode::Variadic,
                FunctionParameterMode::FuncParamTable => ArgMode::Table,
                _ => ArgMode::In,
            };
            let tn = fp.arg_type.as_ref().ok_or_else(|| E {
                loc: fp.location,
                msg: "argument without a type".into(),
            })?;
            let ty = self.routine_type(tn)?;
            let default = match fp.defexpr.as_deref() {
                Some(d) => {
                    let loc = Self::node_location(d);
                    Some(self.norm_expr(d, &[], Some(&ty), loc)?)
                }
                None => None,
            };
            args.push(FunctionArg {
                name: (!fp.name.is_empty()).then(|| fp.name.clone()),
                mode,
                ty,
                default,
            });
        }
        if args.iter().filter(|a| a.default.is_some()).count() > 0 {
            // after the first input argument with a default, every input needs one
            let mut seen = false;
            for a in args.iter().filter(|a| a.mode.is_input()) {
                if a.default.is_some() {
                    seen = true;
                } else if seen && a.mode != ArgMode::Variadic {
                    return err(
                        -1,
                        "input parameters after one with a default value must also have defaults",
                    );
                }
            }
        }

        let outputs: Vec<&FunctionArg> = args.iter().filter(|a| a.mode.is_output()).collect();
        let (returns, returns_set) = match (&kind, s.return_type.as_ref()) {
            (RoutineKind::Procedure, _) => (None, false),
            (RoutineKind::Function, Some(tn)) => (Some(self.routine_type(tn)?), tn.setof),
            (RoutineKind::Function, None) => match outputs.as_slice() {
                [] => return err(-1, "function result type must be specified"),
                [one] => (Some(one.ty.clone()), false),
                _ => (Some(TypeRef::builtin("record")), false),
            },
        };

        let mut language: Option<String> = None;
        let mut volatility = Volatility::Volatile;
        let mut strict = false;
        let mut security_definer = false;
        let mut leakproof = false;
        let mut parallel = Parallel::Unsafe;
        let mut cost: Option<f64> = None;
        let mut rows: Option<f64> = None;
        let mut config: Vec<String> = Vec::new();
        let mut source: Option<Vec<String>> = None;
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            match d.defname.as_str() {
                "language" => language = Some(def_string(d)?.to_ascii_lowercase()),
                "volatility" => {
                    volatility = match def_string(d)?.as_str() {
                        "immutable" => Volatility::Immutable,
                        "stable" => Volatility::Stable,
                        _ => Volatility::Volatile,
                    }
                }
                "strict" => strict = def_bool(d)?,
                "security" => security_definer = def_bool(d)?,
                "leakproof" => leakproof = def_bool(d)?,
                "parallel" => {
                    parallel = match def_word(d)?.as_str() {
                        "safe" => Parallel::Safe,
                        "restricted" => Parallel::Restricted,
                        "unsafe" => Parallel::Unsafe,
                        other => {
                            return err(
                                d.location,
                                format!("parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE, not {other}"),
                            )
                        }
                    }
                }
                "cost" => cost = Some(canon_number(d)?),
                "rows" => rows = Some(canon_number(d)?),
                "set" => match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::VariableSetStmt(v)) => {
                        let entry = config_entry(v)?;
                        let key = format!("{}=", v.name);
                        match config.iter().position(|c| c.starts_with(&key)) {
                            Some(i) => config[i] = entry,
                            None => config.push(entry),
                        }
                    }
                    _ => return unsupported(d.location, "this SET form on a function"),
                },
                "as" => source = Some(names_of(d.arg.as_deref())),
                "window" => {
                    return unsupported(d.location, "CREATE FUNCTION … WINDOW (window functions)")
                }
                other => {
                    return unsupported(
                        d.location,
                        &format!("function option {}", other.to_ascii_uppercase()),
                    )
                }
            }
        }
        let language = match language {
            Some(l) => l,
            None if s.sql_body.is_some() => "sql".into(),
            None => return err(-1, "no language specified"),
        };
        let default_cost = if matches!(language.as_str(), "c" | "internal") {
            1.0
        } else {
            100.0
        };
        let cost = cost
            .filter(|c| (*c as f32) != default_cost as f32)
            .map(number_text);
        if rows.is_some() && !returns_set {
            return err(
                -1,
                "ROWS is not applicable when function does not return a set",
            );
        }
        let rows = rows.filter(|r| (*r as f32) != 1000.0).map(number_text);

        let params = Params {
            function: qname.name.clone(),
            args: args
                .iter()
                .filter(|a| a.mode.is_input())
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        };
        let body = match (&s.sql_body, source) {
            (Some(b), None) => {
                if language != "sql" {
                    return err(
                        -1,
                        "only SQL functions can have a BEGIN ATOMIC / RETURN body",
                    );
                }
                FunctionBody::Standard(self.standard_body(b, &params)?)
            }
            (None, Some(src)) => match src.as_slice() {
                [text] => {
                    let refs = if language == "sql" {
                        self.source_refs(text)
                    } else {
                        vec![]
                    };
                    FunctionBody::Source(Expr {
                        sql: text.clone(),
                        canon: text.clone(),
                        refs,
                    })
                }
                [file, symbol] => FunctionBody::Object {
                    file: file.clone(),
                    symbol: symbol.clone(),
                },
                _ => return err(-1, "invalid function body"),
            },
            (Some(_), Some(_)) => return err(-1, "duplicate function body specified"),
            (None, None) => return err(-1, "no function body specified"),
        };

        if let FunctionBody::Source(b) = &body {
            if language == "sql" {
                let mut path: Vec<String> = config
                    .iter()
                    .find_map(|c| c.strip_prefix("search_path="))
                    .map(|p| {
                        p.split(',')
                            .map(|s| s.trim().trim_matches('"').to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                path.extend(self.path());
                self.routines.sql_bodies.push(crate::binder::SqlBodySite {
                    function: qname.clone(),
                    body: b.sql.clone(),
                    params: Params {
                        function: params.function.clone(),
                        args: params.args.clone(),
                    },
                    path,
                    at: self.sql_error(self.stmt_start, String::new()),
                });
            }
        }
        let f = Function {
            name: qname,
            kind,
            args,
            returns,
            returns_set,
            language,
            volatility,
            strict,
            security_definer,
            leakproof,
            parallel,
            cost,
            rows,
            config,
            body,
            comment: None,
        };
        let key = f.signature();
        match self.cat.functions.get(&key) {
            Some(_) if !s.replace => {
                return err(
                    -1,
                    format!(
                        "{} {key} already exists with same argument types",
                        f.kind_sql().to_ascii_lowercase()
                    ),
                );
            }
            Some(old) => {
                if old.kind != f.kind {
                    return err(-1, format!("cannot change routine kind of {key}"));
                }
                if old.returns != f.returns || old.returns_set != f.returns_set {
                    return err(
                        -1,
                        format!(
                            "cannot change return type of existing function {key} (drop it first)"
                        ),
                    );
                }
                let comment = old.comment.clone();
                let mut f = f;
                f.comment = comment;
                self.cat.functions.insert(key.clone(), f);
            }
            None => {
                self.cat.functions.insert(key.clone(), f);
            }
        }
        Ok(key)
    }

    /// `ALTER FUNCTION|PROCEDURE|ROUTINE … <options>` (volatility, strictness, security,
    /// leakproof, parallel, cost, rows, `SET`/`RESET`).
    pub(super) fn alter_function(&mut self, s: &protobuf::AlterFunctionStmt) -> R<()> {
        let owa = s.func.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing function name".into(),
        })?;
        let key = self.function_key(owa, -1)?.ok_or_else(|| E {
            loc: -1,
            msg: format!(
                "function {}() does not exist",
                strings(&owa.objname).join(".")
            ),
        })?;
        let mut f = self.cat.functions.get(&key).cloned().expect("found");
        let procedure = f.kind == RoutineKind::Procedure;
        for a in &s.actions {
            let Some(NodeEnum::DefElem(d)) = a.node.as_ref() else {
                continue;
            };
            let not_for_procedures = || {
                err::<()>(
                    d.location,
                    format!("invalid attribute in procedure definition: {}", d.defname),
                )
            };
            match d.defname.as_str() {
                "volatility" | "strict" | "leakproof" | "parallel" | "cost" | "rows"
                    if procedure =>
                {
                    not_for_procedures()?
                }
                "volatility" => {
                    f.volatility = match def_string(d)?.as_str() {
                        "immutable" => Volatility::Immutable,
                        "stable" => Volatility::Stable,
                        _ => Volatility::Volatile,
                    }
                }
                "strict" => f.strict = def_bool(d)?,
                "security" => f.security_definer = def_bool(d)?,
                "leakproof" => f.leakproof = def_bool(d)?,
                "parallel" => {
                    f.parallel = match def_word(d)?.as_str() {
                        "safe" => Parallel::Safe,
                        "restricted" => Parallel::Restricted,
                        _ => Parallel::Unsafe,
                    }
                }
                "cost" => {
                    let c = canon_number(d)?;
                    let default = if matches!(f.language.as_str(), "c" | "internal") {
                        1.0
                    } else {
                        100.0
                    };
                    f.cost = ((c as f32) != default as f32).then(|| number_text(c));
                }
                "rows" => {
                    if !f.returns_set {
                        return err(
                            d.location,
                            "ROWS is not applicable when function does not return a set",
                        );
                    }
                    let r = canon_number(d)?;
                    f.rows = ((r as f32) != 1000.0).then(|| number_text(r));
                }
                "set" => match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::VariableSetStmt(v)) => {
                        use protobuf::VariableSetKind as K;
                        match K::try_from(v.kind).unwrap_or(K::Undefined) {
                            K::VarReset => {
                                let key = format!("{}=", v.name);
                                f.config.retain(|c| !c.starts_with(&key));
                            }
                            K::VarResetAll => f.config.clear(),
                            _ => {
                                let entry = config_entry(v)?;
                                let key = format!("{}=", v.name);
                                match f.config.iter().position(|c| c.starts_with(&key)) {
                                    Some(i) => f.config[i] = entry,
                                    None => f.config.push(entry),
                                }
                            }
                        }
                    }
                    _ => return unsupported(d.location, "this SET form on a function"),
                },
                other => {
                    return unsupported(
                        d.location,
                        &format!("ALTER FUNCTION … {}", other.to_ascii_uppercase()),
                    )
                }
            }
        }
        self.cat.functions.insert(key, f);
        Ok(())
    }

    /// A SQL-standard body (`RETURN expr` or `BEGIN ATOMIC … END`), normalized.
    fn standard_body(&self, b: &Node, params: &Params) -> R<Expr> {
        let res = Res(self);
        match b.node.as_ref() {
            Some(NodeEnum::ReturnStmt(r)) => {
                let e = r.returnval.as_deref().ok_or_else(|| E {
                    loc: -1,
                    msg: "RETURN without a value".into(),
                })?;
                let (sql, canon, refs) =
                    select::normalize_scalar(e, &res, Some(params)).map_err(at(-1))?;
                Ok(Expr {
                    sql: format!("RETURN {sql}"),
                    canon: format!("RETURN {canon}"),
                    refs,
                })
            }
            Some(NodeEnum::List(outer)) => {
                let stmts: Vec<Node> = match outer.items.first().and_then(|n| n.node.as_ref()) {
                    Some(NodeEnum::List(inner)) => inner.items.clone(),
                    _ => outer.items.clone(),
                };
                let mut sqls = Vec::new();
                let mut canons = Vec::new();
                let mut refs = Vec::new();
                for st in &stmts {
                    let Some(inner) = st.node.as_ref() else {
                        continue;
                    };
                    let (sql, canon, r) =
                        select::normalize_dml(inner, &res, Some(params)).map_err(at(-1))?;
                    sqls.push(format!("{sql};"));
                    canons.push(format!("{canon};"));
                    for x in r {
                        if !refs.contains(&x) {
                            refs.push(x);
                        }
                    }
                }
                Ok(Expr {
                    sql: format!("BEGIN ATOMIC\n  {}\nEND", sqls.join("\n  ")),
                    canon: format!("BEGIN ATOMIC {} END", canons.join(" ")),
                    refs,
                })
            }
            _ => err(-1, "unexpected function body"),
        }
    }

    /// Relations a SQL-language source body names (for ordering): resolved on the search
    /// path, else in any schema.
    fn source_refs(&self, text: &str) -> Vec<QualName> {
        let Ok(parsed) = pg_query::parse(text, 0) else {
            return vec![];
        };
        let mut out: Vec<QualName> = Vec::new();
        for t in parsed.tables() {
            let parts: Vec<&str> = t.split('.').collect();
            let (schema, name) = match parts.as_slice() {
                [n] => (None, *n),
                [s, n] => (Some(*s), *n),
                _ => continue,
            };
            let found = Res(self)
                .relation(schema, name)
                .map(|r| r.name)
                .or_else(|| {
                    let any = |q: &QualName| q.name == name && schema.is_none_or(|s| q.schema == s);
                    self.cat
                        .tables
                        .keys()
                        .chain(self.cat.views.keys())
                        .find(|q| any(q))
                        .cloned()
                });
            if let Some(q) = found {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // Triggers

    pub(super) fn create_trigger(&mut self, s: &protobuf::CreateTrigStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let table = self.find_trigger_relation(rv)?;
        let is_view = self.cat.views.contains_key(&table);
        // tgtype bits (trigger.h): BEFORE and INSTEAD; AFTER is neither.
        const BEFORE: i32 = 1 << 1;
        const INSTEAD: i32 = 1 << 6;
        let timing = if s.timing & INSTEAD != 0 {
            TriggerTiming::InsteadOf
        } else if s.timing & BEFORE != 0 {
            TriggerTiming::Before
        } else {
            TriggerTiming::After
        };
        let mut events = Vec::new();
        for (bit, e) in [
            (1 << 2, TriggerEvent::Insert),
            (1 << 3, TriggerEvent::Delete),
            (1 << 4, TriggerEvent::Update),
            (1 << 5, TriggerEvent::Truncate),
        ] {
            if s.events & bit != 0 {
                events.push(e);
            }
        }
        if is_view && timing != TriggerTiming::InsteadOf && s.row {
            return err(
                -1,
                format!(
                    "\"{}\" is a view: views cannot have row-level BEFORE or AFTER triggers",
                    table.name
                ),
            );
        }
        let update_columns = strings(&s.columns);
        let columns: Vec<Column> = match self.cat.tables.get(&table) {
            Some(t) => t.columns.clone(),
            None => vec![],
        };
        if let Some(t) = self.cat.tables.get(&table) {
            for c in &update_columns {
                if t.column(c).is_none() {
                    return err(
                        -1,
                        format!(
                            "column \"{c}\" of relation \"{}\" does not exist",
                            table.name
                        ),
                    );
                }
            }
        }
        let when = match s.when_clause.as_deref() {
            Some(w) => {
                let loc = Self::node_location(w);
                let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                if !columns.is_empty() && crate::binder::columns_complete(&self.cat, &table) {
                    let user_fn = |n: &str| self.cat.functions.values().any(|f| f.name.name == n);
                    if let Some((at, msg)) =
                        crate::binder::unknown_column(w, &names, &["new", "old"], false, &user_fn)
                    {
                        return err(if at >= 0 { at } else { loc }, msg);
                    }
                }
                Some(self.norm_expr(w, &columns, None, loc)?)
            }
            None => None,
        };
        let fnames = strings(&s.funcname);
        let function = self.trigger_function(&fnames)?;
        let user_function = self.cat.functions.values().any(|f| f.name == function);
        let returns_trigger = self.cat.functions.values().any(|f| {
            f.name == function
                && f.identity_args().is_empty()
                && f.returns
                    .as_ref()
                    .is_some_and(|r| r.name == "trigger" && r.schema.is_none())
        });
        if user_function && !returns_trigger {
            return err(
                -1,
                format!("function {function}() must return type trigger (and take no arguments)"),
            );
        }
        let from_table = match s.constrrel.as_ref() {
            Some(rv) => Some(self.find_table(rv)?),
            None => None,
        };
        let mut old_table = None;
        let mut new_table = None;
        for t in &s.transition_rels {
            if let Some(NodeEnum::TriggerTransition(tt)) = t.node.as_ref() {
                if tt.is_new {
                    new_table = Some(tt.name.clone());
                } else {
                    old_table = Some(tt.name.clone());
                }
            }
        }
        let trig = Trigger {
            table: table.clone(),
            name: s.trigname.clone(),
            timing,
            events,
            update_columns,
            for_each_row: s.row,
            when,
            function,
            args: strings(&s.args),
            constraint: s.isconstraint,
            deferrable: s.deferrable,
            initially_deferred: s.initdeferred,
            from_table,
            old_table,
            new_table,
            enabled: TriggerEnabled::Origin,
            comment: None,
        };
        let key = trig.key();
        if let Some(old) = self.cat.triggers.get(&key) {
            if !s.replace {
                return err(
                    -1,
                    format!(
                        "trigger \"{}\" for relation \"{}\" already exists",
                        s.trigname, table.name
                    ),
                );
            }
            let mut trig = trig;
            trig.comment = old.comment.clone();
            self.cat.triggers.insert(key, trig);
        } else {
            self.cat.triggers.insert(key, trig);
        }
        Ok(())
    }

    /// The function a trigger executes: a function of the files, a built-in trigger
    /// function of `pg_catalog`, or one of an extension installed in the schema named (or,
    /// unqualified, on the search path).
    fn trigger_function(&self, names: &[String]) -> R<QualName> {
        const BUILTIN: &[&str] = &[
            "suppress_redundant_updates_trigger",
            "tsvector_update_trigger",
            "tsvector_update_trigger_column",
        ];
        let res = Res(self);
        let missing = || E {
            loc: -1,
            msg: format!("function {}() does not exist", names.join(".")),
        };
        let ext_in = |s: &str| self.cat.extensions.values().any(|e| e.schema == s);
        match names {
            [n] => {
                if let Some(q) = res.function(None, n) {
                    return Ok(q);
                }
                if BUILTIN.contains(&n.as_str()) {
                    return Ok(QualName::new("pg_catalog", n.clone()));
                }
                self.path()
                    .into_iter()
                    .find(|s| ext_in(s))
                    .map(|s| QualName::new(s, n.clone()))
                    .ok_or_else(missing)
            }
            [sc, n] | [_, sc, n] => {
                if let Some(q) = res.function(Some(sc), n) {
                    return Ok(q);
                }
                if (sc == "pg_catalog" && BUILTIN.contains(&n.as_str())) || ext_in(sc) {
                    return Ok(QualName::new(sc.clone(), n.clone()));
                }
                Err(missing())
            }
            _ => Err(missing()),
        }
    }

    // -----------------------------------------------------------------------------------
    // COMMENT ON and DROP

    fn is_routine_kind(objtype: i32) -> bool {
        matches!(
            ObjectType::try_from(objtype).unwrap_or(ObjectType::Undefined),
            ObjectType::ObjectView
                | ObjectType::ObjectMatview
                | ObjectType::ObjectFunction
                | ObjectType::ObjectProcedure
                | ObjectType::ObjectRoutine
                | ObjectType::ObjectTrigger
        )
    }

    /// `COMMENT ON` a view, function, trigger, or an index of a materialized view.
    pub(super) fn is_routine_comment(&self, s: &protobuf::CommentStmt) -> bool {
        Self::is_routine_kind(s.objtype)
            || self.comment_view_index(s).is_some()
            || self.comment_view_column(s).is_some()
    }

    /// The view and column a `COMMENT ON COLUMN` names, if the relation is a view.
    fn comment_view_column(&self, s: &protobuf::CommentStmt) -> Option<(QualName, String)> {
        if s.objtype != ObjectType::ObjectColumn as i32 {
            return None;
        }
        let names = names_of(s.object.as_deref());
        if names.len() < 2 {
            return None;
        }
        let (rel, col) = names.split_at(names.len() - 1);
        let q = self.find_view_names(rel, -1).ok()?;
        Some((q, col[0].clone()))
    }

    /// The materialized view index a `COMMENT ON INDEX` names, if it names one.
    fn comment_view_index(&self, s: &protobuf::CommentStmt) -> Option<QualName> {
        if s.objtype != ObjectType::ObjectIndex as i32 {
            return None;
        }
        let names = names_of(s.object.as_deref());
        let (schema, name) = match names.as_slice() {
            [n] => ("", n.as_str()),
            [sc, n] => (sc.as_str(), n.as_str()),
            _ => return None,
        };
        self.path_or(schema).into_iter().find_map(|sc| {
            let q = QualName::new(sc, name);
            self.cat.view_index(&q).map(|_| q)
        })
    }

    pub(super) fn routine_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let text = (!s.comment.is_empty()).then(|| s.comment.clone());
        if let Some((q, col)) = self.comment_view_column(s) {
            let v = self.cat.views.get_mut(&q).expect("found");
            if !v.columns.contains(&col) {
                return err(
                    -1,
                    format!("column \"{col}\" of relation \"{}\" does not exist", q.name),
                );
            }
            match text {
                Some(t) => v.column_comments.insert(col, t),
                None => v.column_comments.remove(&col),
            };
            return Ok(());
        }
        if let Some(q) = self.comment_view_index(s) {
            for v in self.cat.views.values_mut() {
                if let Some(ix) = v.indexes.get_mut(&q) {
                    ix.comment = text.clone();
                }
            }
            return Ok(());
        }
        let obj = s.object.as_deref();
        match ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let q = self.find_view_names(&names_of(obj), -1)?;
                if let Some(v) = self.cat.views.get_mut(&q) {
                    v.comment = text;
                }
            }
            ObjectType::ObjectTrigger => {
                let (rv, tr) = trigger_object(&names_of(obj))?;
                let table = self.find_trigger_relation(&rv)?;
                let t = self
                    .cat
                    .triggers
                    .get_mut(&(table.clone(), tr.clone()))
                    .ok_or_else(|| E {
                        loc: -1,
                        msg: format!(
                            "trigger \"{}\" for table \"{}\" does not exist",
                            tr, table.name
                        ),
                    })?;
                t.comment = text;
            }
            _ => {
                let Some(NodeEnum::ObjectWithArgs(owa)) = obj.and_then(|o| o.node.as_ref()) else {
                    return err(-1, "improper function name");
                };
                let key = self.function_key(owa, -1)?.ok_or_else(|| E {
                    loc: -1,
                    msg: format!(
                        "function {}() does not exist",
                        strings(&owa.objname).join(".")
                    ),
                })?;
                if let Some(f) = self.cat.functions.get_mut(&key) {
                    f.comment = text;
                }
            }
        }
        Ok(())
    }

    /// `DROP` of a view, function, trigger, or of indexes of materialized views only.
    pub(super) fn is_routine_drop(&self, s: &protobuf::DropStmt) -> bool {
        Self::is_routine_kind(s.remove_type)
            || (s.remove_type == ObjectType::ObjectIndex as i32
                && !s.objects.is_empty()
                && s.objects
                    .iter()
                    .all(|o| self.drop_view_index_name(o).is_some()))
    }

    /// The materialized view index a `DROP INDEX` item names, if it names one.
    fn drop_view_index_name(&self, o: &Node) -> Option<QualName> {
        let names = names_of(Some(o));
        let (schema, name) = match names.as_slice() {
            [n] => ("", n.as_str()),
            [sc, n] => (sc.as_str(), n.as_str()),
            _ => return None,
        };
        self.path_or(schema).into_iter().find_map(|sc| {
            let q = QualName::new(sc, name);
            self.cat.view_index(&q).map(|_| q)
        })
    }

    /// Views reading `q` (directly).
    fn views_reading(&self, q: &QualName) -> Vec<QualName> {
        self.cat
            .views
            .values()
            .filter(|v| v.name != *q && v.query.refs.contains(q))
            .map(|v| v.name.clone())
            .collect()
    }

    fn drop_view(&mut self, q: &QualName, cascade: bool) -> R<()> {
        let dependents = self.views_reading(q);
        let triggers: Vec<(QualName, String)> = self
            .cat
            .triggers
            .keys()
            .filter(|(t, _)| t == q)
            .cloned()
            .collect();
        if !dependents.is_empty() && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop view {q} because view {} depends on it (use CASCADE)",
                    dependents[0]
                ),
            );
        }
        for t in triggers {
            self.cat.triggers.remove(&t);
        }
        self.cat.views.remove(q);
        for d in dependents {
            self.drop_view(&d, true)?;
        }
        Ok(())
    }

    pub(super) fn routine_drop(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        let kind = ObjectType::try_from(s.remove_type).unwrap_or(ObjectType::Undefined);
        for o in &s.objects {
            match kind {
                ObjectType::ObjectIndex => {
                    if let Some(q) = self.drop_view_index_name(o) {
                        for v in self.cat.views.values_mut() {
                            v.indexes.remove(&q);
                        }
                    }
                }
                ObjectType::ObjectView | ObjectType::ObjectMatview => {
                    let names = names_of(Some(o));
                    match self.find_view_names(&names, -1) {
                        Ok(q) => {
                            let mat = self.cat.views.get(&q).is_some_and(|v| v.materialized);
                            if mat != (kind == ObjectType::ObjectMatview) {
                                return err(
                                    -1,
                                    format!(
                                        "\"{}\" is {}",
                                        q.name,
                                        if mat {
                                            "a materialized view"
                                        } else {
                                            "not a materialized view"
                                        }
                                    ),
                                );
                            }
                            self.drop_view(&q, cascade)?
                        }
                        Err(_) if s.missing_ok => {}
                        Err(e) => return Err(e),
                    }
                }
                ObjectType::ObjectTrigger => {
                    let (rv, tr) = trigger_object(&names_of(Some(o)))?;
                    let relation = self.find_trigger_relation(&rv);
                    drop_relation_object(
                        &mut self.cat.triggers,
                        relation,
                        &tr,
                        s.missing_ok,
                        |table| E {
                            loc: -1,
                            msg: format!(
                                "trigger \"{tr}\" for table \"{}\" does not exist",
                                table.name
                            ),
                        },
                    )?;
                }
                _ => {
                    let Some(NodeEnum::ObjectWithArgs(owa)) = o.node.as_ref() else {
                        return err(-1, "improper function name");
                    };
                    match self.function_key(owa, -1)? {
                        Some(key) => {
                            let f = self.cat.functions.get(&key).cloned();
                            if let Some(f) = f {
                                let users: Vec<(QualName, String)> = self
                                    .cat
                                    .triggers
                                    .values()
                                    .filter(|t| t.function == f.name)
                                    .map(|t| t.key())
                                    .collect();
                                if !users.is_empty() && !cascade {
                                    return err(
                                        -1,
                                        format!(
                                            "cannot drop function {key} because trigger {} on {} depends on it (use CASCADE)",
                                            users[0].1, users[0].0
                                        ),
                                    );
                                }
                                for u in users {
                                    self.cat.triggers.remove(&u);
                                }
                                self.cat.functions.remove(&key);
                            }
                        }
                        None if s.missing_ok => {}
                        None => {
                            return err(
                                -1,
                                format!(
                                    "function {}() does not exist",
                                    strings(&owa.objname).join(".")
                                ),
                            )
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `DROP TABLE` of a table views read: an error without CASCADE (with it, the views
    /// go too); checked before the table drop itself.
    pub(super) fn drop_table_dependents(&mut self, s: &protobuf::DropStmt) -> R<()> {
        if s.remove_type != ObjectType::ObjectTable as i32 {
            return Ok(());
        }
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        for o in &s.objects {
            let names = names_of(Some(o));
            let Ok(q) = self.find_table_names(&names, -1) else {
                continue;
            };
            let readers = self.views_reading(&q);
            if !readers.is_empty() && !cascade {
                return err(
                    -1,
                    format!(
                        "cannot drop table {q} because view {} depends on it (use CASCADE)",
                        readers[0]
                    ),
                );
            }
            for v in readers {
                self.drop_view(&v, true)?;
            }
        }
        Ok(())
    }

    /// After a statement: triggers of relations that no longer exist are gone.
    pub(super) fn prune_routines(&mut self) {
        let tables = &self.cat.tables;
        let views = &self.cat.views;
        self.cat
            .triggers
            .retain(|(t, _), _| tables.contains_key(t) || views.contains_key(t));
    }

    // -----------------------------------------------------------------------------------
    // Unmodeled statements

    /// A statement of a kind shale does not model: an error, or (when collecting) an
    /// [`Unmodeled`] entry naming it.
    pub(super) fn unmodeled_statement(&mut self, n: &NodeEnum, text: &str) -> R<()> {
        let kind = statement_kind(n, text);
        if !self.routines.collect_unmodeled {
            return unsupported(-1, &kind);
        }
        let (kind, name) = self.unmodeled_name(n).unwrap_or_else(|| {
            let first: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = first.chars().take(80).collect();
            (kind.to_ascii_lowercase(), short)
        });
        let (line, column) = line_col(&self.text, self.stmt_start);
        self.cat.unmodeled.push(Unmodeled {
            kind,
            name,
            location: Some(format!("{}:{line}:{column}", self.file)),
        });
        Ok(())
    }
}

impl Builder {
    /// A possibly qualified name, qualified as PostgreSQL would create it.
    fn qualified_display(&self, names: &[String]) -> String {
        match names {
            [n] => format!(
                "{}.{}",
                quote_ident(&first_schema(&self.path())),
                quote_ident(n)
            ),
            _ => names
                .iter()
                .map(|n| quote_ident(n))
                .collect::<Vec<_>>()
                .join("."),
        }
    }

    /// A relation named in a statement, qualified (resolved when it exists).
    pub(super) fn relation_display(&self, rv: Option<&protobuf::RangeVar>) -> String {
        let Some(rv) = rv else {
            return String::new();
        };
        if let Ok(q) = self.find_trigger_relation(rv) {
            return q.to_string();
        }
        let mut names = Vec::new();
        if !rv.schemaname.is_empty() {
            names.push(rv.schemaname.clone());
        }
        names.push(rv.relname.clone());
        self.qualified_display(&names)
    }

    /// Kind and name of an unmodelled statement's object, spelled as the live front end
    /// spells the same object (schema-qualified; aggregates with their argument types), so
    /// that the two lists can be merged.
    fn unmodeled_name(&self, n: &NodeEnum) -> Option<(String, String)> {
        Some(match n {
            NodeEnum::DefineStmt(d) => {
                let kind = match ObjectType::try_from(d.kind).unwrap_or(ObjectType::Undefined) {
                    ObjectType::ObjectAggregate => "aggregate",
                    ObjectType::ObjectOperator => "operator",
                    ObjectType::ObjectType => "base type",
                    ObjectType::ObjectCollation => "collation",
                    _ => "object",
                };
                let mut name = self.qualified_display(&strings(&d.defnames));
                if kind == "aggregate" {
                    let mut args = Vec::new();
                    if let Some(NodeEnum::List(l)) = d.args.first().and_then(|a| a.node.as_ref()) {
                        for p in &l.items {
                            if let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_ref() {
                                if let Some(t) =
                                    fp.arg_type.as_ref().and_then(|t| self.routine_type(t).ok())
                                {
                                    args.push(t.to_string());
                                }
                            }
                        }
                    }
                    let star = args.is_empty();
                    name = format!("{name}({})", if star { "*".into() } else { args.join(",") });
                }
                (kind.into(), name)
            }
            NodeEnum::RuleStmt(r) => (
                "rule".into(),
                format!(
                    "{} on {}",
                    quote_ident(&r.rulename),
                    self.relation_display(r.relation.as_ref())
                ),
            ),
            NodeEnum::CreatePublicationStmt(p) => ("publication".into(), quote_ident(&p.pubname)),
            NodeEnum::CreateSubscriptionStmt(s) => ("subscription".into(), quote_ident(&s.subname)),
            NodeEnum::CreateForeignTableStmt(f) => (
                "foreign table".into(),
                self.relation_display(f.base_stmt.as_ref().and_then(|b| b.relation.as_ref())),
            ),
            NodeEnum::CreateForeignServerStmt(f) => {
                ("foreign server".into(), quote_ident(&f.servername))
            }
            NodeEnum::CreateFdwStmt(f) => ("foreign-data wrapper".into(), quote_ident(&f.fdwname)),
            NodeEnum::CreateCastStmt(c) => {
                let ty = |t: &Option<protobuf::TypeName>| {
                    t.as_ref()
                        .and_then(|t| self.routine_type(t).ok())
                        .map(|t| t.to_string())
                        .unwrap_or_default()
                };
                (
                    "cast".into(),
                    format!("({} AS {})", ty(&c.sourcetype), ty(&c.targettype)),
                )
            }
            NodeEnum::CreateStatsStmt(s) => (
                "statistics".into(),
                self.qualified_display(&strings(&s.defnames)),
            ),
            NodeEnum::CreateConversionStmt(c) => (
                "conversion".into(),
                self.qualified_display(&strings(&c.conversion_name)),
            ),
            NodeEnum::CreateOpClassStmt(c) => (
                "operator class".into(),
                self.qualified_display(&strings(&c.opclassname)),
            ),
            NodeEnum::CreateOpFamilyStmt(c) => (
                "operator family".into(),
                self.qualified_display(&strings(&c.opfamilyname)),
            ),
            NodeEnum::CreatePlangStmt(l) => ("language".into(), quote_ident(&l.plname)),
            _ => return None,
        })
    }
}

/// Replays the catalog's own DDL for views, functions and triggers on top of a catalog
/// of the other objects (the live front end's), with an empty search path: the catalog
/// prints every name outside `pg_catalog` qualified.
pub struct Replay {
    b: Builder,
    /// `catalog_mut` handed out the catalog: its name indexes may be out of date.
    names_stale: bool,
}

/// Why a definition the catalog printed could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    /// What was replayed: `view public.v`, …
    pub object: String,
    pub message: String,
    pub sql: String,
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot read {}: {}\n  SQL: {}",
            self.object,
            self.message,
            crate::mask_secrets(&self.sql)
        )
    }
}

impl std::error::Error for ReplayError {}

/// Run `f`; a panic (a bug) becomes an error value instead of ending introspection.
fn guard<T>(f: impl FnOnce() -> R<T>) -> R<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        err(
            -1,
            "internal error in the SQL front end while reading this definition (please report it)",
        )
    })
}

impl Replay {
    pub fn new(cat: Catalog) -> Replay {
        Replay {
            b: Builder::over(cat, Vec::new()),
            names_stale: false,
        }
    }

    /// Rebuild the builder's name indexes if the catalog was changed from outside.
    fn refresh_names(&mut self) {
        if self.names_stale {
            self.b.rebuild_name_indexes();
            self.names_stale = false;
        }
    }

    fn run(&mut self, object: &str, sql: &str) -> Result<(), ReplayError> {
        crate::deep::deep(|| {
            let fail = |message: String| ReplayError {
                object: object.to_string(),
                message,
                sql: sql.to_string(),
            };
            let n = select::parse_stmt(sql).map_err(fail)?;
            self.refresh_names();
            self.b.set_text(sql.to_string());
            self.b.file = object.to_string();
            let b = &mut self.b;
            let r = guard(|| match n {
                NodeEnum::ViewStmt(s) => b.create_view(&s),
                NodeEnum::CreateTableAsStmt(s) => b.create_matview(&s),
                NodeEnum::CreateFunctionStmt(s) => b.create_function(&s).map(|_| ()),
                NodeEnum::CreateTrigStmt(s) => b.create_trigger(&s),
                NodeEnum::IndexStmt(s) => b.create_view_index(&s),
                NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectAggregate as i32 => {
                    b.create_aggregate(&s)
                }
                NodeEnum::CreateCastStmt(s) => b.create_cast(&s),
                NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectOperator as i32 => {
                    b.create_operator(&s)
                }
                NodeEnum::CreateOpFamilyStmt(s) => b.create_operator_family(&s),
                NodeEnum::CreateOpClassStmt(s) => b.create_operator_class(&s),
                NodeEnum::AlterOpFamilyStmt(s) => b.alter_operator_family(&s),
                NodeEnum::DefineStmt(s) if Builder::is_ts_define(&s) => b.create_ts_object(&s),
                NodeEnum::AlterTsconfigurationStmt(s) => b.alter_ts_configuration(&s),
                other => unsupported(-1, &statement_kind(&other, sql)),
            });
            r.map_err(|e| fail(e.msg))
        })
    }

    /// A function or procedure from `pg_get_functiondef`; returns its signature.
    pub fn function(&mut self, object: &str, def: &str) -> Result<String, ReplayError> {
        crate::deep::deep(|| {
            let fail = |message: String| ReplayError {
                object: object.to_string(),
                message,
                sql: def.to_string(),
            };
            let n = select::parse_stmt(def).map_err(fail)?;
            let NodeEnum::CreateFunctionStmt(s) = n else {
                return Err(fail("not a CREATE FUNCTION statement".into()));
            };
            self.refresh_names();
            self.b.file = object.to_string();
            let b = &mut self.b;
            guard(|| b.create_function(&s)).map_err(|e| fail(e.msg))
        })
    }

    /// A view from its name and `pg_get_viewdef`.
    pub fn view(
        &mut self,
        name: &QualName,
        materialized: bool,
        with_data: bool,
        query: &str,
    ) -> Result<(), ReplayError> {
        let query = query.trim().trim_end_matches(';');
        let sql = if materialized {
            format!(
                "CREATE MATERIALIZED VIEW {name} AS {query} WITH {}DATA",
                if with_data { "" } else { "NO " }
            )
        } else {
            format!("CREATE VIEW {name} AS {query}")
        };
        self.run(&format!("view {name}"), &sql)
    }

    /// A view's options (`reloptions` entries `name=value`).
    pub fn view_options(&mut self, name: &QualName, options: &[String]) -> Result<(), ReplayError> {
        crate::deep::deep(|| {
            if options.is_empty() {
                return Ok(());
            }
            let list: Vec<String> = options
                .iter()
                .map(|o| match o.split_once('=') {
                    Some((k, v)) => format!("{} = {}", quote_ident(k), quote_literal(v)),
                    None => quote_ident(o),
                })
                .collect();
            let sql = format!("ALTER VIEW {name} SET ({})", list.join(", "));
            let n = select::parse_stmt(&sql).map_err(|m| ReplayError {
                object: format!("view {name}"),
                message: m,
                sql: sql.clone(),
            })?;
            let NodeEnum::AlterTableStmt(s) = n else {
                return Ok(());
            };
            self.refresh_names();
            self.b.alter_routine_relation(&s).map_err(|e| ReplayError {
                object: format!("view {name}"),
                message: e.msg,
                sql,
            })
        })
    }

    /// An aggregate or a cast from the `CREATE` statement the live front end writes from
    /// its catalog rows (`aggregates.rs`, `casts.rs` of shale-introspect).
    pub fn definition(&mut self, object: &str, sql: &str) -> Result<(), ReplayError> {
        self.run(object, sql)
    }

    /// An index of a materialized view from `pg_get_indexdef`.
    pub fn view_index(&mut self, object: &str, def: &str) -> Result<(), ReplayError> {
        self.run(object, def)
    }

    /// A trigger from `pg_get_triggerdef`, with its `tgenabled` state.
    pub fn trigger(
        &mut self,
        object: &str,
        def: &str,
        enabled: TriggerEnabled,
    ) -> Result<(), ReplayError> {
        crate::deep::deep(|| {
            self.run(object, def)?;
            let n = select::parse_stmt(def).ok();
            if let Some(NodeEnum::CreateTrigStmt(s)) = n {
                let rv = s.relation.clone().unwrap_or_default();
                if let Ok(table) = self.b.find_trigger_relation(&rv) {
                    if let Some(t) = self.b.cat.triggers.get_mut(&(table, s.trigname.clone())) {
                        t.enabled = enabled;
                    }
                }
            }
            Ok(())
        })
    }

    /// The catalog so far (to set comments on what was replayed).
    pub fn catalog_mut(&mut self) -> &mut Catalog {
        self.names_stale = true;
        &mut self.b.cat
    }

    pub fn finish(self) -> Catalog {
        self.b.cat
    }

    /// Any statement the files may hold (a definition printed by the catalog: statistics,
    /// rules, text search objects), applied as the files' would be.
    pub fn statement(&mut self, object: &str, sql: &str) -> Result<(), ReplayError> {
        crate::deep::deep(|| {
            let fail = |message: String| ReplayError {
                object: object.to_string(),
                message,
                sql: sql.to_string(),
            };
            let n = select::parse_stmt(sql).map_err(fail)?;
            self.refresh_names();
            self.b.text = sql.to_string();
            self.b.file = object.to_string();
            let b = &mut self.b;
            guard(|| b.statement(n, sql)).map_err(|e| fail(e.msg))
        })
    }
}

/// Relations a SQL-language source body names that were created after the function (as
/// in pg_dump's order, where functions come before tables, with `check_function_bodies`
/// off): added to its `refs` once every file is read, so that a plan creates the
/// function after them. PostgreSQL validates the body with the function's own `SET
/// search_path` when it has one; an unqualified name is looked up on that path, then in
/// `public`, then in any schema.
///
/// The functions a SQL-language body calls (either kind of body) are added the same way,
/// so that a function is created after the ones it calls and dropped before them.
pub(crate) fn resolve_late_source_refs(cat: &mut Catalog) {
    let relations: Vec<QualName> = cat.tables.keys().chain(cat.views.keys()).cloned().collect();
    let functions: Vec<QualName> = cat.functions.values().map(|f| f.name.clone()).collect();
    for f in cat.functions.values_mut() {
        if f.language != "sql" {
            continue;
        }
        let own_name = f.name.clone();
        let (text, body) = match &mut f.body {
            FunctionBody::Source(body) => (body.sql.clone(), body),
            FunctionBody::Standard(body) => (
                format!(
                    "CREATE FUNCTION shale_body() RETURNS void LANGUAGE sql {}",
                    body.sql
                ),
                body,
            ),
            FunctionBody::Object { .. } => continue,
        };
        let Ok(parsed) = pg_query::parse(&text, 0) else {
            continue;
        };
        let is_source = !text.starts_with("CREATE FUNCTION shale_body()");
        let mut path: Vec<String> = f
            .config
            .iter()
            .find_map(|c| c.strip_prefix("search_path="))
            .map(|p| {
                p.split(',')
                    .map(|s| s.trim().trim_matches('"').to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        path.push("public".into());
        let lookup = |names: &[QualName], t: &str| -> Option<QualName> {
            let parts: Vec<&str> = t.split('.').collect();
            match parts.as_slice() {
                [s, n] => names
                    .iter()
                    .find(|q| q.schema == *s && q.name == *n)
                    .cloned(),
                [n] => path
                    .iter()
                    .find_map(|s| names.iter().find(|q| q.schema == *s && q.name == *n))
                    .or_else(|| names.iter().find(|q| q.name == *n))
                    .cloned(),
                _ => None,
            }
        };
        for call in parsed.call_functions() {
            // (Overloads of the function itself are left out: no order between them.)
            if let Some(q) = lookup(&functions, &call).filter(|q| *q != own_name) {
                if !body.refs.contains(&q) {
                    body.refs.push(q);
                }
            }
        }
        if !is_source {
            continue;
        }
        for t in parsed.tables() {
            if let Some(q) = lookup(&relations, &t) {
                if !body.refs.contains(&q) {
                    body.refs.push(q);
                }
            }
        }
    }
}

/// Read the files, in order, as one schema, collecting statements of kinds shale does not
/// model into [`Catalog::unmodeled`] (by kind, name and `file:line:column`) instead of
/// failing on the first one.
pub fn parse_sources_collecting(files: &[SourceFile]) -> Result<Catalog, SqlError> {
    crate::deep::deep(|| {
        std::panic::catch_unwind(|| {
            let mut b = Builder::new();
            b.routines.collect_unmodeled = true;
            b.files(files)?;
            b.finish().map(|(c, _)| c)
        })
        .unwrap_or_else(|_| {
            Err(SqlError {
                file: files.first().map(|f| f.path.clone()).unwrap_or_default(),
                line: 1,
                column: 1,
                message: "internal error in the SQL front end (please report it)".into(),
                snippet: String::new(),
            })
        })
    })
}
