//! Domains, composite types and range types in the SQL front end: `CREATE DOMAIN`,
//! `ALTER DOMAIN`, `CREATE TYPE … AS (…)`, `CREATE TYPE … AS RANGE (…)`, and the
//! `COMMENT ON`/`DROP` of these types. A child of `parse` (it extends its `Builder`);
//! the canonical forms are described in `shale_model::user_types`.

use super::*;
use shale_model::{Attribute, CompositeType, Domain, DomainCheck, RangeType};

/// The names a definition argument spells (`subtype = float8`, `subtype_diff = s.f`).
fn def_names(d: &protobuf::DefElem) -> Vec<String> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::TypeName(tn)) => types::type_names(tn),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::List(l)) => strings(&l.items),
        _ => vec![],
    }
}

/// The default btree operator class of a built-in type (`pg_opclass.opcdefault`), for
/// the common range subtypes.
fn default_btree_opclass(t: &TypeRef) -> Option<&'static str> {
    if t.schema.is_some() || t.array {
        return None;
    }
    let base = t.name.split('(').next().unwrap_or("").trim();
    Some(match base {
        "smallint" => "int2_ops",
        "integer" => "int4_ops",
        "bigint" => "int8_ops",
        "numeric" => "numeric_ops",
        "real" => "float4_ops",
        "double precision" => "float8_ops",
        "text" | "character varying" => "text_ops",
        "character" => "bpchar_ops",
        "date" => "date_ops",
        "timestamp without time zone" => "timestamp_ops",
        "timestamp with time zone" => "timestamptz_ops",
        "time without time zone" => "time_ops",
        "interval" => "interval_ops",
        "inet" | "cidr" => "network_ops",
        "uuid" => "uuid_ops",
        "oid" => "oid_ops",
        _ => return None,
    })
}

/// The names of the object of a `COMMENT ON`/`DROP` (a type name).
fn object_names(n: &Node) -> Vec<String> {
    match n.node.as_ref() {
        Some(NodeEnum::TypeName(tn)) => types::type_names(tn),
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        _ => vec![],
    }
}

impl Builder {
    /// A domain, composite or range type of the files named `names` (search path applied).
    fn find_ext_type(&self, names: &[String]) -> Option<QualName> {
        let (schema, name) = match names {
            [n] => (None, n.as_str()),
            [s, n] => (Some(s.as_str()), n.as_str()),
            _ => return None,
        };
        match schema {
            Some(s) => {
                let q = QualName::new(s, name);
                self.cat.has_ext_type(&q).then_some(q)
            }
            None => self.path().into_iter().find_map(|s| {
                let q = QualName::new(s, name);
                self.cat.has_ext_type(&q).then_some(q)
            }),
        }
    }

    /// `VALUE` as a column, typed as the domain's ultimate base type (a domain over a
    /// domain reads `VALUE` as the innermost base type, as the catalog deparses it).
    fn domain_column(&self, base: &TypeRef) -> Vec<Column> {
        let mut ty = base.clone();
        let mut hops = 0;
        while let Some(d) = ty.user_type().and_then(|q| self.cat.domains.get(&q)) {
            if ty.array || hops > 32 {
                break;
            }
            ty = d.base.clone();
            hops += 1;
        }
        vec![Column::new("value", ty)]
    }

    /// `{domain}_check`, numbered past names already used by constraints of the schema.
    fn domain_check_name(&self, q: &QualName) -> String {
        let taken = |n: &str| {
            self.constraint_taken(&q.schema, n)
                || self
                    .cat
                    .domains
                    .values()
                    .any(|d| d.name.schema == q.schema && d.checks.contains_key(n))
        };
        choose_name(&q.name, None, "check", &taken)
    }

    fn domain_check(&self, d: &Domain, c: &protobuf::Constraint, adding: bool) -> R<DomainCheck> {
        let Some(raw) = c.raw_expr.as_deref() else {
            return err(c.location, "CHECK without an expression");
        };
        if c.is_no_inherit {
            return err(
                c.location,
                "check constraints for domains cannot be marked NO INHERIT",
            );
        }
        let expr = self.norm_expr(raw, &self.domain_column(&d.base), None, c.location)?;
        let name = if c.conname.is_empty() {
            self.domain_check_name(&d.name)
        } else {
            c.conname.clone()
        };
        if d.checks.contains_key(&name) {
            return err(
                c.location,
                format!("constraint \"{name}\" for domain {} already exists", d.name),
            );
        }
        Ok(DomainCheck {
            name,
            expr,
            validated: !(adding && c.skip_validation),
        })
    }

