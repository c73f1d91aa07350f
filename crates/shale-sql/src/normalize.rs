//! The shared expression normalizer.
//!
//! An expression is parsed with pg_query (as `SELECT <expr>`), the tree is rewritten by a
//! set of small rules so that the user's spelling and the catalog's deparsed spelling
//! (`pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`) become the same tree, and the
//! canonical text is pg_query's deparse of that tree (deparse never prints locations, and
//! parentheses only where the tree needs them).
//!
//! Each rule is a small function below with a unit test showing both spellings meeting.

use crate::constants::canon_value;
use crate::types::{self, base_name};
use pg_query::protobuf::{
    self, a_const, AConst, AExpr, AExprKind, BoolExpr, BoolExprType, CoercionForm, Node,
};
use pg_query::NodeEnum;
use shale_model::{Expr, QualName, TypeRef};

/// Resolves a name (schema as written, if any; name) to a qualified name.
pub(crate) type ResolveFn<'a> = &'a dyn Fn(Option<&str>, &str) -> Result<QualName, String>;

/// Everything the normalizer needs; built from the public `ExprContext` or by the SQL
/// front end (which knows the sequences and enums of the files).
pub(crate) struct NormCx<'a> {
    pub column_type: &'a dyn Fn(&str) -> Option<TypeRef>,
    pub target_type: Option<&'a TypeRef>,
    /// Resolve a sequence name (schema as written, name) to its qualified name.
    pub resolve_seq: &'a dyn Fn(Option<&str>, &str) -> QualName,
    /// Resolve a non-built-in type name.
    pub resolve_type: ResolveFn<'a>,
    /// Resolve a text search configuration named in `'cfg'::regconfig` (schema as
    /// written, name): the qualified name of one not in `pg_catalog`, else `None`.
    pub resolve_ts_config: TsConfigFn<'a>,
}

/// Resolves a text search configuration (see [`NormCx::resolve_ts_config`]).
pub(crate) type TsConfigFn<'a> = &'a dyn Fn(Option<&str>, &str) -> Option<QualName>;

/// A configuration resolver that knows no configurations of the files: a qualified name
/// outside `pg_catalog` is taken as written, an unqualified one as built-in.
pub(crate) fn qualified_ts_config(schema: Option<&str>, name: &str) -> Option<QualName> {
    match schema {
        Some("pg_catalog") | None => None,
        Some(s) => Some(QualName::new(s, name)),
    }
}

/// Functions whose first argument is a `regconfig`, with how many arguments they then
/// take (`to_tsvector('english', body)`).
pub(crate) fn regconfig_first_arg(name: &str, nargs: usize) -> bool {
    matches!(
        (name, nargs),
        (
            "to_tsvector"
                | "to_tsquery"
                | "plainto_tsquery"
                | "phraseto_tsquery"
                | "websearch_to_tsquery"
                | "ts_debug",
            2
        ) | ("json_to_tsvector" | "jsonb_to_tsvector", 3)
            | ("ts_headline", 4)
    )
}

/// The canonical text of a `regconfig` constant (as `regconfigout` prints it with an
/// empty search path: qualified unless in `pg_catalog`), and the configuration it names
/// when that is not a built-in one.
fn regconfig_text(text: &str, resolve: TsConfigFn) -> Option<(String, Option<QualName>)> {
    let parts = split_qualified_name(text)?;
    let q = match parts.as_slice() {
        [n] => resolve(None, n),
        [s, n] | [_, s, n] => resolve(Some(s), n),
        _ => return None,
    };
    let name = parts.last()?;
    Some(match q {
        Some(q) => (shale_model::text_search::regconfig_text(&q), Some(q)),
        None => (shale_model::quote_ident(name), None),
    })
}

fn is_regconfig(t: &TypeRef) -> bool {
    t.schema.is_none() && !t.array && t.name == "regconfig"
}

/// The first schema of a search path that objects are created in / resolved to by default.
pub(crate) fn first_schema(search_path: &[String]) -> String {
    search_path
        .iter()
        .find(|s| !s.starts_with('$') && s.as_str() != "pg_catalog")
        .cloned()
        .unwrap_or_else(|| "public".to_string())
}

fn node(n: NodeEnum) -> Node {
    Node { node: Some(n) }
}

fn sval_node(s: &str) -> Node {
    node(NodeEnum::String(protobuf::String { sval: s.into() }))
}

fn str_const(s: &str) -> Node {
    node(NodeEnum::AConst(AConst {
        isnull: false,
        location: -1,
        val: Some(a_const::Val::Sval(protobuf::String { sval: s.into() })),
    }))
}

/// Parse one expression.
pub(crate) fn parse_expr(sql: &str) -> Result<Node, String> {
    let text = format!("SELECT {sql}");
    let parsed = crate::raw::parse(&text).map_err(|e| match e {
        pg_query::Error::Parse(m) => format!("invalid expression `{sql}`: {m}"),
        other => format!("invalid expression `{sql}`: {other}"),
    })?;
    let bad = || format!("not a single expression: `{sql}`");
    let [stmt] = parsed.stmts.as_slice() else {
        return Err(bad());
    };
    let Some(NodeEnum::SelectStmt(sel)) = stmt.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
        return Err(bad());
    };
    if sel.target_list.len() != 1
        || !sel.from_clause.is_empty()
        || sel.where_clause.is_some()
        || !sel.group_clause.is_empty()
        || sel.having_clause.is_some()
        || !sel.sort_clause.is_empty()
        || sel.limit_count.is_some()
        || sel.limit_offset.is_some()
        || sel.with_clause.is_some()
        || !sel.distinct_clause.is_empty()
        || !sel.values_lists.is_empty()
        || sel.larg.is_some()
    {
        return Err(bad());
    }
    let Some(NodeEnum::ResTarget(rt)) = sel.target_list[0].node.as_ref() else {
        return Err(bad());
    };
    if !rt.name.is_empty() {
        return Err(bad());
    }
    rt.val.as_deref().cloned().ok_or_else(bad)
}

fn pg_version() -> i32 {
    static V: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *V.get_or_init(|| {
        pg_query::parse("SELECT 1", 0)
            .map(|r| r.protobuf.version)
            .unwrap_or(0)
    })
}

/// Deparse one expression.
pub(crate) fn deparse_expr(n: &Node) -> Result<String, String> {
    let target = node(NodeEnum::ResTarget(Box::new(protobuf::ResTarget {
        name: String::new(),
        indirection: vec![],
        val: Some(Box::new(n.clone())),
        location: -1,
    })));
    let sel = protobuf::SelectStmt {
        target_list: vec![target],
        limit_option: protobuf::LimitOption::Default as i32,
        op: protobuf::SetOperation::SetopNone as i32,
        ..Default::default()
    };
    let pr = protobuf::ParseResult {
        version: pg_version(),
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(node(NodeEnum::SelectStmt(Box::new(sel))))),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    let text = pg_query::deparse(&pr, Default::default()).map_err(|e| e.to_string())?;
    Ok(text
        .strip_prefix("SELECT ")
        .map(str::to_string)
        .unwrap_or(text))
}

