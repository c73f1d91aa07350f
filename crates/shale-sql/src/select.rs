//! The query normalizer: `SELECT` statements (view definitions, SQL-standard function
//! bodies) as users write them and as the catalog prints them (`pg_get_viewdef`,
//! `pg_get_functiondef`) become the same tree.
//!
//! What differs between the two spellings, and the rule that makes them meet:
//! - Relations: the catalog schema-qualifies every relation outside `pg_catalog` (the
//!   introspection session has an empty search path); users rarely do. Rule: every
//!   relation is resolved (search path, CTE names first) and printed qualified; an alias
//!   equal to the relation's name is dropped.
//! - Column references: the catalog qualifies them with the range table entry's name
//!   (`t.a`). Rule: every column reference is resolved to its range table entry and
//!   qualified with its name (`public.t.a` and `a` both become `t.a`).
//! - `*` and `t.*`: PostgreSQL expands them when the view is created. Rule: expanded.
//! - Output names: the catalog writes `AS name` where the name is not the expression's
//!   own; users write `AS` or not. Rule: every target carries its effective name
//!   (`FigureColname` when unnamed; the view's column list when given). The names of the
//!   non-leftmost branches of a set operation do not matter and are dropped.
//! - `ORDER BY 1` / `GROUP BY 1` / `ORDER BY alias`: the catalog prints the target's
//!   expression. Rule: replaced by the target's (normalized) expression.
//! - `ASC`, `NULLS LAST` with `ASC`, `NULLS FIRST` with `DESC`: defaults, dropped.
//! - Expressions: the shared expression normalizer (casts of constants, `IN` lists,
//!   `BETWEEN`, implicit casts of columns, parentheses), with the column types of the
//!   range table entries in scope.
//! - Parameters of a SQL-standard body: the catalog prints `$1` as the argument's name and
//!   may qualify it with the function's name (`f.x`). Rule: both become the bare name.
//!
//! Each rule has a unit test below pairing a user spelling with the catalog's.

use crate::normalize::{self, NormCx};
use pg_query::protobuf::{self, Node, SetOperation, SortByDir, SortByNulls, SubLinkType};
use pg_query::NodeEnum;
use shale_model::{QualName, TypeRef};
use std::cell::RefCell;

/// A relation a query reads, as the resolver knows it.
pub(crate) struct RelInfo {
    pub name: QualName,
    /// Output columns with their types where known.
    pub columns: Vec<(String, Option<TypeRef>)>,
}

/// What the normalizer needs to know about the catalog.
pub(crate) trait Resolver {
    /// A table, view or materialized view (schema as written, if any).
    fn relation(&self, schema: Option<&str>, name: &str) -> Option<RelInfo>;
    /// A user-defined function of that name, if there is one.
    fn function(&self, schema: Option<&str>, name: &str) -> Option<QualName>;
    /// A sequence name in `nextval('…')`.
    fn sequence(&self, schema: Option<&str>, name: &str) -> QualName;
    /// A non-built-in type name.
    fn user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String>;
    /// Whether [`RelInfo::columns`] of relation `q` are all its columns (not a child
    /// table, whose inherited columns the model keeps with its parent), so that the
    /// binder may report any other name.
    fn columns_complete(&self, _q: &QualName) -> bool {
        false
    }
    /// A text search configuration in `'cfg'::regconfig` (see `NormCx`).
    fn ts_config(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        crate::normalize::qualified_ts_config(schema, name)
    }
}

/// The arguments of the function whose body is normalized.
pub(crate) struct Params {
    pub function: String,
    /// Name (if any) and type of each input argument, in order.
    pub args: Vec<(Option<String>, TypeRef)>,
}

/// A normalized query.
pub(crate) struct QueryOut {
    /// Printable SQL: relations qualified, `*` expanded, the column list applied; on one
    /// line.
    pub sql: String,
    /// The same, pretty-printed (for plans).
    pub sql_pretty: String,
    /// The canonical form.
    pub canon: String,
    /// Relations and user functions read (no CTEs).
    pub refs: Vec<QualName>,
    /// Output column names.
    pub columns: Vec<String>,
}

type Col = (String, Option<TypeRef>);

#[derive(Clone)]
struct Rte {
    /// The name references print (unique across the query's levels, as `ruleutils` makes
    /// it in canonical mode).
    refname: String,
    /// The name the query as written uses for it (alias or relation name).
    original: String,
    cols: Vec<Col>,
    /// A relation whose columns are not known (a system catalog): any column may be its.
    opaque: bool,
    /// `cols` are exactly its columns (a table, view, subquery or CTE; not a function
    /// in FROM, whose record type is not known offline): the binder may report a
    /// qualified reference to any other name (`crate::binder`).
    closed: bool,
}

#[derive(Clone)]
struct Cte {
    name: String,
    cols: Vec<Col>,
    /// Its columns are known exactly (see [`Rte::closed`]).
    closed: bool,
}

struct Scope<'s> {
    rtes: Vec<Rte>,
    ctes: Vec<Cte>,
    /// Columns merged by `JOIN … USING` / `NATURAL JOIN`: (column, left entry's name).
    merged: Vec<(String, String)>,
    /// The names of this level's FROM entries, in range-table order, made unique against
    /// the enclosing levels (`ruleutils`' `set_rtable_names`: a clash gets `_1`, `_2`…).
    assigned: Vec<String>,
    next_assigned: usize,
    parent: Option<&'s Scope<'s>>,
    /// The entries of this level are named only qualified (a rule action's `old` and
    /// `new`): a bare column never resolves to them.
    qualified_only: bool,
}

impl<'s> Scope<'s> {
    fn new(parent: Option<&'s Scope<'s>>) -> Scope<'s> {
        Scope {
            rtes: Vec::new(),
            ctes: Vec::new(),
            merged: Vec::new(),
            assigned: Vec::new(),
            next_assigned: 0,
            parent,
            qualified_only: false,
        }
    }

    /// Every entry name of this level and the enclosing ones.
    fn names_in_use(&self) -> Vec<String> {
        let mut out = self.assigned.clone();
        if let Some(p) = self.parent {
            out.extend(p.names_in_use());
        }
        out
    }

    /// Name this level's entries (`originals`, in range-table order) as `ruleutils`
    /// does: unique against the enclosing levels and each other.
    fn assign_names(&mut self, originals: &[String], unique: bool) {
        let mut used = self.parent.map(|p| p.names_in_use()).unwrap_or_default();
        for o in originals {
            let mut name = o.clone();
            if unique {
                let mut n = 0;
                while used.contains(&name) {
                    n += 1;
                    name = format!("{o}_{n}");
                }
            }
            used.push(name.clone());
            self.assigned.push(name);
        }
    }

    /// The name for the next entry, whose written name is `original`.
    fn take_name(&mut self, original: &str) -> String {
        let n = self
            .assigned
            .get(self.next_assigned)
            .cloned()
            .unwrap_or_else(|| original.to_string());
        self.next_assigned += 1;
        n
    }

    /// The entry written as `original`, innermost level first.
    fn by_original(&self, original: &str) -> Option<&Rte> {
        self.rtes
            .iter()
            .rev()
            .find(|r| r.original == original)
            .or_else(|| self.parent.and_then(|p| p.by_original(original)))
    }

    fn find_cte(&self, name: &str) -> Option<&Cte> {
        self.ctes
            .iter()
            .rev()
            .find(|c| c.name == name)
            .or_else(|| self.parent.and_then(|p| p.find_cte(name)))
    }

    fn has_refname(&self, name: &str) -> bool {
        self.by_original(name).is_some()
    }

    /// The range table entry a bare column name belongs to (innermost level first).
    fn resolve(&self, col: &str) -> Result<Option<String>, String> {
        let hits: Vec<&Rte> = self
            .rtes
            .iter()
            .filter(|_| !self.qualified_only)
            .filter(|r| r.cols.iter().any(|(c, _)| c == col))
            .collect();
        match hits.as_slice() {
            [one] => return Ok(Some(one.refname.clone())),
            [] => {}
            _ => {
                if let Some((_, left)) = self.merged.iter().find(|(c, _)| c == col) {
                    return Ok(Some(left.clone()));
                }
                return Err(format!("column reference \"{col}\" is ambiguous"));
            }
        }
        let opaque: Vec<&Rte> = self.rtes.iter().filter(|r| r.opaque).collect();
        if let [one] = opaque.as_slice() {
            return Ok(Some(one.refname.clone()));
        }
        match self.parent {
            Some(p) => p.resolve(col),
            None => Ok(None),
        }
    }

    /// The type of a column by its (last) name, when it is unambiguous in scope.
    fn column_type(&self, col: &str) -> Option<TypeRef> {
        let mut found: Vec<&TypeRef> = Vec::new();
        let mut any = false;
        for r in &self.rtes {
            for (c, t) in &r.cols {
                if c == col {
                    any = true;
                    if let Some(t) = t {
                        found.push(t);
                    }
                }
            }
        }
        if any {
            found.dedup();
            return match found.as_slice() {
                [t] => Some((*t).clone()),
                _ => None,
            };
        }
        self.parent.and_then(|p| p.column_type(col))
    }
}

