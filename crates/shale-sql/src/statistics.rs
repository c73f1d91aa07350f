//! Extended statistics in the SQL front end: `CREATE STATISTICS`, `ALTER STATISTICS …
//! SET STATISTICS / RENAME TO`, `COMMENT ON STATISTICS`, `DROP STATISTICS`, and what
//! dropping a table or a column does to them (PostgreSQL drops the statistics with it).
//!
//! This module is a child of `parse` (it extends its `Builder`). Checks follow
//! `commands/statscmds.c` where the files alone can tell. The live front end replays
//! `pg_get_statisticsobjdef` through the same code ([`Builder::create_statistics`]).

use super::*;
use shale_model::statistics::STATISTICS_KINDS;
use shale_model::Statistics;

impl Builder {
    /// The statistics object `names` designates (search path when unqualified).
    fn find_statistics(&self, names: &[String]) -> Option<QualName> {
        match names {
            [n] => self
                .path()
                .into_iter()
                .map(|s| QualName::new(s, n.clone()))
                .find(|q| self.cat.statistics.contains_key(q)),
            [s, n] | [_, s, n] => {
                let q = QualName::new(s.clone(), n.clone());
                self.cat.statistics.contains_key(&q).then_some(q)
            }
            _ => None,
        }
    }

    fn statistics_named(&self, names: &[String]) -> R<QualName> {
        self.find_statistics(names).ok_or_else(|| {
            at(-1)(format!(
                "statistics object \"{}\" does not exist",
                names.join(".")
            ))
        })
    }

    pub(super) fn create_statistics(&mut self, s: &protobuf::CreateStatsStmt) -> R<()> {
        let [rel] = s.relations.as_slice() else {
            return err(-1, "only a single relation is allowed in CREATE STATISTICS");
        };
        let Some(NodeEnum::RangeVar(rv)) = rel.node.as_ref() else {
            return err(-1, "CREATE STATISTICS only supports tables");
        };
        let table = self.find_table(rv)?;
        let t = self.cat.tables.get(&table).expect("found").clone();
        let mut columns: Vec<String> = Vec::new();
        let mut exprs = Vec::new();
        let mut addition = Vec::new();
        for e in &s.exprs {
            let Some(NodeEnum::StatsElem(el)) = e.node.as_ref() else {
                return err(-1, "unexpected element in CREATE STATISTICS");
            };
            if !el.name.is_empty() {
                if t.column(&el.name).is_none() {
                    return err(-1, format!("column \"{}\" does not exist", el.name));
                }
                if columns.contains(&el.name) {
                    return err(-1, "duplicate column name in statistics definition");
                }
                columns.push(el.name.clone());
                addition.push(el.name.clone());
                continue;
            }
            let Some(x) = el.expr.as_deref() else {
                return err(-1, "unexpected element in CREATE STATISTICS");
            };
            let loc = Self::node_location(x);
            // A bare column in parentheses is a plain column (as PostgreSQL reads it).
            if let Some(NodeEnum::ColumnRef(c)) = x.node.as_ref() {
                if let [f] = strings(&c.fields).as_slice() {
                    if t.column(f).is_none() {
                        return err(loc, format!("column \"{f}\" does not exist"));
                    }
                    if columns.contains(f) {
                        return err(-1, "duplicate column name in statistics definition");
                    }
                    columns.push(f.clone());
                    addition.push(f.clone());
                    continue;
                }
            }
            for c in column_refs(x) {
                if t.column(&c).is_none() {
                    return err(loc, format!("column \"{c}\" does not exist"));
                }
            }
            let ex = self.norm_expr(x, &t.columns, None, loc)?;
            if exprs.contains(&ex) {
                return err(loc, "duplicate expression in statistics definition");
            }
            exprs.push(ex);
            addition.push("expr".to_string());
        }
        let single_expr = columns.is_empty() && exprs.len() == 1;
        if columns.len() + exprs.len() < 2 && !single_expr {
            return err(-1, "extended statistics require at least 2 columns");
        }
        let mut wanted: Vec<String> = Vec::new();
        for k in strings(&s.stat_types) {
            if !STATISTICS_KINDS.contains(&k.as_str()) {
                return err(-1, format!("unrecognized statistics kind \"{k}\""));
            }
            wanted.push(k);
        }
        if single_expr && !wanted.is_empty() {
            return err(
                -1,
                "when building statistics on a single expression, statistics kinds may not be specified",
            );
        }
        let kinds: Vec<String> = if single_expr {
            Vec::new()
        } else {
            STATISTICS_KINDS
                .iter()
                .filter(|k| wanted.is_empty() || wanted.iter().any(|w| w == *k))
                .map(|k| k.to_string())
                .collect()
        };
        // Plain columns in the table's order (stxkeys is sorted by attribute number).
        let pos = |c: &String| t.columns.iter().position(|x| &x.name == c);
        columns.sort_by_key(pos);
        let name = match strings(&s.defnames).as_slice() {
            [] => {
                let schema = table.schema.clone();
                let taken = |n: &str| {
                    self.cat
                        .statistics
                        .contains_key(&QualName::new(schema.clone(), n))
                };
                let n = naming::choose_name(
                    &table.name,
                    Some(&name_addition(&addition)),
                    "stat",
                    &taken,
                );
                QualName::new(table.schema.clone(), n)
            }
            [n] => QualName::new(self.create_schema_for("", -1)?, n.clone()),
            [sc, n] | [_, sc, n] => QualName::new(self.create_schema_for(sc, -1)?, n.clone()),
            _ => return err(-1, "improper statistics name"),
        };
        if self.cat.statistics.contains_key(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(
                -1,
                format!("statistics object \"{}\" already exists", name.name),
            );
        }
        self.cat.statistics.insert(
            name.clone(),
            Statistics {
                name,
                table,
                kinds,
                columns,
                exprs,
                target: None,
                comment: None,
            },
        );
        Ok(())
    }

