//! YAML keys of SQL/MED (`foreign_data_wrappers:`, `servers:` with their
//! `user_mappings:`, `foreign_tables:`), rendered to the DDL the SQL front end reads
//! (docs/YAML.md):
//!
//! ```yaml
//! foreign_data_wrappers:
//!   plain:
//!     handler: app.plain_handler      # optional, like validator
//!     options: {mode: strict}
//!     grants: {reporting: [usage]}
//! servers:
//!   warehouse:
//!     wrapper: plain
//!     type: pg                        # optional, like version
//!     options: {host: db.internal, port: "5432"}
//!     grants: {reporting: [usage]}
//!     user_mappings:
//!       current_user: {user: reader, password: secret}
//!       public: {}
//! foreign_tables:
//!   remote.stock:
//!     server: warehouse
//!     options: {table_name: stock_levels}
//!     columns:
//!       sku: {type: text, not_null: true, options: {column_name: SKU}}
//!       qty: integer
//! ```
//!
//! A user mapping's key is a role name, `public` (any case: PostgreSQL's `PUBLIC`), or
//! `current_user`, `current_role`, `user` or `session_user` (any case), which all mean the
//! role running the files, as `CREATE USER MAPPING FOR CURRENT_USER` does.

use crate::doc::{Grants, NameRef, OrderedMap};
use crate::YamlError;
use serde::de::{self, value::MapAccessDeserializer, MapAccess};
use serde::{Deserialize, Deserializer};
use shale_model::{quote_ident, quote_literal, QualName};
use std::fmt;

/// Generic options (`OPTIONS (k 'v')`): values are strings (a number or boolean is
/// taken as written).
pub type OptionsDoc = OrderedMap<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrapperDoc {
    #[serde(default)]
    pub handler: Option<NameRef>,
    #[serde(default)]
    pub validator: Option<NameRef>,
    #[serde(default)]
    pub options: OptionsDoc,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerDoc {
    pub wrapper: String,
    #[serde(default, rename = "type")]
    pub server_type: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub options: OptionsDoc,
    /// Per user (see the module docs), the mapping's options.
    #[serde(default)]
    pub user_mappings: OrderedMap<OptionsDoc>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub grants: Option<Grants>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignTableDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub server: String,
    #[serde(default)]
    pub columns: OrderedMap<ForeignColumnDoc>,
    #[serde(default)]
    pub options: OptionsDoc,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignColumnFull {
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub not_null: bool,
    /// A SQL expression.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub collation: Option<String>,
    #[serde(default)]
    pub options: OptionsDoc,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `qty: integer` or `qty: {type: integer, not_null: true, ...}`.
#[derive(Debug)]
pub struct ForeignColumnDoc(pub ForeignColumnFull);

impl<'de> Deserialize<'de> for ForeignColumnDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = ForeignColumnDoc;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type name or a column mapping")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(ForeignColumnDoc(ForeignColumnFull {
                    ty: s.to_string(),
                    ..Default::default()
                }))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Self::Value, A::Error> {
                ForeignColumnFull::deserialize(MapAccessDeserializer::new(m)).map(ForeignColumnDoc)
            }
        }
        d.deserialize_any(V)
    }
}

/// `OPTIONS (k 'v', …)` with a leading space, or nothing.
pub(crate) fn options_sql(
    file: &str,
    obj: &str,
    options: &OptionsDoc,
) -> Result<String, YamlError> {
    if options.0.is_empty() {
        return Ok(String::new());
    }
    let mut items = Vec::new();
    for (k, v) in &options.0 {
        if k.is_empty() {
            return Err(YamlError::object(file, obj, "empty option name"));
        }
        items.push(format!("{} {}", quote_ident(k), quote_literal(v)));
    }
    Ok(format!(" OPTIONS ({})", items.join(", ")))
}

/// The user of a user mapping's key, as SQL writes it.
pub(crate) fn mapping_user_sql(key: &str) -> String {
    match key.to_ascii_lowercase().as_str() {
        "public" => "PUBLIC".into(),
        "current_user" | "current_role" | "user" | "session_user" => "CURRENT_USER".into(),
        _ => quote_ident(key),
    }
}

