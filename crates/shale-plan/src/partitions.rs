//! Online builds on existing partitioned tables. PostgreSQL builds no index of a
//! partitioned table `CONCURRENTLY`, so online mode builds it the way pg_dump restores one:
//!
//! - an index: `CREATE INDEX name ON ONLY parent` (invalid while a partition lacks its
//!   index), each partition's index `CONCURRENTLY` (a sub-partitioned partition gets its
//!   own `ON ONLY` index and recurses), then `ALTER INDEX name ATTACH PARTITION child_index`;
//!   the parent's index turns valid with the last attach;
//! - a primary key or unique constraint: each partition's unique index `CONCURRENTLY`, made
//!   the partition's key `USING INDEX`, then `ADD CONSTRAINT` on the parent, which adopts
//!   the partitions' keys instead of building anything.
//!
//! The partitions' indexes are named as PostgreSQL names the ones it makes itself
//! (`ChooseIndexName`: `child_cols_idx`, `child_cols_key`, `child_pkey`), so the result
//! matches the desired state loaded fresh. When that name cannot be known for sure (an
//! expression key whose name PostgreSQL figures from its parse tree, a name already
//! taken, a partition created or moved by the same plan, a sub-partitioned partition
//! under a key), the plan keeps the plain, blocking build and says why.

use crate::build::{deps, rank, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use crate::sql;
use shale_model::{
    quote_ident, Catalog, Constraint, ConstraintKind, Index, IndexKeyExpr, ObjectId, QualName,
};
use std::collections::BTreeSet;

/// The partitions of `table` in `cat`, in name order.
pub(crate) fn partitions_of(cat: &Catalog, table: &QualName) -> Vec<QualName> {
    cat.table_options
        .values()
        .filter(|o| o.partition_of.as_ref().is_some_and(|p| p.parent == *table))
        .map(|o| o.table.clone())
        .collect()
}

fn is_partitioned(cat: &Catalog, table: &QualName) -> bool {
    crate::table_options::is_partitioned(cat, table)
}

/// The partition tree under `table` is the same in both catalogs: every partition
/// existed before the plan, under the same parent, and is (sub-)partitioned in both or
/// in neither.
fn same_tree(from: &Catalog, to: &Catalog, table: &QualName) -> bool {
    let a = partitions_of(from, table);
    let b = partitions_of(to, table);
    a == b
        && b.iter().all(|p| {
            from.tables.contains_key(p)
                && is_partitioned(from, p) == is_partitioned(to, p)
                && same_tree(from, to, p)
        })
}

/// `ChooseIndexNameAddition` for column keys, and for an expression key the name
/// PostgreSQL figures when it is plainly a function call (`lower(x)` → `lower`). `None`
/// when the name would depend on more of the parse tree than the text shows.
fn key_names(ix: &Index) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for k in &ix.keys {
        match &k.key {
            IndexKeyExpr::Column(c) => out.push(c.clone()),
            IndexKeyExpr::Expr(e) => out.push(called_function(e.sql.trim())?),
        }
    }
    // INCLUDE columns count too (`ChooseIndexColumnNames` lists every column).
    out.extend(ix.include.iter().cloned());
    Some(out)
}

/// `f(…)` or `schema.f(…)` with a lower-case unquoted name: `f`.
fn called_function(sql: &str) -> Option<String> {
    let open = sql.find('(')?;
    if !sql.ends_with(')') {
        return None;
    }
    let name = sql[..open].rsplit('.').next()?;
    let plain = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    // Calls that are grammar of their own are named otherwise (CAST takes its argument's).
    let special = matches!(
        name,
        "cast" | "row" | "array" | "extract" | "overlay" | "position" | "substring" | "trim"
    );
    (plain && !special && sql[..open].chars().all(|c| c != ' ')).then(|| name.to_string())
}

/// `ChooseIndexColumnNames` + `ChooseIndexNameAddition`: per-key names made unique, then
/// joined with `_` (stopping once past 63 bytes).
fn name_addition(cols: &[String]) -> String {
    let mut unique: Vec<String> = Vec::new();
    for c in cols {
        let mut cur = c.clone();
        let mut i = 1;
        while unique.contains(&cur) {
            cur = format!("{c}{i}");
            i += 1;
        }
        unique.push(cur);
    }
    let mut buf = String::new();
    for c in unique {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(&c);
        if buf.len() > 63 {
            break;
        }
    }
    buf
}

/// The name PostgreSQL gives a partition's index made for a parent's index (`label`
/// `idx`) or key (`key`, `pkey`), before any clash with an existing name.
fn child_index_name(child: &QualName, cols: &[String], label: &str) -> String {
    if label == "pkey" {
        sql::implicit_name_1(&child.name, label)
    } else {
        sql::implicit_name(&child.name, &name_addition(cols), label)
    }
}

