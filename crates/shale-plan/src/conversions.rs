//! Steps of a plain ↔ partitioned conversion ([`TableExtChange::ConvertAside`] and
//! [`TableExtChange::ConvertCopy`], see `shale_diff::table_options::conversions`).
//!
//! The diff compares the current catalog with the old table renamed aside, so the rest of
//! the plan creates the new table (with its partitions) and what depends on it, and drops
//! the old table. This module adds the moves aside (the table, its key constraints,
//! indexes and identity sequences, whose names the new table takes), the copy of the rows
//! and the identities continued, and ties them into the order:
//!
//! - the moves aside run before the new table is created;
//! - the copy runs once the new table and all its partitions exist, and before its
//!   triggers are created (a trigger would fire on every copied row) and before foreign
//!   keys referencing it are added (they check the copied rows);
//! - the old table (and its partitions) are dropped after the copy, with
//!   [`RuleId::DropConvertedAside`] instead of the data-loss rule when every column of the
//!   old table was copied.
//!
//! Every step from the rename to the drop runs in one transaction: `transactions.rs`
//! treats the span like a drop→re-create span.

use crate::build::{rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::table_options::{descendants, TableExtChange};
use shale_diff::Change;
use shale_model::{quote_ident, quote_literal, ConstraintKind, ObjectId, QualName};

fn table_id(q: &QualName) -> ObjectId {
    ObjectId::Table { name: q.clone() }
}

/// `DO` block renaming the identity sequence of `table`.`column` to `to` (its name is not
/// modelled: PostgreSQL finds it).
fn rename_identity_sql(table: &QualName, column: &str, to: &str) -> String {
    format!(
        "DO $shale$BEGIN EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', \
         pg_get_serial_sequence({}, {}), {}); END$shale$",
        quote_literal(&table.to_string()),
        quote_literal(column),
        quote_literal(to),
    )
}

impl Builder<'_> {
    /// The steps of a conversion change.
    pub(crate) fn conversion(&mut self, c: &TableExtChange) {
        match c {
            TableExtChange::ConvertAside {
                table,
                aside,
                constraints,
                indexes,
                identities,
            } => self.convert_aside(table, aside, constraints, indexes, identities),
            TableExtChange::ConvertCopy {
                table,
                aside,
                columns,
                only,
                overriding,
                identities,
                ..
            } => self.convert_copy(table, aside, columns, *only, *overriding, identities),
            _ => {}
        }
    }

    fn convert_aside(
        &mut self,
        table: &QualName,
        aside: &QualName,
        constraints: &[(String, String)],
        indexes: &[(QualName, String)],
        identities: &[(String, String)],
    ) {
        let object = table_id(table);
        let detail = match self
            .to
            .table_options
            .get(table)
            .and_then(|o| o.partition_by.as_ref())
        {
            Some(k) => format!("from a plain table to one partitioned by {k}"),
            None => "from a partitioned table to a plain one".to_string(),
        };
        let risk = self.risk(RuleId::ConvertTable, &object, |v| v.detail = detail);
        let mut d = Draft::new(
            object,
            Action::Rename,
            format!("ALTER TABLE {table} RENAME TO {}", quote_ident(&aside.name)),
            risk,
            rank::RENAME,
        );
        let aside_id = table_id(aside);
        d.creates = vec![aside_id];
        if let Some(t) = self.from.tables.get(aside) {
            d.creates.extend(t.columns.iter().map(|c| ObjectId::Column {
                table: aside.clone(),
                column: c.name.clone(),
            }));
        }
        d.names_removed.push(table.clone());
        d.names_created.push(aside.clone());
        // After the hinted renames: one of them may have given the table (or its keys and
        // indexes) the names moved aside now.
        d.after.extend(self.last_rename);
        self.renamed_tables.insert(aside.clone());
        let mut steps = vec![self.push(d)];
        let schema = &table.schema;
        let q = |n: &str| QualName::new(schema.clone(), n.to_string());
        for (old, new) in constraints {
            let sql = format!(
                "ALTER TABLE {aside} RENAME CONSTRAINT {} TO {}",
                quote_ident(old),
                quote_ident(new)
            );
            let object = ObjectId::Constraint {
                table: aside.clone(),
                name: new.clone(),
            };
            let names = (Some(q(old)), q(new));
            let what = (quote_ident(old), quote_ident(new));
            let i = self.aside_step(table, object, what, names, sql, &steps);
            steps.push(i);
        }
        for (old, new) in indexes {
            let sql = format!("ALTER INDEX {old} RENAME TO {}", quote_ident(new));
            let object = ObjectId::Index { name: q(new) };
            let names = (Some(old.clone()), q(new));
            let what = (old.to_string(), quote_ident(new));
            let i = self.aside_step(table, object, what, names, sql, &steps);
            steps.push(i);
        }
        for (column, new) in identities {
            let sql = rename_identity_sql(aside, column, new);
            let object = ObjectId::Sequence { name: q(new) };
            let what = (
                format!("the identity sequence of column {}", quote_ident(column)),
                q(new).to_string(),
            );
            let i = self.aside_step(table, object, what, (None, q(new)), sql, &steps);
            steps.push(i);
        }
        self.conversions.push(Conversion {
            table: table.clone(),
            aside: aside.clone(),
            aside_steps: steps,
            copy: Vec::new(),
        });
    }

    /// One rename aside (SH351) of a key, index or identity sequence of the old `table`,
    /// after the renames before it; `what` is (old, new) as shown, `names` the relation
    /// names it frees and takes.
    fn aside_step(
        &mut self,
        table: &QualName,
        object: ObjectId,
        what: (String, String),
        names: (Option<QualName>, QualName),
        sql: String,
        before: &[usize],
    ) -> usize {
        let risk = self.risk(RuleId::RenameAsideForConversion, &object, |v| {
            v.object = what.0;
            v.table = table.to_string();
            v.detail = what.1;
        });
        let mut d = Draft::new(object.clone(), Action::Rename, sql, risk, rank::RENAME);
        d.creates = vec![object];
        d.after.extend(before.last());
        d.names_removed.extend(names.0);
        d.names_created.push(names.1);
        self.push(d)
    }

    fn convert_copy(
        &mut self,
        table: &QualName,
        aside: &QualName,
        columns: &[String],
        only: bool,
        overriding: bool,
        identities: &[String],
    ) {
        let object = table_id(table);
        let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        let (into, select) = if cols.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(" ({})", cols.join(", ")),
                format!(" {}", cols.join(", ")),
            )
        };
        let sql = format!(
            "INSERT INTO {table}{into}{} SELECT{select} FROM {}{aside}",
            if overriding {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            },
            if only { "ONLY " } else { "" },
        );
        let risk = self.risk(RuleId::CopyConvertedRows, &object, |v| {
            v.detail = format!("the old table (now {aside})");
        });
        let mut d = Draft::new(object.clone(), Action::Alter, sql, risk, rank::CONSTRAINT);
        d.needs.push(object);
        d.needs.extend(columns.iter().map(|c| ObjectId::Column {
            table: table.clone(),
            column: c.clone(),
        }));
        d.needs
            .extend(descendants(self.to, table).iter().map(table_id));
        let mut steps = vec![self.push(d)];
        let lit = |q: &QualName| quote_literal(&q.to_string());
        for column in identities {
            let object = ObjectId::Column {
                table: table.clone(),
                column: column.clone(),
            };
            let risk = self.risk(RuleId::ContinueIdentity, &object, |_| {});
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence({}, {c}), old.v) FROM \
                 pg_sequence_last_value(pg_get_serial_sequence({}, {c})::regclass) AS old(v) \
                 WHERE old.v IS NOT NULL",
                lit(table),
                lit(aside),
                c = quote_literal(column),
            );
            let mut d = Draft::new(object, Action::Alter, sql, risk, rank::CONSTRAINT);
            d.after.push(steps[0]);
            steps.push(self.push(d));
        }
        if let Some(c) = self.conversions.iter_mut().find(|c| c.table == *table) {
            c.copy = steps;
        }
    }

    /// Ties the conversions' steps into the order of the rest of the plan (see the module
    /// documentation). Runs once every change is expanded.
    pub(crate) fn order_conversions(&mut self, changes: &[Change]) {
        let conversions = std::mem::take(&mut self.conversions);
        for conv in &conversions {
            let Some(&last) = conv.copy.last() else {
                continue;
            };
            let Some(Change::TableOption {
                option:
                    TableExtChange::ConvertCopy {
                        partitions,
                        not_copied,
                        ..
                    },
            }) = changes.iter().find(|c| {
                matches!(c, Change::TableOption { option: TableExtChange::ConvertCopy { table, .. } } if *table == conv.table)
            })
            else {
                continue;
            };
            let mut new_tables = descendants(self.to, &conv.table);
            new_tables.push(conv.table.clone());
            // The names the moves aside take are freed by the drop of the old table: that
            // drop comes last, not before the moves.
            let taken: Vec<QualName> = conv
                .aside_steps
                .iter()
                .flat_map(|&i| self.out[i].names_created.clone())
                .collect();
            let new_id = table_id(&conv.table);
            let aside_id = table_id(&conv.aside);
            for i in 0..self.out.len() {
                if conv.aside_steps.contains(&i) || conv.copy.contains(&i) {
                    continue;
                }
                let d = &self.out[i];
                let after = match (&d.object, d.action) {
                    // The new table is created once the names are free.
                    (o, Action::Create) if *o == new_id => conv.aside_steps.clone(),
                    // The old table and its partitions go once their rows are copied.
                    (ObjectId::Table { name }, Action::Drop)
                        if *name == conv.aside || partitions.contains(name) =>
                    {
                        vec![last]
                    }
                    // Triggers would fire on every copied row.
                    (ObjectId::Trigger { table, .. }, Action::Create)
                        if new_tables.contains(table) =>
                    {
                        vec![last]
                    }
                    // Foreign keys referencing the new table check the copied rows.
                    (ObjectId::Constraint { table, name }, a) if a != Action::Drop => {
                        let references = self
                            .to
                            .tables
                            .get(table)
                            .and_then(|t| t.constraints.get(name))
                            .is_some_and(|c| {
                                matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. }
                                    if new_tables.contains(ref_table))
                            });
                        if references {
                            vec![last]
                        } else {
                            Vec::new()
                        }
                    }
                    _ => Vec::new(),
                };
                let relabel = d.action == Action::Drop
                    && not_copied.is_empty()
                    && matches!(&d.object, ObjectId::Table { name }
                        if *name == conv.aside || partitions.contains(name));
                let d = &mut self.out[i];
                // A view re-created because a column of the old table "is dropped": say why.
                let gone = format!("column {}.", conv.aside);
                let text = &mut d.risk.reason;
                if let Some(a) = text.find(&gone) {
                    if let Some(n) = text[a..].find(" is dropped") {
                        let why = format!("{} is converted to a new table", conv.table);
                        text.replace_range(a..a + n + " is dropped".len(), &why);
                    }
                }
                if d.action == Action::Drop {
                    d.names_removed.retain(|q| !taken.contains(q));
                }
                d.after.extend(after);
                if relabel {
                    let detail = if d.object == aside_id {
                        format!(", the old {} moved aside", conv.table)
                    } else {
                        format!(", a partition of the old {}", conv.table)
                    };
                    let object = d.object.clone();
                    let risk = self.risk(RuleId::DropConvertedAside, &object, |v| {
                        v.detail = detail;
                    });
                    self.out[i].risk = risk;
                }
            }
        }
    }
}

