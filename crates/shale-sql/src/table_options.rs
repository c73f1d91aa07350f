//! Table options in the SQL front end: `PARTITION BY`, `PARTITION OF … FOR VALUES`,
//! `INHERITS`, `UNLOGGED`, `WITH (storage parameters)`, column `COMPRESSION`, and the
//! `ALTER TABLE` commands that change them (`ATTACH`/`DETACH PARTITION`, `[NO] INHERIT`,
//! `SET`/`RESET (…)`, `SET LOGGED`/`UNLOGGED`, `REPLICA IDENTITY`, `CLUSTER ON`,
//! `SET WITHOUT CLUSTER`, `ALTER COLUMN … SET STATISTICS | STORAGE | COMPRESSION`), plus
//! `ALTER INDEX parent ATTACH PARTITION child` (pg_dump's way of saying a partition's
//! index belongs to the parent's: the child index is then no object of its own).
//!
//! The live-database front end reads partition keys and bounds by handing the catalog's
//! own text (`pg_get_partkeydef`, `pg_get_expr(relpartbound)`) to
//! [`partition_key_from_catalog`] and [`partition_bound_from_catalog`], which share their
//! conversion with the file front end.

use super::*;
use shale_model::{
    AttachedIndex, BoundValue, Collation, Exclusion, ExclusionElement, PartitionBound,
    PartitionKey, PartitionOf, PartitionStrategy, ReplicaIdentity, TableOptions,
};

/// A partitioned table's index or key: its name, the index (none for a key), and the
/// two column lists PostgreSQL matches a partition's index against.
type ParentIndex = (QualName, Option<Index>, Vec<String>, Vec<String>);

fn strategy(s: i32, loc: i32) -> R<PartitionStrategy> {
    use protobuf::PartitionStrategy as P;
    match P::try_from(s).unwrap_or(P::Undefined) {
        P::Range => Ok(PartitionStrategy::Range),
        P::List => Ok(PartitionStrategy::List),
        P::Hash => Ok(PartitionStrategy::Hash),
        P::Undefined => err(loc, "unknown partition strategy"),
    }
}

/// One value of a partition bound in canonical form.
fn bound_value(n: &Node) -> R<BoundValue> {
    use pg_query::protobuf::a_const::Val;
    match n.node.as_ref() {
        Some(NodeEnum::AConst(c)) => {
            if c.isnull {
                return Ok(BoundValue::keyword("NULL"));
            }
            match c.val.as_ref() {
                Some(Val::Ival(i)) => Ok(BoundValue::number(&i.ival.to_string())),
                Some(Val::Fval(f)) => Ok(BoundValue::number(&f.fval)),
                Some(Val::Boolval(b)) => Ok(BoundValue::keyword(if b.boolval {
                    "TRUE"
                } else {
                    "FALSE"
                })),
                Some(Val::Sval(s)) => Ok(BoundValue::from_string_constant(&s.sval)),
                _ => err(c.location, "unsupported partition bound value"),
            }
        }
        Some(NodeEnum::TypeCast(t)) => match t.arg.as_deref() {
            Some(a) => bound_value(a),
            None => err(t.location, "unsupported partition bound value"),
        },
        Some(NodeEnum::ColumnRef(c)) => {
            let names = strings(&c.fields);
            match names.as_slice() {
                [k] if k == "minvalue" || k == "maxvalue" => Ok(BoundValue::keyword(k)),
                _ => err(
                    c.location,
                    "a partition bound must be a constant, MINVALUE or MAXVALUE",
                ),
            }
        }
        Some(NodeEnum::PartitionRangeDatum(d)) => match d.value.as_deref() {
            Some(v) => bound_value(v),
            None => Ok(BoundValue::keyword(if d.kind == 1 {
                "MINVALUE"
            } else {
                "MAXVALUE"
            })),
        },
        _ => err(
            Builder::node_location(n),
            "a partition bound must be a constant (expressions are not supported)",
        ),
    }
}

fn bound(b: &protobuf::PartitionBoundSpec) -> R<PartitionBound> {
    if b.is_default {
        return Ok(PartitionBound::Default);
    }
    let vals = |v: &[Node]| v.iter().map(bound_value).collect::<R<Vec<_>>>();
    match b.strategy.as_str() {
        "l" => Ok(PartitionBound::List {
            values: vals(&b.listdatums)?,
        }),
        "r" => Ok(PartitionBound::Range {
            from: vals(&b.lowerdatums)?,
            to: vals(&b.upperdatums)?,
        }),
        "h" => Ok(PartitionBound::Hash {
            modulus: b.modulus as i64,
            remainder: b.remainder as i64,
        }),
        other => err(
            b.location,
            format!("unknown partition bound strategy {other:?}"),
        ),
    }
}

/// A partition key element: a column, or an expression normalized by `norm`.
fn partition_key(
    spec: &protobuf::PartitionSpec,
    norm: &dyn Fn(&Node, i32) -> R<Expr>,
) -> R<PartitionKey> {
    let mut keys = Vec::new();
    for p in &spec.part_params {
        let Some(NodeEnum::PartitionElem(e)) = p.node.as_ref() else {
            return err(spec.location, "unexpected partition key element");
        };
        if !e.collation.is_empty() || !e.opclass.is_empty() {
            return unsupported(e.location, "partition key COLLATE or operator class");
        }
        if !e.name.is_empty() {
            keys.push(IndexKeyExpr::Column(e.name.clone()));
            continue;
        }
        let Some(x) = e.expr.as_deref() else {
            return err(e.location, "empty partition key element");
        };
        // `((a))` is the column `a`, as the catalog records it.
        if let Some(NodeEnum::ColumnRef(c)) = x.node.as_ref() {
            if let [name] = strings(&c.fields).as_slice() {
                keys.push(IndexKeyExpr::Column(name.clone()));
                continue;
            }
        }
        keys.push(IndexKeyExpr::Expr(norm(x, e.location)?));
    }
    Ok(PartitionKey {
        strategy: strategy(spec.strategy, spec.location)?,
        keys,
    })
}

fn parse_create(sql: &str) -> Result<protobuf::CreateStmt, String> {
    let parsed = pg_query::parse(sql, 0).map_err(|e| e.to_string())?;
    let stmt = parsed
        .protobuf
        .stmts
        .into_iter()
        .next()
        .and_then(|s| s.stmt)
        .and_then(|s| s.node);
    match stmt {
        Some(NodeEnum::CreateStmt(c)) => Ok(c),
        _ => Err(format!("not a CREATE TABLE: {sql}")),
    }
}

/// The partition key the catalog prints (`pg_get_partkeydef`: `RANGE (created_at)`),
/// in the model's form; expressions are typed by `column_type`.
pub fn partition_key_from_catalog(
    def: &str,
    column_type: &(dyn Fn(&str) -> Option<TypeRef> + Sync),
) -> Result<PartitionKey, String> {
    crate::deep::deep(|| {
        let c = parse_create(&format!("CREATE TABLE x () PARTITION BY {def}"))?;
        let spec = c.partspec.as_ref().ok_or("no partition key")?;
        let first = first_schema(&[]);
        let rs = |s: Option<&str>, n: &str| QualName::new(s.unwrap_or(&first), n);
        let rt = |s: Option<&str>, n: &str| Ok(QualName::new(s.unwrap_or(&first), n));
        let norm = |n: &Node, _loc: i32| -> R<Expr> {
            let cx = NormCx {
                column_type,
                target_type: None,
                resolve_seq: &rs,
                resolve_type: &rt,
                resolve_ts_config: &crate::normalize::qualified_ts_config,
            };
            normalize::normalize_node(n, &cx).map_err(at(-1))
        };
        partition_key(spec, &norm).map_err(|e| e.msg)
    })
}

/// The bound the catalog prints (`pg_get_expr(relpartbound, oid)`: `FOR VALUES IN (1, 2)`,
/// `DEFAULT`) in the model's form.
pub fn partition_bound_from_catalog(def: &str) -> Result<PartitionBound, String> {
    crate::deep::deep(|| {
        let c = parse_create(&format!("CREATE TABLE x PARTITION OF y {def}"))?;
        let b = c.partbound.as_ref().ok_or("no partition bound")?;
        bound(b).map_err(|e| e.msg)
    })
}

fn is_exclusion(n: &Node) -> bool {
    matches!(n.node.as_ref(), Some(NodeEnum::Constraint(c))
        if contype(c) == ConstrType::ConstrExclusion)
}

