//! Steps for table options ([`TableExtChange`]) and the `CREATE TABLE` of tables with
//! options (`UNLOGGED`, `PARTITION OF … FOR VALUES`, `INHERITS`, `PARTITION BY`,
//! `WITH (…)`).

use crate::build::{deps, rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use crate::sql;
use shale_diff::table_options::TableExtChange;
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

pub(crate) fn storage_list(m: &BTreeMap<String, String>) -> String {
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

fn exclusion_columns(table: &QualName, x: &shale_model::Exclusion) -> Vec<ObjectId> {
    x.elements
        .iter()
        .filter_map(|e| match &e.key {
            shale_model::IndexKeyExpr::Column(c) => Some(ObjectId::Column {
                table: table.clone(),
                column: c.clone(),
            }),
            shale_model::IndexKeyExpr::Expr(_) => None,
        })
        .collect()
}

/// PostgreSQL builds and drops no index of a partitioned table `CONCURRENTLY`.
pub(crate) fn is_partitioned(cat: &Catalog, table: &QualName) -> bool {
    cat.table_options
        .get(table)
        .is_some_and(|o| o.partition_by.is_some())
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
        // Needs the object itself (and what it needs); creates nothing others wait for,
        // so an index it names can be built after the table without a cycle.
        d.needs = deps(self.to, &object);
        d.needs.push(object.clone());
        d.releases = deps(self.from, &object);
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
                // A child's own NOT NULL and default on an inherited column.
                if from.default != to.default {
                    match &to.default {
                        Some(d) => {
                            cmds.push(format!("ALTER COLUMN {col} SET DEFAULT {}", d.sql.trim()));
                            what.push(format!("its own default {}", d.sql.trim()));
                        }
                        None => {
                            cmds.push(format!("ALTER COLUMN {col} DROP DEFAULT"));
                            what.push("no default of its own".into());
                        }
                    }
                }
                if from.not_null != to.not_null {
                    if to.not_null {
                        cmds.push(format!("ALTER COLUMN {col} SET NOT NULL"));
                        what.push("NOT NULL of its own: the table is scanned".into());
                    } else {
                        cmds.push(format!("ALTER COLUMN {col} DROP NOT NULL"));
                        what.push("nullable as its parent's".into());
                    }
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
                checks,
                drops_first,
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
                d.needs.extend(checks.iter().cloned());
                d.after_drops_of.extend(drops_first.iter().cloned());
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
            TableExtChange::DetachPartition {
                table,
                parent,
                copies,
                parent_drops,
            } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::DetachPartition,
                    format!("ALTER TABLE {parent} DETACH PARTITION {table}"),
                    rank::DROP_FK,
                    Some(parent),
                    String::new(),
                );
                d.releases.push(table_id(parent));
                // The copies it keeps are dropped after it, when unwanted.
                d.releases.extend(copies.iter().cloned());
                d.after_drops_of.extend(parent_drops.iter().cloned());
                // A parent moved aside by a conversion is detached under its new name,
                // once it has it.
                if self.renamed_tables.contains(parent) {
                    d.needs.push(table_id(parent));
                }
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
                // A parent moved aside by a conversion is left under its new name,
                // once it has it.
                if self.renamed_tables.contains(parent) {
                    d.needs.push(table_id(parent));
                }
                d
            }
            TableExtChange::AddExclusion {
                table,
                exclusion,
                recreate,
            } => {
                let mut d = self.ext_step(
                    object.clone(),
                    RuleId::AddExclusion,
                    format!(
                        "ALTER TABLE {table} ADD CONSTRAINT {} {exclusion}",
                        quote_ident(&exclusion.name)
                    ),
                    rank::CONSTRAINT,
                    None,
                    match recreate {
                        Some(why) => format!(" (again, because {why})"),
                        None => String::new(),
                    },
                );
                // It creates the constraint (and its index, a relation name).
                d.needs.retain(|o| o != &object);
                d.needs.push(table_id(table));
                d.needs.extend(exclusion_columns(table, exclusion));
                d.creates = vec![object];
                d.names_created
                    .push(QualName::new(table.schema.clone(), exclusion.name.clone()));
                d
            }
            TableExtChange::CreateCollation { collation } => {
                let risk = self.risk(RuleId::CreateCollation, &object, |_| {});
                let mut d = Draft::new(
                    object.clone(),
                    Action::Create,
                    collation.to_string(),
                    risk,
                    rank::TYPE,
                );
                d.needs = deps(self.to, &object);
                d.creates = vec![object];
                d
            }
            TableExtChange::DropCollation { collation } => {
                let risk = self.risk(RuleId::DropCollation, &object, |_| {});
                self.drop(
                    vec![object],
                    format!("DROP COLLATION {}", collation.name),
                    risk,
                    rank::DROP_TYPE,
                )
            }
            TableExtChange::ConvertAside { .. } | TableExtChange::ConvertCopy { .. } => {
                self.conversion(c);
                return;
            }
            TableExtChange::AttachIndex {
                table,
                index,
                parent,
                ..
            } => {
                let mut d = self.ext_step(
                    object,
                    RuleId::AttachIndex,
                    format!("ALTER INDEX {parent} ATTACH PARTITION {index}"),
                    rank::INDEX,
                    Some(table),
                    parent.to_string(),
                );
                d.needs.push(ObjectId::Index {
                    name: parent.clone(),
                });
                d
            }
            TableExtChange::DropExclusion { table, exclusion } => {
                let risk = self.risk(RuleId::DropExclusion, &object, |_| {});
                let mut d = self.drop(
                    vec![object],
                    format!(
                        "ALTER TABLE {table} DROP CONSTRAINT {}",
                        quote_ident(&exclusion.name)
                    ),
                    risk,
                    rank::DROP_CONSTRAINT,
                );
                d.releases.extend(exclusion_columns(table, exclusion));
                d.names_removed
                    .push(QualName::new(table.schema.clone(), exclusion.name.clone()));
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

#[cfg(test)]
mod tests {
    use crate::{plan, PlanError, PlanOptions};
    use shale_model::Catalog;
    use shale_sql::{parse_sources, SourceFile};

    fn cat(sql: &str) -> Catalog {
        parse_sources(&[SourceFile {
            path: "t.sql".into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn steps(from: &str, to: &str) -> Vec<(String, String)> {
        plan(&cat(from), &cat(to), &PlanOptions::default())
            .unwrap()
            .steps
            .into_iter()
            .map(|s| (s.sql, s.risk.code))
            .collect()
    }

    const PARENT: &str = "CREATE TABLE t (a integer NOT NULL, b text) PARTITION BY RANGE (a);";

    #[test]
    fn a_new_partition_key_is_refused_with_the_way_to_do_it() {
        let other_key = "CREATE TABLE t (a integer NOT NULL, b text) PARTITION BY LIST (b);";
        let e = plan(&cat(PARENT), &cat(other_key), &PlanOptions::default()).unwrap_err();
        let PlanError::Unsupported { reason, .. } = &e else {
            panic!("{e:?}");
        };
        assert!(
            reason.contains("the partition key of a table cannot be changed in place"),
            "{reason}"
        );
        assert!(reason.contains("copy the rows"), "{reason}");
        assert!(
            reason.contains("ALTER TABLE public.t RENAME TO t_old")
                && reason.contains("(nothing does now)")
                && reason.contains("DROP TABLE public.t_old"),
            "{reason}"
        );
        // What depends on the table is named: indexes, foreign keys to it, views,
        // triggers, policies, grants.
        let with_deps =
            "CREATE TABLE t (a integer NOT NULL PRIMARY KEY, b text) PARTITION BY RANGE (a);
            CREATE INDEX t_b_idx ON t (b);
            CREATE TABLE r (a integer REFERENCES t);
            CREATE VIEW v AS SELECT a FROM t;
            CREATE POLICY p ON t USING (true);
            GRANT SELECT ON t TO PUBLIC;";
        let e = plan(
            &cat(with_deps),
            &cat(
                "CREATE TABLE t (a integer NOT NULL, b text) PARTITION BY HASH (a);
                  CREATE TABLE r (a integer); CREATE VIEW v AS SELECT a FROM t;",
            ),
            &PlanOptions::default(),
        )
        .unwrap_err();
        let PlanError::Unsupported { reason, .. } = &e else {
            panic!("{e:?}");
        };
        for want in [
            "indexes public.t_b_idx",
            "foreign keys referencing it r_a_fkey on public.r",
            "views public.v",
            "policies p",
            "its grants",
        ] {
            assert!(reason.contains(want), "{want}: {reason}");
        }
        // Plain ↔ partitioned is planned (conversions.rs), both ways.
        assert!(plan(
            &cat("CREATE TABLE t (a integer NOT NULL, b text);"),
            &cat(PARENT),
            &PlanOptions::default()
        )
        .is_ok());
        assert!(plan(
            &cat(PARENT),
            &cat("CREATE TABLE t (a integer NOT NULL, b text);"),
            &PlanOptions::default()
        )
        .is_ok());
    }

    #[test]
    fn a_partition_is_created_after_its_parent_with_its_bound() {
        let s = steps(
            "",
            &format!("{PARENT} CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10);"),
        );
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].0.ends_with("PARTITION BY RANGE (a)"), "{s:?}");
        assert_eq!(
            s[1].0,
            "CREATE TABLE public.t1 PARTITION OF public.t FOR VALUES FROM (0) TO (10)"
        );
    }

    #[test]
    fn a_bound_change_detaches_then_attaches() {
        let s = steps(
            &format!("{PARENT} CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (10);"),
            &format!("{PARENT} CREATE TABLE t1 PARTITION OF t FOR VALUES FROM (0) TO (20);"),
        );
        assert_eq!(
            s,
            vec![
                (
                    "ALTER TABLE public.t DETACH PARTITION public.t1".to_string(),
                    "SH207".to_string()
                ),
                (
                    "ALTER TABLE public.t ATTACH PARTITION public.t1 FOR VALUES FROM (0) TO (20)"
                        .to_string(),
                    "SH206".to_string()
                ),
            ]
        );
    }

    #[test]
    fn options_of_a_new_table_are_in_its_create_and_after_it() {
        let s = steps(
            "",
            "CREATE UNLOGGED TABLE u (a integer NOT NULL, b text) WITH (fillfactor = 70); \
             CREATE UNIQUE INDEX u_a_idx ON u (a); \
             ALTER TABLE u REPLICA IDENTITY USING INDEX u_a_idx; \
             ALTER TABLE u ALTER COLUMN b SET STORAGE EXTERNAL;",
        );
        let sqls: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
        assert!(
            sqls[0].starts_with("CREATE UNLOGGED TABLE public.u"),
            "{sqls:?}"
        );
        assert!(sqls[0].ends_with("WITH (fillfactor=70)"), "{sqls:?}");
        let ix = sqls
            .iter()
            .position(|x| x.contains("CREATE UNIQUE INDEX"))
            .unwrap();
        let ri = sqls
            .iter()
            .position(|x| x.contains("REPLICA IDENTITY"))
            .unwrap();
        assert!(ix < ri, "{sqls:?}");
        assert!(sqls.contains(&"ALTER TABLE public.u ALTER COLUMN b SET STORAGE EXTERNAL"));
    }

    #[test]
    fn joining_a_parent_keeps_the_columns() {
        let s = steps(
            "CREATE TABLE p (a integer); CREATE TABLE c (a integer, x text);",
            "CREATE TABLE p (a integer); CREATE TABLE c (x text) INHERITS (p);",
        );
        assert_eq!(
            s,
            vec![(
                "ALTER TABLE public.c INHERIT public.p".to_string(),
                "SH208".to_string()
            )]
        );
    }
}

/// Every table-option fixture's desired schema survives `create_script` (what `shale
/// inspect --format sql` prints): loaded, introspected, scripted, loaded into a fresh
/// database and introspected again, it is the same catalog.
#[cfg(test)]
mod round_trip {
    use shale_testkit::TestDb;

    #[test]
    fn table_option_fixtures_round_trip_through_create_script() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy().to_string();
                n.split('_')
                    .next()
                    .and_then(|x| x.parse::<u32>().ok())
                    .is_some_and(|x| (110..=139).contains(&x))
            })
            .collect();
        cases.sort();
        assert!(cases.len() >= 20);
        for case in cases {
            let sql = std::fs::read_to_string(case.join("desired.sql")).unwrap();
            let a = TestDb::new("tx_rt_a");
            a.execute(&sql);
            let cat = shale_introspect::introspect_url(a.url()).unwrap();
            let script = crate::create_script(&cat).unwrap();
            let b = TestDb::new("tx_rt_b");
            b.try_execute(&script)
                .unwrap_or_else(|e| panic!("{}: {e}\n{script}", case.display()));
            let again = shale_introspect::introspect_url(b.url()).unwrap();
            assert_eq!(again, cat, "{}\n{script}", case.display());
        }
    }
}
