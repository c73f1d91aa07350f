//! Table options from the catalog: partitioning (`pg_partitioned_table` through
//! `pg_get_partkeydef`, `relpartbound`), inheritance (`pg_inherits`), `relpersistence`,
//! `reloptions`, `relreplident`, `indisclustered`, and per-column statistics targets,
//! storage and compression.
//!
//! It also folds what a child table gets from its parents into the parents, as the model
//! wants: inherited columns (`attinhcount > 0`), inherited constraints (`NOT conislocal`)
//! and the partitions' indexes that belong to a partitioned index (`pg_inherits` on
//! indexes) are removed from the children.

use crate::queries::{get, not_extension_member, query, Version};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{
    Catalog, Collation, ColumnOptions, QualName, ReplicaIdentity, TableOptions, TypeRef,
};
use std::collections::HashMap;

const USER_SCHEMA: &str = "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'";

pub(crate) struct Rows {
    tables: Vec<TableRow>,
    parents: Vec<(QualName, QualName)>,
    inherited_columns: Vec<(QualName, String)>,
    columns: Vec<ColumnRow>,
    child_indexes: Vec<ChildIndex>,
    inherited_constraints: Vec<(QualName, String)>,
    /// Table, name, `pg_get_constraintdef`, comment.
    exclusions: Vec<(QualName, String, String, Option<String>)>,
    schema_comments: Vec<(String, String)>,
    collations: Vec<Collation>,
}

/// A partition's index attached to a partitioned index (`pg_inherits` on indexes).
struct ChildIndex {
    index: QualName,
    /// The partition it is an index of.
    table: QualName,
    /// The partitioned index it is attached to.
    parent: QualName,
    /// It backs a primary key or unique constraint of the partition.
    key: bool,
    /// The parent's backs a key of the partitioned table.
    parent_key: bool,
}

struct TableRow {
    name: QualName,
    unlogged: bool,
    reloptions: Vec<String>,
    replident: String,
    replident_index: Option<String>,
    cluster_index: Option<String>,
    partkey: Option<String>,
    bound: Option<String>,
}

struct ColumnRow {
    table: QualName,
    column: String,
    statistics: i32,
    storage: String,
    type_storage: String,
    compression: String,
}

fn qual(row: &postgres::Row, what: &'static str, i: usize) -> Result<QualName, IntrospectError> {
    Ok(QualName::new(
        get::<String>(row, what, i)?,
        get::<String>(row, what, i + 1)?,
    ))
}