fn node(n: NodeEnum) -> Node {
    Node { node: Some(n) }
}

fn sval(n: &Node) -> Option<&str> {
    match n.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes.iter().filter_map(sval).map(str::to_string).collect()
}

fn string_node(s: &str) -> Node {
    node(NodeEnum::String(protobuf::String { sval: s.into() }))
}

fn colref(fields: &[&str]) -> Node {
    node(NodeEnum::ColumnRef(protobuf::ColumnRef {
        fields: fields.iter().map(|f| string_node(f)).collect(),
        location: -1,
    }))
}

fn int_const(n: &Node) -> Option<i32> {
    match n.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Ival(i) => Some(i.ival),
            _ => None,
        },
        _ => None,
    }
}

fn bare_name(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::ColumnRef(c) if c.fields.len() == 1 => sval(&c.fields[0]).map(str::to_string),
        _ => None,
    }
}

/// `FigureColname`, with sublinks (`EXISTS` → `exists`, `ARRAY(…)` → `array`, a scalar
/// subquery → its first column's name).
pub(crate) fn figure_colname(n: &Node) -> String {
    if let Some(NodeEnum::SubLink(s)) = n.node.as_ref() {
        let t = SubLinkType::try_from(s.sub_link_type).unwrap_or(SubLinkType::Undefined);
        return match t {
            SubLinkType::ExistsSublink => "exists".into(),
            SubLinkType::ArraySublink => "array".into(),
            SubLinkType::ExprSublink => {
                match s.subselect.as_deref().and_then(|n| n.node.as_ref()) {
                    Some(NodeEnum::SelectStmt(sel)) => first_target_name(sel),
                    _ => "?column?".into(),
                }
            }
            _ => "?column?".into(),
        };
    }
    let f = crate::naming::figure_index_colname(n);
    // `figure_index_colname` says `expr` for "no name"; a column really named `expr`
    // is a column reference.
    if f == "expr" && bare_or_qualified_colname(n).as_deref() != Some("expr") {
        "?column?".into()
    } else {
        f
    }
}

fn bare_or_qualified_colname(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::ColumnRef(c) => c.fields.last().and_then(sval).map(str::to_string),
        NodeEnum::FuncCall(f) => f.funcname.last().and_then(sval).map(str::to_string),
        NodeEnum::TypeCast(t) => t.arg.as_deref().and_then(bare_or_qualified_colname),
        _ => None,
    }
}

fn first_target_name(sel: &protobuf::SelectStmt) -> String {
    if let Some(l) = sel.larg.as_deref() {
        if sel.op != SetOperation::SetopNone as i32 && sel.op != 0 {
            return first_target_name(l);
        }
    }
    match sel.target_list.first().and_then(|t| t.node.as_ref()) {
        Some(NodeEnum::ResTarget(rt)) if !rt.name.is_empty() => rt.name.clone(),
        Some(NodeEnum::ResTarget(rt)) => rt
            .val
            .as_deref()
            .map(figure_colname)
            .unwrap_or_else(|| "?column?".into()),
        _ => "?column?".into(),
    }
}

fn is_set_op(sel: &protobuf::SelectStmt) -> bool {
    !matches!(
        SetOperation::try_from(sel.op).unwrap_or(SetOperation::Undefined),
        SetOperation::SetopNone | SetOperation::Undefined
    )
}

