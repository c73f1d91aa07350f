//! Implicit object names, as PostgreSQL 15 chooses them (`makeObjectName`,
//! `ChooseRelationName`, `ChooseConstraintName`, `ChooseIndexColumnNames`,
//! `FigureIndexColname`).

use pg_query::protobuf::Node;
use pg_query::NodeEnum;

pub use shale_model::naming::{
    choose_name, index_column_names, make_object_name, name_addition, truncate_ident,
    MAX_IDENT_BYTES,
};

/// `FigureIndexColname`: the name an expression index key contributes to the index name
/// (the function name for a call, the column for a column reference, `expr` otherwise).
pub fn figure_index_colname(node: &Node) -> String {
    figure_colname(node)
        .map(|(n, _)| n)
        .unwrap_or_else(|| "expr".to_string())
}

/// `FigureColnameInternal`: a name and its strength (2 = column/function, 1 = weak).
fn figure_colname(node: &Node) -> Option<(String, u8)> {
    match node.node.as_ref()? {
        NodeEnum::ColumnRef(c) => {
            let last = c.fields.last()?;
            match last.node.as_ref()? {
                NodeEnum::String(s) => Some((s.sval.clone(), 2)),
                _ => None,
            }
        }
        NodeEnum::AIndirection(ind) => {
            for i in ind.indirection.iter().rev() {
                if let Some(NodeEnum::String(s)) = i.node.as_ref() {
                    return Some((s.sval.clone(), 2));
                }
            }
            figure_colname(ind.arg.as_ref()?)
        }
        NodeEnum::FuncCall(f) => match f.funcname.last()?.node.as_ref()? {
            NodeEnum::String(s) => Some((s.sval.clone(), 2)),
            _ => None,
        },
        NodeEnum::AExpr(a) => {
            if a.kind == pg_query::protobuf::AExprKind::AexprNullif as i32 {
                Some(("nullif".into(), 2))
            } else {
                None
            }
        }
        NodeEnum::TypeCast(tc) => {
            let inner = tc.arg.as_deref().and_then(figure_colname);
            match inner {
                Some((n, s)) if s > 1 => Some((n, s)),
                other => {
                    let tn = tc.type_name.as_ref()?;
                    match tn.names.last().and_then(|n| n.node.as_ref()) {
                        Some(NodeEnum::String(s)) => Some((s.sval.clone(), 1)),
                        _ => other,
                    }
                }
            }
        }
        NodeEnum::CollateClause(c) => figure_colname(c.arg.as_ref()?),
        NodeEnum::CaseExpr(c) => {
            let inner = c.defresult.as_deref().and_then(figure_colname);
            match inner {
                Some((n, s)) if s > 1 => Some((n, s)),
                _ => Some(("case".into(), 1)),
            }
        }
        NodeEnum::AArrayExpr(_) => Some(("array".into(), 2)),
        NodeEnum::RowExpr(_) => Some(("row".into(), 2)),
        NodeEnum::CoalesceExpr(_) => Some(("coalesce".into(), 2)),
        NodeEnum::MinMaxExpr(m) => {
            // IS_GREATEST = 0, IS_LEAST = 1
            if m.op == pg_query::protobuf::MinMaxOp::IsGreatest as i32 {
                Some(("greatest".into(), 2))
            } else {
                Some(("least".into(), 2))
            }
        }
        NodeEnum::SqlvalueFunction(f) => {
            use pg_query::protobuf::SqlValueFunctionOp as O;
            let n = match O::try_from(f.op).ok()? {
                O::SvfopCurrentDate => "current_date",
                O::SvfopCurrentTime | O::SvfopCurrentTimeN => "current_time",
                O::SvfopCurrentTimestamp | O::SvfopCurrentTimestampN => "current_timestamp",
                O::SvfopLocaltime | O::SvfopLocaltimeN => "localtime",
                O::SvfopLocaltimestamp | O::SvfopLocaltimestampN => "localtimestamp",
                O::SvfopCurrentRole => "current_role",
                O::SvfopCurrentUser => "current_user",
                O::SvfopUser => "user",
                O::SvfopSessionUser => "session_user",
                O::SvfopCurrentCatalog => "current_catalog",
                O::SvfopCurrentSchema => "current_schema",
                _ => return None,
            };
            Some((n.into(), 2))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_names() {
        assert_eq!(make_object_name("t", None, Some("pkey")), "t_pkey");
        assert_eq!(make_object_name("t", Some("a_b"), Some("key")), "t_a_b_key");
    }

    #[test]
    fn truncation_shortens_longer_part_first() {
        let table = "a".repeat(60);
        let n = make_object_name(&table, Some("col"), Some("fkey"));
        assert_eq!(n.len(), 63);
        assert!(n.ends_with("_col_fkey"));
        let col = "c".repeat(40);
        let n = make_object_name(&table, Some(&col), Some("key"));
        assert_eq!(n.len(), 63);
        // both shortened to the same length (name2 first on a tie)
        let parts: Vec<&str> = n.split('_').collect();
        assert_eq!(parts[0].len(), 29);
        assert_eq!(parts[1].len(), 29);
    }

    #[test]
    fn truncation_is_multibyte_safe() {
        let table = "é".repeat(40); // 80 bytes
        let n = make_object_name(&table, None, Some("pkey"));
        assert!(n.len() <= 63);
        assert!(n.ends_with("_pkey"));
        assert!(n.starts_with("éé"));
    }

    #[test]
    fn clash_gets_number() {
        let used = ["t_a_check".to_string(), "t_a_check1".to_string()];
        let n = choose_name("t", Some("a"), "check", &|s| used.iter().any(|u| u == s));
        assert_eq!(n, "t_a_check2");
    }

    #[test]
    fn index_column_names_dedup() {
        let v = index_column_names(&["a".into(), "a".into(), "lower".into(), "a".into()]);
        assert_eq!(v, vec!["a", "a1", "lower", "a2"]);
    }

    fn expr(sql: &str) -> Node {
        let r = pg_query::parse(&format!("SELECT {sql}"), 0).unwrap();
        let stmt = r.protobuf.stmts[0].stmt.clone().unwrap();
        let Some(NodeEnum::SelectStmt(s)) = stmt.node else {
            panic!()
        };
        let Some(NodeEnum::ResTarget(rt)) = s.target_list[0].node.clone() else {
            panic!()
        };
        *rt.val.unwrap()
    }

    #[test]
    fn figure_names() {
        assert_eq!(figure_index_colname(&expr("lower(email)")), "lower");
        assert_eq!(
            figure_index_colname(&expr("pg_catalog.lower(email)")),
            "lower"
        );
        assert_eq!(figure_index_colname(&expr("a + b")), "expr");
        assert_eq!(figure_index_colname(&expr("(a)::text")), "a");
        assert_eq!(figure_index_colname(&expr("(a + 1)::text")), "text");
        assert_eq!(figure_index_colname(&expr("coalesce(a, b)")), "coalesce");
        assert_eq!(figure_index_colname(&expr("nullif(a, b)")), "nullif");
    }
}
