//! `CREATE TABLE t (…, LIKE source [INCLUDING … | EXCLUDING …], …)`, expanded as
//! PostgreSQL expands it (`transformTableLikeClause`, `expandTableLikeClause`):
//!
//! - the columns, in place, with their types, collations and `NOT NULL` (always);
//!   defaults with `DEFAULTS`, generation expressions with `GENERATED`, identity (and its
//!   sequence options) with `IDENTITY`, storage with `STORAGE`, compression with
//!   `COMPRESSION`, column comments with `COMMENTS`;
//! - after the table and its own keys: `CHECK` constraints under their names with
//!   `CONSTRAINTS` (their comments with `COMMENTS`); with `INDEXES`, the primary key,
//!   unique and exclusion constraints and the indexes, created without a name so that
//!   PostgreSQL's naming rules choose it (`t_pkey`, `t_a_key`, `t_a_idx`, …), with their
//!   storage parameters (and the indexes' comments with `COMMENTS`).
//!
//! The source is found in the desired catalog whatever the file order (statements wait
//! for the relations they name: ordering.rs). Foreign keys are never copied, as in
//! PostgreSQL; `STATISTICS` copies extended statistics, which shale does not model.
//! A source that is a partition or an inheritance child, a view or a type is refused.

use super::*;
use shale_model::{quote_literal, ConstraintKind, Identity};

const COMMENTS: u32 = 1 << 0;
const COMPRESSION: u32 = 1 << 1;
const CONSTRAINTS: u32 = 1 << 2;
const DEFAULTS: u32 = 1 << 3;
const GENERATED: u32 = 1 << 4;
const IDENTITY: u32 = 1 << 5;
const INDEXES: u32 = 1 << 6;
const STORAGE: u32 = 1 << 8;

/// A `LIKE` clause whose constraints and indexes are added once the table exists.
pub(super) struct PendingLike {
    source: QualName,
    options: u32,
}

fn identity_sql(i: &Identity) -> String {
    format!(
        "GENERATED {} AS IDENTITY (START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {} {})",
        if i.always { "ALWAYS" } else { "BY DEFAULT" },
        i.start,
        i.increment,
        i.min_value,
        i.max_value,
        i.cache,
        if i.cycle { "CYCLE" } else { "NO CYCLE" }
    )
}

/// The one statement of `sql`, parsed (text shale itself wrote).
fn parse_one(sql: &str) -> R<NodeEnum> {
    let parsed = pg_query::parse(sql, 0).map_err(|e| E {
        loc: -1,
        msg: format!("LIKE: cannot read back `{sql}`: {e}"),
    })?;
    parsed
        .protobuf
        .stmts
        .first()
        .and_then(|s| s.stmt.as_ref())
        .and_then(|s| s.node.clone())
        .ok_or_else(|| E {
            loc: -1,
            msg: format!("LIKE: cannot read back `{sql}`"),
        })
}