/// Names of relations (and, for constraint indexes, constraints) in `schema` that a new
/// partition index could clash with: every table, view, sequence, index, key and
/// exclusion constraint of the schema, in either catalog, and the names PostgreSQL gave
/// the partition indexes of the partitioned indexes and keys that exist.
fn taken_names(from: &Catalog, to: &Catalog, schema: &str, own: &ObjectId) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for cat in [from, to] {
        let mut add = |q: &QualName| {
            if q.schema == schema {
                out.insert(q.name.clone());
            }
        };
        cat.tables.keys().for_each(&mut add);
        cat.views.keys().for_each(&mut add);
        cat.sequences.keys().for_each(&mut add);
        cat.indexes.keys().for_each(&mut add);
        cat.composites.keys().for_each(&mut add);
        for t in cat.tables.values().filter(|t| t.name.schema == schema) {
            out.extend(t.constraints.keys().cloned());
        }
        for o in cat
            .table_options
            .values()
            .filter(|o| o.table.schema == schema)
        {
            out.extend(o.exclusions.keys().cloned());
        }
        // The partitions' copies of partitioned indexes and keys (not objects of the
        // model): their first-choice names.
        for ix in cat
            .indexes
            .values()
            .filter(|i| is_partitioned(cat, &i.table))
        {
            if *own
                == (ObjectId::Index {
                    name: ix.name.clone(),
                })
            {
                continue;
            }
            if let Some(cols) = key_names(ix) {
                for p in partitions_of(cat, &ix.table) {
                    if p.schema == schema {
                        out.insert(child_index_name(&p, &cols, "idx"));
                    }
                }
            }
        }
        for t in cat.tables.values().filter(|t| is_partitioned(cat, &t.name)) {
            for c in t.constraints.values() {
                let id = ObjectId::Constraint {
                    table: t.name.clone(),
                    name: c.name.clone(),
                };
                if id == *own {
                    continue;
                }
                let Some((label, cols)) = key_label(c) else {
                    continue;
                };
                for p in partitions_of(cat, &t.name) {
                    if p.schema == schema {
                        out.insert(child_index_name(&p, &cols, label));
                    }
                }
            }
        }
    }
    out
}

fn key_label(c: &Constraint) -> Option<(&'static str, Vec<String>)> {
    match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => {
            Some(("pkey", [columns.clone(), include.clone()].concat()))
        }
        ConstraintKind::Unique {
            columns, include, ..
        } => Some(("key", [columns.clone(), include.clone()].concat())),
        _ => None,
    }
}

/// One partition's part of an online build.
struct PartIndex {
    table: QualName,
    /// The index's name (in the partition's schema).
    name: String,
    /// The partitioned index it attaches to.
    parent: QualName,
    /// A sub-partitioned partition: `ON ONLY`, its own partitions follow.
    partitioned: bool,
}