pub(crate) fn read(tx: &mut Transaction<'_>, version: Version) -> Result<Rows, IntrospectError> {
    const T: &str = "table options";
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, c.relpersistence = 'u', \
                COALESCE(c.reloptions, '{{}}'::text[]), c.relreplident::text, \
                (SELECT ci.relname::text FROM pg_catalog.pg_index i \
                   JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid \
                  WHERE i.indrelid = c.oid AND i.indisreplident), \
                (SELECT ci.relname::text FROM pg_catalog.pg_index i \
                   JOIN pg_catalog.pg_class ci ON ci.oid = i.indexrelid \
                  WHERE i.indrelid = c.oid AND i.indisclustered), \
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, \
                CASE WHEN c.relispartition \
                     THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END \
           FROM pg_catalog.pg_class c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} ORDER BY 1, 2"
    );
    let mut tables = Vec::new();
    for r in query(tx, T, &sql)? {
        tables.push(TableRow {
            name: qual(&r, T, 0)?,
            unlogged: get(&r, T, 2)?,
            reloptions: get(&r, T, 3)?,
            replident: get(&r, T, 4)?,
            replident_index: get(&r, T, 5)?,
            cluster_index: get(&r, T, 6)?,
            partkey: get(&r, T, 7)?,
            bound: get(&r, T, 8)?,
        });
    }

    const P: &str = "table inheritance";
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, pn.nspname::text, p.relname::text \
           FROM pg_catalog.pg_inherits i \
           JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
           JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
          WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} \
          ORDER BY 1, 2, i.inhseqno"
    );
    let mut parents = Vec::new();
    for r in query(tx, P, &sql)? {
        parents.push((qual(&r, P, 0)?, qual(&r, P, 2)?));
    }

    const IC: &str = "inherited columns";
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text \
           FROM pg_catalog.pg_attribute a \
           JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
            AND a.attinhcount > 0 AND {USER_SCHEMA}"
    );
    let mut inherited_columns = Vec::new();
    for r in query(tx, IC, &sql)? {
        inherited_columns.push((qual(&r, IC, 0)?, get(&r, IC, 2)?));
    }

    const C: &str = "column options";
    // Column compression (`attcompression`) exists from 14 on; before, no column has one.
    let compression = if version.has_column_compression() {
        "a.attcompression::text"
    } else {
        "''::text"
    };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, \
                COALESCE(a.attstattarget::int, -1), a.attstorage::text, t.typstorage::text, \
                {compression} AS compression \
           FROM pg_catalog.pg_attribute a \
           JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
          WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
            AND a.attinhcount = 0 AND {USER_SCHEMA} \
            AND (COALESCE(a.attstattarget::int, -1) <> -1 OR a.attstorage <> t.typstorage \
                 OR {compression} <> '')"
    );
    let mut columns = Vec::new();
    for r in query(tx, C, &sql)? {
        columns.push(ColumnRow {
            table: qual(&r, C, 0)?,
            column: get(&r, C, 2)?,
            statistics: get(&r, C, 3)?,
            storage: get(&r, C, 4)?,
            type_storage: get(&r, C, 5)?,
            compression: get(&r, C, 6)?,
        });
    }

    const I: &str = "partition indexes";
    let key = |ix: &str| {
        format!(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k \
                      WHERE k.conindid = {ix}.indexrelid AND k.conrelid = {ix}.indrelid \
                        AND k.contype IN ('p', 'u'))"
        )
    };
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, tn.nspname::text, t.relname::text, \
                pn.nspname::text, p.relname::text, {child_key}, {parent_key} \
           FROM pg_catalog.pg_inherits i \
           JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
           JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid \
           JOIN pg_catalog.pg_class t ON t.oid = x.indrelid \
           JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace \
           JOIN pg_catalog.pg_index px ON px.indexrelid = i.inhparent \
           JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
           JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
          WHERE c.relkind IN ('i', 'I') AND {USER_SCHEMA} ORDER BY 1, 2",
        child_key = key("x"),
        parent_key = key("px"),
    );
    let mut child_indexes = Vec::new();
    for r in query(tx, I, &sql)? {
        child_indexes.push(ChildIndex {
            index: qual(&r, I, 0)?,
            table: qual(&r, I, 2)?,
            parent: qual(&r, I, 4)?,
            key: get(&r, I, 6)?,
            parent_key: get(&r, I, 7)?,
        });
    }

    const K: &str = "inherited constraints";
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, co.conname::text \
           FROM pg_catalog.pg_constraint co \
           JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} \
            AND (NOT co.conislocal OR co.conparentid <> 0)"
    );
    let mut inherited_constraints = Vec::new();
    for r in query(tx, K, &sql)? {
        inherited_constraints.push((qual(&r, K, 0)?, get(&r, K, 2)?));
    }

    const X: &str = "exclusion constraints";
    let sql = format!(
        "SELECT n.nspname::text, c.relname::text, co.conname::text, \
                pg_catalog.pg_get_constraintdef(co.oid), \
                pg_catalog.obj_description(co.oid, 'pg_constraint') \
           FROM pg_catalog.pg_constraint co \
           JOIN pg_catalog.pg_class c ON c.oid = co.conrelid \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
          WHERE co.contype = 'x' AND c.relkind IN ('r', 'p') AND co.conislocal \
            AND co.conparentid = 0 AND {USER_SCHEMA} ORDER BY 1, 2, 3"
    );
    let mut exclusions = Vec::new();
    for r in query(tx, X, &sql)? {
        exclusions.push((
            qual(&r, X, 0)?,
            get(&r, X, 2)?,
            get(&r, X, 3)?,
            get(&r, X, 4)?,
        ));
    }

    const S: &str = "schema comments";
    let sql = format!(
        "SELECT n.nspname::text, pg_catalog.obj_description(n.oid, 'pg_namespace') \
           FROM pg_catalog.pg_namespace n \
          WHERE {USER_SCHEMA} \
            AND pg_catalog.obj_description(n.oid, 'pg_namespace') IS NOT NULL"
    );
    let mut schema_comments = Vec::new();
    for r in query(tx, S, &sql)? {
        schema_comments.push((get(&r, S, 0)?, get(&r, S, 1)?));
    }

    // The ICU locale column is `colliculocale` (15, 16) or `colllocale` (17+): read
    // through to_jsonb so one query fits every version. Before 15 an ICU collation keeps
    // its locale in `collcollate` (and `collctype`).
    const L: &str = "collations";
    let sql = format!(
        "SELECT n.nspname::text, c.collname::text, c.collprovider::text, \
                COALESCE(to_jsonb(c)->>'colllocale', to_jsonb(c)->>'colliculocale', \
                         CASE WHEN c.collprovider = 'i' THEN c.collcollate::text END), \
                c.collcollate::text, c.collctype::text, c.collisdeterministic, \
                pg_catalog.obj_description(c.oid, 'pg_collation') \
           FROM pg_catalog.pg_collation c \
           JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace \
          WHERE {USER_SCHEMA} AND {} \
          ORDER BY 1, 2",
        not_extension_member("pg_collation", "c.oid")
    );
    let mut collations = Vec::new();
    for r in query(tx, L, &sql)? {
        let provider: String = get(&r, L, 2)?;
        let icu: Option<String> = get(&r, L, 3)?;
        let coll: Option<String> = get(&r, L, 4)?;
        let ctype: Option<String> = get(&r, L, 5)?;
        let (provider, locale, lc_ctype) = match provider.as_str() {
            "i" => ("icu", icu.unwrap_or_default(), None),
            _ => {
                let coll = coll.unwrap_or_default();
                let ctype = ctype.unwrap_or_default();
                let differs = (ctype != coll).then_some(ctype);
                ("libc", coll, differs)
            }
        };
        collations.push(Collation {
            name: qual(&r, L, 0)?,
            provider: provider.into(),
            locale,
            lc_ctype,
            deterministic: get(&r, L, 6)?,
            comment: get(&r, L, 7)?,
        });
    }

    Ok(Rows {
        collations,
        exclusions,
        schema_comments,
        tables,
        parents,
        inherited_columns,
        columns,
        child_indexes,
        inherited_constraints,
    })
}