/// An `EXCLUDE` constraint (its name left empty) and the names PostgreSQL derives its
/// implicit name from.
fn exclusion(
    c: &protobuf::Constraint,
    norm: &dyn Fn(&Node, i32) -> R<Expr>,
) -> R<(Exclusion, Vec<String>)> {
    if !c.including.is_empty() || !c.options.is_empty() || !c.indexspace.is_empty() {
        return unsupported(
            c.location,
            "EXCLUDE … INCLUDE / WITH (…) / USING INDEX TABLESPACE",
        );
    }
    let mut elements = Vec::new();
    let mut names = Vec::new();
    for x in &c.exclusions {
        let Some(NodeEnum::List(pair)) = x.node.as_ref() else {
            return err(c.location, "malformed EXCLUDE element");
        };
        let (Some(elem), Some(ops)) = (pair.items.first(), pair.items.get(1)) else {
            return err(c.location, "malformed EXCLUDE element");
        };
        let Some(NodeEnum::IndexElem(ie)) = elem.node.as_ref() else {
            return err(c.location, "malformed EXCLUDE element");
        };
        if !ie.collation.is_empty()
            || !ie.opclass.is_empty()
            || ie.ordering != protobuf::SortByDir::SortbyDefault as i32
            || ie.nulls_ordering != protobuf::SortByNulls::SortbyNullsDefault as i32
        {
            return unsupported(
                c.location,
                "EXCLUDE element with COLLATE, operator class or ordering",
            );
        }
        let key = if !ie.name.is_empty() {
            names.push(ie.name.clone());
            IndexKeyExpr::Column(ie.name.clone())
        } else {
            let Some(e) = ie.expr.as_deref() else {
                return err(c.location, "empty EXCLUDE element");
            };
            match e.node.as_ref() {
                Some(NodeEnum::ColumnRef(cr)) if strings(&cr.fields).len() == 1 => {
                    let n = strings(&cr.fields).remove(0);
                    names.push(n.clone());
                    IndexKeyExpr::Column(n)
                }
                _ => {
                    names.push(if ie.indexcolname.is_empty() {
                        figure_index_colname(e)
                    } else {
                        ie.indexcolname.clone()
                    });
                    IndexKeyExpr::Expr(norm(e, c.location)?)
                }
            }
        };
        let op = match ops.node.as_ref() {
            Some(NodeEnum::List(l)) => strings(&l.items).pop().unwrap_or_default(),
            _ => String::new(),
        };
        if op.is_empty() {
            return err(c.location, "EXCLUDE element without an operator");
        }
        elements.push(ExclusionElement { key, operator: op });
    }
    let predicate = match c.where_clause.as_deref() {
        Some(w) => Some(norm(w, c.location)?),
        None => None,
    };
    let method = if c.access_method.is_empty() {
        "btree".to_string()
    } else {
        c.access_method.clone()
    };
    Ok((
        Exclusion {
            name: c.conname.clone(),
            method,
            elements,
            predicate,
            deferrable: c.deferrable,
            initially_deferred: c.initdeferred,
            comment: None,
        },
        names,
    ))
}

/// An exclusion constraint as the catalog prints it (`pg_get_constraintdef`), named
/// `name`; expressions typed by `column_type`.
pub fn exclusion_from_catalog(
    name: &str,
    def: &str,
    column_type: &(dyn Fn(&str) -> Option<TypeRef> + Sync),
) -> Result<Exclusion, String> {
    crate::deep::deep(|| {
        let sql = format!("ALTER TABLE x ADD CONSTRAINT c {def}");
        let parsed = pg_query::parse(&sql, 0).map_err(|e| e.to_string())?;
        let node = parsed
            .protobuf
            .stmts
            .into_iter()
            .next()
            .and_then(|s| s.stmt)
            .and_then(|s| s.node);
        let Some(NodeEnum::AlterTableStmt(a)) = node else {
            return Err(format!("cannot read {def}"));
        };
        let con = alter_cmds(&a)
            .first()
            .and_then(|c| c.def.as_deref())
            .and_then(|d| match d.node.as_ref() {
                Some(NodeEnum::Constraint(c)) => Some(c.as_ref().clone()),
                _ => None,
            })
            .ok_or_else(|| format!("cannot read {def}"))?;
        let first = first_schema(&[]);
        let rs = |s: Option<&str>, n: &str| QualName::new(s.unwrap_or(&first), n);
        let rt = |s: Option<&str>, n: &str| Ok(QualName::new(s.unwrap_or(&first), n));
        let norm = |n: &Node, _loc: i32| -> R<Expr> {
            let cx = NormCx {
                column_type,
                target_type: None,
                resolve_seq: &rs,
                resolve_type: &rt,
                resolve_ts_config: &crate::normalize::qualified_ts_config,
            };
            normalize::normalize_node(n, &cx).map_err(at(-1))
        };
        let (mut x, _) = exclusion(&con, &norm).map_err(|e| e.msg)?;
        x.name = name.to_string();
        Ok(x)
    })
}

/// Storage parameters of a `WITH (…)` or `SET (…)` list, as `reloptions` stores them.
pub(super) fn storage_params(options: &[Node], reset: bool) -> R<Vec<(String, String)>> {
    let mut out = Vec::new();
    for o in options {
        let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
            continue;
        };
        if !d.defnamespace.is_empty() {
            return unsupported(
                d.location,
                &format!("storage parameter {}.{}", d.defnamespace, d.defname),
            );
        }
        if d.defname == "oids" {
            return unsupported(d.location, "WITH (oids)");
        }
        let value = if reset {
            String::new()
        } else if d.arg.is_none() {
            // `WITH (autovacuum_enabled)` means true.
            "true".to_string()
        } else {
            match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                // `off`, an unreserved keyword, is read as a type name (as by PostgreSQL's
                // `defGetString`, which prints it back).
                Some(NodeEnum::TypeName(t)) => strings(&t.names).join("."),
                Some(NodeEnum::Boolean(b)) => b.boolval.to_string(),
                _ => def_string(d)?,
            }
        };
        out.push((d.defname.clone(), value));
    }
    Ok(out)
}

/// The default `attstorage` of built-in types (`typstorage`): `SET STORAGE` to it is no
/// option at all.
fn default_storage(ty: &TypeRef) -> Option<&'static str> {
    if ty.array {
        return Some("extended");
    }
    if ty.schema.is_some() {
        return None;
    }
    let base = ty.name.split('(').next().unwrap_or("").trim();
    Some(match base {
        "text" | "character varying" | "character" | "bytea" | "jsonb" | "json" | "xml"
        | "numeric" | "tsvector" | "bit varying" => {
            if base == "numeric" {
                "main"
            } else {
                "extended"
            }
        }
        "integer"
        | "bigint"
        | "smallint"
        | "boolean"
        | "real"
        | "double precision"
        | "date"
        | "uuid"
        | "timestamp with time zone"
        | "timestamp without time zone"
        | "time without time zone"
        | "time with time zone"
        | "interval"
        | "money"
        | "oid"
        | "inet"
        | "cidr"
        | "macaddr" => "plain",
        _ => return None,
    })
}

fn storage_name(s: &str, loc: i32) -> R<String> {
    let s = s.to_ascii_lowercase();
    match s.as_str() {
        "plain" | "external" | "extended" | "main" => Ok(s),
        _ => err(loc, format!("invalid storage type \"{s}\"")),
    }
}

fn compression_name(s: &str, loc: i32) -> R<Option<String>> {
    let s = s.to_ascii_lowercase();
    match s.as_str() {
        "default" | "" => Ok(None),
        "pglz" | "lz4" => Ok(Some(s)),
        _ => err(loc, format!("invalid compression method \"{s}\"")),
    }
}

const EXT_ALTERS: &[AlterTableType] = &[
    AlterTableType::AtSetRelOptions,
    AlterTableType::AtResetRelOptions,
    AlterTableType::AtSetLogged,
    AlterTableType::AtSetUnLogged,
    AlterTableType::AtAttachPartition,
    AlterTableType::AtDetachPartition,
    AlterTableType::AtAddInherit,
    AlterTableType::AtDropInherit,
    AlterTableType::AtReplicaIdentity,
    AlterTableType::AtClusterOn,
    AlterTableType::AtDropCluster,
    AlterTableType::AtSetStatistics,
    AlterTableType::AtSetStorage,
    AlterTableType::AtSetCompression,
];

fn alter_cmds(s: &protobuf::AlterTableStmt) -> Vec<&protobuf::AlterTableCmd> {
    s.cmds
        .iter()
        .filter_map(|c| match c.node.as_ref() {
            Some(NodeEnum::AlterTableCmd(c)) => Some(c.as_ref()),
            _ => None,
        })
        .collect()
}

