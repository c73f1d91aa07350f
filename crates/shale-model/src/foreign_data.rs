//! SQL/MED: foreign-data wrappers, foreign servers, user mappings and foreign tables.
//!
//! Canonical conventions (both front ends follow them):
//! - Wrappers, servers and user mappings are database-wide; wrappers and servers are
//!   keyed by name, user mappings by server and user.
//! - Generic options (`OPTIONS (k 'v')`) are a map: PostgreSQL keeps them in the order
//!   they were added, but the order means nothing, so it is not compared.
//! - A wrapper's handler and validator are schema-qualified function names (`None`:
//!   `NO HANDLER`/`NO VALIDATOR`, the defaults).
//! - A user mapping's user is a role name, `PUBLIC`, or `CURRENT_USER` for the role
//!   running shale (the live front end reads a mapping of the connected role so, as
//!   default privileges do; files may name that role `CURRENT_USER`, `CURRENT_ROLE`,
//!   `USER` or `SESSION_USER`, and a live plan reads a mapping naming it by name so too:
//!   [`Catalog::user_mappings_as`]).
//! - A foreign table is a relation with columns (plain [`Column`]s: type, `NOT NULL`,
//!   default, collation, comment) and per-column options, its server and its options.
//! - Option values may be secrets (`password`): review output masks them.

