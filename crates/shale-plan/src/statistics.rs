//! Steps for extended statistics (rules `SH280`–`SH284`).
//!
//! A statistics object changes no data and no query result: only the planner's estimates
//! (plans of queries on its table) change. `CREATE STATISTICS` takes `SHARE UPDATE
//! EXCLUSIVE` on the table (writes go on); the statistics are empty until the next
//! `ANALYZE` (autovacuum, or by hand). It is created after its table and columns and
//! dropped before them (the model's dependencies).

use crate::build::{deps, object_name, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::statistics::StatisticsChange;

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 1;
    pub const CREATE: u8 = 17;
    pub const ALTER: u8 = 18;
}

impl Builder<'_> {
    pub(crate) fn statistics(&mut self, c: &StatisticsChange) {
        let object = c.object();
        match c {
            StatisticsChange::Create {
                statistics,
                recreate,
            } => {
                let mut risk = self.risk(RuleId::CreateStatistics, &object, |v| {
                    v.table = statistics.table.to_string()
                });
                if let Some(why) = recreate {
                    let name = object_name(&object);
                    risk.reason = risk.reason.replacen(
                        &format!("creates statistics {name}"),
                        &format!("creates statistics {name} again (dropped because {why})"),
                        1,
                    );
                }
                let mut d = Draft::new(
                    object.clone(),
                    Action::Create,
                    statistics.create_sql(),
                    risk,
                    rank::CREATE,
                );
                d.needs = deps(self.to, &object);
                d.creates = vec![object];
                self.push(d);
            }
            StatisticsChange::Drop {
                statistics,
                recreate,
            } => {
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreateStatistics, &object, |v| {
                        v.table = statistics.table.to_string();
                        v.detail = why.clone()
                    }),
                    None => self.risk(RuleId::DropStatistics, &object, |v| {
                        v.table = statistics.table.to_string()
                    }),
                };
                let d = self.drop(
                    vec![object],
                    format!("DROP STATISTICS {}", statistics.name),
                    risk,
                    rank::DROP,
                );
                self.push(d);
            }
            StatisticsChange::SetTarget { statistics, from } => {
                let show = |t: Option<i32>| t.map_or("the default".to_string(), |t| t.to_string());
                let risk = self.risk(RuleId::SetStatisticsTarget, &object, |v| {
                    v.table = statistics.table.to_string();
                    v.detail = format!("{} to {}", show(*from), show(statistics.target))
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    statistics.target_sql(),
                    risk,
                    rank::ALTER,
                );
                d.needs = vec![object.clone()];
                d.creates = vec![object];
                self.push(d);
            }
        }
    }
}
