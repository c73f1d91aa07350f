//! The plan as data. Text, SQL and JSON are renderings of this one structure, and later
//! features (plan files checked against a fingerprint, approvals, rollback, phases) add
//! fields here rather than reshape it.

use serde::{Deserialize, Serialize};
use shale_model::{quote_ident, ObjectId};

/// Bumped when the JSON shape changes incompatibly.
pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// In execution order.
    pub steps: Vec<Step>,
    /// Objects of kinds shale does not manage, in either state: reported, never changed
    /// (see `routines::unmodeled_note`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmodeled: Vec<shale_model::Unmodeled>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
    /// The highest risk level of any step (`None` for an empty plan).
    pub fn max_risk(&self) -> Option<RiskLevel> {
        self.steps.iter().map(|s| s.risk.level).max()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based position in the plan; stable within one plan.
    pub id: usize,
    /// The object the step creates, changes or drops.
    pub object: ObjectId,
    pub action: Action,
    /// One complete SQL statement, without a trailing semicolon.
    pub sql: String,
    pub risk: Risk,
    /// False for statements PostgreSQL refuses inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, ...). `apply` runs those on their own.
    pub transactional: bool,
    /// True when later steps must not share a transaction with this one
    /// (e.g. `ALTER TYPE ... ADD VALUE`: the new label cannot be used before commit).
    #[serde(default)]
    pub commit_after: bool,
    /// Ids of the steps that must run before this one.
    pub depends_on: Vec<usize>,
    /// The phase of an expand/contract plan the step belongs to (`None`: a plan without
    /// phases). See [`crate::Plan::phase`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<crate::Phase>,
}

impl Step {
    /// The key that approves this step in `shale apply --approve KEY`: the action, a colon,
    /// and the object's name with every part quoted as SQL needs it, so that the key is
    /// unambiguous (`drop:public.users.legacy_flag`, `drop:public.users`,
    /// `drop:public."Order Items"."Qty"`). Tables, columns, indexes, sequences, types and
    /// schemas are named by their parts alone (they cannot clash: relations and types
    /// share one namespace per schema, and part counts differ); constraints and extensions,
    /// which could share a name with a column or a schema, are prefixed with their kind:
    /// `drop:constraint:public.users.users_email_key`, `drop:extension:pgcrypto`.
    /// The key depends only on the action and the object, so it stays the same when the
    /// plan is computed again.
    pub fn approval_key(&self) -> String {
        let object = match &self.object {
            ObjectId::Schema { name } => quote_ident(name),
            ObjectId::Extension { name } => format!("extension:{}", quote_ident(name)),
            ObjectId::Type { name }
            | ObjectId::Sequence { name }
            | ObjectId::Table { name }
            | ObjectId::Index { name } => name.to_string(),
            ObjectId::Column { table, column } => format!("{table}.{}", quote_ident(column)),
            ObjectId::Constraint { table, name } => {
                format!("constraint:{table}.{}", quote_ident(name))
            }
            // Views share the relation namespace; functions and triggers are prefixed.
            ObjectId::View { name } => name.to_string(),
            ObjectId::Function { name, args } => format!("function:{name}({args})"),
            ObjectId::Trigger { table, name } => {
                format!("trigger:{table}.{}", quote_ident(name))
            }
            ObjectId::Policy { table, name } => {
                format!("policy:{table}.{}", quote_ident(name))
            }
            ObjectId::Privileges { on } => {
                let shown = on.to_string();
                format!("privileges:{}:{}", on.kind(), &shown[on.kind().len() + 1..])
            }
            ObjectId::DefaultPrivileges {
                role,
                schema,
                objects,
            } => format!(
                "default-privileges:{}:{}:{}",
                role.as_deref().map(quote_ident).unwrap_or_default(),
                schema.as_deref().map(quote_ident).unwrap_or_default(),
                objects.to_lowercase()
            ),
            ObjectId::Collation { name } => format!("collation:{name}"),
            ObjectId::EventTrigger { name } => format!("event-trigger:{}", quote_ident(name)),
            ObjectId::Aggregate { name, args } => format!("aggregate:{name}({args})"),
            ObjectId::Cast { source, target } => format!("cast:({source} AS {target})"),
            ObjectId::Publication { name } => format!("publication:{}", quote_ident(name)),
            ObjectId::Subscription { name } => format!("subscription:{}", quote_ident(name)),
            ObjectId::ForeignDataWrapper { name } => {
                format!("foreign-data-wrapper:{}", quote_ident(name))
            }
            ObjectId::ForeignServer { name } => format!("server:{}", quote_ident(name)),
            ObjectId::UserMapping { server, user } => format!(
                "user-mapping:{}:{}",
                quote_ident(server),
                shale_model::foreign_data::user_sql(user)
            ),
            ObjectId::ForeignTable { name } => format!("foreign-table:{name}"),
            ObjectId::Statistics { name } => format!("statistics:{name}"),
            ObjectId::Operator { name, args } => {
                format!("operator:{}({args})", shale_model::operators::op_name(name))
            }
            ObjectId::OperatorFamily { name, method } => {
                format!("operator-family:{name}:{}", quote_ident(method))
            }
            ObjectId::OperatorClass { name, method } => {
                format!("operator-class:{name}:{}", quote_ident(method))
            }
            ObjectId::Rule { table, name } => format!("rule:{table}.{}", quote_ident(name)),
            ObjectId::TextSearchParser { name } => format!("text-search-parser:{name}"),
            ObjectId::TextSearchTemplate { name } => format!("text-search-template:{name}"),
            ObjectId::TextSearchDictionary { name } => format!("text-search-dictionary:{name}"),
            ObjectId::TextSearchConfiguration { name } => {
                format!("text-search-configuration:{name}")
            }
        };
        format!("{}:{object}", self.action.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Alter,
    Drop,
    Rename,
    Validate,
    Comment,
}

impl Action {
    /// The lower-case name, as in JSON and approval keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Alter => "alter",
            Action::Drop => "drop",
            Action::Rename => "rename",
            Action::Validate => "validate",
            Action::Comment => "comment",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum RiskLevel {
    #[default]
    Low,
    Medium,
    High,
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RiskLevel::Low => "Low",
            RiskLevel::Medium => "Medium",
            RiskLevel::High => "High",
        })
    }
}

