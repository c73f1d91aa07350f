//! Steps for row-level security, policies and privileges ([`SecurityChange`]).
//!
//! - `ENABLE ROW LEVEL SECURITY` runs after the table's policies are created (so that
//!   enabling it never leaves roles with no policy at all); `DISABLE` is High risk.
//! - Policies: `CREATE POLICY`, `ALTER POLICY` (roles, `USING`, `WITH CHECK`), or drop and
//!   create again when `ALTER POLICY` cannot express the change. A dropped or changed
//!   policy is High risk (access widens or narrows at once).
//! - Privileges: one `GRANT` or `REVOKE` statement per grantee and grant option. Revokes
//!   run before grants (a `REVOKE` on a table also revokes the column privileges the
//!   grants may give back).

use crate::build::{deps, rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::SecurityChange;
use shale_model::security::{grant_target_keyword, PUBLIC};
use shale_model::{quote_ident, Catalog, Grant, ObjectId, Policy, QualName};
use std::collections::{BTreeMap, BTreeSet};

/// Ranks: policies with validations; revokes before grants, both after everything else.
const POLICY: u8 = rank::VALIDATE;
const RLS: u8 = rank::OWNED_BY;
const REVOKE: u8 = rank::OWNED_BY;
const GRANT: u8 = rank::COMMENT;

fn role(r: &str) -> String {
    if r == PUBLIC {
        PUBLIC.to_string()
    } else {
        quote_ident(r)
    }
}

fn roles(rs: &[String]) -> String {
    rs.iter().map(|r| role(r)).collect::<Vec<_>>().join(", ")
}

/// `CREATE POLICY …` for `p`.
pub fn create_policy_sql(p: &Policy) -> String {
    let mut s = format!("CREATE POLICY {} ON {}", quote_ident(&p.name), p.table);
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    s.push_str(&format!(" FOR {}", p.command.sql()));
    s.push_str(&format!(" TO {}", roles(&p.roles)));
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({})", u.sql));
    }
    if let Some(w) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({})", w.sql));
    }
    s
}

/// `ON <kind> <name>` of a `GRANT`, with the column list for a column.
fn target(on: &ObjectId) -> (String, String) {
    match on {
        ObjectId::Column { table, column } => (
            format!(" ({})", quote_ident(column)),
            format!("TABLE {table}"),
        ),
        ObjectId::Schema { name } => (String::new(), format!("SCHEMA {}", quote_ident(name))),
        ObjectId::Table { name }
        | ObjectId::View { name }
        | ObjectId::Sequence { name }
        | ObjectId::Type { name } => (
            String::new(),
            format!("{} {name}", grant_target_keyword(on)),
        ),
        ObjectId::Function { name, args } => (String::new(), format!("ROUTINE {name}({args})")),
        ObjectId::ForeignDataWrapper { name } | ObjectId::ForeignServer { name } => (
            String::new(),
            format!("{} {}", grant_target_keyword(on), quote_ident(name)),
        ),
        other => (String::new(), other.to_string()),
    }
}

/// Grants grouped by grantee and grant option, privileges in a stable order.
fn groups(grants: &[Grant]) -> BTreeMap<(String, bool), Vec<String>> {
    let mut g: BTreeMap<(String, bool), Vec<String>> = BTreeMap::new();
    for x in grants {
        g.entry((x.grantee.clone(), x.grantable))
            .or_default()
            .push(x.privilege.clone());
    }
    g
}

