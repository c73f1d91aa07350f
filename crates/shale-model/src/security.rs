//! Row-level security policies and privileges (ACLs).
//!
//! Canonical conventions (both front ends follow them):
//! - Row-level security switches are fields of [`crate::Table`] (`rls_enabled`,
//!   `rls_forced`).
//! - A [`Policy`] is keyed by its table and name. `roles` are sorted role names, with
//!   `PUBLIC` spelled [`PUBLIC`]; a policy without `TO` applies to `PUBLIC`. `using` and
//!   `with_check` are expressions normalized like checks.
//! - Privileges: [`Catalog::privileges`] holds, per object, the privileges granted to
//!   roles other than the object's owner, as a set of [`Grant`]s — but only when that set
//!   differs from PostgreSQL's default for a new object of its kind ([`baseline`]): no
//!   entry means "as created". So files without `GRANT`s never differ from a database in
//!   which nobody granted anything. The owner's own privileges are not modelled (owners
//!   differ between environments).

use crate::ident::QualName;
use crate::types::Expr;
use crate::{Catalog, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The grantee meaning every role.
pub const PUBLIC: &str = "PUBLIC";

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The command a policy applies to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }
}

/// `CREATE POLICY name ON table …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub table: QualName,
    pub name: String,
    pub command: PolicyCommand,
    /// `AS PERMISSIVE` (the default) or `AS RESTRICTIVE`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub permissive: bool,
    /// Sorted; `PUBLIC` for every role.
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Policy {
    pub fn key(&self) -> (QualName, String) {
        (self.table.clone(), self.name.clone())
    }
    pub fn id(&self) -> ObjectId {
        ObjectId::Policy {
            table: self.table.clone(),
            name: self.name.clone(),
        }
    }
}

/// One privilege held by one role: an `aclitem` entry, grantor left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// A role name, or [`PUBLIC`].
    pub grantee: String,
    /// Upper case: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`,
    /// `TRIGGER`, `USAGE`, `CREATE`, `EXECUTE`.
    pub privilege: String,
    /// `WITH GRANT OPTION`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub grantable: bool,
}

impl Grant {
    pub fn new(grantee: &str, privilege: &str, grantable: bool) -> Grant {
        Grant {
            grantee: grantee.to_string(),
            privilege: privilege.to_string(),
            grantable,
        }
    }
}

/// The privileges on one object (roles other than its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// A schema, table, view, column, sequence, type or function.
    pub object: ObjectId,
    pub grants: BTreeSet<Grant>,
}

/// The privileges a new object of this kind has for roles other than its owner:
/// `USAGE` for `PUBLIC` on types and the `public` schema, `EXECUTE` for `PUBLIC` on
/// functions, nothing on the rest (foreign-data wrappers and servers included).
pub fn baseline(object: &ObjectId) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    match object {
        ObjectId::Type { .. } => {
            out.insert(Grant::new(PUBLIC, "USAGE", false));
        }
        ObjectId::Schema { name } if name == "public" => {
            out.insert(Grant::new(PUBLIC, "USAGE", false));
        }
        ObjectId::Function { .. } => {
            out.insert(Grant::new(PUBLIC, "EXECUTE", false));
        }
        _ => {}
    }
    out
}

/// The privileges that can be granted on an object of this kind, in PostgreSQL's order
/// (`ALL` means these).
pub fn all_privileges(object: &ObjectId) -> &'static [&'static str] {
    match object {
        ObjectId::Table { .. } | ObjectId::View { .. } => &[
            "INSERT",
            "SELECT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
        ],
        ObjectId::Column { .. } => &["INSERT", "SELECT", "UPDATE", "REFERENCES"],
        ObjectId::Sequence { .. } => &["SELECT", "UPDATE", "USAGE"],
        ObjectId::Schema { .. } => &["USAGE", "CREATE"],
        ObjectId::Type { .. } => &["USAGE"],
        ObjectId::Function { .. } => &["EXECUTE"],
        ObjectId::ForeignDataWrapper { .. } | ObjectId::ForeignServer { .. } => &["USAGE"],
        _ => &[],
    }
}

