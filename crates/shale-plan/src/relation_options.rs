//! Steps for storage parameters of indexes and materialized views and statistics targets
//! of index columns ([`RelationOptionChange`], rules `SH317`–`SH319`), and the `WITH (…)`
//! clause of a new index or materialized view.

use crate::build::{deps, rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use crate::table_options::storage_list;
use shale_diff::relation_options::RelationOptionChange;
use shale_model::{quote_ident, ObjectId};
use std::collections::BTreeMap;

/// ` WITH (fillfactor=70)`, or nothing.
pub(crate) fn with_clause(storage: &BTreeMap<String, String>) -> String {
    if storage.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", storage_list(storage))
    }
}

/// `SET (a=1), RESET (b)`: what turns `from` into `to`.
fn set_reset(from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) -> String {
    let set: BTreeMap<String, String> = to
        .iter()
        .filter(|(k, v)| from.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let reset: Vec<String> = from
        .keys()
        .filter(|k| !to.contains_key(*k))
        .map(|k| quote_ident(k))
        .collect();
    let mut parts = Vec::new();
    if !set.is_empty() {
        parts.push(format!("SET ({})", storage_list(&set)));
    }
    if !reset.is_empty() {
        parts.push(format!("RESET ({})", reset.join(", ")));
    }
    parts.join(", ")
}

fn index_name(o: &ObjectId) -> String {
    match o {
        ObjectId::Index { name } => name.to_string(),
        other => crate::build::object_name(other),
    }
}

impl Builder<'_> {
    pub(crate) fn relation_option(&mut self, c: &RelationOptionChange) {
        let object = c.object();
        let (id, sql, detail, table) = match c {
            RelationOptionChange::SetStorage {
                object: o,
                table,
                from,
                to,
            } => {
                let change = set_reset(from, to);
                match o {
                    ObjectId::View { name } => (
                        RuleId::SetMatviewStorage,
                        format!("ALTER MATERIALIZED VIEW {name} {change}"),
                        format!(" ({change})"),
                        table.clone(),
                    ),
                    _ => (
                        RuleId::SetIndexStorage,
                        format!("ALTER INDEX {} {change}", index_name(o)),
                        format!(" ({change})"),
                        table.clone(),
                    ),
                }
            }
            RelationOptionChange::SetIndexStatistics {
                index,
                table,
                column,
                to,
                ..
            } => {
                let t = to.unwrap_or(-1);
                (
                    RuleId::SetIndexStatistics,
                    format!("ALTER INDEX {index} ALTER COLUMN {column} SET STATISTICS {t}"),
                    format!(
                        ", column {column}, to {}",
                        to.map(|t| t.to_string())
                            .unwrap_or_else(|| "the default".into())
                    ),
                    table.clone(),
                )
            }
        };
        let risk = self.risk(id, &object, |v| {
            v.table = table.to_string();
            v.detail = detail;
        });
        let mut d = Draft::new(object.clone(), Action::Alter, sql, risk, rank::COMMENT);
        // After the index or view exists in its desired shape; creates nothing others
        // wait for.
        d.needs = deps(self.to, &object);
        d.needs.push(object.clone());
        self.push(d);
    }
}
