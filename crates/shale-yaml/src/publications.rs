//! YAML keys of logical replication (`publications:`, `subscriptions:`), rendered to
//! the DDL the SQL front end reads (docs/YAML.md):
//!
//! ```yaml
//! publications:
//!   sales:
//!     tables:
//!       - orders                                   # a table reference
//!       - {table: app.items, columns: [id, qty], where: "qty > 0"}
//!     schemas: [reports]                           # FOR TABLES IN SCHEMA
//!     publish: [insert, update]                    # default: all four operations
//!     via_partition_root: true
//!   everything: {all_tables: true}
//! subscriptions:
//!   feed:
//!     connection: host=publisher dbname=app
//!     publications: [sales]
//!     enabled: false                               # default true
//!     slot_name: none                              # default: the subscription's name
//!     synchronous_commit: remote_apply             # default off
//!     binary: true
//!     streaming: parallel                          # off (default), on or parallel
//! ```

use crate::doc::NameRef;
use crate::YamlError;
use serde::de::{self, value::MapAccessDeserializer, MapAccess};
use serde::{Deserialize, Deserializer};
use shale_model::{quote_ident, quote_literal};
use std::fmt;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationDoc {
    #[serde(default)]
    pub all_tables: bool,
    #[serde(default)]
    pub tables: Vec<PublicationTableDoc>,
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The operations published (`insert`, `update`, `delete`, `truncate`).
    #[serde(default)]
    pub publish: Option<Vec<String>>,
    #[serde(default)]
    pub via_partition_root: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationTableFull {
    pub table: NameRef,
    #[serde(default)]
    pub columns: Vec<String>,
    /// The row filter (`WHERE`), an SQL expression.
    #[serde(default, rename = "where")]
    pub row_filter: Option<String>,
}

/// `orders`, `app.orders` or `{table: app.orders, columns: [...], where: ...}`.
#[derive(Debug)]
pub struct PublicationTableDoc(pub PublicationTableFull);

impl<'de> Deserialize<'de> for PublicationTableDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = PublicationTableDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table name or a mapping with `table`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                let table = NameRef::deserialize(de::value::StrDeserializer::<E>::new(s))?;
                Ok(PublicationTableDoc(PublicationTableFull {
                    table,
                    columns: Vec::new(),
                    row_filter: None,
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                PublicationTableFull::deserialize(MapAccessDeserializer::new(m))
                    .map(PublicationTableDoc)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionDoc {
    /// The connection string (it may hold a password).
    pub connection: String,
    pub publications: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// A slot name, or `none`; default: the subscription's name.
    #[serde(default)]
    pub slot_name: Option<String>,
    #[serde(default)]
    pub synchronous_commit: Option<String>,
    #[serde(default)]
    pub binary: bool,
    /// `off` (default), `on` or `parallel`.
    #[serde(default)]
    pub streaming: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `CREATE PUBLICATION …;`.
pub(crate) fn publication_stmt(
    file: &str,
    obj: &str,
    name: &str,
    p: &PublicationDoc,
) -> Result<String, YamlError> {
    let err = |m: String| YamlError::object(file, obj, m);
    let mut targets = Vec::new();
    if p.all_tables {
        if !p.tables.is_empty() || !p.schemas.is_empty() {
            return Err(err(
                "`all_tables` leaves no room for `tables` or `schemas`".into()
            ));
        }
        targets.push("ALL TABLES".to_string());
    }
    let mut tables = Vec::new();
    for t in &p.tables {
        let t = &t.0;
        let mut s = t.table.0.to_string();
        if !t.columns.is_empty() {
            let cols: Vec<String> = t.columns.iter().map(|c| quote_ident(c)).collect();
            s.push_str(&format!(" ({})", cols.join(", ")));
        }
        if let Some(f) = &t.row_filter {
            crate::sqlcheck::check_expr(f)
                .map_err(|m| err(format!("table {}: `where`: {m}", t.table.0)))?;
            s.push_str(&format!(" WHERE ({f})"));
        }
        tables.push(s);
    }
    if !tables.is_empty() {
        targets.push(format!("TABLE {}", tables.join(", ")));
    }
    if !p.schemas.is_empty() {
        let s: Vec<String> = p.schemas.iter().map(|s| quote_ident(s)).collect();
        targets.push(format!("TABLES IN SCHEMA {}", s.join(", ")));
    }
    let mut sql = format!("CREATE PUBLICATION {}", quote_ident(name));
    if !targets.is_empty() {
        sql.push_str(&format!(" FOR {}", targets.join(", ")));
    }
    let mut with = Vec::new();
    if let Some(ops) = &p.publish {
        let mut words = Vec::new();
        for o in ops {
            let w = o.trim().to_ascii_lowercase();
            if !["insert", "update", "delete", "truncate"].contains(&w.as_str()) {
                return Err(err(format!(
                    "publish: `{o}` is not one of insert, update, delete, truncate"
                )));
            }
            words.push(w);
        }
        with.push(format!("publish = {}", quote_literal(&words.join(", "))));
    }
    if p.via_partition_root {
        with.push("publish_via_partition_root = true".into());
    }
    if !with.is_empty() {
        sql.push_str(&format!(" WITH ({})", with.join(", ")));
    }
    sql.push(';');
    Ok(sql)
}

/// `CREATE SUBSCRIPTION …;` (a disabled one without connecting, as the model's
/// [`shale_model::Subscription::create_sql`] writes it).
pub(crate) fn subscription_stmt(
    file: &str,
    obj: &str,
    name: &str,
    s: &SubscriptionDoc,
) -> Result<String, YamlError> {
    let err = |m: String| YamlError::object(file, obj, m);
    if s.publications.is_empty() {
        return Err(err("a subscription needs `publications`".into()));
    }
    let enabled = s.enabled.unwrap_or(true);
    let mut with = Vec::new();
    if !enabled {
        with.push("connect = false".to_string());
    }
    match s.slot_name.as_deref() {
        None => {}
        Some(n) if n.eq_ignore_ascii_case("none") => with.push("slot_name = NONE".into()),
        Some(n) => with.push(format!("slot_name = {}", quote_literal(n))),
    }
    if let Some(c) = &s.synchronous_commit {
        with.push(format!("synchronous_commit = {}", quote_literal(c)));
    }
    if s.binary {
        with.push("binary = true".into());
    }
    if let Some(m) = &s.streaming {
        let w = m.trim().to_ascii_lowercase();
        let v = match w.as_str() {
            "off" | "false" => "off",
            "on" | "true" => "on",
            "parallel" => "parallel",
            _ => {
                return Err(err(format!(
                    "streaming: `{m}` is not one of off, on, parallel"
                )))
            }
        };
        with.push(format!("streaming = {}", quote_literal(v)));
    }
    let pubs: Vec<String> = s.publications.iter().map(|p| quote_ident(p)).collect();
    let mut sql = format!(
        "CREATE SUBSCRIPTION {} CONNECTION {} PUBLICATION {}",
        quote_ident(name),
        quote_literal(&s.connection),
        pubs.join(", ")
    );
    if !with.is_empty() {
        sql.push_str(&format!(" WITH ({})", with.join(", ")));
    }
    sql.push(';');
    Ok(sql)
}