/// The `aclitem` letter of a privilege (`r` for `SELECT`, ...).
pub fn privilege_of_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'a' => "INSERT",
        'r' => "SELECT",
        'w' => "UPDATE",
        'd' => "DELETE",
        'D' => "TRUNCATE",
        'x' => "REFERENCES",
        't' => "TRIGGER",
        'X' => "EXECUTE",
        'U' => "USAGE",
        'C' => "CREATE",
        _ => return None,
    })
}

/// The keyword `GRANT … ON <keyword> name` takes for an object.
pub fn grant_target_keyword(object: &ObjectId) -> &'static str {
    match object {
        ObjectId::Table { .. } | ObjectId::View { .. } | ObjectId::Column { .. } => "TABLE",
        ObjectId::Sequence { .. } => "SEQUENCE",
        ObjectId::Schema { .. } => "SCHEMA",
        ObjectId::Type { .. } => "TYPE",
        ObjectId::Function { .. } => "FUNCTION",
        ObjectId::ForeignDataWrapper { .. } => "FOREIGN DATA WRAPPER",
        ObjectId::ForeignServer { .. } => "FOREIGN SERVER",
        _ => "",
    }
}

impl Catalog {
    /// The privileges granted on `object` to roles other than its owner (the baseline when
    /// the catalog holds no entry).
    pub fn grants_on(&self, object: &ObjectId) -> BTreeSet<Grant> {
        match self.privileges.get(object) {
            Some(a) => a.grants.clone(),
            None => baseline(object),
        }
    }

    /// Record the privileges on `object`: stored only when they differ from the baseline.
    pub fn set_grants(&mut self, object: ObjectId, grants: BTreeSet<Grant>) {
        if grants == baseline(&object) {
            self.privileges.remove(&object);
        } else {
            self.privileges
                .insert(object.clone(), Acl { object, grants });
        }
    }

    /// Whether the object privileges may be held on exists in this catalog.
    pub fn acl_object_exists(&self, object: &ObjectId) -> bool {
        match object {
            ObjectId::Schema { name } => self.schemas.contains_key(name),
            ObjectId::Table { name } => self.tables.contains_key(name),
            ObjectId::View { name } => self.views.contains_key(name),
            ObjectId::Column { table, column } => {
                self.tables
                    .get(table)
                    .is_some_and(|t| t.column(column).is_some())
                    || self
                        .views
                        .get(table)
                        .is_some_and(|v| v.columns.iter().any(|c| c == column))
            }
            ObjectId::Sequence { name } => self.sequences.contains_key(name),
            ObjectId::Type { name } => {
                self.enums.contains_key(name)
                    || self.domains.contains_key(name)
                    || self.composites.contains_key(name)
                    || self.ranges.contains_key(name)
            }
            ObjectId::Function { name, args } => {
                self.functions.contains_key(&format!("{name}({args})"))
            }
            ObjectId::ForeignDataWrapper { name } => self.foreign_data_wrappers.contains_key(name),
            ObjectId::ForeignServer { name } => self.foreign_servers.contains_key(name),
            // No privileges, but an owner (`--include owners`).
            ObjectId::EventTrigger { name } => self.event_triggers.contains_key(name),
            // Text search dictionaries and configurations have owners (parsers and
            // templates do not), no privileges.
            ObjectId::TextSearchDictionary { name } => self.ts_dictionaries.contains_key(name),
            ObjectId::TextSearchConfiguration { name } => self.ts_configurations.contains_key(name),
            _ => false,
        }
    }

    /// Dependencies of policies and privileges (the part of [`Catalog::dependencies`] for
    /// these kinds).
    pub(crate) fn security_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        match id {
            ObjectId::Policy { table, name } => {
                out.push(ObjectId::Table {
                    name: table.clone(),
                });
                if let Some(p) = self.policies.get(&(table.clone(), name.clone())) {
                    // Expressions may name any column of the table.
                    if let Some(t) = self.tables.get(table) {
                        for c in &t.columns {
                            out.push(ObjectId::Column {
                                table: table.clone(),
                                column: c.name.clone(),
                            });
                        }
                    }
                    for e in p.using.iter().chain(p.with_check.iter()) {
                        for r in &e.refs {
                            if r != table && self.tables.contains_key(r) {
                                out.push(ObjectId::Table { name: r.clone() });
                            } else if self.views.contains_key(r) {
                                out.push(ObjectId::View { name: r.clone() });
                            }
                            // Functions the expressions call: dropped after the policy.
                            for f in self.overloads(r) {
                                out.push(f.id());
                            }
                        }
                    }
                }
            }
            ObjectId::Privileges { on } => out.push((**on).clone()),
            ObjectId::DefaultPrivileges {
                schema: Some(s), ..
            } => out.push(ObjectId::Schema { name: s.clone() }),
            _ => {}
        }
    }
}