/// `CREATE FOREIGN DATA WRAPPER …;`.
pub(crate) fn wrapper_stmt(
    file: &str,
    obj: &str,
    name: &str,
    w: &WrapperDoc,
) -> Result<String, YamlError> {
    let mut s = format!("CREATE FOREIGN DATA WRAPPER {}", quote_ident(name));
    if let Some(h) = &w.handler {
        s.push_str(&format!(" HANDLER {}", h.0));
    }
    if let Some(v) = &w.validator {
        s.push_str(&format!(" VALIDATOR {}", v.0));
    }
    s.push_str(&options_sql(file, obj, &w.options)?);
    s.push(';');
    Ok(s)
}

/// `CREATE SERVER …;` and `CREATE USER MAPPING …;` for each of its mappings.
pub(crate) fn server_stmts(
    file: &str,
    obj: &str,
    name: &str,
    s: &ServerDoc,
) -> Result<Vec<String>, YamlError> {
    let mut sql = format!("CREATE SERVER {}", quote_ident(name));
    if let Some(t) = &s.server_type {
        sql.push_str(&format!(" TYPE {}", quote_literal(t)));
    }
    if let Some(v) = &s.version {
        sql.push_str(&format!(" VERSION {}", quote_literal(v)));
    }
    sql.push_str(&format!(
        " FOREIGN DATA WRAPPER {}",
        quote_ident(&s.wrapper)
    ));
    sql.push_str(&options_sql(file, obj, &s.options)?);
    sql.push(';');
    let mut out = vec![sql];
    for (user, o) in &s.user_mappings.0 {
        if user.is_empty() {
            return Err(YamlError::object(
                file,
                obj,
                "user mapping: empty user name",
            ));
        }
        out.push(format!(
            "CREATE USER MAPPING FOR {} SERVER {}{};",
            mapping_user_sql(user),
            quote_ident(name),
            options_sql(file, &format!("{obj}, user mapping for {user}"), o)?
        ));
    }
    Ok(out)
}

/// `CREATE FOREIGN TABLE …;` (its comments are the caller's).
pub(crate) fn foreign_table_stmt(
    file: &str,
    obj: &str,
    name: &QualName,
    t: &ForeignTableDoc,
) -> Result<String, YamlError> {
    let mut cols = Vec::new();
    for (c, cd) in &t.columns.0 {
        let cd = &cd.0;
        let cobj = format!("{obj}, column {}", quote_ident(c));
        crate::sqlcheck::check_type(&cd.ty).map_err(|m| YamlError::object(file, &cobj, m))?;
        let mut s = format!("    {} {}", quote_ident(c), cd.ty);
        s.push_str(&options_sql(file, &cobj, &cd.options)?);
        if let Some(coll) = &cd.collation {
            let q = match coll.split_once('.') {
                Some((s, n)) => format!("{}.{}", quote_ident(s), quote_ident(n)),
                None => quote_ident(coll),
            };
            s.push_str(&format!(" COLLATE {q}"));
        }
        if cd.not_null {
            s.push_str(" NOT NULL");
        }
        if let Some(d) = &cd.default {
            crate::sqlcheck::check_expr(d).map_err(|m| YamlError::object(file, &cobj, m))?;
            s.push_str(&format!(" DEFAULT {d}"));
        }
        cols.push(s);
    }
    let body = if cols.is_empty() {
        "()".to_string()
    } else {
        format!("(\n{}\n)", cols.join(",\n"))
    };
    Ok(format!(
        "CREATE FOREIGN TABLE {name} {body} SERVER {}{};",
        quote_ident(&t.server),
        options_sql(file, obj, &t.options)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_users_read_as_sql_writes_them() {
        assert_eq!(mapping_user_sql("PUBLIC"), "PUBLIC");
        assert_eq!(mapping_user_sql("public"), "PUBLIC");
        assert_eq!(mapping_user_sql("Current_Role"), "CURRENT_USER");
        assert_eq!(mapping_user_sql("user"), "CURRENT_USER");
        assert_eq!(mapping_user_sql("Reader"), "\"Reader\"");
    }
}