/// Normalize a parsed expression (memoized: `expr_memo.rs`).
pub(crate) fn normalize_node(n: &Node, cx: &NormCx) -> Result<Expr, String> {
    let key = crate::expr_memo::Key::tree(n, cx.target_type);
    crate::expr_memo::memoized(key, cx, |cx| normalize_tree(n, cx))
}

pub(crate) fn normalize_tree(n: &Node, cx: &NormCx) -> Result<Expr, String> {
    // `sql` is the expression as written, with the names that depend on the search path
    // (sequences in nextval, user types in casts) qualified, so it means the same in any
    // session.
    let sql = deparse_expr(&qualify(n.clone(), cx)?)?;
    let mut refs = Vec::new();
    let rewritten = rewrite(n.clone())?;
    let mut out = norm(rewritten, cx, &mut refs)?;
    if let Some(t) = cx.target_type {
        out = canon_const_for_type(out, t);
    }
    let canon = deparse_expr(&out)?;
    Ok(Expr { sql, canon, refs })
}

/// Normalize an expression given as text (memoized by its text: `expr_memo.rs`).
pub(crate) fn normalize_text(sql: &str, cx: &NormCx) -> Result<Expr, String> {
    let key = crate::expr_memo::Key::text(sql, cx.target_type);
    crate::expr_memo::memoized(key, cx, |cx| normalize_tree(&parse_expr(sql)?, cx))
}

// ---------------------------------------------------------------------------------------
// Tree walking

type MapFn<'f> = &'f mut dyn FnMut(Node) -> Result<Node, String>;

fn map_opt(slot: &mut Option<Box<Node>>, f: MapFn) -> Result<(), String> {
    if let Some(b) = slot.take() {
        *slot = Some(Box::new(f(*b)?));
    }
    Ok(())
}

fn map_vec(v: &mut Vec<Node>, f: MapFn) -> Result<(), String> {
    let old = std::mem::take(v);
    for n in old {
        v.push(f(n)?);
    }
    Ok(())
}

/// The direct child expressions of a node, as `$opt` (an `Option<Box<Node>>` slot) and
/// `$vec` (a `Vec<Node>`) calls: one list for [`map_children`] and [`walk`].
macro_rules! each_child {
    ($n:expr, $($ref:ident)*, $opt:expr, $vec:expr) => {
        match $n {
            NodeEnum::AExpr(a) => {
                $opt(&$($ref)* a.lexpr)?;
                $opt(&$($ref)* a.rexpr)?;
            }
            NodeEnum::BoolExpr(b) => $vec(&$($ref)* b.args)?,
            NodeEnum::FuncCall(fc) => {
                $vec(&$($ref)* fc.args)?;
                $vec(&$($ref)* fc.agg_order)?;
                $opt(&$($ref)* fc.agg_filter)?;
            }
            NodeEnum::TypeCast(t) => $opt(&$($ref)* t.arg)?,
            NodeEnum::AArrayExpr(a) => $vec(&$($ref)* a.elements)?,
            NodeEnum::List(l) => $vec(&$($ref)* l.items)?,
            NodeEnum::NullTest(t) => $opt(&$($ref)* t.arg)?,
            NodeEnum::BooleanTest(t) => $opt(&$($ref)* t.arg)?,
            NodeEnum::CaseExpr(c) => {
                $opt(&$($ref)* c.arg)?;
                $vec(&$($ref)* c.args)?;
                $opt(&$($ref)* c.defresult)?;
            }
            NodeEnum::CaseWhen(w) => {
                $opt(&$($ref)* w.expr)?;
                $opt(&$($ref)* w.result)?;
            }
            NodeEnum::CoalesceExpr(c) => $vec(&$($ref)* c.args)?,
            NodeEnum::MinMaxExpr(m) => $vec(&$($ref)* m.args)?,
            NodeEnum::RowExpr(r) => $vec(&$($ref)* r.args)?,
            NodeEnum::CollateClause(c) => $opt(&$($ref)* c.arg)?,
            NodeEnum::AIndirection(i) => {
                $opt(&$($ref)* i.arg)?;
                $vec(&$($ref)* i.indirection)?;
            }
            NodeEnum::AIndices(i) => {
                $opt(&$($ref)* i.lidx)?;
                $opt(&$($ref)* i.uidx)?;
            }
            NodeEnum::NamedArgExpr(a) => $opt(&$($ref)* a.arg)?,
            NodeEnum::SortBy(s) => $opt(&$($ref)* s.node)?,
            NodeEnum::SubLink(s) => $opt(&$($ref)* s.testexpr)?,
            _ => {}
        }
    };
}

/// Apply `f` to every direct child expression of `n`.
fn map_children(n: &mut NodeEnum, f: MapFn) -> Result<(), String> {
    each_child!(n, mut, |slot| map_opt(slot, &mut *f), |v| map_vec(
        v, &mut *f
    ));
    Ok(())
}

/// Visit every node (pre-order), without copying any.
pub(crate) fn walk(n: &Node, f: &mut dyn FnMut(&NodeEnum)) {
    let Some(inner) = n.node.as_ref() else {
        return;
    };
    f(inner);
    let _: Result<(), ()> = (|| {
        each_child!(
            inner,
            ,
            |slot: &Option<Box<Node>>| -> Result<(), ()> {
                if let Some(c) = slot {
                    walk(c, &mut *f);
                }
                Ok(())
            },
            |v: &Vec<Node>| -> Result<(), ()> {
                v.iter().for_each(|c| walk(c, &mut *f));
                Ok(())
            }
        );
        Ok(())
    })();
}

/// Column names an expression references (distinct, in order of first appearance).
pub(crate) fn column_refs(n: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    walk(n, &mut |e| {
        if let NodeEnum::ColumnRef(c) = e {
            if let Some(name) = colref_name(c) {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
    });
    out
}

/// Column names referenced by an expression given as text (empty when it does not parse).
pub fn expr_columns(sql: &str) -> Vec<String> {
    crate::deep::deep(|| parse_expr(sql).map(|n| column_refs(&n)).unwrap_or_default())
}

fn colref_name(c: &protobuf::ColumnRef) -> Option<String> {
    match c.fields.last()?.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        _ => None,
    }
}

fn as_colref(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::ColumnRef(c) => colref_name(c),
        _ => None,
    }
}