impl Builder<'_> {
    /// The partitions' indexes of an online build of `ix` (depth first, a sub-partitioned
    /// partition before its own partitions), or why it cannot be built online.
    fn part_indexes(
        &self,
        own: &ObjectId,
        ix: &Index,
        label: &str,
        cols: &[String],
    ) -> Result<Vec<PartIndex>, String> {
        if !same_tree(self.from, self.to, &ix.table) {
            return Err("a partition is created, moved or re-partitioned by this plan".into());
        }
        let mut out = Vec::new();
        let mut chosen: BTreeSet<QualName> = BTreeSet::new();
        let mut stack = vec![(ix.table.clone(), ix.name.clone())];
        while let Some((table, parent)) = stack.pop() {
            for p in partitions_of(self.to, &table).into_iter().rev() {
                // A partition's own index attached to it is made and attached by its
                // own steps.
                if attached_of(self.to, &parent, &p) {
                    continue;
                }
                let name = child_index_name(&p, cols, label);
                let q = QualName::new(p.schema.clone(), name.clone());
                let taken = taken_names(self.from, self.to, &p.schema, own);
                if taken.contains(&name) || !chosen.insert(q.clone()) {
                    return Err(format!(
                        "the name {} of partition {p}'s index is taken, and PostgreSQL would choose another",
                        quote_ident(&name)
                    ));
                }
                let partitioned = is_partitioned(self.to, &p);
                if partitioned {
                    stack.push((p.clone(), q));
                }
                out.push(PartIndex {
                    table: p,
                    name,
                    parent: parent.clone(),
                    partitioned,
                });
            }
        }
        Ok(out)
    }

    /// Builds index `ix` of an existing partitioned table online: `ON ONLY`, each
    /// partition's index `CONCURRENTLY`, `ATTACH PARTITION`. `Err` says why it cannot
    /// (the caller builds it the plain way).
    pub(crate) fn partitioned_index_online(
        &mut self,
        object: &ObjectId,
        ix: &Index,
        again: &str,
    ) -> Result<(), String> {
        let cols = key_names(ix)
            .ok_or_else(|| "the partitions' index names depend on an expression key".to_string())?;
        let parts = self.part_indexes(object, ix, "idx", &cols)?;
        let after_drops = self.indexes_and_keys_of_tree(&ix.table);

        let risk = self.risk(RuleId::PartitionedIndexOnly, object, |v| {
            v.table = ix.table.to_string();
            v.detail = again.to_string();
        });
        let mut only = self.part_step(object, only_sql(ix, &ix.table, &ix.name.name), risk);
        only.names_created.push(ix.name.clone());
        only.after_drops_of = after_drops.clone();
        self.push(only);
        for p in &parts {
            let q = QualName::new(p.table.schema.clone(), p.name.clone());
            let sql = if p.partitioned {
                only_sql(ix, &p.table, &p.name)
            } else {
                let mut child = ix.clone();
                child.name = q.clone();
                child.table = p.table.clone();
                sql::create_index(&child, true)
            };
            let (id, lock) = match (p.partitioned, ix.unique) {
                (true, _) => (RuleId::PartitionedIndexOnly, ""),
                (false, true) => (RuleId::AddUniqueIndex, "SHARE UPDATE EXCLUSIVE"),
                (false, false) => (RuleId::AddIndexConcurrently, ""),
            };
            let risk = self.risk(id, object, |v| {
                v.table = p.table.to_string();
                v.detail = format!(" (partition {}'s index {})", p.table, quote_ident(&p.name));
                v.detail_lock = lock.to_string();
            });
            let mut d = self.part_step(object, sql, risk);
            d.transactional = p.partitioned;
            d.names_created.push(q);
            d.after_drops_of = after_drops.clone();
            self.push(d);
        }
        // Attach bottom-up: a sub-partitioned partition's index is valid (and attachable)
        // once its own partitions' indexes are attached.
        for p in parts.iter().rev() {
            let risk = self.risk(RuleId::AttachPartitionIndex, object, |v| {
                v.table = p.table.to_string();
                v.detail = format!("{}.{}", quote_ident(&p.table.schema), quote_ident(&p.name));
            });
            let sql = format!(
                "ALTER INDEX {} ATTACH PARTITION {}.{}",
                p.parent,
                quote_ident(&p.table.schema),
                quote_ident(&p.name)
            );
            let d = self.part_step(object, sql, risk);
            self.push(d);
        }
        Ok(())
    }

    /// A primary key or unique constraint on an existing partitioned table, online: each
    /// partition's unique index `CONCURRENTLY`, that index made the partition's key, then
    /// the parent's key, which adopts them.
    pub(crate) fn partitioned_key_online(
        &mut self,
        object: &ObjectId,
        table: &QualName,
        c: &Constraint,
        again: &str,
    ) -> Result<(), String> {
        let Some((label, cols)) = key_label(c) else {
            return Err("not a key".into());
        };
        let probe = Index {
            name: QualName::new(table.schema.clone(), c.name.clone()),
            table: table.clone(),
            unique: true,
            method: "btree".into(),
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
            nulls_not_distinct: false,
            comment: None,
            invalid: false,
            storage: Default::default(),
            statistics: Default::default(),
        };
        let parts = self.part_indexes(object, &probe, label, &cols)?;
        if parts.iter().any(|p| p.partitioned) {
            return Err("a partition is itself partitioned".into());
        }
        let (kind, columns, include, nnd) = match &c.kind {
            ConstraintKind::PrimaryKey { columns, include } => {
                ("PRIMARY KEY", columns, include, false)
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => ("UNIQUE", columns, include, *nulls_not_distinct),
            _ => unreachable!("key_label matched a key"),
        };
        let what = if kind == "UNIQUE" {
            "unique constraint"
        } else {
            "primary key"
        };
        let after_drops = self.indexes_and_keys_of_tree(table);
        let deferral = if c.initially_deferred {
            " DEFERRABLE INITIALLY DEFERRED"
        } else if c.deferrable {
            " DEFERRABLE"
        } else {
            ""
        };
        for p in &parts {
            let mut sql = format!(
                "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({})",
                quote_ident(&p.name),
                p.table,
                sql::idents(columns)
            );
            if !include.is_empty() {
                sql.push_str(&format!(" INCLUDE ({})", sql::idents(include)));
            }
            if nnd {
                sql.push_str(" NULLS NOT DISTINCT");
            }
            let risk = self.risk(RuleId::AddKeyIndexConcurrently, object, |v| {
                v.table = p.table.to_string();
                v.detail = format!("partition {}'s {what} for", p.table);
            });
            let mut build = self.part_step(object, sql, risk);
            build.transactional = false;
            build.after_drops_of = after_drops.clone();
            build
                .names_created
                .push(QualName::new(p.table.schema.clone(), p.name.clone()));
            self.push(build);
            let sql = format!(
                "ALTER TABLE {} ADD CONSTRAINT {n} {kind} USING INDEX {n}{deferral}",
                p.table,
                n = quote_ident(&p.name)
            );
            let risk = self.risk(RuleId::AttachKeyIndex, object, |v| {
                v.table = p.table.to_string();
                v.detail = format!("partition {}'s {what} for", p.table);
            });
            let d = self.part_step(object, sql, risk);
            self.push(d);
        }
        let risk = self.risk(RuleId::AddPartitionedKey, object, |v| {
            v.table = table.to_string();
            v.detail = format!("{what}{again}");
        });
        let mut d = self.part_step(
            object,
            format!("ALTER TABLE {table} ADD {}", sql::constraint_def(c)),
            risk,
        );
        d.names_created
            .push(QualName::new(table.schema.clone(), c.name.clone()));
        self.push(d);
        Ok(())
    }

    /// A step of an online partitioned build: all of them create `object` (what needs it
    /// waits for the last), in the order pushed (steps on one object keep their order).
    fn part_step(&self, object: &ObjectId, sql: String, risk: crate::model::Risk) -> Draft {
        let rank = match object {
            ObjectId::Constraint { .. } => rank::CONSTRAINT,
            _ => rank::INDEX,
        };
        let mut d = Draft::new(object.clone(), Action::Create, sql, risk, rank);
        d.needs = deps(self.to, object);
        d.creates = vec![object.clone()];
        d
    }

    /// The indexes and keys of `table` and its partitions before the plan: a partition
    /// index built online is named after what a dropped one may still hold.
    fn indexes_and_keys_of_tree(&self, table: &QualName) -> Vec<ObjectId> {
        let mut tables = vec![table.clone()];
        let mut i = 0;
        while i < tables.len() {
            let t = tables[i].clone();
            tables.extend(partitions_of(self.from, &t));
            i += 1;
        }
        let mut out = Vec::new();
        for t in &tables {
            out.extend(
                self.from
                    .indexes
                    .values()
                    .filter(|ix| ix.table == *t)
                    .map(|ix| ObjectId::Index {
                        name: ix.name.clone(),
                    }),
            );
            if let Some(tab) = self.from.tables.get(t) {
                out.extend(tab.constraints.keys().map(|n| ObjectId::Constraint {
                    table: t.clone(),
                    name: n.clone(),
                }));
            }
        }
        out
    }
}