fn storage_name(code: &str) -> &'static str {
    match code {
        "p" => "plain",
        "e" => "external",
        "m" => "main",
        _ => "extended",
    }
}

/// Add the options to `cat` and fold children's inherited parts into their parents.
pub(crate) fn apply(mut cat: Catalog, rows: Rows) -> Result<Catalog, IntrospectError> {
    let mut opts: HashMap<QualName, TableOptions> = HashMap::new();
    for t in &rows.tables {
        if !cat.tables.contains_key(&t.name) {
            continue;
        }
        let mut o = TableOptions::new(t.name.clone());
        o.unlogged = t.unlogged;
        for r in &t.reloptions {
            let (k, v) = r.split_once('=').unwrap_or((r.as_str(), ""));
            o.storage.insert(k.to_string(), v.to_string());
        }
        o.replica_identity = match (t.replident.as_str(), &t.replident_index) {
            ("f", _) => ReplicaIdentity::Full,
            ("n", _) => ReplicaIdentity::Nothing,
            ("i", Some(ix)) => ReplicaIdentity::Index(ix.clone()),
            _ => ReplicaIdentity::Default,
        };
        o.cluster_on = t.cluster_index.clone();
        opts.insert(t.name.clone(), o);
    }
    for (child, parent) in &rows.parents {
        if let Some(o) = opts.get_mut(child) {
            o.inherits.push(parent.clone());
        }
    }
    // Partition keys and bounds (keys typed by all of the table's columns, which the
    // catalog still lists here, inherited ones included).
    for t in &rows.tables {
        let Some(o) = opts.get_mut(&t.name) else {
            continue;
        };
        if let Some(def) = &t.partkey {
            let cols: HashMap<String, TypeRef> = cat.tables[&t.name]
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect();
            let ct = |n: &str| cols.get(n).cloned();
            o.partition_by = Some(shale_sql::partition_key_from_catalog(def, &ct).map_err(
                |message| IntrospectError::Expr {
                    object: format!("table {}", t.name),
                    what: "partition key",
                    sql: def.clone(),
                    message,
                },
            )?);
        }
        if let Some(def) = &t.bound {
            let bound = shale_sql::partition_bound_from_catalog(def).map_err(|message| {
                IntrospectError::Expr {
                    object: format!("table {}", t.name),
                    what: "partition bound",
                    sql: def.clone(),
                    message,
                }
            })?;
            let parent =
                o.inherits
                    .first()
                    .cloned()
                    .ok_or_else(|| IntrospectError::Inconsistent {
                        object: format!("table {}", t.name),
                        message: "a partition without a parent in pg_inherits".into(),
                    })?;
            o.inherits.clear();
            o.partition_of = Some(shale_model::PartitionOf { parent, bound });
        }
    }
    for c in &rows.columns {
        let Some(o) = opts.get_mut(&c.table) else {
            continue;
        };
        let co = ColumnOptions {
            statistics: (c.statistics != -1).then_some(c.statistics),
            storage: (c.storage != c.type_storage).then(|| storage_name(&c.storage).to_string()),
            compression: match c.compression.as_str() {
                "p" => Some("pglz".to_string()),
                "l" => Some("lz4".to_string()),
                _ => None,
            },
            ..ColumnOptions::default()
        };
        o.columns.insert(c.column.clone(), co);
    }
    for c in &rows.collations {
        cat.collations.insert(c.name.clone(), c.clone());
    }
    for (s, c) in &rows.schema_comments {
        cat.schema_comments.insert(s.clone(), c.clone());
    }
    for (t, name, def, comment) in &rows.exclusions {
        let Some(table) = cat.tables.get(t) else {
            continue;
        };
        let cols: HashMap<String, TypeRef> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        let ct = |n: &str| cols.get(n).cloned();
        let mut x = shale_sql::exclusion_from_catalog(name, def, &ct).map_err(|message| {
            IntrospectError::Expr {
                object: format!("constraint {name} on {t}"),
                what: "exclusion constraint",
                sql: def.clone(),
                message,
            }
        })?;
        x.comment = comment.clone();
        opts.entry(t.clone())
            .or_insert_with(|| TableOptions::new(t.clone()))
            .exclusions
            .insert(name.clone(), x);
    }
    // A child's own NOT NULL or default on an inherited column (compared with its
    // parents' column, before any is folded).
    for (t, col) in &rows.inherited_columns {
        let Some(c) = cat.tables.get(t).and_then(|x| x.column(col)) else {
            continue;
        };
        let from_parents: Vec<&shale_model::Column> = rows
            .parents
            .iter()
            .filter(|(child, _)| child == t)
            .filter_map(|(_, p)| cat.tables.get(p).and_then(|x| x.column(col)))
            .collect();
        let Some(first) = from_parents.first() else {
            continue;
        };
        let not_null = c.not_null && !from_parents.iter().any(|p| p.not_null);
        let default = (c.default != first.default)
            .then(|| c.default.clone())
            .flatten();
        if not_null || default.is_some() {
            let o = opts
                .entry(t.clone())
                .or_insert_with(|| TableOptions::new(t.clone()));
            let e = o.columns.entry(col.clone()).or_default();
            e.not_null = not_null;
            e.default = default;
        }
    }
    // Fold the children.
    for (t, col) in &rows.inherited_columns {
        if let Some(table) = cat.tables.get_mut(t) {
            table.columns.retain(|c| &c.name != col);
        }
    }
    for (t, con) in &rows.inherited_constraints {
        if let Some(table) = cat.tables.get_mut(t) {
            table.constraints.remove(con);
        }
    }
    // A partition's index attached to a partitioned index is implied by it, unless
    // PostgreSQL would not have made it so: a key of the partition's own under a plain
    // index (the key stays, conparentid = 0), or a plain index not named as PostgreSQL
    // names the ones it makes. Those stay, listed as attached (decided before any index
    // is removed: a sub-partition's parent may be an implied index itself).
    let mut attached = Vec::new();
    let mut implied = Vec::new();
    for ci in &rows.child_indexes {
        if ci.parent_key {
            implied.push(ci.index.clone());
            continue;
        }
        let kept = ci.key
            || cat.indexes.get(&ci.parent).is_some_and(|p| {
                !shale_sql::is_implied_index_name(&ci.index.name, &ci.table.name, p)
            });
        if kept {
            attached.push(shale_model::AttachedIndex {
                index: ci.index.clone(),
                parent: ci.parent.clone(),
            });
        } else {
            implied.push(ci.index.clone());
        }
    }
    for ix in &implied {
        cat.indexes.remove(ix);
    }
    for a in attached {
        cat.attached_indexes.insert(a.index.clone(), a);
    }
    cat.table_options = opts.into_iter().collect();
    cat.prune_table_options();
    Ok(cat)
}

/// Kinds this module models, no longer reported as unmodeled.
pub(crate) fn forget_unmodeled(mut cat: Catalog) -> Catalog {
    cat.unmodeled
        .retain(|u| !matches!(u.kind.as_str(), "exclusion constraint" | "collation"));
    cat
}
