//! Checks of the SQL fragments a YAML document holds (types and expressions), one at a
//! time with the real PostgreSQL parser, so that an error names the YAML object it is in
//! and a fragment can never spill into the DDL around it (`1); DROP TABLE x; SELECT (1`).

use pg_query::protobuf::{self, node::Node as N};

/// What a valid type fragment names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeInfo {
    /// The name parts as the parser reads them (`["pg_catalog", "varchar"]`, `["mood"]`).
    pub names: Vec<String>,
    /// A built-in type (or a serial pseudo-type), as the SQL front end's type parser
    /// ([`shale_sql::parse_type`]) reads it.
    pub builtin: bool,
}

impl TypeInfo {
    pub fn is_serial(&self) -> bool {
        self.names.len() == 1
            && matches!(
                self.names[0].as_str(),
                "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
            )
    }
}

fn parse(sql: &str) -> Result<protobuf::ParseResult, String> {
    pg_query::parse(sql, 0)
        .map(|r| r.protobuf)
        .map_err(|e| match e {
            pg_query::Error::Parse(m) => m,
            other => other.to_string(),
        })
}

fn only_stmt(r: &protobuf::ParseResult) -> Option<&N> {
    if r.stmts.len() != 1 {
        return None;
    }
    r.stmts[0].stmt.as_ref()?.node.as_ref()
}