    pub(super) fn create_domain(&mut self, s: &protobuf::CreateDomainStmt) -> R<()> {
        let q = self.qual_from_names(&strings(&s.domainname), -1)?;
        if self.type_name_taken(&q) || self.cat.has_ext_type(&q) {
            return err(-1, format!("type \"{}\" already exists", q.name));
        }
        let Some(tn) = s.type_name.as_ref() else {
            return err(-1, "CREATE DOMAIN needs a base type");
        };
        let base = self.resolve_type(tn)?;
        let mut d = Domain::new(q.clone(), base);
        if let Some(cc) = s.coll_clause.as_ref() {
            d.collation = self.collation(&cc.collname, cc.location)?;
        }
        // The domain is inserted before its checks are named, so that a second unnamed
        // check sees the first one's name as taken.
        self.cat.domains.insert(q.clone(), d.clone());
        for n in &s.constraints {
            let Some(NodeEnum::Constraint(c)) = n.node.as_ref() else {
                continue;
            };
            match contype(c) {
                ConstrType::ConstrNotnull => d.not_null = true,
                ConstrType::ConstrNull => d.not_null = false,
                ConstrType::ConstrDefault => {
                    let Some(raw) = c.raw_expr.as_deref() else {
                        return err(c.location, "DEFAULT without an expression");
                    };
                    let cols = self.domain_column(&d.base);
                    d.default = Some(self.norm_expr(raw, &cols, Some(&d.base), c.location)?);
                }
                ConstrType::ConstrCheck => {
                    let chk = self.domain_check(&d, c, false)?;
                    d.checks.insert(chk.name.clone(), chk);
                    self.cat.domains.insert(q.clone(), d.clone());
                }
                _ => return err(
                    c.location,
                    "only DEFAULT, NOT NULL, NULL and CHECK constraints are allowed on a domain",
                ),
            }
        }
        self.cat.domains.insert(q.clone(), d);
        self.anchor_stmt(ObjectId::Type { name: q });
        Ok(())
    }

    pub(super) fn alter_domain(&mut self, s: &protobuf::AlterDomainStmt) -> R<()> {
        let names = strings(&s.type_name);
        let Some(q) = self
            .find_ext_type(&names)
            .filter(|q| self.cat.domains.contains_key(q))
        else {
            return err(-1, format!("type \"{}\" does not exist", names.join(".")));
        };
        let mut d = self.cat.domains[&q].clone();
        match s.subtype.as_str() {
            "T" => match s.def.as_deref() {
                Some(raw) => {
                    let cols = self.domain_column(&d.base);
                    d.default = Some(self.norm_expr(raw, &cols, Some(&d.base), -1)?);
                }
                None => d.default = None,
            },
            "N" => d.not_null = false,
            "O" => d.not_null = true,
            "C" => {
                let Some(NodeEnum::Constraint(c)) = s.def.as_deref().and_then(|n| n.node.as_ref())
                else {
                    return err(-1, "ADD CONSTRAINT without a constraint");
                };
                if contype(c) != ConstrType::ConstrCheck {
                    return unsupported(c.location, "ALTER DOMAIN ADD constraint other than CHECK");
                }
                let chk = self.domain_check(&d, c, true)?;
                d.checks.insert(chk.name.clone(), chk);
            }
            "X" => {
                if d.checks.remove(&s.name).is_none() && !s.missing_ok {
                    return err(
                        -1,
                        format!(
                            "constraint \"{}\" of domain \"{}\" does not exist",
                            s.name, q.name
                        ),
                    );
                }
            }
            "V" => match d.checks.get_mut(&s.name) {
                Some(c) => c.validated = true,
                None => {
                    return err(
                        -1,
                        format!(
                            "constraint \"{}\" of domain \"{}\" does not exist",
                            s.name, q.name
                        ),
                    )
                }
            },
            other => return unsupported(-1, &format!("ALTER DOMAIN (subcommand {other})")),
        }
        self.cat.domains.insert(q, d);
        Ok(())
    }