fn index_key_sql(k: &shale_model::IndexKey) -> String {
    let mut s = match &k.key {
        IndexKeyExpr::Column(c) => quote_ident(c),
        IndexKeyExpr::Expr(e) => format!("({})", e.sql.trim()),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(o) = &k.opclass {
        s.push_str(&format!(" {o}"));
    }
    if k.descending {
        s.push_str(" DESC");
    }
    if k.nulls_first != k.descending {
        s.push_str(if k.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    s
}

fn with_sql(storage: &BTreeMap<String, String>) -> String {
    if storage.is_empty() {
        return String::new();
    }
    let items: Vec<String> = storage
        .iter()
        .map(|(k, v)| format!("{} = {}", quote_ident(k), quote_literal(v)))
        .collect();
    format!(" WITH ({})", items.join(", "))
}

fn idents(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Builder {
    /// The columns of `LIKE source` added to `table` (being created); the rest of the
    /// clause is returned to run once the table exists.
    pub(super) fn like_columns(
        &self,
        table: &mut Table,
        like: &protobuf::TableLikeClause,
        p: &mut Pending,
    ) -> R<PendingLike> {
        let rv = like.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "LIKE without a relation".into(),
        })?;
        let source = match self.find_table(rv) {
            Ok(q) => q,
            Err(e) => {
                if self
                    .lookup(&rv.schemaname, &rv.relname, &self.cat.views)
                    .is_some()
                {
                    return unsupported(rv.location, "CREATE TABLE … (LIKE a view)");
                }
                return Err(e);
            }
        };
        if self.cat.is_child_table(&source) {
            return unsupported(
                rv.location,
                "CREATE TABLE … (LIKE a partition or inheritance child)",
            );
        }
        let options = like.options;
        let src = self.table(&source).clone();
        for c in &src.columns {
            let mut sql = format!("{} {}", quote_ident(&c.name), c.ty);
            if let Some(coll) = &c.collation {
                sql.push_str(&format!(" COLLATE {coll}"));
            }
            match (&c.generated, &c.identity, &c.default) {
                (Some(g), _, _) if options & GENERATED != 0 => {
                    sql.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.sql.trim()))
                }
                (_, Some(i), _) if options & IDENTITY != 0 => {
                    sql.push(' ');
                    sql.push_str(&identity_sql(i));
                }
                (None, _, Some(d)) if options & DEFAULTS != 0 => {
                    sql.push_str(&format!(" DEFAULT {}", d.sql.trim()))
                }
                _ => {}
            }
            if c.not_null {
                sql.push_str(" NOT NULL");
            }
            let stmt = format!("CREATE TABLE shale_like ({sql})");
            let NodeEnum::CreateStmt(cs) = parse_one(&stmt)? else {
                return err(-1, format!("LIKE: cannot read back `{stmt}`"));
            };
            let Some(NodeEnum::ColumnDef(cd)) = cs.table_elts.first().and_then(|e| e.node.as_ref())
            else {
                return err(-1, format!("LIKE: cannot read back `{stmt}`"));
            };
            if table.column(&c.name).is_some() {
                return err(
                    rv.location,
                    format!("column \"{}\" specified more than once", c.name),
                );
            }
            self.column_def(table, cd, p)?;
            if options & COMMENTS != 0 {
                if let Some(col) = table.columns.iter_mut().find(|x| x.name == c.name) {
                    col.comment = c.comment.clone();
                }
            }
        }
        Ok(PendingLike { source, options })
    }

    /// What `LIKE` adds once table `q` exists: column storage and compression, checks,
    /// keys, exclusion constraints and indexes (in that order, after the table's own).
    pub(super) fn expand_likes(&mut self, q: &QualName, likes: Vec<PendingLike>) -> R<()> {
        for like in likes {
            self.expand_like(q, &like)?;
        }
        Ok(())
    }

    fn run_synthesized(&mut self, sql: &str) -> R<()> {
        let node = parse_one(sql)?;
        self.statement(node, sql).map_err(|e| E {
            loc: -1,
            msg: format!("LIKE: {} (in `{sql}`)", e.msg),
        })
    }

    fn expand_like(&mut self, q: &QualName, like: &PendingLike) -> R<()> {
        let src = self.table(&like.source).clone();
        let src_opts = self.cat.table_opts(&like.source);
        let o = like.options;
        // Column storage and compression.
        for (col, co) in &src_opts.columns {
            if src.column(col).is_none() {
                continue;
            }
            let storage = if o & STORAGE != 0 {
                co.storage.clone()
            } else {
                None
            };
            let compression = if o & COMPRESSION != 0 {
                co.compression.clone()
            } else {
                None
            };
            if storage.is_some() || compression.is_some() {
                let opts = self
                    .cat
                    .table_options
                    .entry(q.clone())
                    .or_insert_with(|| shale_model::TableOptions::new(q.clone()));
                let c = opts.columns.entry(col.clone()).or_default();
                if storage.is_some() {
                    c.storage = storage;
                }
                if compression.is_some() {
                    c.compression = compression;
                }
            }
        }
        if o & CONSTRAINTS != 0 {
            for c in src.constraints.values() {
                let ConstraintKind::Check { expr, no_inherit } = &c.kind else {
                    continue;
                };
                self.run_synthesized(&format!(
                    "ALTER TABLE {q} ADD CONSTRAINT {} CHECK ({}){}",
                    quote_ident(&c.name),
                    expr.sql.trim(),
                    if *no_inherit { " NO INHERIT" } else { "" }
                ))?;
                if o & COMMENTS != 0 {
                    let comment = c.comment.clone();
                    if let Some(con) = self
                        .cat
                        .tables
                        .get_mut(q)
                        .and_then(|t| t.constraints.get_mut(&c.name))
                    {
                        con.comment = comment;
                    }
                }
            }
        }
        if o & INDEXES == 0 {
            return Ok(());
        }
        let deferrable = |c: &shale_model::Constraint| {
            let mut s = String::new();
            if c.deferrable || c.initially_deferred {
                s.push_str(" DEFERRABLE");
                if c.initially_deferred {
                    s.push_str(" INITIALLY DEFERRED");
                }
            }
            s
        };
        let include = |inc: &[String]| {
            if inc.is_empty() {
                String::new()
            } else {
                format!(" INCLUDE ({})", idents(inc))
            }
        };
        // The primary key first, then unique constraints.
        let mut keys: Vec<&shale_model::Constraint> = src
            .constraints
            .values()
            .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
            .collect();
        keys.extend(
            src.constraints
                .values()
                .filter(|c| matches!(c.kind, ConstraintKind::Unique { .. })),
        );
        for c in keys {
            let sql = match &c.kind {
                ConstraintKind::PrimaryKey {
                    columns,
                    include: inc,
                } => format!(
                    "ALTER TABLE {q} ADD PRIMARY KEY ({}){}{}",
                    idents(columns),
                    include(inc),
                    deferrable(c)
                ),
                ConstraintKind::Unique {
                    columns,
                    include: inc,
                    nulls_not_distinct,
                } => format!(
                    "ALTER TABLE {q} ADD UNIQUE{} ({}){}{}",
                    if *nulls_not_distinct {
                        " NULLS NOT DISTINCT"
                    } else {
                        ""
                    },
                    idents(columns),
                    include(inc),
                    deferrable(c)
                ),
                _ => continue,
            };
            self.run_synthesized(&sql)?;
        }
        for x in src_opts.exclusions.values() {
            self.run_synthesized(&format!("ALTER TABLE {q} ADD {x}"))?;
        }
        let indexes: Vec<Index> = self
            .cat
            .indexes
            .values()
            .filter(|ix| ix.table == like.source)
            .cloned()
            .collect();
        for ix in indexes {
            let keys: Vec<String> = ix.keys.iter().map(index_key_sql).collect();
            let mut sql = format!(
                "CREATE {}INDEX ON {q}",
                if ix.unique { "UNIQUE " } else { "" }
            );
            if ix.method != "btree" {
                sql.push_str(&format!(" USING {}", quote_ident(&ix.method)));
            }
            sql.push_str(&format!(" ({})", keys.join(", ")));
            sql.push_str(&include(&ix.include));
            if ix.nulls_not_distinct {
                sql.push_str(" NULLS NOT DISTINCT");
            }
            sql.push_str(&with_sql(&ix.storage));
            if let Some(p) = &ix.predicate {
                sql.push_str(&format!(" WHERE {}", p.sql.trim()));
            }
            let before: BTreeSet<QualName> = self.cat.indexes.keys().cloned().collect();
            self.run_synthesized(&sql)?;
            if o & COMMENTS != 0 && ix.comment.is_some() {
                let new: Vec<QualName> = self
                    .cat
                    .indexes
                    .keys()
                    .filter(|k| !before.contains(*k))
                    .cloned()
                    .collect();
                for n in new {
                    if let Some(i) = self.cat.indexes.get_mut(&n) {
                        i.comment = ix.comment.clone();
                    }
                }
            }
        }
        Ok(())
    }
}