fn sval(n: &protobuf::Node) -> Option<&str> {
    match n.node.as_ref()? {
        N::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// Check that `ty` is exactly one type name (modifiers and array bounds allowed) and
/// nothing else.
pub fn check_type(ty: &str) -> Result<TypeInfo, String> {
    if ty.trim().is_empty() {
        return Err("empty type".into());
    }
    let bad = || format!("invalid type \"{ty}\"");
    let r = parse(&format!("CREATE TABLE t (c {ty}, d int)")).map_err(|_| bad())?;
    let Some(N::CreateStmt(cs)) = only_stmt(&r) else {
        return Err(bad());
    };
    if cs.table_elts.len() != 2 {
        return Err(bad());
    }
    let Some(N::ColumnDef(cd)) = cs.table_elts[0].node.as_ref() else {
        return Err(bad());
    };
    if !cd.constraints.is_empty() || cd.coll_clause.is_some() || cd.raw_default.is_some() {
        return Err(format!(
            "invalid type \"{ty}\": give only the type (use `not_null`, `default`, `collation`)"
        ));
    }
    let Some(tn) = cd.type_name.as_ref() else {
        return Err(bad());
    };
    let names = tn
        .names
        .iter()
        .map(|n| sval(n).map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    if tn.setof || tn.pct_type || names.is_empty() || names.len() > 2 {
        return Err(bad());
    }
    // The SQL front end's own reading decides what is built in (no list of our own); a
    // name it cannot read is left to the caller's "no such type".
    let builtin = shale_sql::parse_type(ty, &[]).is_ok_and(|t| t.schema.is_none());
    let mut info = TypeInfo { names, builtin };
    info.builtin |= info.is_serial();
    Ok(info)
}

/// Check that generated DDL is exactly one statement (no fragment in it ended it early or
/// added another).
pub fn check_statement(sql: &str) -> Result<(), String> {
    let r = parse(sql).map_err(|m| format!("invalid SQL: {m}"))?;
    if only_stmt(&r).is_some() {
        Ok(())
    } else {
        Err(format!(
            "invalid SQL: a fragment ends the statement early or adds another: {sql}"
        ))
    }
}

/// Check that `expr` is exactly one SQL expression.
pub fn check_expr(expr: &str) -> Result<(), String> {
    if expr.trim().is_empty() {
        return Err("empty expression".into());
    }
    let r = parse(&format!("SELECT ({expr}), 1"))
        .map_err(|m| format!("invalid expression `{expr}`: {m}"))?;
    let ok = match only_stmt(&r) {
        Some(N::SelectStmt(s)) => {
            let mut rest = (**s).clone();
            rest.target_list.clear();
            s.target_list.len() == 2 && rest == empty_select()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid expression `{expr}`: not a single expression"
        ))
    }
}

fn empty_select() -> protobuf::SelectStmt {
    let r = parse("SELECT 1").expect("a constant query parses");
    match only_stmt(&r) {
        Some(N::SelectStmt(s)) => {
            let mut s = (**s).clone();
            s.target_list.clear();
            s
        }
        _ => protobuf::SelectStmt::default(),
    }
}

/// Can `expr` (already checked) stand bare after `DEFAULT`, which takes a restricted
/// expression grammar (`DEFAULT a AND b` is a syntax error)?
pub fn default_fits_bare(expr: &str) -> bool {
    let Ok(r) = parse(&format!("CREATE TABLE t (c int DEFAULT {expr}, d int)")) else {
        return false;
    };
    let Some(N::CreateStmt(cs)) = only_stmt(&r) else {
        return false;
    };
    cs.table_elts.len() == 2
        && matches!(cs.table_elts[0].node.as_ref(), Some(N::ColumnDef(cd))
            if cd.constraints.len() == 1 && cd.coll_clause.is_none())
}

/// The parsed top node of an expression, if it parses alone.
fn expr_node(expr: &str) -> Option<protobuf::Node> {
    let r = parse(&format!("SELECT ({expr})")).ok()?;
    match only_stmt(&r)? {
        N::SelectStmt(s) if s.target_list.len() == 1 => match s.target_list[0].node.as_ref()? {
            N::ResTarget(rt) => rt.val.as_deref().cloned(),
            _ => None,
        },
        _ => None,
    }
}

/// Distinct column names an expression refers to (last part of each column reference).
/// `None` when the expression does not parse.
pub fn column_refs(expr: &str) -> Option<Vec<String>> {
    let node = expr_node(expr)?;
    let v = serde_json::to_value(&node).ok()?;
    let mut out = Vec::new();
    collect_column_refs(&v, &mut out);
    Some(out)
}

fn collect_column_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(cr) = m.get("ColumnRef") {
                let last = cr
                    .get("fields")
                    .and_then(|f| f.as_array())
                    .and_then(|f| f.last())
                    .and_then(|n| n.pointer("/node/String/sval"))
                    .and_then(|s| s.as_str());
                if let Some(name) = last {
                    if !out.iter().any(|o| o == name) {
                        out.push(name.to_string());
                    }
                }
            }
            for x in m.values() {
                collect_column_refs(x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                collect_column_refs(x, out);
            }
        }
        _ => {}
    }
}

/// The name PostgreSQL gives an index column for an expression key (`lower(email)` →
/// `lower`, `(a + b)` → `expr`), when this is sure of it; `None` otherwise.
pub fn index_expr_colname(expr: &str) -> Option<String> {
    let node = expr_node(expr)?;
    match figure_colname(&node)? {
        Some(n) => Some(n),
        None => Some("expr".to_string()),
    }
}

/// `Some(Some(name))`: named; `Some(None)`: PostgreSQL falls back to `expr`;
/// `None`: not sure.
fn figure_colname(node: &protobuf::Node) -> Option<Option<String>> {
    match node.node.as_ref()? {
        N::ColumnRef(c) => Some(c.fields.last().and_then(sval).map(str::to_string)),
        N::FuncCall(f) => Some(f.funcname.last().and_then(sval).map(str::to_string)),
        N::TypeCast(tc) => {
            let inner = figure_colname(tc.arg.as_deref()?)?;
            match inner {
                Some(n) => Some(Some(n)),
                None => {
                    // A cast of something unnamed is named after the type.
                    let tn = tc.type_name.as_ref()?;
                    Some(tn.names.last().and_then(sval).map(str::to_string))
                }
            }
        }
        N::CollateClause(cc) => figure_colname(cc.arg.as_deref()?),
        N::AExpr(a) => {
            // AEXPR_NULLIF is named `nullif`; the other operator kinds fall back.
            if a.kind == protobuf::AExprKind::AexprNullif as i32 {
                Some(Some("nullif".into()))
            } else {
                Some(None)
            }
        }
        N::BoolExpr(_) | N::AConst(_) | N::NullTest(_) | N::BooleanTest(_) => Some(None),
        _ => None,
    }
}