    pub(super) fn create_composite(&mut self, s: &protobuf::CompositeTypeStmt) -> R<()> {
        let Some(rv) = s.typevar.as_ref() else {
            return err(-1, "CREATE TYPE without a name");
        };
        let mut names = vec![rv.relname.clone()];
        if !rv.schemaname.is_empty() {
            names.insert(0, rv.schemaname.clone());
        }
        let q = self.qual_from_names(&names, rv.location)?;
        if self.type_name_taken(&q) || self.cat.has_ext_type(&q) || self.cat.views.contains_key(&q)
        {
            return err(rv.location, format!("type \"{}\" already exists", q.name));
        }
        let mut attributes: Vec<Attribute> = Vec::new();
        for n in &s.coldeflist {
            let Some(NodeEnum::ColumnDef(cd)) = n.node.as_ref() else {
                continue;
            };
            let Some(tn) = cd.type_name.as_ref() else {
                return err(cd.location, "attribute without a type");
            };
            if attributes.iter().any(|a| a.name == cd.colname) {
                return err(
                    cd.location,
                    format!("column \"{}\" specified more than once", cd.colname),
                );
            }
            let ty = self.resolve_type(tn)?;
            let collation = match cd.coll_clause.as_ref() {
                Some(cc) => self.collation(&cc.collname, cc.location)?,
                None => None,
            };
            attributes.push(Attribute {
                name: cd.colname.clone(),
                ty,
                collation,
            });
        }
        self.cat.composites.insert(
            q.clone(),
            CompositeType {
                name: q.clone(),
                attributes,
                comment: None,
            },
        );
        self.anchor_stmt(ObjectId::Type { name: q });
        Ok(())
    }

    /// A function named in a range definition: a function of the files on the search
    /// path, else a built-in (`pg_catalog`).
    fn range_function(&self, names: &[String]) -> R<QualName> {
        match names {
            [s, n] => Ok(QualName::new(s.clone(), n.clone())),
            [n] => {
                for s in self.path() {
                    let q = QualName::new(s, n.clone());
                    if self.cat.functions_named(&q).next().is_some() {
                        return Ok(q);
                    }
                }
                Ok(QualName::new("pg_catalog", n.clone()))
            }
            _ => err(-1, format!("improper function name `{}`", names.join("."))),
        }
    }

