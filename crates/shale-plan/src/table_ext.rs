//! Steps for table options ([`TableExtChange`]) and the `CREATE TABLE` of tables with
//! options (`UNLOGGED`, `PARTITION OF … FOR VALUES`, `INHERITS`, `PARTITION BY`,
//! `WITH (…)`).

use crate::build::{deps, rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use crate::sql;
use shale_diff::table_ext::TableExtChange;
use shale_model::{quote_ident, quote_literal, Catalog, ObjectId, QualName, Table};
use std::collections::BTreeMap;

fn storage_value(v: &str) -> String {
    let simple = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
    if simple {
        v.to_string()
    } else {
        quote_literal(v)
    }
}

fn storage_list(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{}={}", quote_ident(k), storage_value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE TABLE` for `t` as `cat` has it, options included.
pub fn create_table_sql(cat: &Catalog, t: &Table) -> String {
    let Some(o) = cat.table_options.get(&t.name) else {
        return sql::create_table(t);
    };
    let mut s = String::from("CREATE ");
    if o.unlogged {
        s.push_str("UNLOGGED ");
    }
    s.push_str(&format!("TABLE {}", t.name));
    if let Some(p) = &o.partition_of {
        s.push_str(&format!(" PARTITION OF {}", p.parent));
        let cons: Vec<String> = t.constraints.values().map(sql::constraint_def).collect();
        if !cons.is_empty() {
            s.push_str(&format!(" (\n    {}\n)", cons.join(",\n    ")));
        }
        s.push_str(&format!(" {}", p.bound));
    } else {
        let base = sql::create_table(t);
        let prefix = format!("CREATE TABLE {}", t.name);
        s.push_str(base.strip_prefix(&prefix).unwrap_or(&base));
        if !o.inherits.is_empty() {
            let ps: Vec<String> = o.inherits.iter().map(|p| p.to_string()).collect();
            s.push_str(&format!(" INHERITS ({})", ps.join(", ")));
        }
    }
    if let Some(k) = &o.partition_by {
        s.push_str(&format!(" PARTITION BY {k}"));
    }
    if !o.storage.is_empty() {
        s.push_str(&format!(" WITH ({})", storage_list(&o.storage)));
    }
    s
}

fn table_id(q: &QualName) -> ObjectId {
    ObjectId::Table { name: q.clone() }
}

impl Builder<'_> {
    fn ext_step(
        &self,
        object: ObjectId,
        id: RuleId,
        sql: String,
        rank: u8,
        reference: Option<&QualName>,
        detail: String,
    ) -> Draft {
        let risk = self.risk(id, &object, |v| {
            if let Some(r) = reference {
                v.reference = r.to_string();
            }
            v.detail = detail;
        });
        let mut d = Draft::new(object.clone(), Action::Alter, sql, risk, rank);
        d.needs = deps(self.to, &object);
        d.releases = deps(self.from, &object);
        d.creates = vec![object];
        d
    }

    /// The steps of one table-option change.
    pub(crate) fn table_option(&mut self, c: &TableExtChange) {
        let object = c.object();
        let d = match c {
            TableExtChange::SetUnlogged { table, unlogged } => {
                let (id, what) = if *unlogged {
                    (RuleId::SetUnlogged, "UNLOGGED")
                } else {
                    (RuleId::SetLogged, "LOGGED")
                };
                self.ext_step(
                    object,
                    id,
                    format!("ALTER TABLE {table} SET {what}"),
                    rank::COLUMN,
                    None,
                    String::new(),
                )
            }
            TableExtChange::SetStorage { table, set, reset } => {
                let mut parts = Vec::new();
                if !set.is_empty() {
                    let m: BTreeMap<String, String> = set.iter().cloned().collect();
                    parts.push(format!("SET ({})", storage_list(&m)));
                }
                if !reset.is_empty() {
                    let ks: Vec<String> = reset.iter().map(|k| quote_ident(k)).collect();
                    parts.push(format!("RESET ({})", ks.join(", ")));
                }
                let detail = format!(" ({})", parts.join(", "));
                self.ext_step(
                    object,
                    RuleId::SetStorageParams,
                    format!("ALTER TABLE {table} {}", parts.join(", ")),
                    rank::COLUMN,
                    None,
                    detail,
                )
            }
            TableExtChange::ReplicaIdentity { table, to, .. } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::SetReplicaIdentity,
                    format!("ALTER TABLE {table} REPLICA IDENTITY {}", to.sql()),
                    rank::INDEX + 1,
                    None,
                    format!(" to {}", to.sql()),
                );
                if let shale_model::ReplicaIdentity::Index(ix) = to {
                    d.needs.push(self.index_object(table, ix));
                }
                d
            }
            TableExtChange::ClusterOn { table, to } => {
                let (sql, detail) = match to {
                    Some(ix) => (
                        format!("ALTER TABLE {table} CLUSTER ON {}", quote_ident(ix)),
                        format!(" to {}", quote_ident(ix)),
                    ),
                    None => (
                        format!("ALTER TABLE {table} SET WITHOUT CLUSTER"),
                        " to none".to_string(),
                    ),
                };
                let mut d = self.ext_step(
                    object,
                    RuleId::ClusterOn,
                    sql,
                    rank::INDEX + 1,
                    None,
                    detail,
                );
                if let Some(ix) = to {
                    d.needs.push(self.index_object(table, ix));
                }
                d
            }
            TableExtChange::ColumnOptions {
                table,
                column,
                from,
                to,
            } => {
                let col = quote_ident(column);
                let mut cmds = Vec::new();
                let mut what = Vec::new();
                if from.statistics != to.statistics {
                    let n = to.statistics.unwrap_or(-1);
                    cmds.push(format!("ALTER COLUMN {col} SET STATISTICS {n}"));
                    what.push(format!("statistics target {n}"));
                }
                if from.storage != to.storage {
                    let s = match &to.storage {
                        Some(s) => s.clone(),
                        None => self.default_storage(table, column),
                    };
                    cmds.push(format!(
                        "ALTER COLUMN {col} SET STORAGE {}",
                        s.to_uppercase()
                    ));
                    what.push(format!("storage {s}"));
                }
                if from.compression != to.compression {
                    let c = to.compression.clone().unwrap_or_else(|| "default".into());
                    cmds.push(format!("ALTER COLUMN {col} SET COMPRESSION {c}"));
                    what.push(format!("compression {c}"));
                }
                self.ext_step(
                    object,
                    RuleId::SetColumnOptions,
                    format!("ALTER TABLE {table} {}", cmds.join(", ")),
                    rank::COLUMN,
                    None,
                    format!(" ({})", what.join(", ")),
                )
            }
            TableExtChange::AttachPartition {
                table,
                parent,
                bound,
            } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::AttachPartition,
                    format!("ALTER TABLE {parent} ATTACH PARTITION {table} {bound}"),
                    rank::CONSTRAINT,
                    Some(parent),
                    format!(" ({bound})"),
                );
                d.needs.push(table_id(parent));
                // After a detach of the same table (a bound or parent change).
                d.after = self
                    .out
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.object == table_id(table) && x.sql.contains("DETACH"))
                    .map(|(i, _)| i)
                    .collect();
                d
            }
            TableExtChange::DetachPartition { table, parent } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::DetachPartition,
                    format!("ALTER TABLE {parent} DETACH PARTITION {table}"),
                    rank::DROP_FK,
                    Some(parent),
                    String::new(),
                );
                d.releases.push(table_id(parent));
                d
            }
            TableExtChange::Inherit { table, parent } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::AddInherit,
                    format!("ALTER TABLE {table} INHERIT {parent}"),
                    rank::CONSTRAINT,
                    Some(parent),
                    String::new(),
                );
                d.needs.push(table_id(parent));
                d
            }
            TableExtChange::NoInherit { table, parent } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::DropInherit,
                    format!("ALTER TABLE {table} NO INHERIT {parent}"),
                    rank::DROP_FK,
                    Some(parent),
                    String::new(),
                );
                d.releases.push(table_id(parent));
                d
            }
        };
        self.push(d);
    }

    /// The index (or key constraint) named `ix` of `table`, for ordering.
    fn index_object(&self, table: &QualName, ix: &str) -> ObjectId {
        let is_con = self
            .to
            .tables
            .get(table)
            .is_some_and(|t| t.constraints.contains_key(ix));
        if is_con {
            ObjectId::Constraint {
                table: table.clone(),
                name: ix.to_string(),
            }
        } else {
            ObjectId::Index {
                name: QualName::new(table.schema.clone(), ix),
            }
        }
    }

    /// The storage a column's type has by default (what `SET STORAGE` returns to).
    fn default_storage(&self, table: &QualName, column: &str) -> String {
        let ty = self
            .to
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .map(|c| c.ty.clone());
        match ty {
            Some(t) if t.array => "extended".into(),
            Some(t) if t.schema.is_none() => {
                let base = t.name.split('(').next().unwrap_or("").trim().to_string();
                match base.as_str() {
                    "text" | "character varying" | "character" | "bytea" | "jsonb" | "json"
                    | "xml" | "tsvector" | "bit varying" => "extended".into(),
                    "numeric" => "main".into(),
                    _ => "plain".into(),
                }
            }
            _ => "extended".into(),
        }
    }
}
