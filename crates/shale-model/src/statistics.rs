//! Extended statistics (`CREATE STATISTICS`).
//!
//! Canonical conventions (both front ends follow them):
//! - A statistics object is keyed by its schema-qualified name.
//! - `kinds` are the kinds built, in `pg_statistic_ext.stxkind` order (`ndistinct`,
//!   `dependencies`, `mcv`), without the implicit `e` (expressions): a statement without a
//!   kinds list builds all three, except on one expression alone, which builds none.
//! - `columns` are the plain columns in the table's column order (`stxkeys` is sorted by
//!   attribute number, and `pg_get_statisticsobjdef` prints them so), then `exprs` the
//!   expressions in the order written (PostgreSQL 14 and later).
//! - `target` is `stxstattarget` when set (`ALTER STATISTICS … SET STATISTICS n`);
//!   `None` is the default (-1).

use crate::ident::{quote_ident, QualName};
use crate::{Catalog, Expr, ObjectId};
use serde::{Deserialize, Serialize};

/// Every kind, in `stxkind` order, as `CREATE STATISTICS` spells it.
pub const STATISTICS_KINDS: [&str; 3] = ["ndistinct", "dependencies", "mcv"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub name: QualName,
    pub table: QualName,
    /// A subset of [`STATISTICS_KINDS`], in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exprs: Vec<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Statistics {
    pub fn id(&self) -> ObjectId {
        ObjectId::Statistics {
            name: self.name.clone(),
        }
    }

    /// Whether the statement needs a kinds list to build these kinds (as
    /// `pg_get_statisticsobjdef` decides: not when all are built, nor for one expression).
    fn kinds_written(&self) -> bool {
        let single_expr = self.columns.is_empty() && self.exprs.len() == 1;
        !(single_expr && self.kinds.is_empty()) && self.kinds.len() < STATISTICS_KINDS.len()
    }

    /// `CREATE STATISTICS …` (the target and the comment are separate statements).
    pub fn create_sql(&self) -> String {
        let mut s = format!("CREATE STATISTICS {}", self.name);
        if self.kinds_written() {
            s.push_str(&format!(" ({})", self.kinds.join(", ")));
        }
        let mut items: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
        items.extend(self.exprs.iter().map(|e| format!("({})", e.sql)));
        s.push_str(&format!(" ON {} FROM {}", items.join(", "), self.table));
        s
    }

    /// `ALTER STATISTICS … SET STATISTICS n` (-1: the default).
    pub fn target_sql(&self) -> String {
        format!(
            "ALTER STATISTICS {} SET STATISTICS {}",
            self.name,
            self.target.unwrap_or(-1)
        )
    }
}

impl Catalog {
    /// Dependencies of statistics (the part of [`Catalog::dependencies`] for them): the
    /// schema, the table, the columns named and what the expressions need.
    pub(crate) fn statistics_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        let ObjectId::Statistics { name } = id else {
            return;
        };
        out.push(ObjectId::Schema {
            name: name.schema.clone(),
        });
        let Some(s) = self.statistics.get(name) else {
            return;
        };
        out.push(ObjectId::Table {
            name: s.table.clone(),
        });
        let col = |c: &str| ObjectId::Column {
            table: s.table.clone(),
            column: c.to_string(),
        };
        out.extend(s.columns.iter().map(|c| col(c)));
        if let Some(t) = self.tables.get(&s.table) {
            for e in &s.exprs {
                // Columns an expression names (the expression's text holds them).
                for c in &t.columns {
                    if crate::statistics::names_column(&e.canon, &c.name) {
                        out.push(col(&c.name));
                    }
                }
                self.expr_dependencies(e, out);
            }
        }
    }
}

/// Whether a normalized expression mentions column `c` (as an identifier, quoted or
/// not): a conservative test, enough for ordering.
pub(crate) fn names_column(canon: &str, c: &str) -> bool {
    let quoted = quote_ident(c);
    let bytes = canon.as_bytes();
    let mut from = 0;
    while let Some(i) = canon[from..].find(quoted.as_str()) {
        let start = from + i;
        let end = start + quoted.len();
        let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        let before = start.checked_sub(1).and_then(|k| bytes.get(k));
        if !word(before) && !word(bytes.get(end)) {
            return true;
        }
        from = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Statistics {
        Statistics {
            name: QualName::new("public", "s"),
            table: QualName::new("public", "t"),
            kinds: vec!["ndistinct".into(), "mcv".into()],
            columns: vec!["a".into(), "B".into()],
            exprs: vec![Expr::new("lower(c)", "lower(c)")],
            target: Some(50),
            comment: None,
        }
    }

    #[test]
    fn sql_is_what_pg_get_statisticsobjdef_prints() {
        let s = sample();
        assert_eq!(
            s.create_sql(),
            "CREATE STATISTICS public.s (ndistinct, mcv) ON a, \"B\", (lower(c)) FROM public.t"
        );
        assert_eq!(
            s.target_sql(),
            "ALTER STATISTICS public.s SET STATISTICS 50"
        );
        let all = Statistics {
            kinds: STATISTICS_KINDS.iter().map(|k| k.to_string()).collect(),
            ..s.clone()
        };
        assert!(!all.create_sql().contains("(ndistinct"));
        let single = Statistics {
            kinds: vec![],
            columns: vec![],
            ..s
        };
        assert_eq!(
            single.create_sql(),
            "CREATE STATISTICS public.s ON (lower(c)) FROM public.t"
        );
    }

    #[test]
    fn depends_on_its_table_and_columns() {
        let mut cat = Catalog::default();
        let s = sample();
        let mut t = crate::Table::new(s.table.clone());
        t.columns
            .push(crate::Column::new("c", crate::TypeRef::builtin("text")));
        cat.tables.insert(t.name.clone(), t);
        cat.statistics.insert(s.name.clone(), s.clone());
        let deps = cat.dependencies(&s.id());
        let col = |c: &str| ObjectId::Column {
            table: s.table.clone(),
            column: c.into(),
        };
        assert!(deps.contains(&col("a")) && deps.contains(&col("B")) && deps.contains(&col("c")));
        assert!(deps.contains(&ObjectId::Table {
            name: s.table.clone()
        }));
        assert!(names_column("lower(c)", "c") && !names_column("lower(cc)", "c"));
        assert_eq!(s.id().to_string(), "statistics public.s");
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