impl std::str::FromStr for RiskLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(RiskLevel::Low),
            "medium" => Ok(RiskLevel::Medium),
            "high" => Ok(RiskLevel::High),
            _ => Err(format!(
                "unknown risk level `{s}` (expected low, medium or high)"
            )),
        }
    }
}

/// Why a step is as risky as it is, from the rule registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub level: RiskLevel,
    /// Stable rule code, e.g. `SH101`.
    pub code: String,
    /// One line: what the step does to the data and to the application.
    pub reason: String,
    /// What shale did or what the reviewer should do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<String>,
    /// Lock taken, e.g. `ACCESS EXCLUSIVE on public.users`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Rewrites the whole table.
    #[serde(default)]
    pub rewrites_table: bool,
    /// Reads the whole table (e.g. to validate a constraint).
    #[serde(default)]
    pub scans_table: bool,
    /// Can destroy data.
    #[serde(default)]
    pub data_loss: bool,
}

#[cfg(test)]
mod approval_key_tests {
    use super::*;
    use shale_model::QualName;

    fn step(object: ObjectId, action: Action) -> Step {
        Step {
            id: 1,
            object,
            action,
            sql: String::new(),
            risk: Risk {
                level: RiskLevel::High,
                code: "SH003".into(),
                reason: String::new(),
                mitigation: None,
                lock: None,
                rewrites_table: false,
                scans_table: false,
                data_loss: true,
            },
            transactional: true,
            commit_after: false,
            depends_on: vec![],
            phase: None,
        }
    }

    #[test]
    fn keys_name_action_and_quoted_object() {
        let users = QualName::new("public", "users");
        let cases = [
            (
                ObjectId::Column {
                    table: users.clone(),
                    column: "legacy_flag".into(),
                },
                Action::Drop,
                "drop:public.users.legacy_flag",
            ),
            (
                ObjectId::Table {
                    name: users.clone(),
                },
                Action::Drop,
                "drop:public.users",
            ),
            (
                ObjectId::Index {
                    name: QualName::new("public", "idx"),
                },
                Action::Drop,
                "drop:public.idx",
            ),
            (
                ObjectId::Column {
                    table: users.clone(),
                    column: "email".into(),
                },
                Action::Alter,
                "alter:public.users.email",
            ),
            (
                ObjectId::Column {
                    table: QualName::new("public", "Order Items"),
                    column: "Qty".into(),
                },
                Action::Drop,
                "drop:public.\"Order Items\".\"Qty\"",
            ),
            (
                ObjectId::Constraint {
                    table: users.clone(),
                    name: "legacy_flag".into(),
                },
                Action::Drop,
                "drop:constraint:public.users.legacy_flag",
            ),
            (
                ObjectId::Extension {
                    name: "pgcrypto".into(),
                },
                Action::Drop,
                "drop:extension:pgcrypto",
            ),
            (
                ObjectId::Schema { name: "a.b".into() },
                Action::Drop,
                "drop:\"a.b\"",
            ),
        ];
        for (object, action, want) in cases {
            assert_eq!(step(object, action).approval_key(), want);
        }
    }
}