fn contains_colref(n: &Node) -> bool {
    let mut found = false;
    walk(n, &mut |e| {
        if matches!(e, NodeEnum::ColumnRef(_)) {
            found = true;
        }
    });
    found
}

/// Whether a call's first argument is a `regconfig` constant (untyped or cast).
fn regconfig_call(fc: &protobuf::FuncCall) -> bool {
    let name = fc.funcname.last().and_then(|n| match n.node.as_ref() {
        Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
        _ => None,
    });
    name.is_some_and(|n| regconfig_first_arg(n, fc.args.len()))
        && matches!(fc.args[0].node.as_ref(), Some(NodeEnum::AConst(_)))
}

/// `'cfg'` (first argument of a call taking a `regconfig`) qualified as `'public.cfg'`.
fn qualify_regconfig_arg(arg: &mut Node, resolve: TsConfigFn) {
    if let Some(NodeEnum::AConst(c)) = arg.node.as_ref() {
        if let Some((text, Some(_))) = const_text(c).and_then(|t| regconfig_text(&t, resolve)) {
            *arg = str_const(&text);
        }
    }
}

/// Printed text that keeps what was written (a view's query, a SQL-standard body) with
/// each `regconfig` constant (`'cfg'::regconfig`, the first argument of `to_tsvector
/// ('cfg', …)` & co.) qualified as `regconfigout` prints it with an empty search path
/// (`'public.cfg'`; built-in ones bare), as `pg_get_viewdef` prints it: the text runs
/// under the plan's search path, not the files'.
pub(crate) fn qualify_regconfigs(n: Node, resolve: TsConfigFn) -> Result<Node, String> {
    let Some(mut inner) = n.node else {
        return Ok(Node { node: None });
    };
    map_children(&mut inner, &mut |c| qualify_regconfigs(c, resolve))?;
    match &mut inner {
        NodeEnum::TypeCast(tc) => {
            let builtin = |_: Option<&str>, _: &str| Err(String::new());
            let target = tc
                .type_name
                .as_ref()
                .and_then(|tn| types::type_from_typename(tn, &mut { builtin }).ok());
            if target.as_ref().is_some_and(is_regconfig) {
                if let Some(a) = tc.arg.as_deref_mut() {
                    qualify_regconfig_arg(a, resolve);
                }
            }
        }
        NodeEnum::FuncCall(fc) if regconfig_call(fc) => {
            qualify_regconfig_arg(&mut fc.args[0], resolve);
        }
        _ => {}
    }
    Ok(node(inner))
}

