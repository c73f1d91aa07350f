//! Steps for aggregates and casts (rules `SH230`–`SH237`).
//!
//! Order comes from the model's dependencies: an aggregate or cast is created after the
//! functions and types it uses and dropped before them; a view or function calling an
//! aggregate is created after it and dropped before it. When a function they use is
//! re-created (the diff says so), they are dropped before it and created again after.

use crate::build::{deps, Builder};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::aggregates::AggregateChange;
use shale_model::{Aggregate, Cast, CastContext, CastMethod};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 6;
    pub const CREATE: u8 = 14;
}

/// ` (state function public.add, state type integer)`.
fn aggregate_detail(a: &Aggregate) -> String {
    format!(" (state function {}, state type {})", a.sfunc, a.stype)
}

fn cast_detail(c: &Cast) -> String {
    let how = match &c.method {
        CastMethod::Function { name, .. } => format!("through {name}"),
        CastMethod::Binary => "binary-coercible".into(),
        CastMethod::Inout => "through text (INOUT)".into(),
    };
    let ctx = match c.context {
        CastContext::Explicit => "explicit",
        CastContext::Assignment => "on assignment",
        CastContext::Implicit => {
            "IMPLICIT: every expression mixing the two types may now resolve through it"
        }
    };
    format!(" ({how}; {ctx})")
}

impl Builder<'_> {
    pub(crate) fn aggregate(&mut self, c: &AggregateChange) {
        let object = c.object();
        match c {
            AggregateChange::CreateAggregate {
                aggregate,
                recreate,
            } => {
                let mut risk = self.risk(RuleId::CreateAggregate, &object, |v| {
                    v.detail = aggregate_detail(aggregate)
                });
                if let Some(why) = recreate {
                    risk.reason = format!("{} again, because {why}", risk.reason);
                }
                let d = self.create(
                    object,
                    Action::Create,
                    aggregate.create_sql(false),
                    risk,
                    rank::CREATE,
                );
                self.push(d);
            }
            AggregateChange::ReplaceAggregate { from, to } => {
                let risk = self.risk(RuleId::ReplaceAggregate, &object, |v| {
                    v.detail = aggregate_detail(to)
                });
                let mut d = self.create(
                    object,
                    Action::Alter,
                    to.create_sql(true),
                    risk,
                    rank::CREATE,
                );
                d.releases = deps(self.from, &from.id());
                self.push(d);
            }
            AggregateChange::DropAggregate {
                aggregate,
                recreate,
            } => {
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreateAggregate, &object, |v| {
                        v.detail = why.clone()
                    }),
                    None => self.risk(RuleId::DropAggregate, &object, |_| {}),
                };
                let d = self.drop(vec![object], aggregate.drop_sql(), risk, rank::DROP);
                self.push(d);
            }
            AggregateChange::CreateCast { cast, recreate } => {
                let mut risk = self.risk(RuleId::CreateCast, &object, |v| {
                    v.detail = cast_detail(cast)
                });
                if let Some(why) = recreate {
                    risk.reason = format!("{} again, because {why}", risk.reason);
                }
                let d = self.create(
                    object,
                    Action::Create,
                    cast.create_sql(),
                    risk,
                    rank::CREATE,
                );
                self.push(d);
            }
            AggregateChange::DropCast { cast, recreate } => {
                let risk = match recreate {
                    Some(why) => {
                        self.risk(RuleId::RecreateCast, &object, |v| v.detail = why.clone())
                    }
                    None => self.risk(RuleId::DropCast, &object, |v| v.detail = cast_detail(cast)),
                };
                let d = self.drop(vec![object], cast.drop_sql(), risk, rank::DROP);
                self.push(d);
            }
        }
    }
}