/// Types that well-known extensions create (so that `citext` is known once `citext` is
/// declared). An extension missing here makes every unknown type name acceptable.
pub fn extension_types(ext: &str) -> Option<&'static [&'static str]> {
    Some(match ext {
        "citext" => &["citext"],
        "hstore" => &["hstore"],
        "ltree" => &["ltree", "lquery", "ltxtquery"],
        "cube" => &["cube"],
        "earthdistance" => &["earth"],
        "seg" => &["seg"],
        "isn" => &[
            "ean13", "isbn13", "ismn13", "issn13", "isbn", "ismn", "issn", "upc",
        ],
        "postgis" => &["geometry", "geography", "box2d", "box3d"],
        "vector" => &["vector", "halfvec", "sparsevec"],
        "pgcrypto" | "uuid-ossp" | "pg_trgm" | "btree_gin" | "btree_gist" | "unaccent"
        | "fuzzystrmatch" | "pg_stat_statements" | "plpgsql" | "tablefunc" | "intarray" => &[],
        _ => return None,
    })
}

/// Index access methods that well-known extensions add; `None` for an extension not
/// listed here (which may add any).
pub fn extension_access_methods(ext: &str) -> Option<&'static [&'static str]> {
    Some(match ext {
        "bloom" => &["bloom"],
        "vector" => &["ivfflat", "hnsw"],
        "rum" => &["rum"],
        _ => {
            extension_types(ext)?;
            &[]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(
            check_type("varchar(20)").unwrap().names,
            vec!["pg_catalog", "varchar"]
        );
        assert_eq!(check_type("text[]").unwrap().names, vec!["text"]);
        assert_eq!(check_type("app.mood").unwrap().names, vec!["app", "mood"]);
        assert!(check_type("bigserial").unwrap().is_serial());
        assert!(check_type("int NOT NULL").is_err());
        assert!(check_type("int, x int").is_err());
        assert!(check_type("int); DROP TABLE x; CREATE TABLE y (c int").is_err());
        assert!(check_type("").is_err());
        assert!(check_type("int COLLATE \"C\"").is_err());
    }

    #[test]
    fn expressions() {
        assert!(check_expr("now()").is_ok());
        assert!(check_expr("a > 0 AND b > 0").is_ok());
        assert!(check_expr("a -- c\n + 1").is_ok());
        assert!(check_expr("1 -- trailing comment").is_err());
        assert!(check_expr("1), (2").is_err());
        assert!(check_expr("1) FROM (x").is_err());
        assert!(check_expr("1); DROP TABLE x; SELECT (1").is_err());
        assert!(check_expr("").is_err());
        assert!(default_fits_bare("now()"));
        assert!(default_fits_bare("'x'::text"));
        assert!(!default_fits_bare("true AND false"));
    }

    #[test]
    fn column_references_and_index_names() {
        assert_eq!(column_refs("a > 0 AND t.a < 10").unwrap(), vec!["a"]);
        assert_eq!(column_refs("a > b").unwrap(), vec!["a", "b"]);
        assert_eq!(index_expr_colname("lower(email)").unwrap(), "lower");
        assert_eq!(index_expr_colname("(a + b)").unwrap(), "expr");
        assert_eq!(index_expr_colname("c::integer").unwrap(), "c");
        assert_eq!(index_expr_colname("c COLLATE \"C\"").unwrap(), "c");
        assert_eq!(
            index_expr_colname("public.my_fn(a)").unwrap(),
            "my_fn".to_string()
        );
    }
}