/// The kind of objects `ALTER DEFAULT PRIVILEGES … ON <kind>` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultObjects {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

impl DefaultObjects {
    /// The keyword after `ON` (`TABLES`, …).
    pub fn sql(self) -> &'static str {
        match self {
            DefaultObjects::Tables => "TABLES",
            DefaultObjects::Sequences => "SEQUENCES",
            DefaultObjects::Functions => "FUNCTIONS",
            DefaultObjects::Types => "TYPES",
            DefaultObjects::Schemas => "SCHEMAS",
        }
    }
    /// `pg_default_acl.defaclobjtype`.
    pub fn from_catalog(c: &str) -> Option<DefaultObjects> {
        Some(match c {
            "r" => DefaultObjects::Tables,
            "S" => DefaultObjects::Sequences,
            "f" => DefaultObjects::Functions,
            "T" => DefaultObjects::Types,
            "n" => DefaultObjects::Schemas,
            _ => return None,
        })
    }
    /// The kind of object a new object of `object`'s kind takes its defaults from.
    pub fn of(object: &ObjectId) -> Option<DefaultObjects> {
        Some(match object {
            ObjectId::Table { .. } | ObjectId::View { .. } => DefaultObjects::Tables,
            ObjectId::Sequence { .. } => DefaultObjects::Sequences,
            ObjectId::Function { .. } => DefaultObjects::Functions,
            ObjectId::Type { .. } => DefaultObjects::Types,
            ObjectId::Schema { .. } => DefaultObjects::Schemas,
            _ => return None,
        })
    }
    /// A representative object of the kind (for [`baseline`] and [`all_privileges`]).
    pub fn sample(self) -> ObjectId {
        let q = QualName::new("", "");
        match self {
            DefaultObjects::Tables => ObjectId::Table { name: q },
            DefaultObjects::Sequences => ObjectId::Sequence { name: q },
            DefaultObjects::Functions => ObjectId::Function {
                name: q,
                args: String::new(),
            },
            DefaultObjects::Types => ObjectId::Type { name: q },
            DefaultObjects::Schemas => ObjectId::Schema {
                name: String::new(),
            },
        }
    }
}

/// `ALTER DEFAULT PRIVILEGES [FOR ROLE role] [IN SCHEMA schema] … ON <objects>`: the
/// privileges (roles other than the creator) that objects created later start with.
///
/// Without `schema`, `grants` replace PostgreSQL's built-in defaults (stored only when
/// they differ from [`baseline`]); with a schema, they are added to them. `role: None` is
/// the role that runs the files (and that introspects the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultPrivileges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub objects: DefaultObjects,
    pub grants: BTreeSet<Grant>,
}

/// The key of [`Catalog::default_privileges`].
pub type DefaultKey = (Option<String>, Option<String>, DefaultObjects);

impl DefaultPrivileges {
    pub fn key(&self) -> DefaultKey {
        (self.role.clone(), self.schema.clone(), self.objects)
    }
    pub fn id(&self) -> ObjectId {
        ObjectId::DefaultPrivileges {
            role: self.role.clone(),
            schema: self.schema.clone(),
            objects: self.objects.sql().to_string(),
        }
    }
}

impl Catalog {
    /// The default privileges of `key` (PostgreSQL's built-in ones for a global entry the
    /// catalog does not hold, none for a per-schema one).
    pub fn default_grants(&self, key: &DefaultKey) -> BTreeSet<Grant> {
        match self.default_privileges.get(key) {
            Some(d) => d.grants.clone(),
            None if key.1.is_none() => baseline(&key.2.sample()),
            None => BTreeSet::new(),
        }
    }

    /// Record default privileges: stored only when they differ from the built-in ones.
    pub fn set_default_grants(&mut self, key: DefaultKey, grants: BTreeSet<Grant>) {
        let base = if key.1.is_none() {
            baseline(&key.2.sample())
        } else {
            BTreeSet::new()
        };
        if grants == base {
            self.default_privileges.remove(&key);
        } else {
            self.default_privileges.insert(
                key.clone(),
                DefaultPrivileges {
                    role: key.0,
                    schema: key.1,
                    objects: key.2,
                    grants,
                },
            );
        }
    }