/// `CREATE [UNIQUE] INDEX name ON ONLY table …`.
/// Whether an index or key of the partition `part` of its own is attached to `parent` in
/// `cat` ([`Catalog::attached_indexes`]).
fn attached_of(cat: &Catalog, parent: &QualName, part: &QualName) -> bool {
    cat.attached_to(parent).iter().any(|o| match o {
        ObjectId::Index { name } => cat.indexes.get(name).is_some_and(|i| i.table == *part),
        ObjectId::Constraint { table, .. } => table == part,
        _ => false,
    })
}

pub(crate) fn only_sql(ix: &Index, table: &QualName, name: &str) -> String {
    let mut only = ix.clone();
    only.name = QualName::new(table.schema.clone(), name.to_string());
    only.table = table.clone();
    let s = sql::create_index(&only, false);
    let on = format!(" ON {table}");
    s.replacen(&on, &format!(" ON ONLY {table}"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_index_names_follow_postgres() {
        let child = QualName::new("public", "events_2024");
        assert_eq!(
            child_index_name(&child, &["a".into(), "a".into(), "b".into()], "idx"),
            "events_2024_a_a1_b_idx"
        );
        assert_eq!(
            child_index_name(&child, &["id".into()], "pkey"),
            "events_2024_pkey"
        );
        assert_eq!(
            called_function("lower((email)::text)").as_deref(),
            Some("lower")
        );
        assert_eq!(called_function("public.f(a)").as_deref(), Some("f"));
        assert_eq!(called_function("(a + b)"), None);
        assert_eq!(called_function("CAST(a AS text)"), None);
        let long = "x".repeat(60);
        let n = child_index_name(&QualName::new("public", &long), &["col".into()], "idx");
        assert!(n.len() <= 63 && n.ends_with("_col_idx"), "{n}");
    }
}