/// The steps of one conversion, by position in the builder's output.
#[derive(Debug, Clone)]
pub(crate) struct Conversion {
    table: QualName,
    aside: QualName,
    /// The renames aside, the table's first.
    aside_steps: Vec<usize>,
    /// The copy, then the identities continued.
    copy: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use crate::{plan, rollback, PlanOptions, RiskLevel};
    use shale_model::Catalog;

    fn cat(sql: &str) -> Catalog {
        shale_sql::parse_sources(&[shale_sql::SourceFile {
            path: "t.sql".into(),
            text: sql.into(),
        }])
        .unwrap_or_else(|e| panic!("{e}"))
    }

    const PLAIN: &str = "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY, d date NOT NULL, a text, PRIMARY KEY (id, d));
        CREATE INDEX t_a_idx ON t (a);";
    const PARTITIONED: &str = "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY, d date NOT NULL, a text, PRIMARY KEY (id, d)) PARTITION BY RANGE (d);
        CREATE TABLE t1 PARTITION OF t FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE INDEX t_a_idx ON t (a);";

    /// The plan's SQL, in order.
    fn sqls(from: &str, to: &str) -> Vec<String> {
        plan(&cat(from), &cat(to), &PlanOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .steps
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    fn at(sqls: &[String], start: &str) -> usize {
        sqls.iter()
            .position(|s| s.starts_with(start))
            .unwrap_or_else(|| panic!("no {start}: {sqls:#?}"))
    }

    #[test]
    fn a_partition_kept_as_a_plain_table_is_detached_from_the_moved_parent() {
        let kept = "CREATE TABLE t (id integer, d date NOT NULL, a text);
            CREATE TABLE t1 (id integer, d date NOT NULL, a text);";
        let s = sqls(PARTITIONED, kept);
        let rename = at(&s, "ALTER TABLE public.t RENAME TO t_shale_old");
        let detach = at(
            &s,
            "ALTER TABLE public.t_shale_old DETACH PARTITION public.t1",
        );
        assert!(rename < detach, "{s:#?}");
    }

    #[test]
    fn moves_aside_creates_copies_continues_and_drops_in_that_order() {
        let s = sqls(PLAIN, PARTITIONED);
        let rename = at(&s, "ALTER TABLE public.t RENAME TO t_shale_old");
        let key = at(
            &s,
            "ALTER TABLE public.t_shale_old RENAME CONSTRAINT t_pkey TO t_pkey_shale_old",
        );
        let index = at(&s, "ALTER INDEX public.t_a_idx RENAME TO t_a_idx_shale_old");
        let identity = at(&s, "DO $shale$");
        let create = at(&s, "CREATE TABLE public.t (");
        let partition = at(&s, "CREATE TABLE public.t1 PARTITION OF public.t");
        let copy = at(
            &s,
            "INSERT INTO public.t (id, d, a) OVERRIDING SYSTEM VALUE SELECT id, d, a FROM ONLY public.t_shale_old",
        );
        let setval = at(&s, "SELECT setval(pg_get_serial_sequence('public.t', 'id')");
        let drop = at(&s, "DROP TABLE public.t_shale_old");
        assert!(rename < key && key < index && index < identity, "{s:#?}");
        assert!(
            identity < create && create < partition && partition < copy,
            "{s:#?}"
        );
        assert!(copy < setval && setval < drop, "{s:#?}");
        assert!(
            s[identity].contains(
                "pg_get_serial_sequence('public.t_shale_old', 'id'), 't_id_seq_shale_old')"
            ),
            "{}",
            s[identity]
        );
        // Back: the old partitions go after the copy, which reads them (no ONLY).
        let s = sqls(PARTITIONED, PLAIN);
        let copy = at(
            &s,
            "INSERT INTO public.t (id, d, a) OVERRIDING SYSTEM VALUE SELECT id, d, a FROM public.t_shale_old",
        );
        assert!(copy < at(&s, "DROP TABLE public.t1"), "{s:#?}");
        assert!(copy < at(&s, "DROP TABLE public.t_shale_old"), "{s:#?}");
    }

    #[test]
    fn only_the_move_aside_is_high_and_nothing_claims_data_loss() {
        let p = plan(&cat(PLAIN), &cat(PARTITIONED), &PlanOptions::default()).unwrap();
        let high: Vec<&str> = p
            .steps
            .iter()
            .filter(|s| s.risk.level == RiskLevel::High)
            .map(|s| s.risk.code.as_str())
            .collect();
        assert_eq!(high, ["SH350"], "{}", crate::render::text(&p));
        assert!(p.steps.iter().all(|s| !s.risk.data_loss));
        let r = &p
            .steps
            .iter()
            .find(|s| s.risk.code == "SH350")
            .unwrap()
            .risk;
        assert!(r.reason.contains("ACCESS EXCLUSIVE"), "{}", r.reason);
        assert!(
            r.mitigation.as_deref().unwrap_or("").contains("batches"),
            "{r:?}"
        );
        // The rollback converts back and loses nothing.
        let rb = rollback(&cat(PLAIN), &cat(PARTITIONED), &PlanOptions::default()).unwrap();
        assert!(rb.unrecoverable.is_empty(), "{:?}", rb.unrecoverable);
        assert!(rb.plan.steps.iter().any(|s| s.risk.code == "SH350"));
    }

    #[test]
    fn a_column_the_new_table_lacks_keeps_the_data_loss_rule() {
        let to = PARTITIONED
            .replace(", a text,", ",")
            .replace("CREATE INDEX t_a_idx ON t (a);", "");
        let p = plan(&cat(PLAIN), &cat(&to), &PlanOptions::default()).unwrap();
        let drop = p
            .steps
            .iter()
            .find(|s| s.sql == "DROP TABLE public.t_shale_old")
            .unwrap();
        assert_eq!(drop.risk.code, "SH041", "{}", crate::render::text(&p));
        assert!(drop.risk.data_loss);
        let rb = rollback(&cat(PLAIN), &cat(&to), &PlanOptions::default()).unwrap();
        assert!(!rb.unrecoverable.is_empty());
    }

    #[test]
    fn triggers_and_forced_row_security_wait_for_the_copy() {
        let f = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';";
        let to = format!(
            "{PARTITIONED} {f} CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
             ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;"
        );
        let s = sqls(&format!("{PLAIN} {f}"), &to);
        let copy = at(&s, "INSERT INTO public.t");
        assert!(copy < at(&s, "CREATE TRIGGER tr"), "{s:#?}");
        assert!(
            copy < at(&s, "ALTER TABLE public.t FORCE ROW LEVEL SECURITY"),
            "{s:#?}"
        );
    }

    #[test]
    fn a_concurrent_build_elsewhere_leaves_the_conversion_span() {
        let other = "CREATE TABLE u (id integer PRIMARY KEY, b text);";
        let p = plan(
            &cat(&format!("{PLAIN} {other}")),
            &cat(&format!(
                "{PARTITIONED} {other} CREATE INDEX u_b_idx ON u (b);"
            )),
            &PlanOptions::default(),
        )
        .unwrap();
        let pos = |start: &str| {
            p.steps
                .iter()
                .position(|s| s.sql.starts_with(start))
                .unwrap()
        };
        let (rename, drop) = (
            pos("ALTER TABLE public.t RENAME TO"),
            pos("DROP TABLE public.t_shale_old"),
        );
        let concurrent = pos("CREATE INDEX CONCURRENTLY u_b_idx");
        assert!(
            !(rename..=drop).contains(&concurrent),
            "{}",
            crate::render::text(&p)
        );
        assert!(p.steps[rename..=drop]
            .iter()
            .all(|s| s.transactional && !s.commit_after));
    }

    #[test]
    fn a_view_over_the_table_is_re_created_because_it_is_converted() {
        let v = "CREATE VIEW v AS SELECT a FROM t;";
        let p = plan(
            &cat(&format!("{PLAIN} {v}")),
            &cat(&format!("{PARTITIONED} {v}")),
            &PlanOptions::default(),
        )
        .unwrap();
        let why: Vec<&str> = p
            .steps
            .iter()
            .filter(|s| s.sql.contains("VIEW public.v"))
            .map(|s| s.risk.reason.as_str())
            .collect();
        assert_eq!(why.len(), 2, "{}", crate::render::text(&p));
        for w in why {
            assert!(
                w.contains("because public.t is converted to a new table"),
                "{w}"
            );
            assert!(!w.contains("shale_old"), "{w}");
        }
    }

    #[test]
    fn a_foreign_key_to_the_table_is_added_after_the_copy() {
        let r = "CREATE TABLE r (id integer, d date, FOREIGN KEY (id, d) REFERENCES t);";
        let s = sqls(&format!("{PLAIN} {r}"), &format!("{PARTITIONED} {r}"));
        let copy = at(&s, "INSERT INTO public.t");
        assert!(
            at(&s, "ALTER TABLE public.r DROP CONSTRAINT r_id_d_fkey")
                < at(&s, "DROP TABLE public.t_shale_old")
        );
        assert!(
            copy < at(&s, "ALTER TABLE public.r ADD CONSTRAINT r_id_d_fkey"),
            "{s:#?}"
        );
    }
}