    /// The privileges a new object like `object` gets when the role that runs the files
    /// creates it now: the global default privileges (or the built-in ones) plus those of
    /// its schema. The schema an object lives in is its own name's schema.
    pub fn new_object_grants(&self, object: &ObjectId) -> BTreeSet<Grant> {
        let Some(kind) = DefaultObjects::of(object) else {
            return baseline(object);
        };
        let mut g = if matches!(object, ObjectId::Schema { name } if name == "public") {
            baseline(object)
        } else {
            self.default_grants(&(None, None, kind))
        };
        let schema = match object {
            ObjectId::Table { name }
            | ObjectId::View { name }
            | ObjectId::Sequence { name }
            | ObjectId::Type { name }
            | ObjectId::Function { name, .. } => Some(name.schema.clone()),
            _ => None,
        };
        if let Some(s) = schema {
            g.extend(self.default_grants(&(None, Some(s), kind)));
        }
        g
    }
}

impl Catalog {
    /// Objects whose owner can be set, with the `ALTER <kind>` keyword for them.
    pub fn owner_keyword(&self, object: &ObjectId) -> Option<&'static str> {
        Some(match object {
            ObjectId::Schema { .. } => "SCHEMA",
            ObjectId::Table { .. } => "TABLE",
            ObjectId::View { name } => {
                if self.views.get(name).is_some_and(|v| v.materialized) {
                    "MATERIALIZED VIEW"
                } else {
                    "VIEW"
                }
            }
            ObjectId::Sequence { .. } => "SEQUENCE",
            ObjectId::Type { .. } => "TYPE",
            ObjectId::Function { .. } => "ROUTINE",
            ObjectId::EventTrigger { .. } => "EVENT TRIGGER",
            ObjectId::TextSearchDictionary { .. } => "TEXT SEARCH DICTIONARY",
            ObjectId::TextSearchConfiguration { .. } => "TEXT SEARCH CONFIGURATION",
            _ => return None,
        })
    }
}

/// `Catalog::owners` as a list of `{object, owner}` (JSON maps need string keys).
pub mod owners_serde {
    use crate::ObjectId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize, Deserialize)]
    struct Owner {
        object: ObjectId,
        owner: String,
    }

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<ObjectId, String>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|(o, r)| Owner {
            object: o.clone(),
            owner: r.clone(),
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<ObjectId, String>, D::Error> {
        let items = Vec::<Owner>::deserialize(d)?;
        Ok(items.into_iter().map(|o| (o.object, o.owner)).collect())
    }
}

impl Catalog {
    /// The roles this catalog names (policy roles, grantees, roles of default privileges,
    /// owners), `PUBLIC` left out. shale never creates roles: a plan that grants to a role
    /// missing from the target server fails, so front ends check these first.
    pub fn roles_named(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for p in self.policies.values() {
            out.extend(p.roles.iter().cloned());
        }
        for a in self.privileges.values() {
            out.extend(a.grants.iter().map(|g| g.grantee.clone()));
        }
        for d in self.default_privileges.values() {
            out.extend(d.role.iter().cloned());
            out.extend(d.grants.iter().map(|g| g.grantee.clone()));
        }
        out.extend(self.owners.values().cloned());
        out.remove(PUBLIC);
        out
    }
}

impl Catalog {
    /// Default privileges written `FOR ROLE current` (as `pg_dump` writes them) become
    /// those of the role running shale (`role: None`), as the introspection of a database
    /// by `current` reports them. For a live plan, with the connection's user.
    pub fn default_privileges_as(&mut self, current: &str) {
        let keys: Vec<DefaultKey> = self
            .default_privileges
            .keys()
            .filter(|k| k.0.as_deref() == Some(current))
            .cloned()
            .collect();
        for k in keys {
            if let Some(mut d) = self.default_privileges.remove(&k) {
                d.role = None;
                let key = d.key();
                // Both spellings in the files: they name one entry (order is lost).
                let mut grants = match self.default_privileges.get(&key) {
                    Some(e) => e.grants.clone(),
                    None => BTreeSet::new(),
                };
                grants.extend(d.grants);
                self.set_default_grants(key, grants);
            }
        }
    }
}

