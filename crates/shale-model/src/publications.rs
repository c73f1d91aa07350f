//! Logical replication: publications (`CREATE PUBLICATION`) and subscriptions
//! (`CREATE SUBSCRIPTION`). Both are database-wide objects keyed by name.
//!
//! Canonical conventions (both front ends follow them):
//! - A publication's tables are sorted by name; a table's column list is kept in the
//!   order written (as `prattrs` keeps it: attribute numbers in table order, so the
//!   front ends sort the names by the table's column order), its row filter is a
//!   normalized [`Expr`]. Schemas (`FOR TABLES IN SCHEMA`, PostgreSQL 15) are sorted.
//! - `publish` is the four flags `pubinsert`, `pubupdate`, `pubdelete`, `pubtruncate`
//!   (all true by default), `via_root` is `pubviaroot`.
//! - A subscription keeps what `pg_subscription` keeps: the connection string exactly
//!   as written (it may carry a password: review output masks it), the publications in
//!   the order written, the slot name (`None`: `slot_name = NONE`), `enabled`, and the
//!   options shale models. `conninfo` is `None` when the server would not let the user
//!   read it (`subconninfo` is readable by superusers only): then it is not compared.

use crate::ident::{quote_ident, quote_literal, QualName};
use crate::types::Expr;
use crate::{Catalog, ObjectId};
use serde::{Deserialize, Serialize};

fn is_true(b: &bool) -> bool {
    *b
}
fn yes() -> bool {
    true
}
fn is_false(b: &bool) -> bool {
    !*b
}

/// A table of a publication (`FOR TABLE t (a, b) WHERE (…)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationTable {
    pub table: QualName,
    /// A column list (PostgreSQL 15): in the table's column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// A row filter (PostgreSQL 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_filter: Option<Expr>,
}