use crate::ident::{quote_ident, quote_literal, QualName};
use crate::{Catalog, Column, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Generic options of a wrapper, server, user mapping, foreign table or column.
pub type Options = BTreeMap<String, String>;

/// `OPTIONS (k 'v', …)` (empty when there are none).
pub fn options_sql(o: &Options) -> String {
    if o.is_empty() {
        return String::new();
    }
    let items: Vec<String> = o
        .iter()
        .map(|(k, v)| format!("{} {}", quote_ident(k), quote_literal(v)))
        .collect();
    format!("OPTIONS ({})", items.join(", "))
}

/// `OPTIONS (ADD k 'v', SET k 'v', DROP k)` turning `from` into `to` (`None`: no change).
pub fn alter_options_sql(from: &Options, to: &Options) -> Option<String> {
    let mut items = Vec::new();
    for k in from.keys() {
        if !to.contains_key(k) {
            items.push(format!("DROP {}", quote_ident(k)));
        }
    }
    for (k, v) in to {
        match from.get(k) {
            None => items.push(format!("ADD {} {}", quote_ident(k), quote_literal(v))),
            Some(old) if old != v => {
                items.push(format!("SET {} {}", quote_ident(k), quote_literal(v)))
            }
            _ => {}
        }
    }
    (!items.is_empty()).then(|| format!("OPTIONS ({})", items.join(", ")))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignDataWrapper {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<QualName>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Options,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignDataWrapper {
    pub fn id(&self) -> ObjectId {
        ObjectId::ForeignDataWrapper {
            name: self.name.clone(),
        }
    }

    /// `HANDLER f VALIDATOR g` clauses (`NO …` spelled out only for `ALTER`).
    fn functions_sql(&self, alter: bool) -> Vec<String> {
        let mut s = Vec::new();
        match &self.handler {
            Some(h) => s.push(format!("HANDLER {h}")),
            None if alter => s.push("NO HANDLER".into()),
            None => {}
        }
        match &self.validator {
            Some(v) => s.push(format!("VALIDATOR {v}")),
            None if alter => s.push("NO VALIDATOR".into()),
            None => {}
        }
        s
    }

    pub fn create_sql(&self) -> String {
        let mut parts = vec![format!(
            "CREATE FOREIGN DATA WRAPPER {}",
            quote_ident(&self.name)
        )];
        parts.extend(self.functions_sql(false));
        let o = options_sql(&self.options);
        if !o.is_empty() {
            parts.push(o);
        }
        parts.join(" ")
    }

    /// `ALTER FOREIGN DATA WRAPPER … HANDLER … VALIDATOR …` (to this one's functions).
    pub fn alter_functions_sql(&self) -> String {
        format!(
            "ALTER FOREIGN DATA WRAPPER {} {}",
            quote_ident(&self.name),
            self.functions_sql(true).join(" ")
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignServer {
    pub name: String,
    /// Its foreign-data wrapper.
    pub wrapper: String,
    /// `TYPE '…'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_type: Option<String>,
    /// `VERSION '…'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Options,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignServer {
    pub fn id(&self) -> ObjectId {
        ObjectId::ForeignServer {
            name: self.name.clone(),
        }
    }

    pub fn create_sql(&self) -> String {
        let mut s = format!("CREATE SERVER {}", quote_ident(&self.name));
        if let Some(t) = &self.server_type {
            s.push_str(&format!(" TYPE {}", quote_literal(t)));
        }
        if let Some(v) = &self.version {
            s.push_str(&format!(" VERSION {}", quote_literal(v)));
        }
        s.push_str(&format!(
            " FOREIGN DATA WRAPPER {}",
            quote_ident(&self.wrapper)
        ));
        let o = options_sql(&self.options);
        if !o.is_empty() {
            s.push_str(&format!(" {o}"));
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMapping {
    pub server: String,
    /// A role name, `PUBLIC` or `CURRENT_USER` (see the module docs).
    pub user: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Options,
}

impl UserMapping {
    pub fn key(&self) -> (String, String) {
        (self.server.clone(), self.user.clone())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::UserMapping {
            server: self.server.clone(),
            user: self.user.clone(),
        }
    }

    /// The user as SQL writes it (`PUBLIC` and `CURRENT_USER` are keywords).
    pub fn user_sql(&self) -> String {
        user_sql(&self.user)
    }

    pub fn create_sql(&self) -> String {
        let mut s = format!(
            "CREATE USER MAPPING FOR {} SERVER {}",
            self.user_sql(),
            quote_ident(&self.server)
        );
        let o = options_sql(&self.options);
        if !o.is_empty() {
            s.push_str(&format!(" {o}"));
        }
        s
    }
}

/// A user mapping's user as SQL writes it.
pub fn user_sql(user: &str) -> String {
    match user {
        "PUBLIC" | "CURRENT_USER" => user.to_string(),
        u => quote_ident(u),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignTable {
    pub name: QualName,
    pub server: String,
    pub columns: Vec<Column>,
    /// Options of columns that have any, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub column_options: BTreeMap<String, Options>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: Options,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignTable {
    pub fn id(&self) -> ObjectId {
        ObjectId::ForeignTable {
            name: self.name.clone(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A column's definition as `CREATE FOREIGN TABLE` and `ADD COLUMN` write it.
    pub fn column_sql(&self, c: &Column) -> String {
        let mut s = format!("{} {}", quote_ident(&c.name), c.ty);
        if let Some(o) = self.column_options.get(&c.name) {
            let o = options_sql(o);
            if !o.is_empty() {
                s.push_str(&format!(" {o}"));
            }
        }
        if let Some(coll) = &c.collation {
            s.push_str(&format!(" COLLATE {coll}"));
        }
        if c.not_null {
            s.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            s.push_str(&format!(" DEFAULT {}", d.sql));
        }
        s
    }

    /// `CREATE FOREIGN TABLE …` (without comments).
    pub fn create_sql(&self) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("    {}", self.column_sql(c)))
            .collect();
        let mut s = format!(
            "CREATE FOREIGN TABLE {} (\n{}\n) SERVER {}",
            self.name,
            cols.join(",\n"),
            quote_ident(&self.server)
        );
        if self.columns.is_empty() {
            s = format!(
                "CREATE FOREIGN TABLE {} () SERVER {}",
                self.name,
                quote_ident(&self.server)
            );
        }
        let o = options_sql(&self.options);
        if !o.is_empty() {
            s.push_str(&format!(" {o}"));
        }
        s
    }
}

impl Catalog {
    /// User mappings written for the role running shale by its name (`FOR postgres`, as
    /// `pg_dump` writes them) become `CURRENT_USER`'s, as the introspection of a database
    /// by that role reports them. For a live plan, with the connection's user.
    pub fn user_mappings_as(&mut self, current: &str) {
        let keys: Vec<(String, String)> = self
            .user_mappings
            .keys()
            .filter(|(_, u)| u == current)
            .cloned()
            .collect();
        for k in keys {
            if let Some(mut m) = self.user_mappings.remove(&k) {
                m.user = "CURRENT_USER".into();
                self.user_mappings.insert(m.key(), m);
            }
        }
    }

    /// Dependencies of the SQL/MED objects (the part of [`Catalog::dependencies`] for
    /// them): a wrapper needs its functions (or the extension in their schema), a server
    /// its wrapper, a user mapping its server, a foreign table its schema, server and
    /// the types its columns use.
    pub(crate) fn foreign_data_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        match id {
            ObjectId::ForeignDataWrapper { name } => {
                let Some(w) = self.foreign_data_wrappers.get(name) else {
                    return;
                };
                for (f, args) in [(&w.handler, ""), (&w.validator, "text[], oid")] {
                    let Some(f) = f else { continue };
                    if self.functions.contains_key(&format!("{f}({args})")) {
                        out.push(ObjectId::Function {
                            name: f.clone(),
                            args: args.to_string(),
                        });
                    }
                    for e in self.extensions.values().filter(|e| e.schema == f.schema) {
                        out.push(ObjectId::Extension {
                            name: e.name.clone(),
                        });
                    }
                }
            }
            ObjectId::ForeignServer { name } => {
                if let Some(s) = self.foreign_servers.get(name) {
                    if self.foreign_data_wrappers.contains_key(&s.wrapper) {
                        out.push(ObjectId::ForeignDataWrapper {
                            name: s.wrapper.clone(),
                        });
                    }
                }
            }
            ObjectId::UserMapping { server, .. } if self.foreign_servers.contains_key(server) => {
                out.push(ObjectId::ForeignServer {
                    name: server.clone(),
                });
            }
            ObjectId::ForeignTable { name } => {
                out.push(ObjectId::Schema {
                    name: name.schema.clone(),
                });
                if let Some(t) = self.foreign_tables.get(name) {
                    if self.foreign_servers.contains_key(&t.server) {
                        out.push(ObjectId::ForeignServer {
                            name: t.server.clone(),
                        });
                    }
                    for c in &t.columns {
                        self.type_dependency(&c.ty, out);
                        if let Some(d) = &c.default {
                            self.expr_dependencies(d, out);
                        }
                        if let Some(coll) = &c.collation {
                            if self.collations.contains_key(coll) {
                                out.push(ObjectId::Collation { name: coll.clone() });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TypeRef;

    #[test]
    fn options_are_added_set_and_dropped_by_name() {
        let from: Options = [("host", "a"), ("port", "5432"), ("x", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let to: Options = [("host", "b"), ("port", "5432"), ("dbname", "d")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            alter_options_sql(&from, &to).unwrap(),
            "OPTIONS (DROP x, ADD dbname 'd', SET host 'b')"
        );
        assert_eq!(alter_options_sql(&to, &to), None);
    }

    #[test]
    fn a_mapping_for_the_running_role_by_name_is_current_users() {
        let mut cat = Catalog::default();
        for user in ["postgres", "PUBLIC", "app"] {
            let m = UserMapping {
                server: "s".into(),
                user: user.into(),
                options: Options::new(),
            };
            cat.user_mappings.insert(m.key(), m);
        }
        cat.user_mappings_as("postgres");
        let users: Vec<&str> = cat.user_mappings.keys().map(|k| k.1.as_str()).collect();
        assert_eq!(users, ["CURRENT_USER", "PUBLIC", "app"]);
    }

    #[test]
    fn sql_of_each_kind() {
        let w = ForeignDataWrapper {
            name: "w".into(),
            handler: None,
            validator: Some(QualName::new("public", "v")),
            options: Options::new(),
            comment: None,
        };
        assert_eq!(
            w.create_sql(),
            "CREATE FOREIGN DATA WRAPPER w VALIDATOR public.v"
        );
        assert_eq!(
            w.alter_functions_sql(),
            "ALTER FOREIGN DATA WRAPPER w NO HANDLER VALIDATOR public.v"
        );
        let mut o = Options::new();
        o.insert("password".into(), "it's".into());
        let m = UserMapping {
            server: "S".into(),
            user: "CURRENT_USER".into(),
            options: o,
        };
        assert_eq!(
            m.create_sql(),
            "CREATE USER MAPPING FOR CURRENT_USER SERVER \"S\" OPTIONS (password 'it''s')"
        );
        let mut t = ForeignTable {
            name: QualName::new("public", "ft"),
            server: "s".into(),
            columns: vec![Column::new("a", TypeRef::builtin("integer"))],
            column_options: BTreeMap::new(),
            options: Options::new(),
            comment: None,
        };
        t.columns[0].not_null = true;
        t.column_options.insert(
            "a".into(),
            [("column_name".to_string(), "A".to_string())].into(),
        );
        assert_eq!(
            t.create_sql(),
            "CREATE FOREIGN TABLE public.ft (\n    a integer OPTIONS (column_name 'A') NOT NULL\n) SERVER s"
        );
    }
}