impl Catalog {
    /// The files as a database loaded by `role` reports them: `FOR ROLE role` default
    /// privileges become the running role's, grants to the owner are gone, and user
    /// mappings for `role` by name are `CURRENT_USER`'s. Every comparison of files with a
    /// database (plan, the fixture suite, the rollback sweep) goes through this one call.
    pub fn as_run_by(&mut self, role: &str) {
        self.default_privileges_as(role);
        self.drop_grants_to_owner(role);
        self.user_mappings_as(role);
    }

    /// Grants the files make to an object's owner mean nothing: the owner holds every
    /// privilege already, PostgreSQL records no change, and the model (like the
    /// introspection) keeps only roles other than the owner. The owner is the one the
    /// files name (`--include owners`), else `running`, the role running shale, which the
    /// files' objects are taken to belong to.
    pub fn drop_grants_to_owner(&mut self, running: &str) {
        let objects: Vec<ObjectId> = self.privileges.keys().cloned().collect();
        for object in objects {
            let owned_by = match &object {
                ObjectId::Column { table, .. } => ObjectId::Table {
                    name: table.clone(),
                },
                o => o.clone(),
            };
            let owner = match self.owners.get(&owned_by) {
                Some(o) => o.clone(),
                None => running.to_string(),
            };
            let grants = self.grants_on(&object);
            if grants.iter().any(|g| g.grantee == owner) {
                let kept = grants.into_iter().filter(|g| g.grantee != owner).collect();
                self.set_grants(object, kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_to_the_owner_are_not_modelled() {
        let mut c = Catalog::default();
        let t = ObjectId::Table {
            name: QualName::new("public", "t"),
        };
        let u = ObjectId::Table {
            name: QualName::new("public", "u"),
        };
        let both: BTreeSet<Grant> = [
            Grant::new("postgres", "INSERT", false),
            Grant::new("app", "SELECT", false),
        ]
        .into_iter()
        .collect();
        c.set_grants(t.clone(), both.clone());
        c.set_grants(u.clone(), both);
        c.owners.insert(u.clone(), "app".into());
        c.drop_grants_to_owner("postgres");
        let names = |o: &ObjectId| -> Vec<String> {
            c.grants_on(o).into_iter().map(|g| g.grantee).collect()
        };
        assert_eq!(names(&t), ["app"]);
        // u's owner is app (from the files): the grant to postgres stays.
        assert_eq!(names(&u), ["postgres"]);
    }

    #[test]
    fn pg_dump_style_default_privileges_meet_the_current_role() {
        let mut c = Catalog::default();
        let g =
            |r: &str| -> BTreeSet<Grant> { [Grant::new(r, "SELECT", false)].into_iter().collect() };
        c.set_default_grants(
            (Some("postgres".into()), None, DefaultObjects::Tables),
            g("a"),
        );
        c.set_default_grants((Some("other".into()), None, DefaultObjects::Tables), g("b"));
        // REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC, for role postgres: nothing left.
        c.set_default_grants(
            (Some("postgres".into()), None, DefaultObjects::Functions),
            BTreeSet::new(),
        );
        c.default_privileges_as("postgres");
        let keys: Vec<_> = c.default_privileges.keys().cloned().collect();
        assert_eq!(
            keys,
            vec![
                (None, None, DefaultObjects::Tables),
                (None, None, DefaultObjects::Functions),
                (Some("other".into()), None, DefaultObjects::Tables)
            ]
        );
        assert!(c
            .default_grants(&(None, None, DefaultObjects::Functions))
            .is_empty());
        assert_eq!(
            c.default_grants(&(None, None, DefaultObjects::Tables)),
            g("a")
        );
    }

    #[test]
    fn baselines_are_not_stored() {
        let mut c = Catalog::default();
        let f = ObjectId::Function {
            name: QualName::new("public", "f"),
            args: String::new(),
        };
        c.set_grants(
            f.clone(),
            [Grant::new(PUBLIC, "EXECUTE", false)].into_iter().collect(),
        );
        assert!(c.privileges.is_empty());
        c.set_grants(f.clone(), BTreeSet::new());
        assert!(c.grants_on(&f).is_empty());
        assert_eq!(c.privileges.len(), 1);
    }
}
