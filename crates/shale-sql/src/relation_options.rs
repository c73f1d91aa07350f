//! Storage parameters of indexes and materialized views, and statistics targets of index
//! columns, in the SQL front end: `CREATE INDEX … WITH (…)`, `CREATE MATERIALIZED VIEW …
//! WITH (…)`, `ALTER INDEX … SET (…) / RESET (…)`, `ALTER MATERIALIZED VIEW … SET (…) /
//! RESET (…)` and `ALTER INDEX … ALTER COLUMN n SET STATISTICS t`.
//!
//! Parameters are kept as `reloptions` stores them (`fillfactor` → `70`), like a table's
//! (`table_options.rs`); a statistics target by the index column's number.

use super::table_options::storage_params;
use super::*;

/// The parameters of a `WITH (…)` list, as `reloptions` holds them.
pub(super) fn with_params(options: &[Node]) -> R<BTreeMap<String, String>> {
    Ok(storage_params(options, false)?.into_iter().collect())
}

fn is_index_option_cmd(c: &protobuf::AlterTableCmd) -> bool {
    use AlterTableType as A;
    [A::AtSetRelOptions, A::AtResetRelOptions, A::AtSetStatistics]
        .iter()
        .any(|t| *t as i32 == c.subtype)
}

impl Builder {
    /// `ALTER INDEX … SET (…) | RESET (…) | ALTER COLUMN n SET STATISTICS t`.
    pub(super) fn is_index_options_alter(s: &protobuf::AlterTableStmt) -> bool {
        let cmds: Vec<&protobuf::AlterTableCmd> = s
            .cmds
            .iter()
            .filter_map(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c)) => Some(c.as_ref()),
                _ => None,
            })
            .collect();
        s.objtype == ObjectType::ObjectIndex as i32
            && !cmds.is_empty()
            && cmds.iter().all(|c| is_index_option_cmd(c))
    }

    /// The index `rv` names, on a table or a materialized view.
    fn index_mut(&mut self, rv: &protobuf::RangeVar) -> Option<&mut Index> {
        let schemas = self.path_or(&rv.schemaname);
        for sch in schemas {
            let q = QualName::new(sch.clone(), rv.relname.clone());
            if self.cat.indexes.contains_key(&q) {
                return self.cat.indexes.get_mut(&q);
            }
            if let Some(vq) = self
                .cat
                .views
                .iter()
                .find(|(_, v)| v.indexes.contains_key(&q))
                .map(|(k, _)| k.clone())
            {
                return self.cat.views.get_mut(&vq)?.indexes.get_mut(&q);
            }
            if self.relation_taken(&sch, &rv.relname) {
                return None;
            }
        }
        None
    }

    pub(super) fn alter_index_options(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        use AlterTableType as A;
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing index name".into(),
        })?;
        let missing = || {
            E {
            loc: rv.location,
            msg: format!(
                "index \"{}\" does not exist (storage parameters of constraint indexes are not supported)",
                rv_display(rv)
            ),
        }
        };
        if self.index_mut(rv).is_none() {
            if s.missing_ok {
                return Ok(());
            }
            return Err(missing());
        }
        for c in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = c.node.as_ref() else {
                continue;
            };
            let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
            let list = match def {
                Some(NodeEnum::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            let sub = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
            let ix = self.index_mut(rv).ok_or_else(missing)?;
            match sub {
                A::AtSetRelOptions => {
                    for (k, v) in storage_params(&list, false)? {
                        ix.storage.insert(k, v);
                    }
                }
                A::AtResetRelOptions => {
                    for (k, _) in storage_params(&list, true)? {
                        ix.storage.remove(&k);
                    }
                }
                _ => {
                    let n = match def {
                        Some(NodeEnum::Integer(i)) => i.ival,
                        _ => return err(-1, "SET STATISTICS needs an integer"),
                    };
                    if !(-1..=10000).contains(&n) {
                        return err(-1, format!("statistics target {n} is out of range"));
                    }
                    if !cmd.name.is_empty() {
                        return err(
                            -1,
                            format!(
                                "cannot refer to index column \"{}\" by name: use its number",
                                cmd.name
                            ),
                        );
                    }
                    let num = cmd.num;
                    let key = usize::try_from(num)
                        .ok()
                        .and_then(|k| k.checked_sub(1))
                        .and_then(|k| ix.keys.get(k));
                    let Some(key) = key else {
                        return err(
                            -1,
                            format!(
                                "column number {num} of relation \"{}\" does not exist",
                                ix.name.name
                            ),
                        );
                    };
                    if !matches!(key.key, IndexKeyExpr::Expr(_)) {
                        return err(
                            -1,
                            format!(
                                "cannot alter statistics on non-expression column of index \"{}\"",
                                ix.name.name
                            ),
                        );
                    }
                    if n == -1 {
                        ix.statistics.remove(&(num as u16));
                    } else {
                        ix.statistics.insert(num as u16, n);
                    }
                }
            }
        }
        Ok(())
    }
}