    /// `ALTER STATISTICS … SET STATISTICS n | DEFAULT`.
    pub(super) fn alter_statistics(&mut self, s: &protobuf::AlterStatsStmt) -> R<()> {
        let names = strings(&s.defnames);
        let Some(q) = self.find_statistics(&names) else {
            if s.missing_ok {
                return Ok(());
            }
            return self.statistics_named(&names).map(|_| ());
        };
        let target = match s.stxstattarget.as_deref().and_then(|n| n.node.as_ref()) {
            None => -1,
            Some(NodeEnum::Integer(i)) => i.ival as i64,
            Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                Some(protobuf::a_const::Val::Ival(i)) => i.ival as i64,
                None => -1,
                _ => return err(-1, "statistics target must be an integer"),
            },
            _ => return err(-1, "statistics target must be an integer"),
        };
        if target < -1 {
            return err(-1, format!("statistics target {target} is too low"));
        }
        let target = target.min(10000) as i32;
        self.cat.statistics.get_mut(&q).expect("found").target = (target != -1).then_some(target);
        Ok(())
    }

    pub(super) fn is_statistics_rename(s: &protobuf::RenameStmt) -> bool {
        s.rename_type == ObjectType::ObjectStatisticExt as i32
    }

    /// `ALTER STATISTICS … RENAME TO …`.
    pub(super) fn rename_statistics(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let names = object_names(s.object.as_deref());
        let q = self.statistics_named(&names)?;
        let new = QualName::new(q.schema.clone(), s.newname.clone());
        if self.cat.statistics.contains_key(&new) {
            return err(
                -1,
                format!("statistics object \"{}\" already exists", s.newname),
            );
        }
        let mut st = self.cat.statistics.remove(&q).expect("found");
        st.name = new.clone();
        self.cat.statistics.insert(new, st);
        Ok(())
    }

    pub(super) fn is_statistics_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectStatisticExt as i32
    }

    pub(super) fn statistics_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let q = self.statistics_named(&object_names(s.object.as_deref()))?;
        self.cat.statistics.get_mut(&q).expect("found").comment =
            (!s.comment.is_empty()).then(|| s.comment.clone());
        Ok(())
    }

    pub(super) fn is_statistics_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectStatisticExt as i32
    }

    pub(super) fn drop_statistics(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let names = object_names(Some(o));
            match self.find_statistics(&names) {
                Some(q) => {
                    self.cat.statistics.remove(&q);
                }
                None if s.missing_ok => {}
                None => return self.statistics_named(&names).map(|_| ()),
            }
        }
        Ok(())
    }

    /// After a statement: statistics of a dropped table, or naming a dropped column, went
    /// with it (PostgreSQL's automatic dependencies).
    pub(super) fn prune_statistics(&mut self) {
        if self.cat.statistics.is_empty() {
            return;
        }
        let tables = &self.cat.tables;
        self.cat.statistics.retain(|_, s| {
            let Some(t) = tables.get(&s.table) else {
                return false;
            };
            s.columns.iter().all(|c| t.column(c).is_some())
                && s.exprs.iter().all(|e| {
                    column_refs_of_canon(&e.canon)
                        .iter()
                        .all(|c| t.column(c).is_some())
                })
        });
    }
}

/// Column names an expression's canonical text reads (re-parsed; empty if it does not
/// parse, which keeps the statistics).
fn column_refs_of_canon(canon: &str) -> Vec<String> {
    let Ok(parsed) = pg_query::parse(&format!("SELECT {canon}"), 0) else {
        return Vec::new();
    };
    let Some(NodeEnum::SelectStmt(sel)) = parsed
        .protobuf
        .stmts
        .first()
        .and_then(|s| s.stmt.as_ref())
        .and_then(|s| s.node.as_ref())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &sel.target_list {
        if let Some(NodeEnum::ResTarget(rt)) = t.node.as_ref() {
            if let Some(v) = rt.val.as_deref() {
                out.extend(column_refs(v));
            }
        }
    }
    out
}

/// The name list a statement names (a `List` of strings, or one `String`).
fn object_names(n: Option<&Node>) -> Vec<String> {
    match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::List(l)) => strings(&l.items),
        _ => Vec::new(),
    }
}