/// Qualify sequence names in `nextval('…')` and user type names in casts.
fn qualify(n: Node, cx: &NormCx) -> Result<Node, String> {
    let Some(mut inner) = n.node else {
        return Ok(Node { node: None });
    };
    map_children(&mut inner, &mut |c| qualify(c, cx))?;
    match &mut inner {
        NodeEnum::TypeCast(tc) => {
            if let Some(tn) = tc.type_name.as_ref() {
                let mut user = |s: Option<&str>, n: &str| (cx.resolve_type)(s, n);
                if let Ok(t) = types::type_from_typename(tn, &mut user) {
                    if is_regconfig(&t) {
                        if let Some(a) = tc.arg.as_deref_mut() {
                            qualify_regconfig_arg(a, cx.resolve_ts_config);
                        }
                    }
                    if t.schema.is_some() {
                        if let Ok(q) = types::parse_type_name(&t.to_string()) {
                            tc.type_name = Some(q);
                        }
                    }
                }
            }
        }
        NodeEnum::FuncCall(fc) if regconfig_call(fc) => {
            qualify_regconfig_arg(&mut fc.args[0], cx.resolve_ts_config);
        }
        NodeEnum::FuncCall(fc) => {
            let name: Vec<&str> = fc
                .funcname
                .iter()
                .filter_map(|n| match n.node.as_ref() {
                    Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                    _ => None,
                })
                .collect();
            let is_seq_fn = matches!(
                name.as_slice(),
                [f] | ["pg_catalog", f] if matches!(*f, "nextval" | "currval" | "setval")
            );
            if is_seq_fn && !fc.args.is_empty() {
                let lit = match fc.args[0].node.as_ref() {
                    Some(NodeEnum::AConst(c)) => const_text(c),
                    Some(NodeEnum::TypeCast(t)) => {
                        match t.arg.as_deref().and_then(|a| a.node.as_ref()) {
                            Some(NodeEnum::AConst(c)) => const_text(c),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                let q = lit
                    .and_then(|l| split_qualified_name(&l))
                    .and_then(|parts| match parts.as_slice() {
                        [n] => Some((cx.resolve_seq)(None, n)),
                        [s, n] | [_, s, n] => Some(QualName::new(s.clone(), n.clone())),
                        _ => None,
                    });
                if let Some(q) = q {
                    fc.args[0] = node(NodeEnum::TypeCast(Box::new(protobuf::TypeCast {
                        arg: Some(Box::new(str_const(&q.to_string()))),
                        type_name: types::parse_type_name("regclass").ok(),
                        location: -1,
                    })));
                }
            }
        }
        _ => {}
    }
    Ok(node(inner))
}

// ---------------------------------------------------------------------------------------
// Pass 1: structural rewrites of syntax PostgreSQL transforms at parse analysis.

fn rewrite(n: Node) -> Result<Node, String> {
    let Some(mut inner) = n.node else {
        return Ok(Node { node: None });
    };
    map_children(&mut inner, &mut |c| rewrite(c))?;
    let out = match inner {
        NodeEnum::AExpr(a) => rewrite_aexpr(*a),
        other => node(other),
    };
    Ok(out)
}

fn op_name(a: &AExpr) -> String {
    a.name
        .last()
        .and_then(|n| match n.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn make_op(kind: AExprKind, op: &str, l: Option<Node>, r: Option<Node>) -> Node {
    node(NodeEnum::AExpr(Box::new(AExpr {
        kind: kind as i32,
        name: vec![sval_node(op)],
        lexpr: l.map(Box::new),
        rexpr: r.map(Box::new),
        rexpr_list_start: -1,
        rexpr_list_end: -1,
        location: -1,
    })))
}

fn make_bool(op: BoolExprType, args: Vec<Node>) -> Node {
    node(NodeEnum::BoolExpr(Box::new(BoolExpr {
        xpr: None,
        boolop: op as i32,
        args,
        location: -1,
    })))
}

fn list_items(n: Option<Box<Node>>) -> Vec<Node> {
    match n.and_then(|b| b.node) {
        Some(NodeEnum::List(l)) => l.items,
        Some(other) => vec![node(other)],
        None => vec![],
    }
}

fn rewrite_aexpr(mut a: AExpr) -> Node {
    let kind = AExprKind::try_from(a.kind).unwrap_or(AExprKind::Undefined);
    match kind {
        AExprKind::AexprIn => rewrite_in(a),
        AExprKind::AexprLike | AExprKind::AexprIlike | AExprKind::AexprSimilar => {
            rewrite_like(&mut a);
            node(NodeEnum::AExpr(Box::new(a)))
        }
        AExprKind::AexprBetween
        | AExprKind::AexprNotBetween
        | AExprKind::AexprBetweenSym
        | AExprKind::AexprNotBetweenSym => rewrite_between(a, kind),
        AExprKind::AexprNotDistinct => rewrite_not_distinct(a),
        _ => node(NodeEnum::AExpr(Box::new(a))),
    }
}

/// `x LIKE y` / `ILIKE` / `NOT LIKE` / `SIMILAR TO` → the operator form the catalog prints
/// (`x ~~ y`, `x ~~* y`, `x !~~ y`, `x ~ similar_to_escape(y)`); the grammar already
/// stored the operator name, only the node kind differs.
fn rewrite_like(a: &mut AExpr) {
    a.kind = AExprKind::AexprOp as i32;
}

/// `x IN (a, b)` → `x = ANY (ARRAY[a, b])`, `x NOT IN (…)` → `x <> ALL (ARRAY[…])`, as
/// `transformAExprIn` does: elements referencing columns stay separate `=` comparisons
/// (OR-ed; AND-ed for NOT IN), and a single constant becomes a plain comparison.
fn rewrite_in(a: AExpr) -> Node {
    let op = op_name(&a);
    let not_in = op == "<>";
    let lexpr = a.lexpr.map(|b| *b);
    let items = list_items(a.rexpr);
    let (vars, nonvars): (Vec<Node>, Vec<Node>) = items.into_iter().partition(contains_colref);
    let mut parts: Vec<Node> = Vec::new();
    let singles = if nonvars.len() > 1 {
        let arr = node(NodeEnum::AArrayExpr(protobuf::AArrayExpr {
            elements: nonvars,
            list_start: -1,
            list_end: -1,
            location: -1,
        }));
        let kind = if not_in {
            AExprKind::AexprOpAll
        } else {
            AExprKind::AexprOpAny
        };
        parts.push(make_op(kind, &op, lexpr.clone(), Some(arr)));
        vars
    } else {
        nonvars.into_iter().chain(vars).collect()
    };
    for v in singles {
        parts.push(make_op(AExprKind::AexprOp, &op, lexpr.clone(), Some(v)));
    }
    if parts.len() == 1 {
        parts.pop().unwrap_or(Node { node: None })
    } else {
        let b = if not_in {
            BoolExprType::AndExpr
        } else {
            BoolExprType::OrExpr
        };
        make_bool(b, parts)
    }
}

/// `a IS NOT DISTINCT FROM b` → `NOT (a IS DISTINCT FROM b)`, as the parser stores it.
fn rewrite_not_distinct(mut a: AExpr) -> Node {
    a.kind = AExprKind::AexprDistinct as i32;
    a.name = vec![sval_node("=")];
    make_bool(
        BoolExprType::NotExpr,
        vec![node(NodeEnum::AExpr(Box::new(a)))],
    )
}

/// `x BETWEEN a AND b` → `x >= a AND x <= b`; `NOT BETWEEN` → `x < a OR x > b`; the
/// SYMMETRIC forms as `transformAExprBetween` expands them.
fn rewrite_between(a: AExpr, kind: AExprKind) -> Node {
    let x = a.lexpr.map(|b| *b);
    let items = list_items(a.rexpr);
    let (lo, hi) = match items.as_slice() {
        [l, h] => (l.clone(), h.clone()),
        _ => return make_op(AExprKind::AexprOp, "=", x, None),
    };
    let op = |o: &str, r: &Node| make_op(AExprKind::AexprOp, o, x.clone(), Some(r.clone()));
    let and = |v: Vec<Node>| make_bool(BoolExprType::AndExpr, v);
    let or = |v: Vec<Node>| make_bool(BoolExprType::OrExpr, v);
    match kind {
        AExprKind::AexprBetween => and(vec![op(">=", &lo), op("<=", &hi)]),
        AExprKind::AexprNotBetween => or(vec![op("<", &lo), op(">", &hi)]),
        AExprKind::AexprBetweenSym => or(vec![
            and(vec![op(">=", &lo), op("<=", &hi)]),
            and(vec![op(">=", &hi), op("<=", &lo)]),
        ]),
        _ => and(vec![
            or(vec![op("<", &lo), op(">", &hi)]),
            or(vec![op("<", &hi), op(">", &lo)]),
        ]),
    }
}

// ---------------------------------------------------------------------------------------
// Pass 2: bottom-up normalization.

fn norm(n: Node, cx: &NormCx, refs: &mut Vec<QualName>) -> Result<Node, String> {
    let Some(mut inner) = n.node else {
        return Ok(Node { node: None });
    };
    map_children(&mut inner, &mut |c| norm(c, cx, refs))?;
    Ok(match inner {
        NodeEnum::AConst(c) => const_as_text(c),
        NodeEnum::TypeCast(tc) => norm_cast(*tc, cx, refs)?,
        NodeEnum::FuncCall(fc) => norm_func(*fc, cx, refs),
        NodeEnum::BoolExpr(b) => flatten_bool(*b),
        NodeEnum::AExpr(a) => norm_compare(*a, cx),
        NodeEnum::CollateClause(mut c) => {
            strip_catalog_schema(&mut c.collname);
            node(NodeEnum::CollateClause(c))
        }
        other => node(other),
    })
}

/// The text of a constant, whatever its lexical form.
fn const_text(c: &AConst) -> Option<String> {
    if c.isnull {
        return None;
    }
    Some(match c.val.as_ref()? {
        a_const::Val::Ival(i) => i.ival.to_string(),
        // numeric literals are numeric constants: the catalog prints numeric_out's text
        a_const::Val::Fval(f) => crate::constants::canon_numeric(&f.fval).unwrap_or(f.fval.clone()),
        a_const::Val::Boolval(b) => b.boolval.to_string(),
        a_const::Val::Sval(s) => s.sval.clone(),
        a_const::Val::Bsval(b) => bit_string_text(&b.bsval),
    })
}

/// `B'101'` is stored as `b101`, `X'1F'` as `x1F`; the catalog prints the bits: `'101'`.
fn bit_string_text(s: &str) -> String {
    if let Some(bits) = s.strip_prefix('b').or_else(|| s.strip_prefix('B')) {
        bits.to_string()
    } else if let Some(hex) = s.strip_prefix('x').or_else(|| s.strip_prefix('X')) {
        hex.chars()
            .map(|c| match c.to_digit(16) {
                Some(d) => format!("{d:04b}"),
                None => c.to_string(),
            })
            .collect()
    } else {
        s.to_string()
    }
}

/// Rule: constants compare by their text value (`-1`, `'-1'` and `'-1'::integer` meet).
fn const_as_text(c: AConst) -> Node {
    match const_text(&c) {
        None => node(NodeEnum::AConst(AConst {
            isnull: true,
            location: -1,
            val: None,
        })),
        Some(t) => str_const(&t),
    }
}

fn is_const(n: &Node) -> bool {
    match n.node.as_ref() {
        Some(NodeEnum::AConst(_)) => true,
        Some(NodeEnum::AArrayExpr(a)) => a.elements.iter().all(is_const),
        _ => false,
    }
}

/// Text of a (normalized) constant node.
fn const_node_text(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::AConst(c) => const_text(c),
        _ => None,
    }
}

/// A constant in a context of type `ty` (a default's column type, a cast's type, the
/// other side of a comparison with a column) takes that type's canonical spelling.
fn canon_const_for_type(n: Node, ty: &TypeRef) -> Node {
    match const_node_text(&n) {
        Some(t) => match canon_value(&t, ty) {
            Some(c) => str_const(&c),
            None => n,
        },
        None => n,
    }
}

/// Rule: casts of constants vanish (`'x'::text`, `(0)::numeric`, `'{}'::integer[]`,
/// `ARRAY['a'::text]::text[]`); a cast of a column to a type its own type converts to
/// implicitly vanishes (`(name)::text` on a varchar column); the type name of any other
/// cast takes its canonical spelling.
fn norm_cast(
    mut tc: protobuf::TypeCast,
    cx: &NormCx,
    refs: &mut Vec<QualName>,
) -> Result<Node, String> {
    let target = tc.type_name.as_ref().and_then(|tn| {
        let mut user = |s: Option<&str>, n: &str| (cx.resolve_type)(s, n);
        types::type_from_typename(tn, &mut user).ok()
    });
    let arg = tc.arg.take().map(|b| *b).unwrap_or(Node { node: None });
    if let (Some(t), Some(text)) = (&target, const_node_text(&arg)) {
        if is_regconfig(t) {
            if let Some((canon, q)) = regconfig_text(&text, cx.resolve_ts_config) {
                refs.extend(q.filter(|q| !refs.contains(q)));
                return Ok(str_const(&canon));
            }
        }
    }
    if is_const(&arg) {
        return Ok(match &target {
            Some(t) => canon_const_for_type(arg, t),
            None => arg,
        });
    }
    if let (Some(ct), Some(t)) = (plain_type(&arg, cx), &target) {
        if implicit_cast(&ct, t) {
            return Ok(arg);
        }
    }
    if let Some(t) = &target {
        if let Ok(tn) = types::parse_type_name(&t.to_string()) {
            tc.type_name = Some(tn);
        }
    }
    tc.arg = Some(Box::new(arg));
    tc.location = -1;
    Ok(node(NodeEnum::TypeCast(Box::new(tc))))
}

/// The type of an already normalized expression when it is plain to see: a column's
/// type, or the result of a built-in function whose result type does not depend on its
/// arguments (`length(x)` is `integer`), called by its bare name.
fn plain_type(n: &Node, cx: &NormCx) -> Option<TypeRef> {
    if let Some(col) = as_colref(n) {
        return (cx.column_type)(&col);
    }
    let NodeEnum::FuncCall(fc) = n.node.as_ref()? else {
        return None;
    };
    if fc.funcname.len() != 1 || fc.agg_star || fc.over.is_some() {
        return None;
    }
    let Some(NodeEnum::String(name)) = fc.funcname[0].node.as_ref() else {
        return None;
    };
    // pg_proc.prorettype of these built-ins: the same for every overload, except the
    // text functions (those the front end treats as text elsewhere, parse.rs), whose
    // result is text only for a string argument (`lower(range)`, `btrim(bytea)` are not).
    let name = name.sval.as_str();
    let ty = match name {
        "length" | "char_length" | "character_length" | "octet_length" | "bit_length"
        | "strpos" | "ascii" | "array_length" | "array_ndims" | "cardinality"
        | "array_position" => "integer",
        "now" | "statement_timestamp" | "clock_timestamp" | "transaction_timestamp" => {
            "timestamp with time zone"
        }
        n if crate::parse::TEXT_FUNCTIONS.contains(&n) => {
            let first = fc.args.first()?;
            let stringy = is_const(first)
                || plain_type(first, cx).is_some_and(|t| {
                    t.schema.is_none()
                        && !t.array
                        && matches!(
                            base_name(&t.name).as_str(),
                            "text" | "character varying" | "character" | "bpchar"
                        )
                });
            if !stringy {
                return None;
            }
            "text"
        }
        _ => return None,
    };
    Some(TypeRef::builtin(ty))
}

/// Does PostgreSQL convert `from` to `to` implicitly (or is it the same type)?
pub(crate) fn implicit_cast(from: &TypeRef, to: &TypeRef) -> bool {
    if from.array != to.array {
        return false;
    }
    if from.schema.is_some() || to.schema.is_some() {
        return from.schema == to.schema && from.name == to.name;
    }
    let fb = base_name(&from.name);
    let tb = base_name(&to.name);
    if fb == tb {
        return to.name == tb || to.name == from.name;
    }
    // pg_cast, castcontext = 'i', among the common built-ins
    let targets: &[&str] = match fb.as_str() {
        "smallint" => &["integer", "bigint", "numeric", "real", "double precision"],
        "integer" => &["bigint", "numeric", "real", "double precision"],
        "bigint" => &["numeric", "real", "double precision"],
        "numeric" => &["real", "double precision"],
        "real" => &["double precision"],
        "character varying" => &["text", "character", "bpchar", "name"],
        "character" | "bpchar" => &["text", "character varying", "name"],
        "text" => &["character varying", "character", "bpchar", "name"],
        "name" => &["text"],
        "bit" => &["bit varying"],
        "bit varying" => &["bit"],
        "cidr" => &["inet"],
        "date" => &["timestamp without time zone", "timestamp with time zone"],
        "timestamp without time zone" => &["timestamp with time zone"],
        "time without time zone" => &["time with time zone", "interval"],
        _ => &[],
    };
    targets.contains(&tb.as_str()) && !to.name.contains('(')
}

fn strip_catalog_schema(names: &mut Vec<Node>) {
    if names.len() == 2 {
        if let Some(NodeEnum::String(s)) = names[0].node.as_ref() {
            if s.sval == "pg_catalog" {
                names.remove(0);
            }
        }
    }
}

/// Rule: function names lose their schema qualification (the catalog qualifies every
/// function outside `pg_catalog` when the search path is empty, users rarely do; files
/// cannot define functions, so only built-in and extension functions appear), and the
/// call form is uniform (`SUBSTRING(x FROM 1)` and `"substring"(x, 1)` meet);
/// `nextval('seq')` names its sequence schema-qualified, as a regclass.
fn norm_func(mut fc: protobuf::FuncCall, cx: &NormCx, refs: &mut Vec<QualName>) -> Node {
    while fc.funcname.len() > 1 {
        fc.funcname.remove(0);
    }
    fc.funcformat = CoercionForm::CoerceExplicitCall as i32;
    fc.location = -1;
    let fname = fc
        .funcname
        .last()
        .and_then(|n| match n.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .unwrap_or_default();
    // Rule: a configuration named by the first argument of `to_tsvector` & co. is
    // spelled as `regconfigout` prints it (`'public.cfg'`, `'english'`).
    if regconfig_first_arg(&fname, fc.args.len()) {
        if let Some(text) = const_node_text(&fc.args[0]) {
            if let Some((canon, q)) = regconfig_text(&text, cx.resolve_ts_config) {
                fc.args[0] = str_const(&canon);
                refs.extend(q.filter(|q| !refs.contains(q)));
            }
        }
    }
    if fc.funcname.len() == 1
        && matches!(fname.as_str(), "nextval" | "currval" | "setval")
        && !fc.args.is_empty()
    {
        if let Some(text) = const_node_text(&fc.args[0]) {
            if let Some(parts) = split_qualified_name(&text) {
                let q = match parts.as_slice() {
                    [n] => Some((cx.resolve_seq)(None, n)),
                    [s, n] => Some(QualName::new(s.clone(), n.clone())),
                    [_db, s, n] => Some(QualName::new(s.clone(), n.clone())),
                    _ => None,
                };
                if let Some(q) = q {
                    let tn = types::parse_type_name("regclass").ok();
                    fc.args[0] = node(NodeEnum::TypeCast(Box::new(protobuf::TypeCast {
                        arg: Some(Box::new(str_const(&q.to_string()))),
                        type_name: tn,
                        location: -1,
                    })));
                    if !refs.contains(&q) {
                        refs.push(q);
                    }
                }
            }
        }
    }
    node(NodeEnum::FuncCall(Box::new(fc)))
}

/// Split a possibly qualified, possibly quoted name as `regclass` input does
/// (`stringToQualifiedNameList`): unquoted parts fold to lower case.
pub(crate) fn split_qualified_name(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            part.push('"');
                        } else {
                            break;
                        }
                    }
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' || c.is_whitespace() {
                    break;
                }
                part.extend(c.to_lowercase());
                chars.next();
            }
            if part.is_empty() {
                return None;
            }
        }
        out.push(crate::naming::truncate_ident(&part));
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(out),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// Rule: nested AND (OR) inside AND (OR) flatten — the catalog prints them as one list
/// while the grammar nests what BETWEEN / IN expansions produce.
fn flatten_bool(mut b: BoolExpr) -> Node {
    if b.boolop != BoolExprType::NotExpr as i32 {
        let op = b.boolop;
        let mut args = Vec::new();
        for a in std::mem::take(&mut b.args) {
            match a.node {
                Some(NodeEnum::BoolExpr(inner)) if inner.boolop == op => args.extend(inner.args),
                other => args.push(Node { node: other }),
            }
        }
        b.args = args;
    }
    b.location = -1;
    node(NodeEnum::BoolExpr(Box::new(b)))
}

/// Rule: an operator loses its schema, as a function name does: the catalog prints a
/// user operator outside `pg_catalog` as `OPERATOR(public.===)` when the search path is
/// empty, and files name it bare (`===`) where their search path resolves it, so both
/// meet as `a === b` (`OPERATOR(pg_catalog.+)` is `+`). Operators are found again by
/// name (`Catalog::dependencies`), every schema's of that name.
fn strip_operator_schema(names: &mut Vec<Node>) {
    if names.len() > 1 {
        names.drain(..names.len() - 1);
    }
}

/// Rule: a constant compared with a column takes the column type's spelling
/// (`flag = 't'` and `flag = true` meet on a boolean column; `n = '007'` and `n = 7`).
fn norm_compare(mut a: AExpr, cx: &NormCx) -> Node {
    a.location = -1;
    strip_operator_schema(&mut a.name);
    let kind = AExprKind::try_from(a.kind).unwrap_or(AExprKind::Undefined);
    let col_ty = |n: &Option<Box<Node>>| {
        n.as_deref()
            .and_then(as_colref)
            .and_then(|c| (cx.column_type)(&c))
    };
    match kind {
        AExprKind::AexprOp | AExprKind::AexprDistinct | AExprKind::AexprNotDistinct => {
            if let Some(t) = col_ty(&a.lexpr) {
                if let Some(r) = a.rexpr.take() {
                    a.rexpr = Some(Box::new(canon_const_for_type(*r, &t)));
                }
            } else if let Some(t) = col_ty(&a.rexpr) {
                if let Some(l) = a.lexpr.take() {
                    a.lexpr = Some(Box::new(canon_const_for_type(*l, &t)));
                }
            }
        }
        AExprKind::AexprOpAny | AExprKind::AexprOpAll => {
            if let Some(t) = col_ty(&a.lexpr) {
                if let Some(r) = a.rexpr.as_deref_mut() {
                    if let Some(NodeEnum::AArrayExpr(arr)) = r.node.as_mut() {
                        let els = std::mem::take(&mut arr.elements);
                        arr.elements = els
                            .into_iter()
                            .map(|e| canon_const_for_type(e, &t))
                            .collect();
                    }
                }
            }
        }
        _ => {}
    }
    node(NodeEnum::AExpr(Box::new(a)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct T {
        cols: HashMap<String, TypeRef>,
        target: Option<TypeRef>,
        path: Vec<String>,
    }

    impl T {
        fn new(cols: &[(&str, &str)]) -> T {
            T {
                cols: cols
                    .iter()
                    .map(|(c, t)| {
                        (
                            c.to_string(),
                            crate::types::parse_type(t, &["public".into()]).unwrap(),
                        )
                    })
                    .collect(),
                target: None,
                path: vec!["public".into()],
            }
        }
        fn target(mut self, t: &str) -> T {
            self.target = Some(crate::types::parse_type(t, &["public".into()]).unwrap());
            self
        }
        fn canon(&self, sql: &str) -> String {
            self.expr(sql).canon
        }
        fn expr(&self, sql: &str) -> Expr {
            let ct = |c: &str| self.cols.get(c).cloned();
            let first = first_schema(&self.path);
            let rs = |s: Option<&str>, n: &str| QualName::new(s.unwrap_or(&first), n);
            let rt = |s: Option<&str>, n: &str| Ok(QualName::new(s.unwrap_or(&first), n));
            let cx = NormCx {
                column_type: &ct,
                target_type: self.target.as_ref(),
                resolve_seq: &rs,
                resolve_type: &rt,
                resolve_ts_config: &|s, n| match s {
                    None => (n == "mycfg").then(|| QualName::new("public", n)),
                    s => qualified_ts_config(s, n),
                },
            };
            normalize_text(sql, &cx).unwrap()
        }
        /// Assert that the user's and the catalog's spelling meet.
        fn meet(&self, user: &str, catalog: &str) {
            assert_eq!(
                self.canon(user),
                self.canon(catalog),
                "`{user}` vs `{catalog}`"
            );
        }
    }

    #[test]
    fn operator_schemas_vanish() {
        let t = T::new(&[("a", "text"), ("b", "text"), ("n", "int")]);
        t.meet("a === b", "(a OPERATOR(public.===) b)");
        t.meet("NOT a === 'x'", "(NOT (a OPERATOR(public.===) 'x'::text))");
        t.meet("n + 1 > 0", "((n OPERATOR(pg_catalog.+) 1) > 0)");
        t.meet(
            "a === ANY (ARRAY['x'])",
            "(a OPERATOR(public.===) ANY (ARRAY['x'::text]))",
        );
        assert_eq!(t.canon("a OPERATOR(public.===) b"), "a === b");
        assert_ne!(t.canon("a === b"), t.canon("a ==== b"));
    }

    #[test]
    fn parentheses_and_locations_vanish() {
        let t = T::new(&[("a", "int")]);
        t.meet("a>0", "((a > 0))");
        t.meet("a+1 > 0", "((a + 1) > 0)");
        assert_ne!(t.canon("a > 0"), t.canon("a > 1"));
        assert_ne!(t.canon("(a + 1) * 2"), t.canon("a + 1 * 2"));
    }

    #[test]
    fn constant_casts_vanish() {
        let t = T::new(&[("b", "numeric"), ("m", "float8"), ("n", "char(3)")]);
        t.meet("b > 0", "(b > (0)::numeric)");
        t.meet(
            "m >= 0 AND m <= 10",
            "((m >= (0)::double precision) AND (m <= (10)::double precision))",
        );
        t.meet("n = 'abc'", "(n = 'abc'::bpchar)");
        let d = T::new(&[]).target("text");
        d.meet("'active'", "'active'::text");
        d.meet("'x'::varchar", "'x'::character varying");
        let e = T::new(&[]).target("public.status");
        e.meet("'active'", "'active'::status");
        e.meet("'active'", "'active'::public.status");
    }

    #[test]
    fn negative_and_quoted_constants_meet() {
        let t = T::new(&[("q", "int"), ("r", "numeric")]);
        t.meet("q > -1", "(q > '-1'::integer)");
        t.meet("r > -1.5", "(r > '-1.5'::numeric)");
        let d = T::new(&[]).target("int");
        d.meet("-1", "'-1'::integer");
        d.meet("'007'", "7");
        d.meet("9999999999", "'9999999999'::bigint");
    }

    #[test]
    fn typed_constant_spellings() {
        let b = T::new(&[]).target("boolean");
        b.meet("'f'", "false");
        b.meet("'yes'", "true");
        let n = T::new(&[]).target("numeric");
        n.meet("'007.50'", "7.50");
        n.meet("'1e3'", "1000");
        let c = T::new(&[("flag", "bool"), ("n", "int")]);
        c.meet("flag = 't'", "(flag = true)");
        c.meet("n = '007'", "(n = 7)");
    }

    #[test]
    fn array_constants() {
        let d = T::new(&[]).target("int[]");
        d.meet("'{}'", "'{}'::integer[]");
        let k = T::new(&[]).target("text[]");
        k.meet("array['a']", "ARRAY['a'::text]");
        k.meet("ARRAY['a'::text]::text[]", "ARRAY['a'::text]");
        let c = T::new(&[("aa", "varchar(5)[]")]);
        c.meet(
            "aa = array['a']::varchar[]",
            "(aa = ARRAY['a'::character varying])",
        );
        assert_ne!(k.canon("'{a}'"), k.canon("ARRAY['a']"));
    }

    #[test]
    fn implicit_column_casts_vanish() {
        let t = T::new(&[("c", "varchar(10)"), ("x", "varchar"), ("i", "int")]);
        t.meet("c <> ''", "((c)::text <> ''::text)");
        t.meet("length(x) > 1", "(length((x)::text) > 1)");
        t.meet("i > 1.5", "((i)::numeric > 1.5)");
        // a built-in function's result widened for the comparison
        let f = T::new(&[("foo", "varchar(255)"), ("bar", "double precision")]);
        f.meet(
            "LENGTH(foo) < bar",
            "((length((foo)::text))::double precision < bar)",
        );
        f.meet("lower(foo) = 'a'", "(lower((foo)::text) = 'a'::text)");
        assert_ne!(
            f.canon("length(foo)::text = 'a'"),
            f.canon("length(foo) = 'a'")
        );
        // a text function's result is text only for a string argument
        assert_eq!(f.canon("lower(foo)::varchar"), f.canon("lower(foo)"));
        let r = T::new(&[("r", "daterange")]);
        assert_ne!(r.canon("lower(r)::varchar"), r.canon("lower(r)"));
        // an explicit conversion that is not implicit stays
        let e = T::new(&[("s", "public.status")]);
        assert_ne!(e.canon("s::text = 'a'"), e.canon("s = 'a'"));
    }

    #[test]
    fn in_lists() {
        let t = T::new(&[
            ("c", "varchar(10)"),
            ("d", "text"),
            ("i", "public.mood"),
            ("j", "int"),
        ]);
        t.meet(
            "c in ('x','y')",
            "((c)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))",
        );
        t.meet(
            "d not in ('b', 'c')",
            "(d <> ALL (ARRAY['b'::text, 'c'::text]))",
        );
        t.meet("d not in ('b')", "(d <> 'b'::text)");
        t.meet("j in (1)", "(j = 1)");
        t.meet("i in ('a','b')", "(i = ANY (ARRAY['a'::mood, 'b'::mood]))");
        t.meet(
            "d in ('a', c, 'b')",
            "((d = ANY (ARRAY['a'::text, 'b'::text])) OR (d = (c)::text))",
        );
        t.meet("j = any('{1,2}')", "(j = ANY ('{1,2}'::integer[]))");
    }

    #[test]
    fn between() {
        let t = T::new(&[("m", "float8"), ("v", "int")]);
        t.meet(
            "m between 0 and 10",
            "((m >= (0)::double precision) AND (m <= (10)::double precision))",
        );
        t.meet("v not between 1 and 2", "((v < 1) OR (v > 2))");
        t.meet(
            "v > 0 and v between 1 and 2",
            "((v > 0) AND (v >= 1) AND (v <= 2))",
        );
        t.meet(
            "v between 1 and 2 and v > 0",
            "(((v >= 1) AND (v <= 2)) AND (v > 0))",
        );
    }

    #[test]
    fn not_distinct() {
        let t = T::new(&[("d", "text")]);
        t.meet(
            "d is not distinct from 'x'",
            "(NOT (d IS DISTINCT FROM 'x'::text))",
        );
        assert_ne!(
            t.canon("d is distinct from 'x'"),
            t.canon("d is not distinct from 'x'")
        );
    }

    #[test]
    fn text_search_configurations_are_qualified() {
        let t = T::new(&[("b", "text")]);
        // The files' configuration (`mycfg` here) is qualified; built-in ones are bare.
        t.meet(
            "to_tsvector('mycfg', b)",
            "to_tsvector('public.mycfg'::regconfig, b)",
        );
        t.meet(
            "to_tsvector('English', b)",
            "to_tsvector('english'::regconfig, b)",
        );
        t.meet(
            "to_tsvector('pg_catalog.english', b)",
            "to_tsvector('english'::regconfig, b)",
        );
        t.meet(
            "to_tsvector('mycfg'::regconfig, b) @@ to_tsquery('mycfg', 'x')",
            "(to_tsvector('public.mycfg'::regconfig, b) @@ to_tsquery('public.mycfg'::regconfig, 'x'::text))",
        );
        assert_ne!(
            t.canon("to_tsvector('mycfg', b)"),
            t.canon("to_tsvector('english', b)")
        );
        let e = t.expr("to_tsvector('mycfg', b)");
        assert_eq!(e.refs, vec![QualName::new("public", "mycfg")]);
        assert_eq!(e.sql, "to_tsvector('public.mycfg', b)");
        assert!(t.expr("to_tsvector('english', b)").refs.is_empty());
        let other = t.expr("'s2.cfg'::regconfig");
        assert_eq!(other.canon, "'s2.cfg'");
        assert_eq!(other.refs, vec![QualName::new("s2", "cfg")]);
    }

    #[test]
    fn like_operators() {
        let t = T::new(&[("d", "text")]);
        t.meet("d like 'a%'", "(d ~~ 'a%'::text)");
        t.meet("d ilike 'a%'", "(d ~~* 'a%'::text)");
        t.meet("d not like 'a%'", "(d !~~ 'a%'::text)");
        t.meet("d not ilike 'a%'", "(d !~~* 'a%'::text)");
        t.meet("d != 'a'", "(d <> 'a'::text)");
        t.meet("d similar to 'a%'", "(d ~ similar_to_escape('a%'::text))");
    }

    #[test]
    fn function_names_and_call_forms() {
        let t = T::new(&[("w", "text")]);
        t.meet("pg_catalog.lower(w) = w", "(lower(w) = w)");
        t.meet("public.f(w)", "f(w)");
        t.meet("extensions.uuid_generate_v4()", "uuid_generate_v4()");
        let d = T::new(&[]).target("text");
        d.meet(
            "substring('abc' from 1 for 2)",
            "SUBSTRING('abc'::text FROM 1 FOR 2)",
        );
        d.meet(
            "(now() at time zone 'utc')::text",
            "((now() AT TIME ZONE 'utc'::text))::text",
        );
        d.meet("coalesce(null, 'x')", "COALESCE(NULL::text, 'x'::text)");
        d.meet("'a' || 'b'", "('a'::text || 'b'::text)");
        d.meet(
            "('x'::varchar || 'y')",
            "(('x'::character varying)::text || 'y'::text)",
        );
        let i = T::new(&[]).target("int");
        i.meet("extract(year from now())", "EXTRACT(year FROM now())");
    }

    #[test]
    fn remaining_cast_types_are_canonical() {
        let t = T::new(&[("a", "int")]);
        t.meet("a::text", "(a)::text");
        t.meet("(a + 1)::int8", "((a + 1))::bigint");
        t.meet("(a+1)::varchar(3)", "((a + 1))::character varying(3)");
        assert_ne!(t.canon("(a + 1)::int8"), t.canon("(a + 1)::int4"));
    }

    #[test]
    fn nextval_is_qualified() {
        let d = T::new(&[]).target("int");
        d.meet(
            "nextval('users_id_seq')",
            "nextval('users_id_seq'::regclass)",
        );
        d.meet(
            "nextval('public.users_id_seq'::regclass)",
            "nextval('users_id_seq'::regclass)",
        );
        d.meet(
            "nextval('\"public\".Users_Id_Seq')",
            "nextval('users_id_seq'::regclass)",
        );
        let e = d.expr("nextval('s2.myseq'::regclass)");
        assert_eq!(e.refs, vec![QualName::new("s2", "myseq")]);
        assert_eq!(
            d.expr("nextval('myseq')").sql,
            "nextval('public.myseq'::regclass)"
        );
        let m = T::new(&[("a", "text")]);
        assert_eq!(m.expr("a::mood = 'x'").sql, "a::public.mood = 'x'");
        assert_eq!(e.canon, "nextval('s2.myseq'::regclass)");
        assert_ne!(d.canon("nextval('s2.myseq')"), d.canon("nextval('myseq')"));
    }

    #[test]
    fn sql_value_functions_stay_distinct() {
        let d = T::new(&[]).target("timestamptz");
        assert_ne!(d.canon("now()"), d.canon("CURRENT_TIMESTAMP"));
        d.meet("current_timestamp", "CURRENT_TIMESTAMP");
        d.meet("now()", "now()");
        let u = T::new(&[]).target("text");
        u.meet("current_user", "CURRENT_USER");
    }

    #[test]
    fn case_and_null_tests() {
        let t = T::new(&[("a", "int")]);
        t.meet(
            "a is not null and case when a > 0 then true else false end",
            "((a IS NOT NULL) AND\nCASE\n    WHEN (a > 0) THEN true\n    ELSE false\nEND)",
        );
    }

    #[test]
    fn bit_strings() {
        let d = T::new(&[]).target("bit(3)");
        d.meet("B'101'", "'101'::\"bit\"");
        d.meet("X'5'", "'0101'::\"bit\"");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            split_qualified_name("\"My Schema\".Seq"),
            Some(vec!["My Schema".to_string(), "seq".to_string()])
        );
        assert_eq!(split_qualified_name("a..b"), None);
        assert_eq!(expr_columns("a > b and lower(a) = c"), vec!["a", "b", "c"]);
        assert!(parse_expr("1; select 2").is_err());
        assert!(parse_expr("a from t").is_err());
    }
}
