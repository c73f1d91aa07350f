//! YAML keys of extended statistics (`statistics:`), rendered to `CREATE STATISTICS`
//! for the SQL front end (docs/YAML.md):
//!
//! ```yaml
//! statistics:
//!   app.cities_geo:
//!     table: app.cities
//!     kinds: [ndistinct, dependencies]   # optional: all kinds
//!     columns: [country, region]
//!     expressions: ["lower(name)"]       # PostgreSQL 14+
//!     target: 300                        # optional
//!     comment: country determines region
//! ```

use crate::doc::NameRef;
use crate::YamlError;
use serde::Deserialize;
use shale_model::{quote_ident, QualName};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub table: NameRef,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub expressions: Vec<String>,
    #[serde(default)]
    pub target: Option<i32>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `CREATE STATISTICS` and, with a target, `ALTER STATISTICS … SET STATISTICS`.
pub(crate) fn stmts(
    file: &str,
    obj: &str,
    name: &QualName,
    s: &StatisticsDoc,
) -> Result<Vec<String>, YamlError> {
    if s.columns.is_empty() && s.expressions.is_empty() {
        return Err(YamlError::object(
            file,
            obj,
            "statistics need `columns:` or `expressions:`".to_string(),
        ));
    }
    let mut sql = format!("CREATE STATISTICS {name}");
    if !s.kinds.is_empty() {
        let kinds: Vec<String> = s.kinds.iter().map(|k| quote_ident(k)).collect();
        sql.push_str(&format!(" ({})", kinds.join(", ")));
    }
    let mut items: Vec<String> = s.columns.iter().map(|c| quote_ident(c)).collect();
    items.extend(s.expressions.iter().map(|e| format!("({e})")));
    sql.push_str(&format!(" ON {} FROM {};", items.join(", "), s.table.0));
    let mut out = vec![sql];
    if let Some(t) = s.target {
        out.push(format!("ALTER STATISTICS {name} SET STATISTICS {t};"));
    }
    Ok(out)
}