impl Builder {
    /// A `CREATE TABLE` with something only this module handles.
    pub(super) fn is_table_options_create(s: &protobuf::CreateStmt) -> bool {
        let persistence = s
            .relation
            .as_ref()
            .map(|r| r.relpersistence.as_str())
            .unwrap_or("p");
        persistence == "u"
            || !s.inh_relations.is_empty()
            || s.partspec.is_some()
            || s.partbound.is_some()
            || !s.options.is_empty()
            || s.table_elts.iter().any(|e| {
                matches!(e.node.as_ref(), Some(NodeEnum::ColumnDef(cd))
                    if !cd.compression.is_empty())
            })
            || s.table_elts.iter().any(is_exclusion)
    }

    /// An `ALTER TABLE` made only of commands this module handles, or `ALTER INDEX …
    /// ATTACH PARTITION`.
    pub(super) fn is_table_options_alter(s: &protobuf::AlterTableStmt) -> bool {
        let cmds = alter_cmds(s);
        let add_exclusion = |c: &protobuf::AlterTableCmd| {
            c.subtype == AlterTableType::AtAddConstraint as i32
                && c.def.as_deref().is_some_and(is_exclusion)
        };
        !cmds.is_empty()
            && cmds.iter().all(|c| {
                add_exclusion(c)
                    || EXT_ALTERS
                        .iter()
                        .any(|t| *t as i32 == c.subtype && c.subtype != 0)
            })
            && (s.objtype == ObjectType::ObjectTable as i32
                || (s.objtype == ObjectType::ObjectIndex as i32
                    && cmds
                        .iter()
                        .all(|c| c.subtype == AlterTableType::AtAttachPartition as i32)))
    }

    /// The table a `CREATE INDEX` or `ALTER TABLE` names, when it is a partition or an
    /// inheritance child (whose model lacks the inherited columns).
    pub(super) fn child_target(&self, rv: Option<&protobuf::RangeVar>) -> Option<QualName> {
        let rv = rv?;
        let q = self.find_table(rv).ok()?;
        self.cat.is_child_table(&q).then_some(q)
    }

    /// Run `f` with the inherited columns of child table `q` present in its model (so
    /// indexes and constraints on them can be read), and take them out again after.
    pub(super) fn with_inherited_columns(
        &mut self,
        q: &QualName,
        f: impl FnOnce(&mut Self) -> R<()>,
    ) -> R<()> {
        let mut inherited: Vec<Column> = Vec::new();
        for p in self.cat.table_opts(q).parents() {
            self.columns_with_parents(&p, &mut inherited, 0);
        }
        // As the parents have them; the child's own NOT NULL and default go on top.
        let base: Vec<Column> = inherited.clone();
        let overrides = self.cat.table_opts(q).columns;
        for c in &mut inherited {
            if let Some(o) = overrides.get(&c.name) {
                c.not_null |= o.not_null;
                if o.default.is_some() {
                    c.default = o.default.clone();
                }
            }
        }
        let names: Vec<String> = match self.cat.tables.get_mut(q) {
            Some(t) => {
                inherited.retain(|c| t.column(&c.name).is_none());
                let names = inherited.iter().map(|c| c.name.clone()).collect();
                let own = std::mem::take(&mut t.columns);
                t.columns = inherited;
                t.columns.extend(own);
                names
            }
            None => Vec::new(),
        };
        let r = f(self);
        let mut after: Vec<Column> = Vec::new();
        if let Some(t) = self.cat.tables.get_mut(q) {
            after = t
                .columns
                .iter()
                .filter(|c| names.contains(&c.name))
                .cloned()
                .collect();
            t.columns.retain(|c| !names.contains(&c.name));
        }
        if r.is_ok() && self.cat.tables.contains_key(q) {
            self.record_column_overrides(q, &base, &after);
        }
        r
    }

    /// What a child says of an inherited column beyond its parents (`NOT NULL` where the
    /// parent's is nullable, a default other than the parent's) lands in its column
    /// options.
    fn record_column_overrides(&mut self, q: &QualName, base: &[Column], after: &[Column]) {
        for c in after {
            let Some(p) = base.iter().find(|b| b.name == c.name) else {
                continue;
            };
            let not_null = c.not_null && !p.not_null;
            let default = (c.default != p.default)
                .then(|| c.default.clone())
                .flatten();
            let o = self.opts_mut(q);
            let entry = o.columns.entry(c.name.clone()).or_default();
            entry.not_null = not_null;
            entry.default = default;
            if entry.is_default() {
                o.columns.remove(&c.name);
            }
        }
    }