/// Deparse one statement, pretty-printed (for the SQL a plan prints) or on one line (for
/// canonical forms).
pub(crate) fn deparse_stmt_with(n: NodeEnum, pretty: bool) -> Result<String, String> {
    let version = pg_query::parse("SELECT 1", 0)
        .map(|r| r.protobuf.version)
        .unwrap_or(0);
    let pr = protobuf::ParseResult {
        version,
        stmts: vec![protobuf::RawStmt {
            stmt: Some(Box::new(node(n))),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    let opts = pg_query::DeparseOptions {
        pretty_print: pretty,
        indent_size: 2,
        ..Default::default()
    };
    pg_query::deparse(&pr, opts).map_err(|e| e.to_string())
}

/// Parse one statement.
pub(crate) fn parse_stmt(sql: &str) -> Result<NodeEnum, String> {
    let parsed = crate::raw::parse(sql).map_err(|e| match e {
        pg_query::Error::Parse(m) => m,
        other => other.to_string(),
    })?;
    let [stmt] = parsed.stmts.as_slice() else {
        return Err("expected one statement".into());
    };
    stmt.stmt
        .as_ref()
        .and_then(|n| n.node.clone())
        .ok_or_else(|| "empty statement".into())
}

struct Norm<'a> {
    r: &'a dyn Resolver,
    canonical: bool,
    params: Option<&'a Params>,
    refs: RefCell<Vec<QualName>>,
    /// How many `*` were expanded over entries whose columns are not known exactly: a
    /// subquery or CTE that expanded one does not know its own columns exactly either.
    open_stars: std::cell::Cell<usize>,
}

impl Norm<'_> {
    fn add_ref(&self, q: QualName) {
        let mut refs = self.refs.borrow_mut();
        if !refs.contains(&q) {
            refs.push(q);
        }
    }

    fn param_named(&self, name: &str) -> Option<&TypeRef> {
        self.params?
            .args
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, t)| t)
    }

    // -----------------------------------------------------------------------------------
    // SELECT

    fn select(
        &self,
        mut sel: protobuf::SelectStmt,
        parent: Option<&Scope>,
        names: Option<&[String]>,
    ) -> Result<(protobuf::SelectStmt, Vec<Col>), String> {
        let mut scope = Scope::new(parent);
        let originals = from_names(&sel.from_clause);
        scope.assign_names(&originals, self.canonical);
        if let Some(mut w) = sel.with_clause.take() {
            for c in w.ctes.iter_mut() {
                if let Some(NodeEnum::CommonTableExpr(cte)) = c.node.as_mut() {
                    self.cte(cte, &mut scope, w.recursive)?;
                }
            }
            sel.with_clause = Some(w);
        }
        if is_set_op(&sel) {
            let larg = sel.larg.take().map(|b| *b).unwrap_or_default();
            let (l, cols) = self.select(larg, Some(&scope), names)?;
            let rarg = sel.rarg.take().map(|b| *b).unwrap_or_default();
            let (mut r, _) = self.select(rarg, Some(&scope), None)?;
            if self.canonical {
                clear_names(&mut r);
            }
            sel.larg = Some(Box::new(l));
            sel.rarg = Some(Box::new(r));
            // ORDER BY of a set operation names output columns (or positions).
            let out_names: Vec<String> = cols.iter().map(|(n, _)| n.clone()).collect();
            let sorts = std::mem::take(&mut sel.sort_clause);
            for s in sorts {
                sel.sort_clause.push(self.setop_sort(s, &out_names)?);
            }
            sel.limit_count = self.opt_expr(sel.limit_count.take(), &scope)?;
            sel.limit_offset = self.opt_expr(sel.limit_offset.take(), &scope)?;
            return Ok((sel, cols));
        }

        let from = std::mem::take(&mut sel.from_clause);
        for f in from {
            let n = self.range_item(f, &mut scope)?;
            sel.from_clause.push(n);
        }

        if !sel.values_lists.is_empty() {
            let lists = std::mem::take(&mut sel.values_lists);
            let mut width = 0;
            for l in lists {
                let Some(NodeEnum::List(mut list)) = l.node else {
                    return Err("unexpected VALUES list".into());
                };
                width = list.items.len();
                let items = std::mem::take(&mut list.items);
                for i in items {
                    list.items.push(self.expr(i, &scope)?);
                }
                sel.values_lists.push(node(NodeEnum::List(list)));
            }
            let mut cols: Vec<Col> = (1..=width).map(|i| (format!("column{i}"), None)).collect();
            if let Some(names) = names {
                for (c, n) in cols.iter_mut().zip(names) {
                    c.0 = n.clone();
                }
            }
            return Ok((sel, cols));
        }

        // Targets, with `*` expanded.
        let mut targets: Vec<protobuf::ResTarget> = Vec::new();
        let mut cols: Vec<Col> = Vec::new();
        for t in std::mem::take(&mut sel.target_list) {
            let Some(NodeEnum::ResTarget(rt)) = t.node else {
                return Err("unexpected target".into());
            };
            let rt = *rt;
            if let Some(stars) = self.expand_star(rt.val.as_deref(), &scope)? {
                for (refname, col, ty) in stars {
                    targets.push(protobuf::ResTarget {
                        name: if self.canonical {
                            col.clone()
                        } else {
                            String::new()
                        },
                        indirection: vec![],
                        val: Some(Box::new(colref(&[&refname, &col]))),
                        location: -1,
                    });
                    cols.push((col, ty));
                }
                continue;
            }
            let val = rt.val.map(|b| *b).unwrap_or_default();
            let figured = figure_colname(&val);
            let name = if rt.name.is_empty() {
                figured.clone()
            } else {
                rt.name.clone()
            };
            // A cast of a column to the column's own type (modifier included) is no cast:
            // PostgreSQL's parser adds no node for it, so the catalog prints the bare column.
            let val = self.without_noop_cast(val, &scope);
            let ty = self.plain_column_type(&val, &scope);
            // An output column that is a cast of a column keeps its cast even when the cast
            // is implicit elsewhere: it sets the view column's type (`age::bigint AS age`).
            let v = if is_cast_of_column(&val) {
                self.expr_with(val, &scope, false)?
            } else {
                self.expr(val, &scope)?
            };
            let keep_name = self.canonical || !rt.name.is_empty();
            targets.push(protobuf::ResTarget {
                name: if keep_name {
                    name.clone()
                } else {
                    String::new()
                },
                indirection: rt.indirection,
                val: Some(Box::new(v)),
                location: -1,
            });
            cols.push((name, ty));
        }
        if let Some(names) = names {
            if names.len() > targets.len() {
                return Err(format!(
                    "the view's column list has {} names but its query only {} columns",
                    names.len(),
                    targets.len()
                ));
            }
            for (i, n) in names.iter().enumerate() {
                if cols[i].0 != *n || self.canonical {
                    targets[i].name = n.clone();
                }
                cols[i].0 = n.clone();
            }
        }
        // Output names that are bare column names of the same name need no AS in SQL.
        if !self.canonical {
            for t in targets.iter_mut() {
                if let Some(v) = t.val.as_deref() {
                    if bare_or_qualified_colname(v).as_deref() == Some(t.name.as_str())
                        && matches!(v.node, Some(NodeEnum::ColumnRef(_)))
                    {
                        t.name.clear();
                    }
                }
            }
        }
        let target_vals: Vec<Node> = targets
            .iter()
            .map(|t| t.val.as_deref().cloned().unwrap_or_default())
            .collect();
        let out_names: Vec<String> = cols.iter().map(|(n, _)| n.clone()).collect();
        sel.target_list = targets
            .into_iter()
            .map(|t| node(NodeEnum::ResTarget(Box::new(t))))
            .collect();

        sel.where_clause = self.opt_expr(sel.where_clause.take(), &scope)?;
        sel.having_clause = self.opt_expr(sel.having_clause.take(), &scope)?;

        let groups = std::mem::take(&mut sel.group_clause);
        for g in groups {
            let n = self.group_item(g, &scope, &target_vals, &out_names)?;
            sel.group_clause.push(n);
        }
        let distinct = std::mem::take(&mut sel.distinct_clause);
        for d in distinct {
            if d.node.is_none() {
                sel.distinct_clause.push(d);
            } else {
                sel.distinct_clause
                    .push(self.sort_target(d, &scope, &target_vals, &out_names)?);
            }
        }
        let sorts = std::mem::take(&mut sel.sort_clause);
        for s in sorts {
            let Some(NodeEnum::SortBy(mut sb)) = s.node else {
                return Err("unexpected ORDER BY item".into());
            };
            let inner = sb.node.take().map(|b| *b).unwrap_or_default();
            sb.node = Some(Box::new(self.sort_target(
                inner,
                &scope,
                &target_vals,
                &out_names,
            )?));
            self.sort_defaults(&mut sb);
            sel.sort_clause.push(node(NodeEnum::SortBy(sb)));
        }
        let windows = std::mem::take(&mut sel.window_clause);
        for w in windows {
            sel.window_clause.push(self.expr(w, &scope)?);
        }
        sel.limit_count = self.opt_expr(sel.limit_count.take(), &scope)?;
        sel.limit_offset = self.opt_expr(sel.limit_offset.take(), &scope)?;
        if !sel.locking_clause.is_empty() {
            return Err("FOR UPDATE/SHARE in a view is not supported".into());
        }
        Ok((sel, cols))
    }

    fn cte(
        &self,
        cte: &mut protobuf::CommonTableExpr,
        scope: &mut Scope,
        recursive: bool,
    ) -> Result<(), String> {
        let alias_cols = strings(&cte.aliascolnames);
        let q = cte.ctequery.take().map(|b| *b).unwrap_or_default();
        let Some(NodeEnum::SelectStmt(sel)) = q.node else {
            return Err(format!(
                "WITH {} holds a data-modifying statement (not supported here)",
                cte.ctename
            ));
        };
        let named = |mut cols: Vec<Col>| {
            for (c, n) in cols.iter_mut().zip(&alias_cols) {
                c.0 = n.clone();
            }
            cols
        };
        let stars = self.open_stars.get();
        if recursive && is_set_op(&sel) {
            // The non-recursive term gives the columns the recursive term sees.
            let first = sel.larg.as_deref().cloned().unwrap_or_default();
            let (_, cols) = self.select(first, Some(scope), None)?;
            scope.ctes.push(Cte {
                name: cte.ctename.clone(),
                cols: named(cols),
                closed: self.open_stars.get() == stars,
            });
        }
        let (s, cols) = self.select(*sel, Some(scope), None)?;
        cte.ctequery = Some(Box::new(node(NodeEnum::SelectStmt(Box::new(s)))));
        scope.ctes.retain(|c| c.name != cte.ctename);
        scope.ctes.push(Cte {
            name: cte.ctename.clone(),
            cols: named(cols),
            closed: self.open_stars.get() == stars,
        });
        Ok(())
    }

    /// `*` / `t.*` as the list of (entry, column, type) it stands for.
    #[allow(clippy::type_complexity)]
    fn expand_star(
        &self,
        val: Option<&Node>,
        scope: &Scope,
    ) -> Result<Option<Vec<(String, String, Option<TypeRef>)>>, String> {
        let Some(NodeEnum::ColumnRef(c)) = val.and_then(|v| v.node.as_ref()) else {
            return Ok(None);
        };
        if !matches!(
            c.fields.last().and_then(|f| f.node.as_ref()),
            Some(NodeEnum::AStar(_))
        ) {
            return Ok(None);
        }
        let quals = strings(&c.fields[..c.fields.len() - 1]);
        let pick: Vec<&Rte> = match quals.as_slice() {
            [] => scope.rtes.iter().collect(),
            [.., rel] => scope.rtes.iter().filter(|r| &r.original == rel).collect(),
        };
        if pick.is_empty() {
            return Err(format!(
                "missing FROM-clause entry for table \"{}\"",
                quals.join(".")
            ));
        }
        let mut out = Vec::new();
        for r in pick {
            if !r.closed {
                self.open_stars.set(self.open_stars.get() + 1);
            }
            if r.opaque {
                return Err(format!(
                    "cannot expand `*` over {} (its columns are not known offline; use a column list or the dev-database mode)",
                    r.refname
                ));
            }
            for (c, t) in &r.cols {
                out.push((r.refname.clone(), c.clone(), t.clone()));
            }
        }
        Ok(Some(out))
    }

    /// `col::T` → `col` when `col` is already of type `T` exactly; anything else as it is.
    fn without_noop_cast(&self, val: Node, scope: &Scope) -> Node {
        let Some(NodeEnum::TypeCast(tc)) = val.node.as_ref() else {
            return val;
        };
        let Some(arg) = tc.arg.as_deref() else {
            return val;
        };
        let Some(col_ty) = self.plain_column_type(arg, scope) else {
            return val;
        };
        let mut user = |s: Option<&str>, n: &str| self.r.user_type(s, n);
        let target = tc
            .type_name
            .as_ref()
            .and_then(|tn| crate::types::type_from_typename(tn, &mut user).ok());
        if target.as_ref() == Some(&col_ty) {
            arg.clone()
        } else {
            val
        }
    }

    fn plain_column_type(&self, val: &Node, scope: &Scope) -> Option<TypeRef> {
        match val.node.as_ref()? {
            NodeEnum::ColumnRef(c) => {
                let name = c.fields.last().and_then(sval)?;
                scope.column_type(name)
            }
            _ => None,
        }
    }

    fn opt_expr(&self, e: Option<Box<Node>>, scope: &Scope) -> Result<Option<Box<Node>>, String> {
        match e {
            Some(b) => Ok(Some(Box::new(self.expr(*b, scope)?))),
            None => Ok(None),
        }
    }

    fn sort_defaults(&self, sb: &mut protobuf::SortBy) {
        if !self.canonical {
            return;
        }
        let dir = SortByDir::try_from(sb.sortby_dir).unwrap_or(SortByDir::Undefined);
        let nulls = SortByNulls::try_from(sb.sortby_nulls).unwrap_or(SortByNulls::Undefined);
        let desc = dir == SortByDir::SortbyDesc;
        if dir == SortByDir::SortbyAsc {
            sb.sortby_dir = SortByDir::SortbyDefault as i32;
        }
        let default_nulls = (desc && nulls == SortByNulls::SortbyNullsFirst)
            || (!desc && nulls == SortByNulls::SortbyNullsLast);
        if default_nulls {
            sb.sortby_nulls = SortByNulls::SortbyNullsDefault as i32;
        }
        sb.location = -1;
    }

    /// An `ORDER BY` / `DISTINCT ON` item: a position or an output name stands for the
    /// target's expression (output names win over input columns, as in SQL92).
    fn sort_target(
        &self,
        n: Node,
        scope: &Scope,
        targets: &[Node],
        names: &[String],
    ) -> Result<Node, String> {
        if let Some(i) = int_const(&n) {
            if i >= 1 && (i as usize) <= targets.len() {
                return Ok(if self.canonical {
                    targets[i as usize - 1].clone()
                } else {
                    n
                });
            }
        }
        if let Some(name) = bare_name(&n) {
            if let Some(pos) = names.iter().position(|x| *x == name) {
                return Ok(if self.canonical {
                    targets[pos].clone()
                } else {
                    n
                });
            }
        }
        self.expr(n, scope)
    }

    /// A `GROUP BY` item: a position stands for the target; a name is an input column if
    /// one exists, else an output name.
    fn group_item(
        &self,
        n: Node,
        scope: &Scope,
        targets: &[Node],
        names: &[String],
    ) -> Result<Node, String> {
        let keep = |t: &Node, n: Node| if self.canonical { t.clone() } else { n };
        if let Some(i) = int_const(&n) {
            if i >= 1 && (i as usize) <= targets.len() {
                return Ok(keep(&targets[i as usize - 1], n));
            }
        }
        if let Some(name) = bare_name(&n) {
            if scope.resolve(&name)?.is_none() {
                if let Some(pos) = names.iter().position(|x| *x == name) {
                    return Ok(keep(&targets[pos], n));
                }
            }
        }
        if let Some(NodeEnum::GroupingSet(mut g)) = n.node {
            let items = std::mem::take(&mut g.content);
            for i in items {
                g.content.push(self.group_item(i, scope, targets, names)?);
            }
            return Ok(node(NodeEnum::GroupingSet(g)));
        }
        self.expr(n, scope)
    }

    fn setop_sort(&self, s: Node, names: &[String]) -> Result<Node, String> {
        let Some(NodeEnum::SortBy(mut sb)) = s.node else {
            return Err("unexpected ORDER BY item".into());
        };
        if self.canonical {
            if let Some(i) = sb.node.as_deref().and_then(int_const) {
                if i >= 1 && (i as usize) <= names.len() {
                    sb.node = Some(Box::new(colref(&[&names[i as usize - 1]])));
                }
            }
        }
        self.sort_defaults(&mut sb);
        Ok(node(NodeEnum::SortBy(sb)))
    }

    // -----------------------------------------------------------------------------------
    // FROM

    fn range_item(&self, n: Node, scope: &mut Scope) -> Result<Node, String> {
        let Some(inner) = n.node else {
            return Ok(Node { node: None });
        };
        match inner {
            NodeEnum::RangeVar(mut rv) => {
                let alias = rv.alias.as_ref().map(|a| a.aliasname.clone());
                let alias_cols = rv
                    .alias
                    .as_ref()
                    .map(|a| strings(&a.colnames))
                    .unwrap_or_default();
                let mut closed = true;
                let (refname, mut cols, opaque) =
                    if rv.schemaname.is_empty() && scope.find_cte(&rv.relname).is_some() {
                        let cte = scope.find_cte(&rv.relname).cloned().unwrap_or(Cte {
                            name: String::new(),
                            cols: vec![],
                            closed: false,
                        });
                        closed = cte.closed;
                        (alias.unwrap_or(rv.relname.clone()), cte.cols, false)
                    } else {
                        let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
                        match self.r.relation(schema, &rv.relname) {
                            Some(info) => {
                                closed = self.r.columns_complete(&info.name);
                                self.add_ref(info.name.clone());
                                rv.schemaname = info.name.schema.clone();
                                rv.relname = info.name.name.clone();
                                rv.catalogname.clear();
                                (alias.unwrap_or(rv.relname.clone()), info.columns, false)
                            }
                            None => {
                                // Unknown names are system relations only where they can be: in pg_catalog
                                // (every relation there is named pg_…) or information_schema.
                                let system = match schema {
                                    None => rv.relname.starts_with("pg_"),
                                    Some(s) => s == "pg_catalog" || s == "information_schema",
                                };
                                if !system {
                                    return Err(format!(
                                        "relation \"{}\" does not exist",
                                        match schema {
                                            Some(s) => format!("{s}.{}", rv.relname),
                                            None => rv.relname.clone(),
                                        }
                                    ));
                                }
                                rv.schemaname = schema.unwrap_or("pg_catalog").to_string();
                                if self.canonical && rv.schemaname == "pg_catalog" {
                                    rv.schemaname.clear();
                                }
                                (alias.unwrap_or(rv.relname.clone()), vec![], true)
                            }
                        }
                    };
                let original = refname;
                let refname = scope.take_name(&original);
                if refname != rv.relname {
                    let colnames = rv.alias.take().map(|a| a.colnames).unwrap_or_default();
                    rv.alias = Some(protobuf::Alias {
                        aliasname: refname.clone(),
                        colnames,
                    });
                }
                if let Some(a) = rv.alias.as_ref() {
                    if a.aliasname == rv.relname && a.colnames.is_empty() {
                        rv.alias = None;
                    }
                }
                for (c, n) in cols.iter_mut().zip(&alias_cols) {
                    c.0 = n.clone();
                }
                rv.location = -1;
                scope.rtes.push(Rte {
                    refname,
                    original,
                    cols,
                    opaque,
                    closed: closed && !opaque,
                });
                Ok(node(NodeEnum::RangeVar(rv)))
            }
            NodeEnum::JoinExpr(mut j) => {
                let before = scope.rtes.len();
                let l = j.larg.take().map(|b| *b).unwrap_or_default();
                j.larg = Some(Box::new(self.range_item(l, scope)?));
                let mid = scope.rtes.len();
                let r = j.rarg.take().map(|b| *b).unwrap_or_default();
                j.rarg = Some(Box::new(self.range_item(r, scope)?));
                let mut merged: Vec<String> = strings(&j.using_clause);
                if j.is_natural {
                    let left: Vec<&String> = scope.rtes[before..mid]
                        .iter()
                        .flat_map(|r| r.cols.iter().map(|(c, _)| c))
                        .collect();
                    for r in &scope.rtes[mid..] {
                        for (c, _) in &r.cols {
                            if left.contains(&c) && !merged.contains(c) {
                                merged.push(c.clone());
                            }
                        }
                    }
                }
                for c in merged {
                    if let Some(left) = scope.rtes[before..mid]
                        .iter()
                        .find(|r| r.cols.iter().any(|(x, _)| *x == c))
                    {
                        scope.merged.push((c.clone(), left.refname.clone()));
                    }
                }
                if j.alias.is_some() {
                    return Err("an alias on a JOIN is not supported here".into());
                }
                j.quals = self.opt_expr(j.quals.take(), scope)?;
                Ok(node(NodeEnum::JoinExpr(j)))
            }
            NodeEnum::RangeSubselect(mut rs) => {
                let q = rs.subquery.take().map(|b| *b).unwrap_or_default();
                let Some(NodeEnum::SelectStmt(sel)) = q.node else {
                    return Err("unexpected subquery in FROM".into());
                };
                let stars = self.open_stars.get();
                let (s, mut cols) = self.select(*sel, Some(&*scope), None)?;
                let closed = self.open_stars.get() == stars;
                rs.subquery = Some(Box::new(node(NodeEnum::SelectStmt(Box::new(s)))));
                let mut alias = rs.alias.clone().unwrap_or_default();
                for (c, n) in cols.iter_mut().zip(strings(&alias.colnames)) {
                    c.0 = n;
                }
                let original = alias.aliasname.clone();
                let refname = scope.take_name(&original);
                alias.aliasname = refname.clone();
                rs.alias = Some(alias);
                scope.rtes.push(Rte {
                    refname,
                    original,
                    cols,
                    opaque: false,
                    closed,
                });
                Ok(node(NodeEnum::RangeSubselect(rs)))
            }
            NodeEnum::RangeFunction(mut rf) => {
                let funcs = std::mem::take(&mut rf.functions);
                let mut first_name = String::new();
                for f in funcs {
                    let Some(NodeEnum::List(mut l)) = f.node else {
                        return Err("unexpected function in FROM".into());
                    };
                    if let Some(call) = l.items.first_mut() {
                        let c = std::mem::take(call);
                        if first_name.is_empty() {
                            first_name = figure_colname(&c);
                        }
                        *call = self.expr(c, scope)?;
                    }
                    rf.functions.push(node(NodeEnum::List(l)));
                }
                let alias = rf.alias.clone().unwrap_or_default();
                let original = if alias.aliasname.is_empty() {
                    first_name.clone()
                } else {
                    alias.aliasname.clone()
                };
                let refname = scope.take_name(&original);
                let mut names = strings(&alias.colnames);
                if names.is_empty() {
                    names.push(original.clone());
                }
                if self.canonical {
                    // The catalog names a function's columns explicitly: `g(g)`.
                    let given = names.len();
                    rf.alias = Some(protobuf::Alias {
                        aliasname: refname.clone(),
                        colnames: names[..given].iter().map(|n| string_node(n)).collect(),
                    });
                }
                if rf.ordinality {
                    names.push("ordinality".into());
                }
                scope.rtes.push(Rte {
                    refname,
                    original,
                    cols: names.into_iter().map(|n| (n, None)).collect(),
                    opaque: false,
                    closed: false,
                });
                Ok(node(NodeEnum::RangeFunction(rf)))
            }
            other => Err(format!(
                "unsupported FROM item ({})",
                format!("{other:?}").split('(').next().unwrap_or("?")
            )),
        }
    }

    // -----------------------------------------------------------------------------------
    // Expressions

    /// Resolve names in an expression, then (canonical mode) run the shared expression
    /// normalizer with the column types in scope.
    fn expr(&self, n: Node, scope: &Scope) -> Result<Node, String> {
        self.expr_with(n, scope, true)
    }

    /// [`Self::expr`]; `column_types: false` normalizes as if column types were unknown, so
    /// a cast of a column is kept (with its canonical type name) rather than dropped as
    /// implicit.
    fn expr_with(&self, n: Node, scope: &Scope, column_types: bool) -> Result<Node, String> {
        let q = self.qualify(n, scope)?;
        if q.node.is_none() {
            return Ok(q);
        }
        if !self.canonical {
            return normalize::qualify_regconfigs(q, &|s, n| self.r.ts_config(s, n));
        }
        if matches!(q.node, Some(NodeEnum::WindowDef(_))) {
            return Ok(q);
        }
        let column_type = |c: &str| {
            if !column_types {
                return None;
            }
            scope
                .column_type(c)
                .or_else(|| self.param_named(c).cloned())
        };
        let rs = |s: Option<&str>, n: &str| self.r.sequence(s, n);
        let rt = |s: Option<&str>, n: &str| self.r.user_type(s, n);
        let cx = NormCx {
            column_type: &column_type,
            target_type: None,
            resolve_seq: &rs,
            resolve_type: &rt,
            resolve_ts_config: &|s, n| self.r.ts_config(s, n),
        };
        let e = normalize::normalize_node(&q, &cx)?;
        for r in e.refs {
            self.add_ref(r);
        }
        normalize::parse_expr(&e.canon)
    }

    fn qualify(&self, n: Node, scope: &Scope) -> Result<Node, String> {
        let Some(mut inner) = n.node else {
            return Ok(Node { node: None });
        };
        match &mut inner {
            NodeEnum::ColumnRef(c) => return self.qualify_colref(c.clone(), scope),
            NodeEnum::ParamRef(p) => {
                if self.canonical {
                    if let Some((Some(name), _)) = self
                        .params
                        .and_then(|ps| ps.args.get((p.number - 1).max(0) as usize))
                    {
                        return Ok(colref(&[name]));
                    }
                }
                return Ok(node(inner));
            }
            NodeEnum::SubLink(s) => {
                s.testexpr = match s.testexpr.take() {
                    Some(t) => Some(Box::new(self.qualify(*t, scope)?)),
                    None => None,
                };
                let q = s.subselect.take().map(|b| *b).unwrap_or_default();
                if let Some(NodeEnum::SelectStmt(sel)) = q.node {
                    let (out, _) = self.select(*sel, Some(scope), None)?;
                    let mut out = out;
                    if self.canonical {
                        // the output names of a subquery in an expression do not matter
                        clear_names(&mut out);
                    }
                    s.subselect = Some(Box::new(node(NodeEnum::SelectStmt(Box::new(out)))));
                }
                s.location = -1;
                return Ok(node(inner));
            }
            NodeEnum::FuncCall(f) => {
                let names = strings(&f.funcname);
                let q = match names.as_slice() {
                    [n] => self.r.function(None, n),
                    [s, n] => self.r.function(Some(s), n),
                    _ => None,
                };
                if let Some(q) = q {
                    self.add_ref(q);
                }
                if let Some(w) = f.over.take() {
                    let w = self.window(*w, scope)?;
                    f.over = Some(Box::new(w));
                }
            }
            NodeEnum::WindowDef(w) => {
                let w = self.window((**w).clone(), scope)?;
                return Ok(node(NodeEnum::WindowDef(Box::new(w))));
            }
            _ => {}
        }
        map_children(&mut inner, &mut |c| self.qualify(c, scope))?;
        Ok(node(inner))
    }

    fn window(
        &self,
        mut w: protobuf::WindowDef,
        scope: &Scope,
    ) -> Result<protobuf::WindowDef, String> {
        let parts = std::mem::take(&mut w.partition_clause);
        for p in parts {
            w.partition_clause.push(self.expr(p, scope)?);
        }
        let orders = std::mem::take(&mut w.order_clause);
        for o in orders {
            let Some(NodeEnum::SortBy(mut sb)) = o.node else {
                continue;
            };
            let inner = sb.node.take().map(|b| *b).unwrap_or_default();
            sb.node = Some(Box::new(self.expr(inner, scope)?));
            self.sort_defaults(&mut sb);
            w.order_clause.push(node(NodeEnum::SortBy(sb)));
        }
        w.location = -1;
        Ok(w)
    }

    fn qualify_colref(&self, c: protobuf::ColumnRef, scope: &Scope) -> Result<Node, String> {
        let star = matches!(
            c.fields.last().and_then(|f| f.node.as_ref()),
            Some(NodeEnum::AStar(_))
        );
        let names = strings(&c.fields);
        let whole_row = |r: &Rte| {
            node(NodeEnum::ColumnRef(protobuf::ColumnRef {
                fields: vec![
                    string_node(&r.refname),
                    node(NodeEnum::AStar(protobuf::AStar {})),
                ],
                location: -1,
            }))
        };
        if star {
            // `t.*` in an expression: the entry's printed name
            if let [.., rel] = names.as_slice() {
                if let Some(r) = scope.by_original(rel) {
                    return Ok(whole_row(r));
                }
            }
            return Ok(node(NodeEnum::ColumnRef(c)));
        }
        match names.as_slice() {
            [col] => {
                if let Some(refname) = scope.resolve(col)? {
                    return Ok(colref(&[&refname, col]));
                }
                if self.param_named(col).is_some() {
                    return Ok(colref(&[col]));
                }
                // a whole-row reference: the catalog prints `t.*`
                if let Some(r) = scope.by_original(col) {
                    return Ok(whole_row(r));
                }
                Err(format!("column \"{col}\" does not exist"))
            }
            [rel, col] => {
                if let Some(r) = scope.by_original(rel) {
                    self.bind_qualified(r, rel, col)?;
                    return Ok(colref(&[&r.refname, col]));
                }
                if let Some(p) = self.params {
                    if *rel == p.function && self.param_named(col).is_some() {
                        return Ok(if self.canonical {
                            colref(&[col])
                        } else {
                            colref(&[rel, col])
                        });
                    }
                }
                // a field of a composite column (`(c).f` is written `c.f` only as a
                // mistake); keep it
                Ok(colref(&[rel, col]))
            }
            [_schema, rel, col] if scope.has_refname(rel) => {
                if let Some(r) = scope.by_original(rel) {
                    self.bind_qualified(r, rel, col)?;
                }
                let r = scope.by_original(rel).map(|r| r.refname.clone());
                Ok(colref(&[r.as_deref().unwrap_or(rel), col]))
            }
            _ => Ok(node(NodeEnum::ColumnRef(c))),
        }
    }
}

