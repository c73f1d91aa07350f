//! Steps for operators, operator families and operator classes (rules `SH290`–`SH299`).
//!
//! Order comes from the model's dependencies: an operator is created after its function,
//! estimators and types and dropped before them; a family is created bare, then its
//! classes (a class the plan creates holds no members: it names its family), then its
//! members once their operators and functions exist; an index using a class is created
//! after the class's members and dropped before the class. None of these statements locks a table; what
//! they change is which operators queries and indexes resolve to.

use crate::build::{deps, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::operators::OperatorChange;
use shale_model::{FamilyFunction, FamilyOperator, ObjectId};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 6;
    pub const CREATE: u8 = 14;
}

/// The members as `ALTER OPERATOR FAMILY … ADD` (or `DROP`) lists them.
fn members_sql(ops: &[FamilyOperator], fns: &[FamilyFunction], add: bool) -> String {
    ops.iter()
        .map(|m| if add { m.add_sql() } else { m.drop_sql() })
        .chain(
            fns.iter()
                .map(|m| if add { m.add_sql() } else { m.drop_sql() }),
        )
        .collect::<Vec<_>>()
        .join(", ")
}

/// The operators and functions of these members.
fn member_objects(ops: &[FamilyOperator], fns: &[FamilyFunction]) -> Vec<ObjectId> {
    ops.iter()
        .map(|m| ObjectId::Operator {
            name: m.operator.clone(),
            args: format!("{}, {}", m.left, m.right),
        })
        .chain(fns.iter().map(|m| m.function_id()))
        .collect()
}

impl Builder<'_> {
    pub(crate) fn operator(&mut self, c: &OperatorChange) {
        let object = c.object();
        let again = |recreate: &Option<String>| match recreate {
            Some(why) => format!("; again, because {why}"),
            None => String::new(),
        };
        let drop_detail = |recreate: &Option<String>| match recreate {
            Some(why) => format!(" to create it again, because {why}"),
            None => String::new(),
        };
        match c {
            OperatorChange::CreateOperator { operator, recreate } => {
                let risk = self.risk(RuleId::CreateOperator, &object, |v| {
                    v.detail = format!("{}{}", operator.function, again(recreate))
                });
                self.create_step(object, operator.create_sql(), risk);
            }
            OperatorChange::DropOperator { operator, recreate } => {
                let risk = self.risk(RuleId::DropOperator, &object, |v| {
                    v.detail = drop_detail(recreate)
                });
                if recreate.is_some() {
                    self.defaults_around(&object);
                }
                let d = self.drop(vec![object], operator.drop_sql(), risk, rank::DROP);
                self.push(d);
            }
            OperatorChange::SetEstimators {
                operator,
                from_restrict,
                from_join,
            } => {
                let show = |f: &Option<shale_model::QualName>| {
                    f.as_ref().map_or("none".to_string(), |q| q.to_string())
                };
                let risk = self.risk(RuleId::SetOperatorEstimators, &object, |v| {
                    v.detail = format!(
                        "RESTRICT {} to {}, JOIN {} to {}",
                        show(from_restrict),
                        show(&operator.restrict),
                        show(from_join),
                        show(&operator.join)
                    )
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    operator.alter_estimators_sql(),
                    risk,
                    rank::CREATE,
                );
                d.needs = deps(self.to, &object);
                d.releases = deps(self.from, &object);
                d.creates = vec![object];
                self.push(d);
            }
            OperatorChange::CreateFamily { family, recreate } => {
                let risk = self.risk(RuleId::CreateOperatorFamily, &object, |v| {
                    v.detail = match recreate {
                        Some(why) => format!(" again, because {why}"),
                        None => String::new(),
                    }
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Create,
                    family.create_sql(),
                    risk,
                    rank::CREATE,
                );
                d.needs = vec![ObjectId::Schema {
                    name: family.name.schema.clone(),
                }];
                d.creates = vec![object];
                self.push(d);
            }
            OperatorChange::DropFamily { family, recreate } => {
                let risk = self.risk(RuleId::DropOperatorFamily, &object, |v| {
                    v.detail = drop_detail(recreate)
                });
                let d = self.drop(vec![object], family.drop_sql(), risk, rank::DROP);
                self.push(d);
            }
            OperatorChange::AddMembers {
                family,
                operators,
                functions,
            } => {
                let list = members_sql(operators, functions, true);
                let risk = self.risk(RuleId::AddOperatorFamilyMembers, &object, |v| {
                    v.detail = list.clone()
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    format!("ALTER OPERATOR FAMILY {} ADD {list}", family.target()),
                    risk,
                    rank::CREATE,
                );
                // After the family's classes: PostgreSQL binds a btree or hash member of
                // a class's own type to the class when it exists (`amadjustmembers`), as
                // `CREATE OPERATOR CLASS … AS OPERATOR …` does; an index on the class
                // waits for its members.
                let classes: Vec<ObjectId> = self
                    .to
                    .operator_classes
                    .values()
                    .filter(|c| c.family == family.name && c.method == family.method)
                    .map(|c| c.id())
                    .collect();
                d.needs = member_objects(operators, functions);
                d.needs.push(object.clone());
                d.needs.extend(classes.iter().cloned());
                d.needs.extend(operators.iter().filter_map(|m| {
                    m.order_by.as_ref().map(|f| ObjectId::OperatorFamily {
                        name: f.clone(),
                        method: "btree".into(),
                    })
                }));
                d.creates = classes;
                self.push(d);
            }
            OperatorChange::DropMembers {
                family,
                operators,
                functions,
            } => {
                let list = members_sql(operators, functions, false);
                let risk = self.risk(RuleId::DropOperatorFamilyMembers, &object, |v| {
                    v.detail = list.clone()
                });
                let mut d = Draft::new(
                    object.clone(),
                    Action::Alter,
                    format!("ALTER OPERATOR FAMILY {} DROP {list}", family.target()),
                    risk,
                    rank::DROP,
                );
                d.releases = member_objects(operators, functions);
                d.creates = vec![object];
                self.push(d);
            }
            OperatorChange::CreateClass { class, recreate } => {
                let risk = self.risk(RuleId::CreateOperatorClass, &object, |v| {
                    v.detail = format!(
                        "{}for type {} in family {}{}",
                        if class.default {
                            "the default class "
                        } else {
                            ""
                        },
                        class.ty,
                        class.family,
                        again(recreate)
                    )
                });

                self.create_step(object, class.create_sql(), risk);
            }
            OperatorChange::DropClass { class, recreate } => {
                let risk = self.risk(RuleId::DropOperatorClass, &object, |v| {
                    v.detail = drop_detail(recreate)
                });
                let d = self.drop(vec![object], class.drop_sql(), risk, rank::DROP);
                self.push(d);
            }
        }
    }

    fn create_step(&mut self, object: ObjectId, sql: String, risk: crate::model::Risk) {
        let d = self.create(object, Action::Create, sql, risk, rank::CREATE);
        self.push(d);
    }
}
