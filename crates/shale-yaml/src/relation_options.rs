//! YAML keys for storage parameters of indexes and materialized views (`with:`) and
//! statistics targets of index expressions (`statistics:` on a key): rendered to the SQL
//! the front end reads, and exported from a catalog.

use crate::doc::{OrderedMap, Scalar};
use shale_model::{quote_literal, Index};
use std::collections::BTreeMap;

/// ` WITH (fillfactor = 70)` for a `with:` map, or nothing.
pub(crate) fn with_sql(with: &OrderedMap<Scalar>) -> Result<String, String> {
    if with.0.is_empty() {
        return Ok(String::new());
    }
    let mut opts = Vec::new();
    for (k, v) in &with.0 {
        if k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(format!("`with`: invalid storage parameter name `{k}`"));
        }
        let raw = v.0.parse::<f64>().is_ok()
            || matches!(
                v.0.to_ascii_lowercase().as_str(),
                "true" | "false" | "on" | "off"
            );
        let val = if raw {
            v.0.clone()
        } else {
            quote_literal(&v.0)
        };
        opts.push(format!("{k} = {val}"));
    }
    Ok(format!(" WITH ({})", opts.join(", ")))
}

/// `ALTER INDEX … ALTER COLUMN n SET STATISTICS t;` for keys with `statistics:`.
pub(crate) fn statistics_sql(index: &str, targets: &[(usize, i32)]) -> String {
    targets
        .iter()
        .map(|(n, t)| format!("\nALTER INDEX {index} ALTER COLUMN {n} SET STATISTICS {t};"))
        .collect()
}

/// `{fillfactor: 70}` as a flow map, for export.
pub(crate) fn with_yaml(storage: &BTreeMap<String, String>, scalar: fn(&str) -> String) -> String {
    let items: Vec<String> = storage
        .iter()
        .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The statistics target of the index's key `i` (0-based), if set.
pub(crate) fn key_statistics(ix: &Index, i: usize) -> Option<i32> {
    u16::try_from(i + 1)
        .ok()
        .and_then(|n| ix.statistics.get(&n).copied())
}