impl PublicationTable {
    /// `public.t (a, b) WHERE (…)`, as `ALTER PUBLICATION … ADD TABLE` takes it.
    pub fn sql(&self) -> String {
        let mut s = self.table.to_string();
        if !self.columns.is_empty() {
            let cols: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
            s.push_str(&format!(" ({})", cols.join(", ")));
        }
        if let Some(f) = &self.row_filter {
            s.push_str(&format!(" WHERE ({})", f.sql));
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub name: String,
    /// `FOR ALL TABLES`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub all_tables: bool,
    /// `FOR TABLE …`, sorted by table name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<PublicationTable>,
    /// `FOR TABLES IN SCHEMA …` (PostgreSQL 15), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub insert: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub update: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub delete: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub truncate: bool,
    /// `publish_via_partition_root`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub via_root: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Publication {
    pub fn new(name: impl Into<String>) -> Publication {
        Publication {
            name: name.into(),
            all_tables: false,
            tables: Vec::new(),
            schemas: Vec::new(),
            insert: true,
            update: true,
            delete: true,
            truncate: true,
            via_root: false,
            comment: None,
        }
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::Publication {
            name: self.name.clone(),
        }
    }

    /// The `publish` option's value (`insert, update`), as PostgreSQL reads it.
    pub fn publish(&self) -> String {
        let mut ops = Vec::new();
        for (on, op) in [
            (self.insert, "insert"),
            (self.update, "update"),
            (self.delete, "delete"),
            (self.truncate, "truncate"),
        ] {
            if on {
                ops.push(op);
            }
        }
        ops.join(", ")
    }

    /// The `WITH (…)` options that differ from PostgreSQL's defaults (empty: none).
    pub fn with_options(&self) -> Vec<String> {
        let mut w = Vec::new();
        if !(self.insert && self.update && self.delete && self.truncate) {
            w.push(format!("publish = {}", quote_literal(&self.publish())));
        }
        if self.via_root {
            w.push("publish_via_partition_root = true".to_string());
        }
        w
    }

    /// The object list after `FOR` (`TABLE a, b, TABLES IN SCHEMA s`), empty for none.
    pub fn targets_sql(&self) -> String {
        if self.all_tables {
            return "ALL TABLES".into();
        }
        let mut parts = Vec::new();
        if !self.tables.is_empty() {
            let t: Vec<String> = self.tables.iter().map(|t| t.sql()).collect();
            parts.push(format!("TABLE {}", t.join(", ")));
        }
        if !self.schemas.is_empty() {
            let s: Vec<String> = self.schemas.iter().map(|s| quote_ident(s)).collect();
            parts.push(format!("TABLES IN SCHEMA {}", s.join(", ")));
        }
        parts.join(", ")
    }

    /// `CREATE PUBLICATION …` (without its comment).
    pub fn create_sql(&self) -> String {
        let mut s = format!("CREATE PUBLICATION {}", quote_ident(&self.name));
        let targets = self.targets_sql();
        if !targets.is_empty() {
            s.push_str(&format!(" FOR {targets}"));
        }
        let w = self.with_options();
        if !w.is_empty() {
            s.push_str(&format!(" WITH ({})", w.join(", ")));
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub name: String,
    /// The connection string as written; `None` when the server keeps it from the user
    /// (then never compared). May hold a password: masked in review output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conninfo: Option<String>,
    /// The publications subscribed to, in the order written.
    pub publications: Vec<String>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// The replication slot (`None`: `slot_name = NONE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_name: Option<String>,
    /// `synchronous_commit` (`off` by default).
    pub synchronous_commit: String,
    /// `binary` (PostgreSQL 14).
    #[serde(default, skip_serializing_if = "is_false")]
    pub binary: bool,
    /// `streaming` (PostgreSQL 14): `off`, `on` (or `parallel`, PostgreSQL 16).
    pub streaming: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Subscription {
    pub fn id(&self) -> ObjectId {
        ObjectId::Subscription {
            name: self.name.clone(),
        }
    }

    /// The options that `ALTER SUBSCRIPTION … SET (…)` can change, as written there
    /// (defaults included, so that a change back to a default is written too).
    pub fn set_options(&self) -> Vec<String> {
        let mut w = vec![format!(
            "synchronous_commit = {}",
            quote_literal(&self.synchronous_commit)
        )];
        if self.binary {
            w.push("binary = true".into());
        }
        if self.streaming != "off" {
            w.push(format!("streaming = {}", self.streaming));
        }
        w
    }

    /// `CREATE SUBSCRIPTION …`. A disabled subscription is created without connecting
    /// to the publisher (`connect = false`: no slot created, no table copied), as the
    /// catalog keeps it; an enabled one as `CREATE SUBSCRIPTION` does by default
    /// (connecting, creating its slot unless named otherwise, copying the tables).
    pub fn create_sql(&self) -> String {
        let pubs: Vec<String> = self.publications.iter().map(|p| quote_ident(p)).collect();
        let slot = match &self.slot_name {
            Some(s) => format!("slot_name = {}", quote_literal(s)),
            None => "slot_name = NONE".to_string(),
        };
        let mut w = Vec::new();
        if !self.enabled {
            w.push("connect = false".to_string());
            w.push("enabled = false".to_string());
            w.push("create_slot = false".to_string());
            w.push(slot);
        } else if self.slot_name.as_deref() != Some(self.name.as_str()) {
            w.push(slot);
        }
        if self.synchronous_commit != "off" {
            w.push(format!(
                "synchronous_commit = {}",
                quote_literal(&self.synchronous_commit)
            ));
        }
        if self.binary {
            w.push("binary = true".into());
        }
        if self.streaming != "off" {
            w.push(format!("streaming = {}", self.streaming));
        }
        let mut s = format!(
            "CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {}",
            quote_ident(&self.name),
            quote_literal(self.conninfo.as_deref().unwrap_or("")),
            pubs.join(", "),
        );
        if !w.is_empty() {
            s.push_str(&format!(" WITH ({})", w.join(", ")));
        }
        s
    }
}

/// Drops every subscription of the connected database detached from its slot (disabled,
/// `slot_name = NONE`, dropped), so that nothing is asked of any publisher: for throwaway
/// databases (the proof copy, the dev database), which PostgreSQL will not drop while they
/// hold subscriptions, and whose subscriptions share their slot names with real ones.
pub const DROP_SUBSCRIPTIONS_DETACHED: &str = "DO $$DECLARE s record; BEGIN \
    FOR s IN SELECT subname FROM pg_catalog.pg_subscription WHERE subdbid = \
        (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) LOOP \
      EXECUTE pg_catalog.format('ALTER SUBSCRIPTION %I DISABLE', s.subname); \
      EXECUTE pg_catalog.format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', s.subname); \
      EXECUTE pg_catalog.format('DROP SUBSCRIPTION %I', s.subname); \
    END LOOP; END$$";

impl Subscription {
    /// `DROP SUBSCRIPTION` detached from its slot first, as PostgreSQL's documentation
    /// says to when the publisher cannot be reached: `ALTER SUBSCRIPTION … DISABLE`,
    /// `ALTER SUBSCRIPTION … SET (slot_name = NONE)`, `DROP SUBSCRIPTION …` (three
    /// statements, none of which connects to the publisher; the slot, if any, stays there).
    pub fn detached_drop_sql(name: &str) -> String {
        let n = quote_ident(name);
        format!(
            "ALTER SUBSCRIPTION {n} DISABLE;\nALTER SUBSCRIPTION {n} SET (slot_name = NONE);\nDROP SUBSCRIPTION {n}"
        )
    }
}

impl Catalog {
    /// Dependencies of publications (the part of [`Catalog::dependencies`] for them):
    /// their tables and schemas.
    pub(crate) fn publication_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        if let ObjectId::Publication { name } = id {
            if let Some(p) = self.publications.get(name) {
                for t in &p.tables {
                    if self.tables.contains_key(&t.table) {
                        out.push(ObjectId::Table {
                            name: t.table.clone(),
                        });
                        for c in &t.columns {
                            out.push(ObjectId::Column {
                                table: t.table.clone(),
                                column: c.clone(),
                            });
                        }
                    }
                }
                for s in &p.schemas {
                    out.push(ObjectId::Schema { name: s.clone() });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_sql_names_only_what_differs_from_the_defaults() {
        let mut p = Publication::new("Pub");
        assert_eq!(p.create_sql(), "CREATE PUBLICATION \"Pub\"");
        p.tables.push(PublicationTable {
            table: QualName::new("public", "t"),
            columns: vec!["a".into()],
            row_filter: None,
        });
        p.schemas.push("s".into());
        p.truncate = false;
        p.via_root = true;
        assert_eq!(
            p.create_sql(),
            "CREATE PUBLICATION \"Pub\" FOR TABLE public.t (a), TABLES IN SCHEMA s \
             WITH (publish = 'insert, update, delete', publish_via_partition_root = true)"
        );
        assert_eq!(p.id().to_string(), "publication \"Pub\"");
        let mut cat = Catalog::default();
        cat.publications.insert(p.name.clone(), p.clone());
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }

    #[test]
    fn subscriptions_are_created_without_connecting() {
        let s = Subscription {
            name: "sub".into(),
            conninfo: Some("host=x password=hunter2".into()),
            publications: vec!["p1".into(), "P2".into()],
            enabled: false,
            slot_name: None,
            synchronous_commit: "off".into(),
            binary: false,
            streaming: "off".into(),
            comment: None,
        };
        assert_eq!(
            s.create_sql(),
            "CREATE SUBSCRIPTION sub CONNECTION 'host=x password=hunter2' PUBLICATION p1, \"P2\" \
             WITH (connect = false, enabled = false, create_slot = false, slot_name = NONE)"
        );
    }
}
