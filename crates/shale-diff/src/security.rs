//! Row-level security, policies and privileges: what differs, as [`SecurityChange`]s.
//!
//! - Row-level security switches are compared on tables that exist on both sides, and set
//!   on new tables when the desired state enables them.
//! - A policy whose command or PERMISSIVE/RESTRICTIVE kind changes, or that loses its
//!   `USING` or `WITH CHECK` expression, is dropped and created again (`ALTER POLICY`
//!   cannot do it); other changes (roles, expressions) are one `ALTER POLICY`. Policies
//!   of dropped tables go with them.
//! - Privileges are compared as sets of (grantee, privilege, grant option) per object
//!   that exists in the desired state; a new object starts from the baseline (what
//!   PostgreSQL gives a new object), so files without `GRANT`s produce no `REVOKE`s.
//!   Privileges of dropped objects go with them.

use serde::Serialize;
use shale_model::{Catalog, Grant, ObjectId, Policy, QualName};
use std::collections::{BTreeMap, BTreeSet};

// Plain data built once per plan: boxing the policies would only obscure it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "security", rename_all = "snake_case")]
pub enum SecurityChange {
    /// `ENABLE` (`enabled: true`) or `DISABLE ROW LEVEL SECURITY`.
    SetRowSecurity { table: QualName, enabled: bool },
    /// `FORCE` (`forced: true`) or `NO FORCE ROW LEVEL SECURITY`.
    SetForceRowSecurity { table: QualName, forced: bool },
    CreatePolicy {
        policy: Policy,
        /// Why an existing policy is created again (`None` for a new one).
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropPolicy {
        policy: Policy,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER POLICY … TO … USING … WITH CHECK …`.
    AlterPolicy { from: Policy, to: Policy },
    SetPolicyComment {
        policy: Policy,
        from: Option<String>,
        to: Option<String>,
    },
    /// `GRANT` privileges on `on` (each grant is one grantee and privilege).
    Grant {
        on: ObjectId,
        grants: Vec<Grant>,
        /// The object is created by this diff.
        new_object: bool,
    },
    /// `ALTER … OWNER TO` (only with owners in the desired catalog: `--include owners`).
    SetOwner {
        object: ObjectId,
        from: Option<String>,
        to: String,
    },
    /// `REVOKE` privileges (`grant_option_only`: `REVOKE GRANT OPTION FOR`, the
    /// privileges stay).
    Revoke {
        on: ObjectId,
        grants: Vec<Grant>,
        grant_option_only: bool,
    },
}

impl SecurityChange {
    pub fn object(&self) -> ObjectId {
        match self {
            SecurityChange::SetRowSecurity { table, .. }
            | SecurityChange::SetForceRowSecurity { table, .. } => ObjectId::Table {
                name: table.clone(),
            },
            SecurityChange::CreatePolicy { policy, .. }
            | SecurityChange::DropPolicy { policy, .. }
            | SecurityChange::SetPolicyComment { policy, .. } => policy.id(),
            SecurityChange::AlterPolicy { to, .. } => to.id(),
            SecurityChange::SetOwner { object, .. } => ObjectId::Privileges {
                on: Box::new(object.clone()),
            },
            SecurityChange::Grant { on, .. } | SecurityChange::Revoke { on, .. } => match on {
                ObjectId::DefaultPrivileges { .. } => on.clone(),
                _ => ObjectId::Privileges {
                    on: Box::new(on.clone()),
                },
            },
        }
    }
}

/// Why a policy cannot be changed with `ALTER POLICY`, if it cannot.
fn policy_recreate_reason(a: &Policy, b: &Policy) -> Option<String> {
    if a.command != b.command {
        return Some(format!(
            "its command changes from {} to {}",
            a.command.sql(),
            b.command.sql()
        ));
    }
    if a.permissive != b.permissive {
        return Some(if b.permissive {
            "it becomes PERMISSIVE".to_string()
        } else {
            "it becomes RESTRICTIVE".to_string()
        });
    }
    if a.using.is_some() && b.using.is_none() {
        return Some("its USING expression is removed".to_string());
    }
    if a.with_check.is_some() && b.with_check.is_none() {
        return Some("its WITH CHECK expression is removed".to_string());
    }
    None
}

/// PostgreSQL refuses to change the type of a column a policy uses: such a policy is
/// dropped before the change and created again after it.
fn column_type_change_under(from: &Catalog, to: &Catalog, p: &Policy) -> Option<String> {
    let table = &p.table;
    let (t0, t1) = (from.tables.get(table)?, to.tables.get(table)?);
    t0.columns.iter().find_map(|c0| {
        let c1 = t1.column(&c0.name)?;
        let changes = c1.ty != c0.ty || c1.collation != c0.collation;
        let used = p
            .using
            .iter()
            .chain(p.with_check.iter())
            .any(|e| crate::mentions_identifier(&e.canon, &c0.name));
        (changes && used).then(|| {
            format!(
                "column {table}.{} it uses changes type",
                shale_model::quote_ident(&c0.name)
            )
        })
    })
}

/// PostgreSQL refuses to drop an operator or text search configuration a policy uses: a
/// policy using one that is dropped or re-created (`operators`: `crate::going_by_name`),
/// and still using it, is
/// dropped before and created again after it (one that stops using it is altered in
/// place, which releases it).
fn operator_recreated_under(
    operators: &BTreeMap<QualName, String>,
    p0: &Policy,
    p1: &Policy,
) -> Option<String> {
    let uses = |p: &Policy, o: &QualName| {
        p.using
            .iter()
            .chain(p.with_check.iter())
            .any(|e| crate::uses_going(e, o))
    };
    operators
        .iter()
        .find_map(|(o, why)| (uses(p0, o) && uses(p1, o)).then(|| why.clone()))
}

fn same_policy_body(a: &Policy, b: &Policy) -> bool {
    a.roles == b.roles && a.using == b.using && a.with_check == b.with_check
}

/// The security changes that turn `from` into `to`, in a deterministic order: row
/// security switches, policies, privileges.
pub fn diff(from: &Catalog, to: &Catalog) -> Vec<SecurityChange> {
    let mut out = Vec::new();
    for (name, t1) in &to.tables {
        let (e0, f0) = from
            .tables
            .get(name)
            .map(|t| (t.rls_enabled, t.rls_forced))
            .unwrap_or((false, false));
        if t1.rls_enabled != e0 {
            out.push(SecurityChange::SetRowSecurity {
                table: name.clone(),
                enabled: t1.rls_enabled,
            });
        }
        if t1.rls_forced != f0 {
            out.push(SecurityChange::SetForceRowSecurity {
                table: name.clone(),
                forced: t1.rls_forced,
            });
        }
    }
    let operators = if from.policies.is_empty() {
        BTreeMap::new()
    } else {
        crate::going_by_name(from, to)
    };
    for (key, p0) in &from.policies {
        // A dropped table takes its policies with it.
        if !to.tables.contains_key(&key.0) {
            continue;
        }
        match to.policies.get(key) {
            None => out.push(SecurityChange::DropPolicy {
                policy: p0.clone(),
                recreate: None,
            }),
            Some(p1) => {
                let why = policy_recreate_reason(p0, p1)
                    .or_else(|| column_type_change_under(from, to, p0))
                    .or_else(|| operator_recreated_under(&operators, p0, p1));
                if let Some(why) = why {
                    out.push(SecurityChange::DropPolicy {
                        policy: p0.clone(),
                        recreate: Some(why.clone()),
                    });
                    out.push(SecurityChange::CreatePolicy {
                        policy: p1.clone(),
                        recreate: Some(why),
                    });
                } else {
                    if !same_policy_body(p0, p1) {
                        out.push(SecurityChange::AlterPolicy {
                            from: p0.clone(),
                            to: p1.clone(),
                        });
                    }
                    if p0.comment != p1.comment {
                        out.push(SecurityChange::SetPolicyComment {
                            policy: p1.clone(),
                            from: p0.comment.clone(),
                            to: p1.comment.clone(),
                        });
                    }
                }
            }
        }
    }
    for (key, p1) in &to.policies {
        // A policy on a table that is dropped and created again is new as well.
        let exists = from.policies.contains_key(key) && from.tables.contains_key(&key.0);
        if !exists {
            out.push(SecurityChange::CreatePolicy {
                policy: p1.clone(),
                recreate: None,
            });
        }
    }
    // Recreated policies: a comment follows the new one.
    let recreated: Vec<Policy> = out
        .iter()
        .filter_map(|c| match c {
            SecurityChange::CreatePolicy { policy, .. } if policy.comment.is_some() => {
                Some(policy.clone())
            }
            _ => None,
        })
        .collect();
    for p in recreated {
        out.push(SecurityChange::SetPolicyComment {
            from: None,
            to: p.comment.clone(),
            policy: p,
        });
    }
    // Owners: compared only for objects the desired catalog names an owner of (empty
    // unless owners were asked for). A view or function dropped and created again is
    // owned by the role that runs the plan: its owner is set again.
    let recreated = if to.owners.is_empty() {
        BTreeSet::new()
    } else {
        crate::routines::recreated(from, to)
    };
    for (object, owner) in &to.owners {
        if !to.acl_object_exists(object) {
            continue;
        }
        // A sequence owned by a column (serial, OWNED BY) has its table's owner:
        // PostgreSQL refuses another one, and changes it with the table's.
        if let ObjectId::Sequence { name } = object {
            if to.sequences.get(name).is_some_and(|s| s.owned_by.is_some()) {
                continue;
            }
        }
        let before = from
            .owners
            .get(object)
            .filter(|_| !recreated.contains(object));
        if before != Some(owner) {
            out.push(SecurityChange::SetOwner {
                object: object.clone(),
                from: before.cloned(),
                to: owner.clone(),
            });
        }
    }
    privileges(from, to, &mut out);
    out
}

fn privileges(from: &Catalog, to: &Catalog, out: &mut Vec<SecurityChange>) {
    let mut objects: BTreeSet<ObjectId> = to.privileges.keys().cloned().collect();
    objects.extend(
        from.privileges
            .keys()
            .filter(|o| to.acl_object_exists(o))
            .cloned(),
    );
    // Objects the plan creates while the current database has default privileges: they
    // start with those, even when the desired state holds none for them.
    if !from.default_privileges.is_empty() {
        let new = |o: &ObjectId| !from.acl_object_exists(o);
        let mut all: Vec<ObjectId> = Vec::new();
        all.extend(
            to.schemas
                .keys()
                .map(|n| ObjectId::Schema { name: n.clone() }),
        );
        all.extend(
            to.tables
                .keys()
                .map(|n| ObjectId::Table { name: n.clone() }),
        );
        all.extend(to.views.keys().map(|n| ObjectId::View { name: n.clone() }));
        all.extend(
            to.sequences
                .keys()
                .map(|n| ObjectId::Sequence { name: n.clone() }),
        );
        all.extend(to.enums.keys().map(|n| ObjectId::Type { name: n.clone() }));
        all.extend(to.functions.values().map(|f| f.id()));
        objects.extend(all.into_iter().filter(new));
    }
    // Views and functions the routines diff drops and creates again (their definition
    // changes, or what they depend on does): their privileges start over, so their grants
    // are compared as for a new object and granted again. A view replaced in place
    // (`CREATE OR REPLACE VIEW`) keeps its privileges.
    let recreated_routines = crate::routines::recreated(from, to);
    objects.extend(recreated_routines.iter().cloned());
    // Servers re-created (their wrapper or TYPE changes) lose their grants too.
    let recreated_servers = crate::foreign_data::recreated_servers(from, to);
    objects.extend(recreated_servers.iter().cloned());
    for on in objects {
        let on_recreated_view = recreated_routines.contains(&on)
            || match &on {
                ObjectId::View { name } | ObjectId::Column { table: name, .. } => {
                    recreated_routines.contains(&ObjectId::View { name: name.clone() })
                }
                _ => false,
            };
        let new_object = !from.acl_object_exists(&on);
        // A new object starts with the current database's default privileges: the steps
        // changing those run after every create.
        let have = if new_object || on_recreated_view || recreated_servers.contains(&on) {
            from.new_object_grants(&on)
        } else {
            from.grants_on(&on)
        };
        compare(on.clone(), have, to.grants_on(&on), new_object, out);
    }
    // ALTER DEFAULT PRIVILEGES (those of a schema that goes go with it).
    let mut keys: BTreeSet<shale_model::security::DefaultKey> =
        to.default_privileges.keys().cloned().collect();
    keys.extend(
        from.default_privileges
            .keys()
            .filter(|k| k.1.as_ref().is_none_or(|s| to.schemas.contains_key(s)))
            .cloned(),
    );
    for key in keys {
        let on = ObjectId::DefaultPrivileges {
            role: key.0.clone(),
            schema: key.1.clone(),
            objects: key.2.sql().to_string(),
        };
        compare(
            on,
            from.default_grants(&key),
            to.default_grants(&key),
            false,
            out,
        );
    }
}

/// Revokes, revokes of the grant option, and grants that turn `have` into `want` on `on`.
fn compare(
    on: ObjectId,
    have: BTreeSet<Grant>,
    want: BTreeSet<Grant>,
    new_object: bool,
    out: &mut Vec<SecurityChange>,
) {
    let have: BTreeMap<(String, String), bool> = have
        .into_iter()
        .map(|g| ((g.grantee, g.privilege), g.grantable))
        .collect();
    let want: BTreeMap<(String, String), bool> = want
        .into_iter()
        .map(|g| ((g.grantee, g.privilege), g.grantable))
        .collect();
    let mut revoke = Vec::new();
    let mut revoke_option = Vec::new();
    let mut grant = Vec::new();
    for ((grantee, privilege), &g0) in &have {
        match want.get(&(grantee.clone(), privilege.clone())) {
            None => revoke.push(Grant::new(grantee, privilege, g0)),
            Some(&g1) if g0 && !g1 => revoke_option.push(Grant::new(grantee, privilege, g0)),
            _ => {}
        }
    }
    for ((grantee, privilege), &g1) in &want {
        match have.get(&(grantee.clone(), privilege.clone())) {
            None => grant.push(Grant::new(grantee, privilege, g1)),
            Some(&g0) if g1 && !g0 => grant.push(Grant::new(grantee, privilege, g1)),
            _ => {}
        }
    }
    if !revoke.is_empty() {
        out.push(SecurityChange::Revoke {
            on: on.clone(),
            grants: revoke,
            grant_option_only: false,
        });
    }
    if !revoke_option.is_empty() {
        out.push(SecurityChange::Revoke {
            on: on.clone(),
            grants: revoke_option,
            grant_option_only: true,
        });
    }
    if !grant.is_empty() {
        out.push(SecurityChange::Grant {
            on,
            grants: grant,
            new_object,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{Expr, PolicyCommand, Schema, Table};

    fn cat_with_table() -> (Catalog, QualName) {
        let mut c = Catalog::default();
        c.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let t = QualName::new("public", "t");
        c.tables.insert(t.clone(), Table::new(t.clone()));
        (c, t)
    }

    fn policy(t: &QualName, command: PolicyCommand, permissive: bool) -> Policy {
        Policy {
            table: t.clone(),
            name: "p".into(),
            command,
            permissive,
            roles: vec!["PUBLIC".into()],
            using: Some(Expr::new("true", "true")),
            with_check: None,
            comment: None,
        }
    }

    #[test]
    fn no_grants_in_files_means_no_revokes() {
        let (from, _) = cat_with_table();
        let (to, _) = cat_with_table();
        assert!(diff(&from, &to).is_empty());
    }

    #[test]
    fn a_new_table_starts_from_the_current_default_privileges() {
        let (mut from, t) = cat_with_table();
        from.tables.clear();
        from.set_default_grants(
            (None, None, shale_model::DefaultObjects::Tables),
            [Grant::new("r", "SELECT", false)].into_iter().collect(),
        );
        let (mut to, _) = cat_with_table();
        to.default_privileges = from.default_privileges.clone();
        // The desired table was created before the defaults: no grants.
        to.set_grants(ObjectId::Table { name: t.clone() }, BTreeSet::new());
        let changes = diff(&from, &to);
        assert_eq!(
            changes,
            vec![SecurityChange::Revoke {
                on: ObjectId::Table { name: t },
                grants: vec![Grant::new("r", "SELECT", false)],
                grant_option_only: false,
            }]
        );
    }

    #[test]
    fn grant_option_changes_alone() {
        let (mut from, t) = cat_with_table();
        let (mut to, _) = cat_with_table();
        let on = ObjectId::Table { name: t };
        from.set_grants(
            on.clone(),
            [
                Grant::new("r", "SELECT", true),
                Grant::new("s", "UPDATE", false),
            ]
            .into_iter()
            .collect(),
        );
        to.set_grants(
            on.clone(),
            [
                Grant::new("r", "SELECT", false),
                Grant::new("s", "UPDATE", true),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            diff(&from, &to),
            vec![
                SecurityChange::Revoke {
                    on: on.clone(),
                    grants: vec![Grant::new("r", "SELECT", true)],
                    grant_option_only: true,
                },
                SecurityChange::Grant {
                    on,
                    grants: vec![Grant::new("s", "UPDATE", true)],
                    new_object: false,
                },
            ]
        );
    }

    #[test]
    fn policies_alter_in_place_or_are_recreated() {
        let (mut from, t) = cat_with_table();
        let (mut to, _) = cat_with_table();
        let key = (t.clone(), "p".to_string());
        from.policies
            .insert(key.clone(), policy(&t, PolicyCommand::All, true));
        let mut roles = policy(&t, PolicyCommand::All, true);
        roles.roles = vec!["r".into()];
        to.policies.insert(key.clone(), roles);
        assert!(matches!(
            diff(&from, &to).as_slice(),
            [SecurityChange::AlterPolicy { .. }]
        ));
        to.policies
            .insert(key.clone(), policy(&t, PolicyCommand::Select, true));
        assert!(matches!(
            diff(&from, &to).as_slice(),
            [
                SecurityChange::DropPolicy {
                    recreate: Some(_),
                    ..
                },
                SecurityChange::CreatePolicy {
                    recreate: Some(_),
                    ..
                }
            ]
        ));
        to.policies
            .insert(key.clone(), policy(&t, PolicyCommand::All, false));
        assert_eq!(diff(&from, &to).len(), 2);
        let mut no_using = policy(&t, PolicyCommand::All, true);
        no_using.using = None;
        no_using.with_check = Some(Expr::new("true", "true"));
        to.policies.insert(key, no_using);
        assert_eq!(diff(&from, &to).len(), 2);
    }

    #[test]
    fn a_dropped_table_takes_its_policies_and_grants() {
        let (mut from, t) = cat_with_table();
        from.policies.insert(
            (t.clone(), "p".to_string()),
            policy(&t, PolicyCommand::All, true),
        );
        from.tables.get_mut(&t).unwrap().rls_enabled = true;
        from.set_grants(
            ObjectId::Table { name: t.clone() },
            [Grant::new("r", "SELECT", false)].into_iter().collect(),
        );
        let (mut to, _) = cat_with_table();
        to.tables.clear();
        assert!(diff(&from, &to).is_empty());
    }
}