impl Builder<'_> {
    fn security_draft(
        &self,
        object: ObjectId,
        action: Action,
        sql: String,
        rule: RuleId,
        detail: String,
        rank: u8,
    ) -> Draft {
        let risk = self.risk(rule, &object, |v| {
            v.detail = detail;
            match &object {
                ObjectId::Policy { table, name } => {
                    v.table = table.to_string();
                    v.object = quote_ident(name);
                }
                ObjectId::Privileges { on } => v.object = on.to_string(),
                _ => {}
            }
        });
        let mut d = Draft::new(object.clone(), action, sql, risk, rank);
        d.needs = deps(self.to, &object);
        d.creates = vec![object.clone()];
        if action == Action::Alter {
            d.releases = deps(self.from, &object);
        }
        d
    }

    /// `ALTER TABLE … {ENABLE|DISABLE|FORCE|NO FORCE} ROW LEVEL SECURITY`. Turning it on
    /// waits for the table's policies, so it never leaves a role without one.
    fn row_security_step(
        &mut self,
        object: ObjectId,
        table: &QualName,
        verb: &str,
        rule: RuleId,
        turns_on: bool,
    ) {
        let mut d = self.security_draft(
            object,
            Action::Alter,
            format!("ALTER TABLE {table} {verb} ROW LEVEL SECURITY"),
            rule,
            String::new(),
            RLS,
        );
        d.creates.clear();
        d.needs = vec![ObjectId::Table {
            name: table.clone(),
        }];
        if turns_on {
            d.needs.extend(
                self.to
                    .policies
                    .values()
                    .filter(|p| &p.table == table)
                    .map(|p| p.id()),
            );
        }
        self.push(d);
    }

    pub(crate) fn security(&mut self, c: &SecurityChange) {
        let object = c.object();
        match c {
            SecurityChange::SetRowSecurity { table, enabled } => {
                let (verb, rule) = if *enabled {
                    ("ENABLE", RuleId::EnableRowSecurity)
                } else {
                    ("DISABLE", RuleId::DisableRowSecurity)
                };
                self.row_security_step(object, table, verb, rule, *enabled);
            }
            SecurityChange::SetForceRowSecurity { table, forced } => {
                let (verb, rule) = if *forced {
                    ("FORCE", RuleId::ForceRowSecurity)
                } else {
                    ("NO FORCE", RuleId::NoForceRowSecurity)
                };
                self.row_security_step(object, table, verb, rule, *forced);
            }
            SecurityChange::CreatePolicy { policy, recreate } => {
                let detail = describe_policy(policy)
                    + &recreate
                        .as_ref()
                        .map(|w| format!(", created again because {w}"))
                        .unwrap_or_default();
                let d = self.security_draft(
                    object,
                    Action::Create,
                    create_policy_sql(policy),
                    RuleId::CreatePolicy,
                    detail,
                    POLICY,
                );
                self.push(d);
            }
            SecurityChange::DropPolicy { policy, recreate } => {
                let mut risk = self.risk(RuleId::DropPolicy, &object, |v| {
                    v.table = policy.table.to_string();
                    v.object = quote_ident(&policy.name);
                });
                if let Some(w) = recreate {
                    risk.reason
                        .push_str(&format!(" (it is created again at once because {w})"));
                }
                let d = self.drop(
                    vec![object],
                    format!(
                        "DROP POLICY {} ON {}",
                        quote_ident(&policy.name),
                        policy.table
                    ),
                    risk,
                    rank::DROP_CONSTRAINT,
                );
                self.push(d);
            }
            SecurityChange::AlterPolicy { from, to } => {
                let mut parts = Vec::new();
                let mut what = Vec::new();
                if from.roles != to.roles {
                    what.push(format!(
                        "roles {} → {}",
                        roles(&from.roles),
                        roles(&to.roles)
                    ));
                }
                parts.push(format!("TO {}", roles(&to.roles)));
                if let Some(u) = &to.using {
                    if from.using != to.using {
                        what.push("USING".to_string());
                    }
                    parts.push(format!("USING ({})", u.sql));
                }
                if let Some(w) = &to.with_check {
                    if from.with_check != to.with_check {
                        what.push("WITH CHECK".to_string());
                    }
                    parts.push(format!("WITH CHECK ({})", w.sql));
                }
                let d = self.security_draft(
                    object,
                    Action::Alter,
                    format!(
                        "ALTER POLICY {} ON {} {}",
                        quote_ident(&to.name),
                        to.table,
                        parts.join(" ")
                    ),
                    RuleId::AlterPolicy,
                    format!(": {}", what.join(", ")),
                    POLICY,
                );
                self.push(d);
            }
            SecurityChange::SetOwner {
                object: on,
                from,
                to,
            } => {
                let Some(kw) = self.to.owner_keyword(on) else {
                    return;
                };
                let name = match on {
                    ObjectId::Schema { name } | ObjectId::EventTrigger { name } => {
                        quote_ident(name)
                    }
                    ObjectId::Function { name, args } => format!("{name}({args})"),
                    ObjectId::Table { name }
                    | ObjectId::View { name }
                    | ObjectId::Sequence { name }
                    | ObjectId::Type { name }
                    | ObjectId::TextSearchDictionary { name }
                    | ObjectId::TextSearchConfiguration { name } => name.to_string(),
                    _ => return,
                };
                let detail = match from {
                    Some(f) => format!("from {} to {}", role(f), role(to)),
                    None => format!("to {}", role(to)),
                };
                let mut d = self.security_draft(
                    object,
                    Action::Alter,
                    format!("ALTER {kw} {name} OWNER TO {}", role(to)),
                    RuleId::ChangeOwner,
                    detail,
                    REVOKE,
                );
                d.creates.clear();
                d.needs = vec![on.clone()];
                d.releases.clear();
                self.push(d);
            }
            SecurityChange::SetPolicyComment { policy, from, to } => {
                self.comment(&policy.id(), from, to);
            }
            SecurityChange::Grant { on, grants, .. }
                if matches!(on, ObjectId::DefaultPrivileges { .. }) =>
            {
                self.default_privileges(on, grants, true, false);
            }
            SecurityChange::Revoke {
                on,
                grants,
                grant_option_only,
            } if matches!(on, ObjectId::DefaultPrivileges { .. }) => {
                self.default_privileges(on, grants, false, *grant_option_only);
            }
            SecurityChange::Grant {
                on,
                grants,
                new_object,
            } => {
                let (cols, tgt) = target(on);
                for ((grantee, option), privs) in groups(grants) {
                    let list = privs
                        .iter()
                        .map(|p| format!("{p}{cols}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let with = if option { " WITH GRANT OPTION" } else { "" };
                    let rule = if *new_object {
                        RuleId::GrantOnNewObject
                    } else {
                        RuleId::GrantPrivileges
                    };
                    let mut d = self.security_draft(
                        object.clone(),
                        Action::Create,
                        format!("GRANT {list} ON {tgt} TO {}{with}", role(&grantee)),
                        rule,
                        format!("{} to {}{with}", privs.join(", "), role(&grantee)),
                        GRANT,
                    );
                    d.needs = vec![on.clone()];
                    self.push(d);
                }
            }
            SecurityChange::Revoke {
                on,
                grants,
                grant_option_only,
            } => {
                let (cols, tgt) = target(on);
                for ((grantee, _), privs) in groups(grants) {
                    let list = privs
                        .iter()
                        .map(|p| format!("{p}{cols}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let (head, of) = if *grant_option_only {
                        ("REVOKE GRANT OPTION FOR", "the grant option of ")
                    } else {
                        ("REVOKE", "")
                    };
                    let mut d = self.security_draft(
                        object.clone(),
                        Action::Alter,
                        format!("{head} {list} ON {tgt} FROM {}", role(&grantee)),
                        RuleId::RevokePrivileges,
                        format!(
                            "{of}{} from {}{}",
                            privs.join(", "),
                            role(&grantee),
                            if matches!(on, ObjectId::Table { .. } | ObjectId::View { .. }) {
                                " (and the same privileges on its columns)"
                            } else {
                                ""
                            }
                        ),
                        REVOKE,
                    );
                    d.creates.clear();
                    d.needs = vec![on.clone()];
                    d.releases.clear();
                    self.push(d);
                }
            }
        }
    }
}

impl Builder<'_> {
    /// `ALTER DEFAULT PRIVILEGES … GRANT|REVOKE …`: after every other step, so that the
    /// objects this plan creates start from the current defaults (the diff counted on it).
    fn default_privileges(
        &mut self,
        on: &ObjectId,
        grants: &[Grant],
        grant: bool,
        option_only: bool,
    ) {
        let ObjectId::DefaultPrivileges {
            role: r,
            schema,
            objects,
        } = on
        else {
            return;
        };
        let mut head = "ALTER DEFAULT PRIVILEGES".to_string();
        if let Some(r) = r {
            head.push_str(&format!(" FOR ROLE {}", quote_ident(r)));
        }
        if let Some(s) = schema {
            head.push_str(&format!(" IN SCHEMA {}", quote_ident(s)));
        }
        for ((grantee, option), privs) in groups(grants) {
            let list = privs.join(", ");
            let (sql, detail) = if grant {
                let with = if option { " WITH GRANT OPTION" } else { "" };
                (
                    format!(
                        "{head} GRANT {list} ON {objects} TO {}{with}",
                        role(&grantee)
                    ),
                    format!("grants {list} to {}{with}", role(&grantee)),
                )
            } else {
                let of = if option_only { "GRANT OPTION FOR " } else { "" };
                (
                    format!(
                        "{head} REVOKE {of}{list} ON {objects} FROM {}",
                        role(&grantee)
                    ),
                    format!(
                        "revokes {}{list} from {}",
                        of.to_lowercase(),
                        role(&grantee)
                    ),
                )
            };
            let risk = self.risk(RuleId::AlterDefaultPrivileges, on, |v| {
                v.object = on.to_string();
                v.detail = detail;
            });
            let mut d = Draft::new(on.clone(), Action::Alter, sql, risk, GRANT);
            // Every object of the desired state first.
            d.needs = self.to.objects();
            d.needs
                .extend(self.to.privileges.keys().map(|o| ObjectId::Privileges {
                    on: Box::new(o.clone()),
                }));
            if let Some(s) = schema {
                d.needs.push(ObjectId::Schema { name: s.clone() });
            }
            self.push(d);
        }
    }
}

fn describe_policy(p: &Policy) -> String {
    format!(
        " ({}{} for {})",
        if p.permissive { "" } else { "restrictive, " },
        p.command.sql(),
        roles(&p.roles)
    )
}

/// The roles a plan from `from` to `to` needs on the server and does not show to exist:
/// those the desired state names (policies, grants, default privileges, owners) and the
/// current one does not. shale never creates roles: a live plan checks these with
/// `shale_introspect::missing_roles` and fails before any step runs; offline, they are a
/// note ([`roles_note`]).
pub fn roles_needed(from: &Catalog, to: &Catalog) -> BTreeSet<String> {
    let have = from.roles_named();
    to.roles_named()
        .into_iter()
        .filter(|r| !have.contains(r))
        .collect()
}

/// The note an offline plan prints for [`roles_needed`] (`None` when there are none).
pub fn roles_note(roles: &BTreeSet<String>) -> Option<String> {
    (!roles.is_empty()).then(|| {
        format!(
            "Note: the plan grants to or names roles shale does not create; they must exist on \
             the server: {}",
            roles
                .iter()
                .map(|r| quote_ident(r))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_needed_are_the_new_ones() {
        let read = |sql: &str| {
            shale_sql::parse_sources(&[shale_sql::SourceFile {
                path: "s.sql".into(),
                text: sql.into(),
            }])
            .unwrap()
        };
        let from = read("CREATE TABLE t (id int); GRANT SELECT ON t TO old_role;");
        let to = read(
            "CREATE TABLE t (id int); GRANT SELECT ON t TO old_role, \"New Role\", PUBLIC;
             CREATE POLICY p ON t TO policy_role USING (true);",
        );
        let need = roles_needed(&from, &to);
        assert_eq!(
            need.iter().cloned().collect::<Vec<_>>(),
            vec!["New Role".to_string(), "policy_role".to_string()]
        );
        let note = roles_note(&need).unwrap();
        assert!(note.ends_with("\"New Role\", policy_role"), "{note}");
        assert!(roles_note(&BTreeSet::new()).is_none());
    }
}