    pub(super) fn create_range(&mut self, s: &protobuf::CreateRangeStmt) -> R<()> {
        let q = self.qual_from_names(&strings(&s.type_name), -1)?;
        if self.type_name_taken(&q) || self.cat.has_ext_type(&q) {
            return err(-1, format!("type \"{}\" already exists", q.name));
        }
        let mut subtype: Option<TypeRef> = None;
        let mut r = RangeType {
            name: q.clone(),
            subtype: TypeRef::builtin(""),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: None,
            comment: None,
        };
        for p in &s.params {
            let Some(NodeEnum::DefElem(d)) = p.node.as_ref() else {
                continue;
            };
            let names = def_names(d);
            match d.defname.to_ascii_lowercase().as_str() {
                "subtype" => match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::TypeName(tn)) => subtype = Some(self.resolve_type(tn)?),
                    _ => return err(d.location, "subtype must be a type name"),
                },
                "subtype_opclass" => {
                    r.subtype_opclass = Some(match names.as_slice() {
                        [n] => QualName::new("pg_catalog", n.clone()),
                        [s, n] => QualName::new(s.clone(), n.clone()),
                        _ => return err(d.location, "improper operator class name"),
                    })
                }

                "collation" => {
                    r.collation = match names.as_slice() {
                        [n] if n == "default" => None,
                        [n] => Some(QualName::new("pg_catalog", n.clone())),
                        [s, n] => Some(QualName::new(s.clone(), n.clone())),
                        _ => return err(d.location, "improper collation name"),
                    }
                }
                "canonical" => r.canonical = Some(self.range_function(&names)?),
                "subtype_diff" => r.subtype_diff = Some(self.range_function(&names)?),
                "multirange_type_name" => {
                    let Some(n) = names.last() else {
                        return err(d.location, "improper multirange type name");
                    };
                    if *n != RangeType::default_multirange(&q.name) {
                        r.multirange = Some(n.clone());
                    }
                }
                other => {
                    return err(
                        d.location,
                        format!("type attribute \"{other}\" not recognized"),
                    )
                }
            }
        }
        let Some(st) = subtype else {
            return err(-1, "type attribute \"subtype\" is required");
        };
        // The subtype's default btree class, named explicitly, is the default (absent).
        if r.subtype_opclass.as_ref().is_some_and(|o| {
            o.schema == "pg_catalog" && default_btree_opclass(&st).is_some_and(|d| d == o.name)
        }) {
            r.subtype_opclass = None;
        }
        r.subtype = st;
        self.cat.ranges.insert(q.clone(), r);
        self.anchor_stmt(ObjectId::Type { name: q });
        Ok(())
    }

    /// `COMMENT ON TYPE|DOMAIN` of a domain, composite or range type.
    pub(super) fn is_user_types_comment(&self, s: &protobuf::CommentStmt) -> bool {
        let kind = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
        matches!(kind, ObjectType::ObjectType | ObjectType::ObjectDomain)
            && s.object
                .as_deref()
                .and_then(|o| self.find_ext_type(&object_names(o)))
                .is_some()
    }

    pub(super) fn user_types_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let text = (!s.comment.is_empty()).then(|| s.comment.clone());
        let Some(q) = s
            .object
            .as_deref()
            .and_then(|o| self.find_ext_type(&object_names(o)))
        else {
            return err(-1, "type does not exist");
        };
        if let Some(d) = self.cat.domains.get_mut(&q) {
            d.comment = text;
        } else if let Some(c) = self.cat.composites.get_mut(&q) {
            c.comment = text;
        } else if let Some(r) = self.cat.ranges.get_mut(&q) {
            r.comment = text;
        }
        Ok(())
    }

    /// `DROP TYPE|DOMAIN` whose every object is a domain, composite or range type.
    pub(super) fn is_user_types_drop(&self, s: &protobuf::DropStmt) -> bool {
        let kind = ObjectType::try_from(s.remove_type).unwrap_or(ObjectType::Undefined);
        matches!(kind, ObjectType::ObjectType | ObjectType::ObjectDomain)
            && !s.objects.is_empty()
            && s.objects
                .iter()
                .all(|o| self.find_ext_type(&object_names(o)).is_some())
    }

    pub(super) fn user_types_drop(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        for o in &s.objects {
            let names = object_names(o);
            let Some(q) = self.find_ext_type(&names) else {
                continue;
            };
            let users = self.cat.columns_of_type(&q);
            let used_by_type = self
                .cat
                .composites
                .values()
                .find(|c| {
                    c.attributes
                        .iter()
                        .any(|a| a.ty.user_type().as_ref() == Some(&q))
                })
                .map(|c| c.name.clone())
                .or_else(|| {
                    self.cat
                        .domains
                        .values()
                        .find(|d| d.base.user_type().as_ref() == Some(&q))
                        .map(|d| d.name.clone())
                })
                .or_else(|| {
                    self.cat
                        .ranges
                        .values()
                        .find(|r| r.subtype.user_type().as_ref() == Some(&q))
                        .map(|r| r.name.clone())
                });
            if !cascade {
                if let Some((t, c)) = users.first() {
                    return err(
                        -1,
                        format!(
                            "cannot drop type {q} because column {t}.{} depends on it (use CASCADE)",
                            quote_ident(c)
                        ),
                    );
                }
                if let Some(t) = used_by_type {
                    return err(
                        -1,
                        format!("cannot drop type {q} because type {t} depends on it"),
                    );
                }
            } else if used_by_type.is_some() {
                return unsupported(-1, "DROP TYPE … CASCADE of a type other types use");
            }
            for (t, c) in users {
                self.drop_column(&t, &c, true)?;
            }
            self.cat.domains.remove(&q);
            self.cat.composites.remove(&q);
            self.cat.ranges.remove(&q);
        }
        Ok(())
    }
}