impl Norm<'_> {
    /// `rel.col` where `rel` is the FROM entry `r`: an error when `r`'s columns are known,
    /// `col` is none of them, and `col` cannot be a function called with attribute
    /// notation (`t.full_name` for `full_name(t)`), as PostgreSQL would report it.
    fn bind_qualified(&self, r: &Rte, rel: &str, col: &str) -> Result<(), String> {
        if !r.closed
            || r.cols.iter().any(|(c, _)| c == col)
            || crate::binder::may_be_attribute_call(col, self.r.function(None, col).is_some())
        {
            return Ok(());
        }
        Err(crate::binder::missing_column(rel, col))
    }
}

/// The names the entries of a FROM clause are written with, in range-table order (a
/// join's inputs, then the join).
fn from_names(items: &[Node]) -> Vec<String> {
    fn walk(n: &Node, out: &mut Vec<String>) {
        match n.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => out.push(
                rv.alias
                    .as_ref()
                    .map(|a| a.aliasname.clone())
                    .unwrap_or_else(|| rv.relname.clone()),
            ),
            Some(NodeEnum::RangeSubselect(rs)) => out.push(
                rs.alias
                    .as_ref()
                    .map(|a| a.aliasname.clone())
                    .unwrap_or_default(),
            ),
            Some(NodeEnum::RangeFunction(rf)) => out.push(match rf.alias.as_ref() {
                Some(a) => a.aliasname.clone(),
                None => rf
                    .functions
                    .first()
                    .and_then(|f| match f.node.as_ref() {
                        Some(NodeEnum::List(l)) => l.items.first().map(figure_colname),
                        _ => None,
                    })
                    .unwrap_or_default(),
            }),
            Some(NodeEnum::JoinExpr(j)) => {
                if let Some(l) = j.larg.as_deref() {
                    walk(l, out);
                }
                if let Some(r) = j.rarg.as_deref() {
                    walk(r, out);
                }
                if let Some(a) = j.alias.as_ref() {
                    out.push(a.aliasname.clone());
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for i in items {
        walk(i, &mut out);
    }
    out
}

/// Drop the output names of every branch (they do not matter: non-leftmost branches of
/// set operations, sublinks).
fn clear_names(sel: &mut protobuf::SelectStmt) {
    if is_set_op(sel) {
        if let Some(l) = sel.larg.as_deref_mut() {
            clear_names(l);
        }
        if let Some(r) = sel.rarg.as_deref_mut() {
            clear_names(r);
        }
        return;
    }
    for t in sel.target_list.iter_mut() {
        if let Some(NodeEnum::ResTarget(rt)) = t.node.as_mut() {
            rt.name.clear();
        }
    }
}

/// Apply `f` to every direct child expression of `n` (sublinks' subselects excluded).
fn map_children(
    n: &mut NodeEnum,
    f: &mut dyn FnMut(Node) -> Result<Node, String>,
) -> Result<(), String> {
    fn one(
        slot: &mut Option<Box<Node>>,
        f: &mut dyn FnMut(Node) -> Result<Node, String>,
    ) -> Result<(), String> {
        if let Some(b) = slot.take() {
            *slot = Some(Box::new(f(*b)?));
        }
        Ok(())
    }
    fn many(
        v: &mut Vec<Node>,
        f: &mut dyn FnMut(Node) -> Result<Node, String>,
    ) -> Result<(), String> {
        let old = std::mem::take(v);
        for n in old {
            v.push(f(n)?);
        }
        Ok(())
    }
    match n {
        NodeEnum::AExpr(a) => {
            one(&mut a.lexpr, f)?;
            one(&mut a.rexpr, f)?;
        }
        NodeEnum::BoolExpr(b) => many(&mut b.args, f)?,
        NodeEnum::FuncCall(fc) => {
            many(&mut fc.args, f)?;
            many(&mut fc.agg_order, f)?;
            one(&mut fc.agg_filter, f)?;
        }
        NodeEnum::TypeCast(t) => one(&mut t.arg, f)?,
        NodeEnum::AArrayExpr(a) => many(&mut a.elements, f)?,
        NodeEnum::List(l) => many(&mut l.items, f)?,
        NodeEnum::NullTest(t) => one(&mut t.arg, f)?,
        NodeEnum::BooleanTest(t) => one(&mut t.arg, f)?,
        NodeEnum::CaseExpr(c) => {
            one(&mut c.arg, f)?;
            many(&mut c.args, f)?;
            one(&mut c.defresult, f)?;
        }
        NodeEnum::CaseWhen(w) => {
            one(&mut w.expr, f)?;
            one(&mut w.result, f)?;
        }
        NodeEnum::CoalesceExpr(c) => many(&mut c.args, f)?,
        NodeEnum::MinMaxExpr(m) => many(&mut m.args, f)?,
        NodeEnum::RowExpr(r) => many(&mut r.args, f)?,
        NodeEnum::CollateClause(c) => one(&mut c.arg, f)?,
        NodeEnum::AIndirection(i) => {
            one(&mut i.arg, f)?;
            many(&mut i.indirection, f)?;
        }
        NodeEnum::AIndices(i) => {
            one(&mut i.lidx, f)?;
            one(&mut i.uidx, f)?;
        }
        NodeEnum::NamedArgExpr(a) => one(&mut a.arg, f)?,
        NodeEnum::SortBy(s) => one(&mut s.node, f)?,
        NodeEnum::GroupingFunc(g) => many(&mut g.args, f)?,
        NodeEnum::ResTarget(r) => one(&mut r.val, f)?,
        _ => {}
    }
    Ok(())
}

/// Normalize a query (a `SELECT`). `names`: the view's column list, if any.
pub(crate) fn normalize_query(
    query: &Node,
    names: &[String],
    r: &dyn Resolver,
    params: Option<&Params>,
) -> Result<QueryOut, String> {
    let Some(NodeEnum::SelectStmt(sel)) = query.node.as_ref() else {
        return Err("a view's query must be a SELECT".into());
    };
    let names = (!names.is_empty()).then_some(names);
    let run = |canonical: bool| {
        let n = Norm {
            r,
            canonical,
            params,
            refs: RefCell::new(Vec::new()),
            open_stars: Default::default(),
        };
        let (s, cols) = n.select((**sel).clone(), None, names)?;
        let stmt = NodeEnum::SelectStmt(Box::new(s));
        let pretty = if canonical {
            String::new()
        } else {
            deparse_stmt_with(stmt.clone(), true)?
        };
        let text = deparse_stmt_with(stmt, false)?;
        Ok::<_, String>((text, pretty, cols, n.refs.into_inner()))
    };
    let (sql, sql_pretty, _, _) = run(false)?;
    let (canon, _, cols, refs) = run(true)?;
    Ok(QueryOut {
        sql,
        sql_pretty,
        canon,
        refs,
        columns: cols.into_iter().map(|(n, _)| n).collect(),
    })
}

/// Normalize an expression that may contain subqueries, in the scope of a function's
/// parameters (a `RETURN` body). Returns (sql, canon, refs).
pub(crate) fn normalize_scalar(
    e: &Node,
    r: &dyn Resolver,
    params: Option<&Params>,
) -> Result<(String, String, Vec<QualName>), String> {
    let run = |canonical: bool| {
        let n = Norm {
            r,
            canonical,
            params,
            refs: RefCell::new(Vec::new()),
            open_stars: Default::default(),
        };
        let scope = Scope::new(None);
        let out = n.expr(e.clone(), &scope)?;
        Ok::<_, String>((normalize::deparse_expr(&out)?, n.refs.into_inner()))
    };
    let (sql, _) = run(false)?;
    let (canon, refs) = run(true)?;
    Ok((sql, canon, refs))
}

/// Normalize a data-modifying statement of a SQL-standard body (`INSERT`, `UPDATE`,
/// `DELETE`): the target relation resolved, `INSERT`'s column list made explicit,
/// expressions normalized in the scope of the target (and `FROM`/`USING` items).
/// Returns (sql, canon, refs).
pub(crate) fn normalize_dml(
    stmt: &NodeEnum,
    r: &dyn Resolver,
    params: Option<&Params>,
) -> Result<(String, String, Vec<QualName>), String> {
    dml(stmt, r, params, None)
}

/// The scope of a rewrite rule over a relation with columns `cols`: `old` and `new`
/// (as `transformRuleStmt` sets them up). In a condition only those the event has are
/// there, named bare or qualified; in an action both, named only qualified.
fn rule_scope<'s>(cols: &[Col], event: Option<&str>) -> Scope<'s> {
    let mut scope = Scope::new(None);
    let names: &[&str] = match event {
        None => &["old", "new"],
        Some("INSERT") => &["new"],
        Some("DELETE") | Some("SELECT") => &["old"],
        Some(_) => &["old", "new"],
    };
    for name in names {
        scope.rtes.push(Rte {
            refname: name.to_string(),
            original: name.to_string(),
            cols: cols.to_vec(),
            opaque: false,
            closed: true,
        });
    }
    // Entries of the actions are named unique against both (ruleutils).
    scope.assigned = vec!["old".into(), "new".into()];
    scope.qualified_only = event.is_none();
    scope
}

/// A rewrite rule's condition (`WHERE`), normalized in the scope of the rule's relation
/// (columns `cols`) for `event` (`INSERT`, …). Returns (sql, canon, refs).
pub(crate) fn normalize_rule_condition(
    e: &Node,
    r: &dyn Resolver,
    cols: &[(String, Option<TypeRef>)],
    event: &str,
) -> Result<(String, String, Vec<QualName>), String> {
    let run = |canonical: bool| {
        let n = Norm {
            r,
            canonical,
            params: None,
            refs: RefCell::new(Vec::new()),
            open_stars: Default::default(),
        };
        let scope = rule_scope(cols, Some(event));
        let out = n.expr(e.clone(), &scope)?;
        Ok::<_, String>((normalize::deparse_expr(&out)?, n.refs.into_inner()))
    };
    let (sql, _) = run(false)?;
    let (canon, refs) = run(true)?;
    Ok((sql, canon, refs))
}

/// One action of a rewrite rule (`INSERT`, `UPDATE`, `DELETE`, `SELECT`, `NOTIFY`),
/// normalized with the rule's `old` and `new` (columns `cols`) in scope. Returns (sql,
/// canon, refs).
pub(crate) fn normalize_rule_action(
    stmt: &NodeEnum,
    r: &dyn Resolver,
    cols: &[(String, Option<TypeRef>)],
) -> Result<(String, String, Vec<QualName>), String> {
    if let NodeEnum::NotifyStmt(_) = stmt {
        let text = deparse_stmt_with(stmt.clone(), false)?;
        return Ok((text.clone(), text, Vec::new()));
    }
    dml(stmt, r, None, Some(cols))
}

fn dml(
    stmt: &NodeEnum,
    r: &dyn Resolver,
    params: Option<&Params>,
    rule: Option<&[Col]>,
) -> Result<(String, String, Vec<QualName>), String> {
    let run = |canonical: bool| -> Result<(String, Vec<QualName>), String> {
        let n = Norm {
            r,
            canonical,
            params,
            refs: RefCell::new(Vec::new()),
            open_stars: Default::default(),
        };
        let outer = rule.map(|cols| rule_scope(cols, None));
        let mut scope = Scope::new(outer.as_ref());
        let out = match stmt.clone() {
            NodeEnum::SelectStmt(sel) => {
                let (s, _) = n.select(*sel, outer.as_ref(), None)?;
                NodeEnum::SelectStmt(Box::new(s))
            }
            NodeEnum::InsertStmt(mut ins) => {
                if ins.with_clause.is_some() || ins.on_conflict_clause.is_some() {
                    return Err("INSERT with WITH or ON CONFLICT is not supported here".into());
                }
                let rv = ins.relation.take().ok_or("INSERT without a table")?;
                let (rv, cols) = n.target_relation(rv, &mut scope)?;
                if ins.cols.is_empty() && canonical {
                    let width = match ins.select_stmt.as_deref().and_then(|s| s.node.as_ref()) {
                        Some(NodeEnum::SelectStmt(s)) => s
                            .values_lists
                            .first()
                            .and_then(|l| match l.node.as_ref() {
                                Some(NodeEnum::List(l)) => Some(l.items.len()),
                                _ => None,
                            })
                            .unwrap_or(s.target_list.len()),
                        _ => 0,
                    };
                    for (c, _) in cols.iter().take(width) {
                        ins.cols
                            .push(node(NodeEnum::ResTarget(Box::new(protobuf::ResTarget {
                                name: c.clone(),
                                indirection: vec![],
                                val: None,
                                location: -1,
                            }))));
                    }
                }
                for c in ins.cols.iter_mut() {
                    if let Some(NodeEnum::ResTarget(rt)) = c.node.as_mut() {
                        rt.location = -1;
                    }
                }
                ins.relation = Some(rv);
                if let Some(s) = ins.select_stmt.take() {
                    if let Some(NodeEnum::SelectStmt(sel)) = s.node {
                        let (out, _) = n.select(*sel, outer.as_ref(), None)?;
                        ins.select_stmt = Some(Box::new(node(NodeEnum::SelectStmt(Box::new(out)))));
                    }
                }
                if ins.returning_clause.is_some() {
                    return Err("RETURNING is not supported here".into());
                }
                NodeEnum::InsertStmt(ins)
            }
            NodeEnum::UpdateStmt(mut up) => {
                let rv = up.relation.take().ok_or("UPDATE without a table")?;
                let (rv, _) = n.target_relation(rv, &mut scope)?;
                up.relation = Some(rv);
                let from = std::mem::take(&mut up.from_clause);
                for f in from {
                    let x = n.range_item(f, &mut scope)?;
                    up.from_clause.push(x);
                }
                let targets = std::mem::take(&mut up.target_list);
                for t in targets {
                    let Some(NodeEnum::ResTarget(mut rt)) = t.node else {
                        return Err("unexpected SET item".into());
                    };
                    rt.val = n.opt_expr(rt.val.take(), &scope)?;
                    rt.location = -1;
                    up.target_list.push(node(NodeEnum::ResTarget(rt)));
                }
                up.where_clause = n.opt_expr(up.where_clause.take(), &scope)?;
                if up.returning_clause.is_some() || up.with_clause.is_some() {
                    return Err("UPDATE with RETURNING or WITH is not supported here".into());
                }
                NodeEnum::UpdateStmt(up)
            }
            NodeEnum::DeleteStmt(mut del) => {
                let rv = del.relation.take().ok_or("DELETE without a table")?;
                let (rv, _) = n.target_relation(rv, &mut scope)?;
                del.relation = Some(rv);
                let using = std::mem::take(&mut del.using_clause);
                for f in using {
                    let x = n.range_item(f, &mut scope)?;
                    del.using_clause.push(x);
                }
                del.where_clause = n.opt_expr(del.where_clause.take(), &scope)?;
                if del.returning_clause.is_some() || del.with_clause.is_some() {
                    return Err("DELETE with RETURNING or WITH is not supported here".into());
                }
                NodeEnum::DeleteStmt(del)
            }
            other => {
                return Err(format!(
                    "unsupported statement in a SQL-standard body: {}",
                    format!("{other:?}").split('(').next().unwrap_or("?")
                ))
            }
        };
        let text = deparse_stmt_with(out, !canonical)?;
        Ok((text, n.refs.into_inner()))
    };
    let (sql, _) = run(false)?;
    let (canon, refs) = run(true)?;
    Ok((sql, canon, refs))
}

impl Norm<'_> {
    /// The target table of a data-modifying statement, added to `scope`.
    fn target_relation(
        &self,
        mut rv: protobuf::RangeVar,
        scope: &mut Scope,
    ) -> Result<(protobuf::RangeVar, Vec<Col>), String> {
        let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
        let info = self
            .r
            .relation(schema, &rv.relname)
            .ok_or_else(|| format!("relation \"{}\" does not exist", rv.relname))?;
        self.add_ref(info.name.clone());
        rv.schemaname = info.name.schema.clone();
        rv.relname = info.name.name.clone();
        rv.location = -1;
        if let Some(a) = rv.alias.as_ref() {
            if a.aliasname == rv.relname {
                rv.alias = None;
            }
        }
        let refname = rv
            .alias
            .as_ref()
            .map(|a| a.aliasname.clone())
            .unwrap_or(rv.relname.clone());
        scope.rtes.push(Rte {
            original: refname.clone(),
            refname,
            cols: info.columns.clone(),
            opaque: false,
            closed: true,
        });
        Ok((rv, info.columns))
    }
}

/// `col::type` (or `CAST(col AS type)`), the cast directly over a column reference.
fn is_cast_of_column(n: &Node) -> bool {
    match n.node.as_ref() {
        Some(NodeEnum::TypeCast(tc)) => matches!(
            tc.arg.as_deref().and_then(|a| a.node.as_ref()),
            Some(NodeEnum::ColumnRef(_))
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A catalog of a few tables, resolved on search path `public`.
    struct Cat {
        rels: BTreeMap<QualName, Vec<(String, TypeRef)>>,
        funcs: Vec<QualName>,
    }

    fn ty(s: &str) -> TypeRef {
        crate::types::parse_type(s, &["public".into()]).unwrap()
    }

    impl Cat {
        fn new() -> Cat {
            let mut rels = BTreeMap::new();
            let t = |cols: &[(&str, &str)]| {
                cols.iter()
                    .map(|(c, t)| (c.to_string(), ty(t)))
                    .collect::<Vec<_>>()
            };
            rels.insert(
                QualName::new("public", "t"),
                t(&[
                    ("id", "int"),
                    ("a", "int"),
                    ("b", "text"),
                    ("c", "varchar(10)"),
                    ("d", "numeric(10,2)"),
                ]),
            );
            rels.insert(
                QualName::new("public", "u"),
                t(&[("id", "int"), ("tid", "int"), ("name", "text")]),
            );
            rels.insert(
                QualName::new("app", "w"),
                t(&[("id", "int"), ("flag", "boolean")]),
            );
            Cat {
                rels,
                funcs: vec![QualName::new("public", "f")],
            }
        }
    }

    impl Resolver for Cat {
        fn relation(&self, schema: Option<&str>, name: &str) -> Option<RelInfo> {
            let q = QualName::new(schema.unwrap_or("public"), name);
            self.rels.get(&q).map(|cols| RelInfo {
                name: q,
                columns: cols
                    .iter()
                    .map(|(c, t)| (c.clone(), Some(t.clone())))
                    .collect(),
            })
        }
        fn function(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
            let q = QualName::new(schema.unwrap_or("public"), name);
            self.funcs.contains(&q).then_some(q)
        }
        fn sequence(&self, schema: Option<&str>, name: &str) -> QualName {
            QualName::new(schema.unwrap_or("public"), name)
        }
        fn user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String> {
            Ok(QualName::new(schema.unwrap_or("public"), name))
        }
    }

    fn query(sql: &str, names: &[&str]) -> QueryOut {
        let stmt = parse_stmt(sql).unwrap();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        normalize_query(&node(stmt), &names, &Cat::new(), None)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn meet(user: &str, catalog: &str) {
        let a = query(user, &[]);
        let b = query(catalog, &[]);
        assert_eq!(a.canon, b.canon, "\n user: {user}\n catalog: {catalog}");
        assert_eq!(a.columns, b.columns);
    }

    #[test]
    fn qualification_and_names() {
        meet("select a, b from t", "SELECT t.a, t.b FROM public.t");
        meet("select t.a from public.t t", "SELECT t.a FROM public.t");
        meet("select public.t.a from t", "SELECT t.a FROM public.t");
        meet(
            "select a as x, lower(b), b || 'x' as bx, 1 as one, 'lit' as l, c from t where a > 0 and c = 'x'",
            "SELECT t.a AS x, lower(t.b) AS lower, (t.b || 'x'::text) AS bx, 1 AS one, 'lit'::text AS l, t.c FROM public.t WHERE ((t.a > 0) AND ((t.c)::text = 'x'::text))",
        );
        let q = query("select a, lower(b), a + 1 from t", &[]);
        assert_eq!(q.columns, vec!["a", "lower", "?column?"]);
        assert_eq!(q.refs, vec![QualName::new("public", "t")]);
        assert!(q.sql.contains("public.t"), "{}", q.sql);
    }

    #[test]
    fn different_queries_differ() {
        let a = query("select a from t where a > 0", &[]);
        let b = query("select a from t where a > 1", &[]);
        assert_ne!(a.canon, b.canon);
        let c = query("select a from t", &[]);
        let d = query("select b as a from t", &[]);
        assert_ne!(c.canon, d.canon);
    }

    #[test]
    fn joins_in_lists_and_positions() {
        meet(
            "select t.id, u.name from t join u on u.tid = t.id where u.name in ('a','b') order by 1",
            "SELECT t.id, u.name FROM (public.t JOIN public.u ON ((u.tid = t.id))) WHERE (u.name = ANY (ARRAY['a'::text, 'b'::text])) ORDER BY t.id",
        );
        meet(
            "select x.a from t x left join u on true union all select 1",
            "SELECT x.a FROM (public.t x LEFT JOIN public.u ON (true)) UNION ALL SELECT 1 AS a",
        );
        meet(
            "select a, count(*) from t group by 1 having count(*) > 1 order by a asc nulls last",
            "SELECT t.a, count(*) AS count FROM public.t GROUP BY t.a HAVING (count(*) > 1) ORDER BY t.a",
        );
        meet(
            "select a as k from t order by k desc nulls first",
            "SELECT t.a AS k FROM public.t ORDER BY t.a DESC",
        );
    }

    #[test]
    fn column_list_names_outputs() {
        let a = query("select a, count(*) from t group by a", &["p", "q"]);
        let b = query(
            "SELECT t.a AS p, count(*) AS q FROM public.t GROUP BY t.a",
            &[],
        );
        assert_eq!(a.canon, b.canon);
        assert_eq!(a.columns, vec!["p", "q"]);
        assert!(a.sql.contains("AS p"), "{}", a.sql);
    }

    #[test]
    fn stars_are_expanded() {
        meet(
            "select * from t",
            "SELECT t.id, t.a, t.b, t.c, t.d FROM public.t",
        );
        meet(
            "select u.*, t.a from t join u on t.id = u.tid",
            "SELECT u.id, u.tid, u.name, t.a FROM (public.t JOIN public.u ON ((t.id = u.tid)))",
        );
    }

    #[test]
    fn subqueries_ctes_and_casts() {
        meet(
            "select id from t where exists (select 1 from u where u.tid = t.id) and a between 1 and 5",
            "SELECT t.id FROM public.t WHERE ((EXISTS ( SELECT 1 FROM public.u WHERE (u.tid = t.id))) AND ((t.a >= 1) AND (t.a <= 5)))",
        );
        meet(
            "with w as (select a from t) select distinct a from w limit 10",
            "WITH w AS ( SELECT t.a FROM public.t) SELECT DISTINCT w.a FROM w LIMIT 10",
        );
        meet(
            "select coalesce(a, 0) as a, case when a > 1 then 'big' else 'small' end as size, now() as ts, current_timestamp as ts2, d::int as di, c::text as ct from t",
            "SELECT COALESCE(t.a, 0) AS a, CASE WHEN (t.a > 1) THEN 'big'::text ELSE 'small'::text END AS size, now() AS ts, CURRENT_TIMESTAMP AS ts2, (t.d)::integer AS di, (t.c)::text AS ct FROM public.t",
        );
        meet(
            "select s.x from (select a as x from t) s where s.x in (select tid from u)",
            "SELECT s.x FROM ( SELECT t.a AS x FROM public.t) s WHERE (s.x IN ( SELECT u.tid FROM public.u))",
        );
        meet(
            "select flag from app.w where flag = 't'",
            "SELECT w.flag FROM app.w WHERE (w.flag = true)",
        );
        meet(
            "select f(a) from t",
            "SELECT public.f(t.a) AS f FROM public.t",
        );
        assert!(query("select f(a) from t", &[])
            .refs
            .contains(&QualName::new("public", "f")));
    }

    #[test]
    fn entry_names_are_unique_across_levels_as_ruleutils_makes_them() {
        // the inner `t` clashes with the outer one: the catalog calls it `t_1`; two
        // sibling subqueries may both use `t_1`
        meet(
            "select id from t where exists (select 1 from t where a > 0) \
             and id in (select tid from u join t on t.id = u.tid)",
            "SELECT t.id FROM public.t WHERE ((EXISTS ( SELECT 1 FROM public.t t_1 WHERE (t_1.a > 0))) \
             AND (t.id IN ( SELECT u.tid FROM (public.u JOIN public.t t_1 ON ((t_1.id = u.tid))))))",
        );
        meet(
            "with recursive n(x) as (select 1 union all select x + 1 from n where x < 5) select x from n",
            "WITH RECURSIVE n(x) AS ( SELECT 1 UNION ALL SELECT n_1.x + 1 FROM n n_1 WHERE (n_1.x < 5)) SELECT n.x FROM n",
        );
        // whole-row references and function columns
        meet(
            "select row_to_json(t) from t",
            "SELECT row_to_json(t.*) AS row_to_json FROM public.t",
        );
        meet(
            "select g from generate_series(1, 3) g",
            "SELECT g.g FROM generate_series(1, 3) g(g)",
        );
    }

    #[test]
    fn errors_are_values() {
        let stmt = node(parse_stmt("select nope from t").unwrap());
        let e = normalize_query(&stmt, &[], &Cat::new(), None)
            .err()
            .unwrap();
        assert!(e.contains("nope"), "{e}");
        let stmt = node(parse_stmt("select a from missing").unwrap());
        assert!(normalize_query(&stmt, &[], &Cat::new(), None)
            .err()
            .unwrap()
            .contains("missing"));
        let stmt = node(parse_stmt("select id from t join u on true").unwrap());
        assert!(normalize_query(&stmt, &[], &Cat::new(), None)
            .err()
            .unwrap()
            .contains("ambiguous"));
    }

    #[test]
    fn parameters_meet() {
        let p = Params {
            function: "f4".into(),
            args: vec![(Some("x".into()), ty("int"))],
        };
        let e = |sql: &str| {
            let n = normalize::parse_expr(sql).unwrap();
            normalize_scalar(&n, &Cat::new(), Some(&p)).unwrap().1
        };
        assert_eq!(e("x + 1"), e("(x + 1)"));
        assert_eq!(e("$1 * 2"), e("(x * 2)"));
        assert_eq!(e("f4.x > 0"), e("(x > 0)"));
        let dml = |sql: &str| {
            normalize_dml(&parse_stmt(sql).unwrap(), &Cat::new(), Some(&p))
                .unwrap()
                .1
        };
        assert_eq!(
            dml("insert into u values (x)"),
            dml("INSERT INTO public.u (id) VALUES (f4.x)")
        );
    }
}