    /// `COMMENT ON SCHEMA`, or `COMMENT ON CONSTRAINT` of an exclusion constraint.
    pub(super) fn is_table_options_comment(&self, s: &protobuf::CommentStmt) -> bool {
        match ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectSchema | ObjectType::ObjectCollation => true,
            ObjectType::ObjectTabconstraint => self.exclusion_named(s).is_some(),
            _ => false,
        }
    }

    fn comment_names(s: &protobuf::CommentStmt) -> Vec<String> {
        match s.object.as_deref().and_then(|o| o.node.as_ref()) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            Some(NodeEnum::String(st)) => vec![st.sval.clone()],
            _ => vec![],
        }
    }

    fn exclusion_named(&self, s: &protobuf::CommentStmt) -> Option<(QualName, String)> {
        let names = Self::comment_names(s);
        let (tn, con) = names.split_at(names.len().checked_sub(1)?);
        let q = self.find_table_names(tn, -1).ok()?;
        let name = con.first()?.clone();
        self.cat
            .table_options
            .get(&q)
            .is_some_and(|o| o.exclusions.contains_key(&name))
            .then_some((q, name))
    }

    pub(super) fn table_options_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        if s.objtype == ObjectType::ObjectCollation as i32 {
            return self.collation_comment(s);
        }
        let text = (!s.comment.is_empty()).then(|| s.comment.clone());
        if let Some((q, name)) = self.exclusion_named(s) {
            if let Some(x) = self.opts_mut(&q).exclusions.get_mut(&name) {
                x.comment = text;
            }
            return Ok(());
        }
        let names = Self::comment_names(s);
        let [schema] = names.as_slice() else {
            return err(-1, "improper schema name");
        };
        if !self.cat.schemas.contains_key(schema) {
            return err(-1, format!("schema \"{schema}\" does not exist"));
        }
        match text {
            Some(t) => {
                self.cat.schema_comments.insert(schema.clone(), t);
            }
            None => {
                self.cat.schema_comments.remove(schema);
            }
        }
        Ok(())
    }

    fn opts_mut(&mut self, q: &QualName) -> &mut TableOptions {
        self.cat
            .table_options
            .entry(q.clone())
            .or_insert_with(|| TableOptions::new(q.clone()))
    }

    pub(super) fn create_table_options(&mut self, s: &protobuf::CreateStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let unlogged = rv.relpersistence == "u";
        let mut parents = Vec::new();
        for p in &s.inh_relations {
            let Some(NodeEnum::RangeVar(prv)) = p.node.as_ref() else {
                return err(-1, "unexpected parent table");
            };
            parents.push(self.find_table(prv)?);
        }
        let partition_of = match s.partbound.as_ref() {
            None => None,
            Some(b) => {
                let parent = parents.first().cloned().ok_or_else(|| E {
                    loc: b.location,
                    msg: "PARTITION OF without a parent".into(),
                })?;
                let key = self.cat.table_opts(&parent).partition_by;
                let Some(key) = key else {
                    return err(
                        b.location,
                        format!("table \"{}\" is not partitioned", parent.name),
                    );
                };
                let bound = bound(b)?;
                check_bound_strategy(key.strategy, &bound, b.location)?;
                Some(PartitionOf { parent, bound })
            }
        };
        let inherited: Vec<String> = parents
            .iter()
            .flat_map(|p| self.cat.all_column_names(p))
            .collect();
        let mut base = s.clone();
        if let Some(r) = base.relation.as_mut() {
            r.relpersistence = "p".into();
        }
        base.inh_relations.clear();
        base.partspec = None;
        base.partbound = None;
        base.options.clear();
        let mut compression = Vec::new();
        let mut elts = Vec::new();
        let mut exclusions = Vec::new();
        // A child's table constraints may name inherited columns: they are read once the
        // table is a child, with its parents' columns in view (as `ALTER TABLE … ADD`).
        let mut child_constraints = Vec::new();
        let mut column_cmds = Vec::new();
        for e in &s.table_elts {
            if let Some(NodeEnum::Constraint(c)) = e.node.as_ref() {
                if contype(c) == ConstrType::ConstrExclusion {
                    exclusions.push(c.as_ref().clone());
                    continue;
                }
                if !parents.is_empty() {
                    child_constraints.push(c.as_ref().clone());
                    continue;
                }
            }
            if let Some(NodeEnum::ColumnDef(cd)) = e.node.as_ref() {
                if partition_of.is_some() {
                    // `col NOT NULL` / `col DEFAULT x` of an inherited column: the
                    // partition's own, read as ALTER COLUMN once it is a partition.
                    if cd.type_name.is_some() || !inherited.contains(&cd.colname) {
                        return err(
                            cd.location,
                            format!("column \"{}\" does not exist", cd.colname),
                        );
                    }
                    column_cmds.extend(column_override_cmds(cd)?);
                    continue;
                }
                if inherited.contains(&cd.colname) {
                    // Merged with the parent's column (PostgreSQL: "merging column … with
                    // inherited definition"): the same column, which the model lists on the
                    // parent only. Its type must match; NOT NULL and a default are the
                    // child's own (column options).
                    self.check_merged_column(&parents, cd)?;
                    column_cmds.extend(column_override_cmds(cd)?);
                    continue;
                }
                if !cd.compression.is_empty() {
                    compression.push((
                        cd.colname.clone(),
                        compression_name(&cd.compression, cd.location)?,
                    ));
                    let mut cd = cd.clone();
                    cd.compression.clear();
                    elts.push(Node {
                        node: Some(NodeEnum::ColumnDef(cd)),
                    });
                    continue;
                }
            }
            elts.push(e.clone());
        }
        base.table_elts = elts;
        let storage = storage_params(&s.options, false)?;
        let partition_by = match s.partspec.as_ref() {
            None => None,
            Some(spec) => {
                let mut cols: Vec<Column> = Vec::new();
                for e in &base.table_elts {
                    if let Some(NodeEnum::ColumnDef(cd)) = e.node.as_ref() {
                        if let Some(tn) = cd.type_name.as_ref() {
                            let ty = match serial_type(tn) {
                                Some(t) => TypeRef::builtin(t),
                                None => self.resolve_type(tn)?,
                            };
                            cols.push(Column::new(cd.colname.clone(), ty));
                        }
                    }
                }
                let norm = |n: &Node, loc: i32| self.norm_expr(n, &cols, None, loc);
                let key = partition_key(spec, &norm)?;
                for k in &key.keys {
                    if let IndexKeyExpr::Column(c) = k {
                        if !cols.iter().any(|x| &x.name == c) && !inherited.contains(c) {
                            return err(
                                spec.location,
                                format!("column \"{c}\" named in partition key does not exist"),
                            );
                        }
                    }
                }
                Some(key)
            }
        };
        self.create_table(&base)?;
        let q = self.range_var_target(rv).or_else(|_| self.find_table(rv))?;
        let o = self.opts_mut(&q);
        o.unlogged = unlogged;
        for (k, v) in storage {
            o.storage.insert(k, v);
        }
        o.partition_by = partition_by;
        if partition_of.is_some() {
            o.partition_of = partition_of;
        } else {
            o.inherits = parents;
        }
        for (c, comp) in compression {
            o.columns.entry(c).or_default().compression = comp;
        }
        if !child_constraints.is_empty() || !column_cmds.is_empty() {
            let mut cmds = column_cmds;
            cmds.extend(
                child_constraints
                    .into_iter()
                    .map(|c| protobuf::AlterTableCmd {
                        subtype: AlterTableType::AtAddConstraint as i32,
                        def: Some(Box::new(Node {
                            node: Some(NodeEnum::Constraint(Box::new(c))),
                        })),
                        behavior: protobuf::DropBehavior::DropRestrict as i32,
                        ..Default::default()
                    }),
            );
            self.alter_child(&q, rv, cmds)?;
        }
        for c in &exclusions {
            self.add_exclusion(&q, c)?;
        }
        Ok(())
    }

    /// What `CREATE TABLE child (…) INHERITS (…)` or `PARTITION OF` says of inherited
    /// columns (their NOT NULL and defaults, then table constraints naming them), read as
    /// one `ALTER TABLE child …` with the inherited columns in view.
    fn alter_child(
        &mut self,
        q: &QualName,
        rv: &protobuf::RangeVar,
        cmds: Vec<protobuf::AlterTableCmd>,
    ) -> R<()> {
        let mut relation = rv.clone();
        relation.relpersistence = "p".into();
        relation.schemaname = q.schema.clone();
        relation.relname = q.name.clone();
        let cmds = cmds
            .into_iter()
            .map(|c| Node {
                node: Some(NodeEnum::AlterTableCmd(Box::new(c))),
            })
            .collect();
        let stmt = protobuf::AlterTableStmt {
            relation: Some(relation),
            cmds,
            objtype: ObjectType::ObjectTable as i32,
            missing_ok: false,
        };
        self.with_inherited_columns(q, |b| b.alter_table(&stmt, "CREATE TABLE"))
    }

    /// `EXCLUDE`: named as PostgreSQL names it (`{table}_{columns}_excl`).
    fn add_exclusion(&mut self, q: &QualName, c: &protobuf::Constraint) -> R<()> {
        let mut cols: Vec<Column> = Vec::new();
        self.columns_with_parents(q, &mut cols, 0);
        let norm = |n: &Node, loc: i32| self.norm_expr(n, &cols, None, loc);
        let (mut x, names) = exclusion(c, &norm)?;
        for e in &x.elements {
            if let IndexKeyExpr::Column(col) = &e.key {
                if !cols.iter().any(|c| &c.name == col) {
                    return err(
                        c.location,
                        format!("column \"{col}\" named in key does not exist"),
                    );
                }
            }
        }
        let taken_here: Vec<String> = self
            .cat
            .table_options
            .values()
            .filter(|o| o.table.schema == q.schema)
            .flat_map(|o| o.exclusions.keys().cloned())
            .collect();
        x.name = if c.conname.is_empty() {
            let taken = |n: &str| {
                self.relation_taken(&q.schema, n)
                    || self.constraint_taken(&q.schema, n)
                    || taken_here.iter().any(|t| t == n)
            };
            let add = name_addition(&index_column_names(&names));
            choose_name(&q.name, Some(&add), "excl", &taken)
        } else {
            if self.relation_taken(&q.schema, &c.conname) || taken_here.contains(&c.conname) {
                return err(
                    c.location,
                    format!("relation \"{}\" already exists", c.conname),
                );
            }
            self.check_con_name_free(q, &c.conname, c.location)?;
            c.conname.clone()
        };
        self.opts_mut(q).exclusions.insert(x.name.clone(), x);
        Ok(())
    }

    pub(super) fn alter_table_options(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        if s.objtype == ObjectType::ObjectIndex as i32 {
            return self.attach_index(s);
        }
        let q = match self.find_table(rv) {
            Ok(q) => q,
            Err(_) if s.missing_ok => return Ok(()),
            Err(e) => return Err(e),
        };
        for cmd in alter_cmds(s) {
            self.alter_ext_cmd(&q, cmd)?;
        }
        Ok(())
    }

    fn alter_ext_cmd(&mut self, q: &QualName, cmd: &protobuf::AlterTableCmd) -> R<()> {
        use AlterTableType as A;
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let list = || match def {
            Some(NodeEnum::List(l)) => l.items.clone(),
            _ => Vec::new(),
        };
        match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
            A::AtSetRelOptions => {
                for (k, v) in storage_params(&list(), false)? {
                    self.opts_mut(q).storage.insert(k, v);
                }
            }
            A::AtResetRelOptions => {
                for (k, _) in storage_params(&list(), true)? {
                    self.opts_mut(q).storage.remove(&k);
                }
            }
            A::AtAddConstraint => {
                let Some(NodeEnum::Constraint(c)) = def else {
                    return err(-1, "ADD CONSTRAINT without a constraint");
                };
                self.add_exclusion(q, c)?;
            }
            A::AtSetLogged => self.opts_mut(q).unlogged = false,
            A::AtSetUnLogged => self.opts_mut(q).unlogged = true,
            A::AtReplicaIdentity => {
                let Some(NodeEnum::ReplicaIdentityStmt(r)) = def else {
                    return err(-1, "REPLICA IDENTITY without a setting");
                };
                let ri = match r.identity_type.as_str() {
                    "d" => ReplicaIdentity::Default,
                    "f" => ReplicaIdentity::Full,
                    "n" => ReplicaIdentity::Nothing,
                    "i" => {
                        self.check_index_of(q, &r.name)?;
                        ReplicaIdentity::Index(r.name.clone())
                    }
                    other => return err(-1, format!("unknown replica identity {other:?}")),
                };
                self.opts_mut(q).replica_identity = ri;
            }
            A::AtClusterOn => {
                self.check_index_of(q, &cmd.name)?;
                self.opts_mut(q).cluster_on = Some(cmd.name.clone());
            }
            A::AtDropCluster => self.opts_mut(q).cluster_on = None,
            A::AtSetStatistics | A::AtSetStorage | A::AtSetCompression => {
                let ty = self
                    .cat
                    .tables
                    .get(q)
                    .and_then(|t| t.column(&cmd.name))
                    .map(|c| c.ty.clone())
                    .ok_or_else(|| E {
                        loc: -1,
                        msg: format!(
                            "column \"{}\" of relation \"{}\" does not exist (or is inherited: options of inherited columns are not supported)",
                            cmd.name, q.name
                        ),
                    })?;
                let sub = A::try_from(cmd.subtype).unwrap_or(A::Undefined);
                let col = cmd.name.clone();
                match sub {
                    A::AtSetStatistics => {
                        let n = match def {
                            Some(NodeEnum::Integer(i)) => i.ival,
                            _ => return err(-1, "SET STATISTICS needs an integer"),
                        };
                        if !(-1..=10000).contains(&n) {
                            return err(-1, format!("statistics target {n} is out of range"));
                        }
                        self.opts_mut(q).columns.entry(col).or_default().statistics =
                            if n == -1 { None } else { Some(n) };
                    }
                    A::AtSetStorage => {
                        let s = match def {
                            Some(NodeEnum::String(s)) => storage_name(&s.sval, -1)?,
                            _ => return err(-1, "SET STORAGE needs a storage type"),
                        };
                        let v = if default_storage(&ty) == Some(s.as_str()) {
                            None
                        } else {
                            Some(s)
                        };
                        self.opts_mut(q).columns.entry(col).or_default().storage = v;
                    }
                    _ => {
                        let s = match def {
                            Some(NodeEnum::String(s)) => compression_name(&s.sval, -1)?,
                            _ => return err(-1, "SET COMPRESSION needs a method"),
                        };
                        self.opts_mut(q).columns.entry(col).or_default().compression = s;
                    }
                }
            }
            A::AtAttachPartition => {
                let Some(NodeEnum::PartitionCmd(pc)) = def else {
                    return err(-1, "ATTACH PARTITION without a partition");
                };
                let prv = pc.name.as_ref().ok_or_else(|| E {
                    loc: -1,
                    msg: "ATTACH PARTITION without a partition".into(),
                })?;
                let child = self.find_table(prv)?;
                let Some(key) = self.cat.table_opts(q).partition_by else {
                    return err(
                        prv.location,
                        format!("table \"{}\" is not partitioned", q.name),
                    );
                };
                let b = pc.bound.as_ref().ok_or_else(|| E {
                    loc: prv.location,
                    msg: "ATTACH PARTITION without FOR VALUES".into(),
                })?;
                let bound = bound(b)?;
                check_bound_strategy(key.strategy, &bound, b.location)?;
                if self.cat.is_child_table(&child) {
                    return err(
                        prv.location,
                        format!("\"{}\" is already a child of another table", child.name),
                    );
                }
                self.check_columns_match(q, &child, prv.location)?;
                // The child's columns now come from the parent, and so do its checks of
                // the parent's checks' names: PostgreSQL merges them, and a partition's
                // merged check is no longer its own (`conislocal` false; pg_dump writes
                // them in the partition's CREATE TABLE before ATTACH).
                let parent_cols = self.cat.all_column_names(q);
                let parent_checks: Vec<String> = self
                    .cat
                    .tables
                    .get(q)
                    .map(|t| {
                        t.constraints
                            .values()
                            .filter(|c| {
                                matches!(
                                    c.kind,
                                    ConstraintKind::Check {
                                        no_inherit: false,
                                        ..
                                    }
                                )
                            })
                            .map(|c| c.name.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(t) = self.cat.tables.get_mut(&child) {
                    t.columns.retain(|c| !parent_cols.contains(&c.name));
                    t.constraints.retain(|_, c| {
                        !(matches!(c.kind, ConstraintKind::Check { .. })
                            && parent_checks.contains(&c.name))
                    });
                }
                self.sync_table_names(&child);
                self.opts_mut(&child).partition_of = Some(PartitionOf {
                    parent: q.clone(),
                    bound,
                });
                self.adopt_partition_indexes(q, &child);
            }
            A::AtDetachPartition => {
                let Some(NodeEnum::PartitionCmd(pc)) = def else {
                    return err(-1, "DETACH PARTITION without a partition");
                };
                if pc.concurrent {
                    return unsupported(-1, "DETACH PARTITION … CONCURRENTLY in schema files");
                }
                let prv = pc.name.as_ref().ok_or_else(|| E {
                    loc: -1,
                    msg: "DETACH PARTITION without a partition".into(),
                })?;
                let child = self.find_table(prv)?;
                if self.cat.table_opts(&child).partition_of.map(|p| p.parent) != Some(q.clone()) {
                    return err(
                        prv.location,
                        format!(
                            "relation \"{}\" is not a partition of \"{}\"",
                            child.name, q.name
                        ),
                    );
                }
                self.materialize_inherited(&child, q);
                self.opts_mut(&child).partition_of = None;
                let own: Vec<QualName> = self.partition_index_names(&child);
                self.cat.attached_indexes.retain(|k, _| !own.contains(k));
            }
            A::AtAddInherit => {
                let Some(NodeEnum::RangeVar(prv)) = def else {
                    return err(-1, "INHERIT without a parent");
                };
                let parent = self.find_table(prv)?;
                if self.cat.table_opts(q).partition_of.is_some()
                    || self.cat.table_opts(&parent).partition_by.is_some()
                    || self.cat.table_opts(q).partition_by.is_some()
                {
                    return err(
                        prv.location,
                        "cannot change inheritance of a partitioned table or partition",
                    );
                }
                self.check_columns_match(&parent, q, prv.location)?;
                let parent_cols = self.cat.all_column_names(&parent);
                if let Some(t) = self.cat.tables.get_mut(q) {
                    t.columns.retain(|c| !parent_cols.contains(&c.name));
                }
                let o = self.opts_mut(q);
                if !o.inherits.contains(&parent) {
                    o.inherits.push(parent);
                }
            }
            A::AtDropInherit => {
                let Some(NodeEnum::RangeVar(prv)) = def else {
                    return err(-1, "NO INHERIT without a parent");
                };
                let parent = self.find_table(prv)?;
                if !self.cat.table_opts(q).inherits.contains(&parent) {
                    return err(
                        prv.location,
                        format!(
                            "relation \"{}\" is not a parent of relation \"{}\"",
                            parent.name, q.name
                        ),
                    );
                }
                self.materialize_inherited(q, &parent);
                self.opts_mut(q).inherits.retain(|p| p != &parent);
            }
            other => return unsupported(-1, &format!("ALTER TABLE {other:?}")),
        }
        Ok(())
    }

    /// A column of a child declared again: same type as the parent's, nothing more.
    fn check_merged_column(&self, parents: &[QualName], cd: &protobuf::ColumnDef) -> R<()> {
        let mut cols = Vec::new();
        for p in parents {
            self.columns_with_parents(p, &mut cols, 0);
        }
        let Some(pc) = cols.iter().find(|c| c.name == cd.colname) else {
            return Ok(());
        };
        if let Some(tn) = cd.type_name.as_ref() {
            let ty = self.resolve_type(tn)?;
            if ty != pc.ty {
                return err(
                    cd.location,
                    format!(
                        "column \"{}\" has a type conflict: {} versus the inherited {}",
                        cd.colname, ty, pc.ty
                    ),
                );
            }
        }
        let plain = cd.constraints.iter().all(|c| {
            matches!(c.node.as_ref(), Some(NodeEnum::Constraint(c))
                if matches!(contype(c), ConstrType::ConstrNotnull | ConstrType::ConstrDefault))
        });
        if !plain || cd.coll_clause.is_some() {
            return unsupported(
                cd.location,
                &format!(
                    "options on column \"{}\" merged with an inherited column",
                    cd.colname
                ),
            );
        }
        Ok(())
    }

    /// A child leaving `parent` keeps the columns it had from it, as its own.
    fn materialize_inherited(&mut self, child: &QualName, parent: &QualName) {
        let mut cols: Vec<Column> = Vec::new();
        self.columns_with_parents(parent, &mut cols, 0);
        if let Some(t) = self.cat.tables.get_mut(child) {
            let own = std::mem::take(&mut t.columns);
            for mut c in cols {
                if !own.iter().any(|o| o.name == c.name) {
                    // Identity and generation stay with the parent; the rest is copied.
                    c.identity = None;
                    c.comment = None;
                    t.columns.push(c);
                }
            }
            t.columns.extend(own);
        }
    }

    fn columns_with_parents(&self, t: &QualName, out: &mut Vec<Column>, depth: usize) {
        if depth > 32 {
            return;
        }
        for p in self.cat.table_opts(t).parents() {
            self.columns_with_parents(&p, out, depth + 1);
        }
        if let Some(t) = self.cat.tables.get(t) {
            for c in &t.columns {
                if !out.iter().any(|o| o.name == c.name) {
                    out.push(c.clone());
                }
            }
        }
    }

    /// A table joining `parent` must have every column of it.
    fn check_columns_match(&self, parent: &QualName, child: &QualName, loc: i32) -> R<()> {
        let mut pcols = Vec::new();
        self.columns_with_parents(parent, &mut pcols, 0);
        let mut ccols = Vec::new();
        self.columns_with_parents(child, &mut ccols, 0);
        for pc in &pcols {
            match ccols.iter().find(|c| c.name == pc.name) {
                None => {
                    return err(
                        loc,
                        format!("child table is missing column \"{}\"", pc.name),
                    )
                }
                Some(c) if c.ty != pc.ty => {
                    return err(
                        loc,
                        format!(
                            "child table \"{}\" has a different type for column \"{}\"",
                            child.name, pc.name
                        ),
                    )
                }
                _ => {}
            }
        }
        if self.cat.table_opts(parent).partition_by.is_some() {
            if let Some(extra) = ccols
                .iter()
                .find(|c| !pcols.iter().any(|p| p.name == c.name))
            {
                return err(
                    loc,
                    format!(
                        "table \"{}\" contains column \"{}\" not found in parent \"{}\"",
                        child.name, extra.name, parent.name
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_index_of(&self, q: &QualName, index: &str) -> R<()> {
        let iq = QualName::new(q.schema.clone(), index);
        let is_index = self.cat.indexes.get(&iq).is_some_and(|i| &i.table == q);
        let is_key = self.cat.tables.get(q).is_some_and(|t| {
            t.constraints.get(index).is_some_and(|c| {
                matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                )
            })
        });
        if is_index || is_key {
            Ok(())
        } else {
            err(
                -1,
                format!("index \"{index}\" for table \"{}\" does not exist", q.name),
            )
        }
    }

    /// `ALTER INDEX parent ATTACH PARTITION child`: the child index (or the key
    /// constraint it backs) is implied by the parent's from now on, unless PostgreSQL
    /// would not have made it itself (a key of the partition's own under a plain index,
    /// or an index named otherwise): then it stays, listed in `attached_indexes`.
    fn attach_index(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        let prv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing index name".into(),
        })?;
        let parent = self
            .path_or(&prv.schemaname)
            .into_iter()
            .map(|sch| QualName::new(sch, prv.relname.clone()))
            .find(|q| {
                self.cat.index_object(q).is_some()
                    || self.part_indexes.implied.contains_key(q)
                    || self.part_indexes.implied_keys.contains(q)
            });
        for cmd in alter_cmds(s) {
            let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
            let Some(NodeEnum::PartitionCmd(pc)) = def else {
                return err(-1, "ATTACH PARTITION without an index");
            };
            let Some(crv) = pc.name.as_ref() else {
                return err(-1, "ATTACH PARTITION without an index");
            };
            let child = self
                .path_or(&crv.schemaname)
                .into_iter()
                .map(|sch| QualName::new(sch, crv.relname.clone()))
                .find_map(|q| self.cat.index_object(&q).map(|o| (q, o)));
            let Some((cq, obj)) = child else {
                return err(
                    crv.location,
                    format!("index \"{}\" does not exist", crv.relname),
                );
            };
            let Some(pq) = parent.clone() else {
                return err(
                    prv.location,
                    format!("index \"{}\" does not exist", prv.relname),
                );
            };
            let table = match &obj {
                ObjectId::Index { name } => self.cat.indexes[name].table.clone(),
                ObjectId::Constraint { table, .. } => table.clone(),
                _ => unreachable!("index_object"),
            };
            self.adopt(&pq, &table, &cq, &obj);
        }
        Ok(())
    }

    /// PostgreSQL attached the partition `table`'s index `child` (an index or a key,
    /// `obj`) to the parent's index or key `parent`.
    fn adopt(&mut self, parent: &QualName, table: &QualName, child: &QualName, obj: &ObjectId) {
        let parent_index = self
            .cat
            .indexes
            .get(parent)
            .or_else(|| self.part_indexes.implied.get(parent))
            .cloned();
        self.index_attached(parent, table, child);
        match (obj, parent_index) {
            // A plain index named as PostgreSQL names its own: implied.
            (ObjectId::Index { .. }, Some(p))
                if is_implied_index_name(&child.name, &table.name, &p) =>
            {
                if let Some(ix) = self.cat.indexes.remove(child) {
                    self.part_indexes.implied.insert(child.clone(), ix);
                }
                self.sync_index(child);
                self.cat.attached_indexes.remove(child);
            }
            // Under a plain index, the partition's own index or key stays its own.
            (_, Some(_)) => {
                self.cat.attached_indexes.insert(
                    child.clone(),
                    AttachedIndex {
                        index: child.clone(),
                        parent: parent.clone(),
                    },
                );
            }
            // Under a key, the partition's key is the parent's (`conparentid`).
            (ObjectId::Index { .. }, None) => {
                self.cat.indexes.remove(child);
                self.sync_index(child);
            }
            (_, None) => {
                if let Some(t) = self.cat.tables.get_mut(table) {
                    t.constraints.remove(&child.name);
                }
                self.part_indexes.implied_keys.insert(child.clone());
                self.sync_table_names(table);
            }
        }
    }

    /// `DROP INDEX q`: refused while `q` is attached to a partitioned index; the
    /// partitions' own indexes attached to `q` go with it, their keys only with `CASCADE`.
    pub(super) fn drop_attached(&mut self, q: &QualName, cascade: bool) -> R<()> {
        if let Some(a) = self.cat.attached_indexes.get(q) {
            return err(
                -1,
                format!(
                    "cannot drop index {q} because index {} requires it (drop {} instead)",
                    a.parent, a.parent
                ),
            );
        }
        for o in self.cat.attached_to(q) {
            match o {
                ObjectId::Index { name } => {
                    self.cat.indexes.remove(&name);
                    self.sync_index(&name);
                    self.cat.attached_indexes.remove(&name);
                }
                ObjectId::Constraint { table, name } => {
                    if !cascade {
                        return err(
                            -1,
                            format!(
                                "cannot drop index {q} because constraint {} on table {table} depends on it (use CASCADE)",
                                quote_ident(&name)
                            ),
                        );
                    }
                    self.cat
                        .attached_indexes
                        .remove(&QualName::new(table.schema.clone(), name.clone()));
                    self.remove_constraints(vec![(table, name)]);
                }
                _ => {}
            }
        }
        self.part_indexes.only.remove(q);
        self.part_indexes.parent_of.remove(q);
        Ok(())
    }

    /// The index `child` of the partition `table` was attached to `parent`: an `ON ONLY`
    /// index turns valid once every partition it lacked has a valid one attached (and
    /// then counts for its own parent, as `validatePartitionedIndex` does).
    fn index_attached(&mut self, parent: &QualName, table: &QualName, child: &QualName) {
        self.part_indexes
            .parent_of
            .insert(child.clone(), (parent.clone(), table.clone()));
        if !self.part_indexes.only.contains_key(child) {
            self.partition_has_index(parent, table);
        }
    }

    fn partition_has_index(&mut self, parent: &QualName, table: &QualName) {
        let Some(missing) = self.part_indexes.only.get_mut(parent) else {
            return;
        };
        missing.remove(table);
        if !missing.is_empty() {
            return;
        }
        self.part_indexes.only.remove(parent);
        if let Some(ix) = self.cat.indexes.get_mut(parent) {
            ix.invalid = false;
        }
        // A key added ONLY: its table was recorded then.
        if let Some(table) = self.part_indexes.only_keys.remove(parent) {
            if let Some(c) = self
                .cat
                .tables
                .get_mut(&table)
                .and_then(|t| t.constraints.get_mut(&parent.name))
            {
                c.index_invalid = false;
            }
        }
        if let Some(ix) = self.part_indexes.implied.get_mut(parent) {
            ix.invalid = false;
        }
        if let Some((gp, t)) = self.part_indexes.parent_of.get(parent).cloned() {
            self.partition_has_index(&gp, &t);
        }
    }

    /// The names of the partition `table`'s own indexes and keys.
    fn partition_index_names(&self, table: &QualName) -> Vec<QualName> {
        let mut out: Vec<QualName> = self.indexes_on(table).map(|i| i.name.clone()).collect();
        if let Some(t) = self.cat.tables.get(table) {
            out.extend(
                t.constraints
                    .keys()
                    .map(|c| QualName::new(table.schema.clone(), c.clone())),
            );
        }
        out
    }

    /// The partition `table`'s index or key, not yet attached to anything, that
    /// PostgreSQL adopts for the parent's index `parent` (`CompareIndexInfo`: same
    /// uniqueness, method, keys, `INCLUDE`, predicate). Under a key (`parent` is `None`,
    /// `key` its columns and `INCLUDE`), only a key of the partition is adopted.
    fn adoptable(
        &self,
        table: &QualName,
        parent: Option<&Index>,
        key: Option<(&[String], &[String])>,
    ) -> Option<(QualName, ObjectId)> {
        let attached = |q: &QualName| self.cat.attached_indexes.contains_key(q);
        if let Some(p) = parent {
            let found = self.indexes_on(table).find(|i| {
                i.table == *table
                    && !attached(&i.name)
                    && !i.invalid
                    && i.unique == p.unique
                    && i.method == p.method
                    && i.keys == p.keys
                    && i.include == p.include
                    && i.predicate == p.predicate
                    && i.nulls_not_distinct == p.nulls_not_distinct
            });
            if let Some(i) = found {
                return Some((
                    i.name.clone(),
                    ObjectId::Index {
                        name: i.name.clone(),
                    },
                ));
            }
        }
        // The columns and INCLUDE a key of the partition must have.
        let (cols, include): (Vec<String>, Vec<String>) = match (parent, key) {
            (Some(p), _) => {
                let plain = p.unique
                    && p.method == "btree"
                    && p.predicate.is_none()
                    && p.keys.iter().all(|k| {
                        k.collation.is_none()
                            && k.opclass.is_none()
                            && !k.descending
                            && !k.nulls_first
                            && matches!(k.key, IndexKeyExpr::Column(_))
                    });
                if !plain {
                    return None;
                }
                let cols = p
                    .keys
                    .iter()
                    .filter_map(|k| match &k.key {
                        IndexKeyExpr::Column(c) => Some(c.clone()),
                        IndexKeyExpr::Expr(_) => None,
                    })
                    .collect();
                (cols, p.include.clone())
            }
            (None, Some((c, i))) => (c.to_vec(), i.to_vec()),
            (None, None) => return None,
        };
        let t = self.cat.tables.get(table)?;
        t.constraints.values().find_map(|c| {
            let (ccols, cinc) = match &c.kind {
                ConstraintKind::PrimaryKey { columns, include } => (columns, include),
                ConstraintKind::Unique {
                    columns,
                    include,
                    nulls_not_distinct,
                } if parent.is_none_or(|p| p.nulls_not_distinct == *nulls_not_distinct) => {
                    (columns, include)
                }
                _ => return None,
            };
            let q = QualName::new(table.schema.clone(), c.name.clone());
            (*ccols == cols && *cinc == include && !attached(&q)).then(|| {
                (
                    q,
                    ObjectId::Constraint {
                        table: table.clone(),
                        name: c.name.clone(),
                    },
                )
            })
        })
    }

    /// The partitioned table `parent`'s indexes and keys, each with what PostgreSQL
    /// matches a partition's index against.
    fn parent_indexes(&self, parent: &QualName) -> Vec<ParentIndex> {
        let mut out: Vec<_> = self
            .indexes_on(parent)
            .map(|i| (i.name.clone(), Some(i.clone()), Vec::new(), Vec::new()))
            .collect();
        if let Some(t) = self.cat.tables.get(parent) {
            for c in t.constraints.values() {
                if let ConstraintKind::PrimaryKey { columns, include }
                | ConstraintKind::Unique {
                    columns, include, ..
                } = &c.kind
                {
                    out.push((
                        QualName::new(parent.schema.clone(), c.name.clone()),
                        None,
                        columns.clone(),
                        include.clone(),
                    ));
                }
            }
        }
        out
    }

    /// `ATTACH PARTITION`: PostgreSQL adopts the new partition's matching indexes and
    /// keys for the parent's (`AttachPartitionEnsureIndexes`) and makes the rest.
    fn adopt_partition_indexes(&mut self, parent: &QualName, child: &QualName) {
        for (pq, pix, cols, include) in self.parent_indexes(parent) {
            if let Some((cq, obj)) = self.adoptable(child, pix.as_ref(), Some((&cols, &include))) {
                self.adopt(&pq, child, &cq, &obj);
            }
        }
    }

    /// `CREATE INDEX` on a partitioned table (not `ON ONLY`): each partition's matching
    /// index or key is adopted (`DefineIndex`), the others are made (implied).
    pub(super) fn adopt_for_new_index(&mut self, index: &QualName) {
        let Some(ix) = self.cat.indexes.get(index).cloned() else {
            return;
        };
        for part in self.partitions(&ix.table) {
            if let Some((cq, obj)) = self.adoptable(&part, Some(&ix), None) {
                self.adopt(index, &part, &cq, &obj);
            }
        }
    }

    /// A primary key or unique constraint `name` added to the table `table`: when it is
    /// partitioned, each partition's matching key not attached elsewhere is adopted (its
    /// `conparentid` set), the others are made (implied).
    pub(super) fn adopt_for_new_key(
        &mut self,
        table: &QualName,
        name: &str,
        columns: &[String],
        include: &[String],
    ) {
        if self.cat.table_opts(table).partition_by.is_none() {
            return;
        }
        let parent = QualName::new(table.schema.clone(), name.to_string());
        if self.alter_only {
            // `ALTER TABLE ONLY`: nothing is built or adopted on the partitions; the key's
            // index stays invalid until each has one attached (`ALTER INDEX … ATTACH`).
            let parts: BTreeSet<QualName> = self.partitions(table).into_iter().collect();
            if !parts.is_empty() {
                if let Some(c) = self
                    .cat
                    .tables
                    .get_mut(table)
                    .and_then(|t| t.constraints.get_mut(name))
                {
                    c.index_invalid = true;
                }
                self.part_indexes
                    .only_keys
                    .insert(parent.clone(), table.clone());
                self.part_indexes.only.insert(parent, parts);
            }
            return;
        }
        for part in self.partitions(table) {
            if let Some((cq, obj)) = self.adoptable(&part, None, Some((columns, include))) {
                self.adopt(&parent, &part, &cq, &obj);
            }
        }
    }

    /// `CREATE INDEX … ON ONLY` a partitioned table that has partitions: invalid until
    /// each has an index attached.
    pub(super) fn index_on_only(&mut self, index: &QualName) {
        let Some(table) = self.cat.indexes.get(index).map(|i| i.table.clone()) else {
            return;
        };
        let parts: BTreeSet<QualName> = self.partitions(&table).into_iter().collect();
        if !parts.is_empty() {
            if let Some(ix) = self.cat.indexes.get_mut(index) {
                ix.invalid = true;
            }
            self.part_indexes.only.insert(index.clone(), parts);
        }
    }

    /// The direct partitions of `table`.
    fn partitions(&self, table: &QualName) -> Vec<QualName> {
        self.cat
            .table_options
            .values()
            .filter(|o| o.partition_of.as_ref().is_some_and(|p| p.parent == *table))
            .map(|o| o.table.clone())
            .collect()
    }
}

/// What the SQL front end remembers of partitioned indexes while it reads.
#[derive(Default)]
pub(crate) struct PartIndexes {
    /// `ON ONLY` indexes and the partitions still without a valid index attached.
    pub(crate) only: BTreeMap<QualName, BTreeSet<QualName>>,
    /// Each attached index: its parent index and its table.
    pub(crate) parent_of: BTreeMap<QualName, (QualName, QualName)>,
    /// Attached indexes implied by their parent (not in the model), still parents of
    /// their own partitions' indexes.
    pub(crate) implied: BTreeMap<QualName, Index>,
    /// Partitions' keys attached to a parent's key (the parent's copy, not in the
    /// model), still parents of their own partitions' keys.
    pub(crate) implied_keys: BTreeSet<QualName>,
    /// Keys added `ONLY` (by their index's name) and their tables, while invalid.
    pub(crate) only_keys: BTreeMap<QualName, QualName>,
}

pub use shale_model::naming::is_implied_index_name;

/// `ALTER COLUMN … SET NOT NULL` / `SET DEFAULT …` for what a child's column definition
/// says of an inherited column; anything else is not read.
fn column_override_cmds(cd: &protobuf::ColumnDef) -> R<Vec<protobuf::AlterTableCmd>> {
    let mut out = Vec::new();
    let cmd = |subtype: AlterTableType, def: Option<Node>| protobuf::AlterTableCmd {
        subtype: subtype as i32,
        name: cd.colname.clone(),
        def: def.map(Box::new),
        behavior: protobuf::DropBehavior::DropRestrict as i32,
        ..Default::default()
    };
    if let Some(d) = cd.raw_default.as_ref() {
        out.push(cmd(
            AlterTableType::AtColumnDefault,
            Some(d.as_ref().clone()),
        ));
    }
    for n in &cd.constraints {
        let Some(NodeEnum::Constraint(c)) = n.node.as_ref() else {
            continue;
        };
        match contype(c) {
            ConstrType::ConstrNotnull => out.push(cmd(AlterTableType::AtSetNotNull, None)),
            ConstrType::ConstrDefault => {
                let Some(e) = c.raw_expr.as_ref() else {
                    return err(c.location, "DEFAULT without an expression");
                };
                out.push(cmd(
                    AlterTableType::AtColumnDefault,
                    Some(e.as_ref().clone()),
                ));
            }
            // A check of the child's own, read as `ADD CONSTRAINT … CHECK` (unnamed, it
            // is named from the first column its expression reads, as PostgreSQL names
            // a column's check from the column when that is the same one).
            ConstrType::ConstrCheck => out.push(cmd(
                AlterTableType::AtAddConstraint,
                Some(Node {
                    node: Some(NodeEnum::Constraint(Box::new(c.as_ref().clone()))),
                }),
            )),
            _ => {
                return unsupported(
                    c.location,
                    &format!(
                        "constraint on inherited column \"{}\" in a child's column list",
                        cd.colname
                    ),
                )
            }
        }
    }
    if cd.coll_clause.is_some() {
        return unsupported(cd.location, "COLLATE on an inherited column");
    }
    Ok(out)
}

fn check_bound_strategy(s: PartitionStrategy, b: &PartitionBound, loc: i32) -> R<()> {
    let ok = matches!(
        (s, b),
        (_, PartitionBound::Default) if s != PartitionStrategy::Hash
    ) || matches!(
        (s, b),
        (PartitionStrategy::Range, PartitionBound::Range { .. })
            | (PartitionStrategy::List, PartitionBound::List { .. })
            | (PartitionStrategy::Hash, PartitionBound::Hash { .. })
    );
    if ok {
        Ok(())
    } else {
        err(
            loc,
            format!(
                "invalid bound specification for a {} partition",
                s.sql().to_ascii_lowercase()
            ),
        )
    }
}

/// `CREATE COLLATION`, `DROP COLLATION`, and names of collations.
impl Builder {
    pub(super) fn is_collation_define(s: &protobuf::DefineStmt) -> bool {
        s.kind == ObjectType::ObjectCollation as i32
    }

    pub(super) fn is_collation_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectCollation as i32
    }

    /// An unqualified collation name: the first schema of the search path that has a
    /// collation of that name, else the built-in one (`pg_catalog`).
    pub(super) fn resolve_collation_name(&self, name: &str) -> QualName {
        for s in self.path() {
            let q = QualName::new(s, name);
            if self.cat.collations.contains_key(&q) {
                return q;
            }
        }
        QualName::new("pg_catalog", name)
    }

    fn collation_target(&self, names: &[String], loc: i32) -> R<QualName> {
        Ok(match names {
            [n] => {
                let schema = first_schema(&self.path());
                if !self.schema_exists(&schema) {
                    return err(loc, "no schema has been selected to create in");
                }
                QualName::new(schema, n.clone())
            }
            [s, n] => {
                if !self.schema_exists(s) {
                    return err(loc, format!("schema \"{s}\" does not exist"));
                }
                QualName::new(s.clone(), n.clone())
            }
            _ => return err(loc, "improper collation name"),
        })
    }

    pub(super) fn create_collation(&mut self, s: &protobuf::DefineStmt) -> R<()> {
        let names = strings(&s.defnames);
        let q = self.collation_target(&names, -1)?;
        if self.cat.collations.contains_key(&q) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(-1, format!("collation \"{}\" already exists", q.name));
        }
        let mut provider = None;
        let mut locale = None;
        let mut lc_collate = None;
        let mut lc_ctype = None;
        let mut deterministic = true;
        let mut from = None;
        for d in &s.definition {
            let Some(NodeEnum::DefElem(d)) = d.node.as_ref() else {
                continue;
            };
            match d.defname.as_str() {
                "provider" => {
                    let word = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::TypeName(tn)) => strings(&tn.names).pop(),
                        _ => Some(def_string(d)?),
                    };
                    provider = word.map(|w| w.to_ascii_lowercase());
                }
                "locale" => locale = Some(def_string(d)?),
                "lc_collate" => lc_collate = Some(def_string(d)?),
                "lc_ctype" => lc_ctype = Some(def_string(d)?),
                "deterministic" => deterministic = def_bool(d)?,
                "from" => {
                    let n = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        _ => vec![],
                    };
                    from = Some(n);
                }
                other => {
                    return unsupported(d.location, &format!("CREATE COLLATION option {other}"))
                }
            }
        }
        let c = if let Some(from) = from {
            let src = match from.as_slice() {
                [n] => self.resolve_collation_name(n),
                [sch, n] => QualName::new(sch.clone(), n.clone()),
                _ => return err(-1, "improper collation name"),
            };
            match self.cat.collations.get(&src) {
                Some(c) => Collation {
                    name: q.clone(),
                    comment: None,
                    ..c.clone()
                },
                None if src.schema == "pg_catalog" && (src.name == "C" || src.name == "POSIX") => {
                    Collation {
                        name: q.clone(),
                        provider: "libc".into(),
                        locale: src.name.clone(),
                        lc_ctype: None,
                        deterministic: true,
                        comment: None,
                    }
                }
                None => {
                    return unsupported(
                        -1,
                        &format!("CREATE COLLATION … FROM {src} (only C, POSIX or a collation of the schema files)"),
                    )
                }
            }
        } else {
            let provider = provider.unwrap_or_else(|| "libc".into());
            match provider.as_str() {
                "icu" => Collation {
                    name: q.clone(),
                    provider,
                    locale: locale.ok_or_else(|| E {
                        loc: -1,
                        msg: "parameter \"locale\" must be specified".into(),
                    })?,
                    lc_ctype: None,
                    deterministic,
                    comment: None,
                },
                "libc" => {
                    let coll = lc_collate.or(locale.clone()).ok_or_else(|| E {
                        loc: -1,
                        msg: "parameter \"lc_collate\" must be specified".into(),
                    })?;
                    let ctype = lc_ctype.or(locale).ok_or_else(|| E {
                        loc: -1,
                        msg: "parameter \"lc_ctype\" must be specified".into(),
                    })?;
                    if !deterministic {
                        return err(
                            -1,
                            "nondeterministic collations are only supported by the ICU provider",
                        );
                    }
                    Collation {
                        name: q.clone(),
                        provider,
                        lc_ctype: (ctype != coll).then_some(ctype),
                        locale: coll,
                        deterministic,
                        comment: None,
                    }
                }
                other => return err(-1, format!("unrecognized collation provider: {other}")),
            }
        };
        self.cat.collations.insert(q, c);
        Ok(())
    }

    pub(super) fn drop_collation(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let names = match o.node.as_ref() {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => vec![],
            };
            let q = match names.as_slice() {
                [n] => self.resolve_collation_name(n),
                [sch, n] => QualName::new(sch.clone(), n.clone()),
                _ => return err(-1, "improper collation name"),
            };
            if self.cat.collations.remove(&q).is_none() && !s.missing_ok {
                return err(-1, format!("collation \"{}\" does not exist", q.name));
            }
            let used = self
                .cat
                .tables
                .values()
                .any(|t| t.columns.iter().any(|c| c.collation.as_ref() == Some(&q)));
            if used {
                return err(
                    -1,
                    format!("cannot drop collation {q} because other objects depend on it"),
                );
            }
        }
        Ok(())
    }

    fn collation_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let names = Self::comment_names(s);
        let q = match names.as_slice() {
            [n] => self.resolve_collation_name(n),
            [sch, n] => QualName::new(sch.clone(), n.clone()),
            _ => return err(-1, "improper collation name"),
        };
        let text = (!s.comment.is_empty()).then(|| s.comment.clone());
        match self.cat.collations.get_mut(&q) {
            Some(c) => {
                c.comment = text;
                Ok(())
            }
            None => err(-1, format!("collation \"{}\" does not exist", q.name)),
        }
    }
}
