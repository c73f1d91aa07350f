//! Aggregates in the SQL front end: `CREATE [OR REPLACE] AGGREGATE` (both syntaxes),
//! `COMMENT ON AGGREGATE`, `ALTER AGGREGATE … RENAME TO`, `DROP AGGREGATE`.
//!
//! This module is a child of `parse` (it extends its `Builder`). A support function the
//! files name unqualified is the files' function of that name on the search path, else
//! the built-in one (`pg_catalog`): whether it exists with the right signature is left to
//! the server (built-ins are not known offline; see docs/BINDER.md).

use super::*;
use shale_model::{Aggregate, AggregateKind, FinalModify, Parallel};

/// The text of an option's value, whatever node the grammar made of it (a name, a
/// string, a number, an operator name list).
fn def_text(d: &protobuf::DefElem) -> Option<Vec<String>> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref())? {
        NodeEnum::TypeName(t) => Some(types::type_names(t)),
        NodeEnum::String(s) => Some(vec![s.sval.clone()]),
        NodeEnum::Integer(i) => Some(vec![i.ival.to_string()]),
        NodeEnum::Float(f) => Some(vec![f.fval.clone()]),
        NodeEnum::Boolean(b) => Some(vec![b.boolval.to_string()]),
        NodeEnum::List(l) => Some(strings(&l.items)),
        _ => None,
    }
}

impl Builder {
    /// A support function (or operator) named in an option, qualified: an explicit
    /// schema, else the first schema of the search path whose function (of the files) has
    /// that name, else `pg_catalog`.
    pub(super) fn support_function(&self, names: &[String], loc: i32) -> R<QualName> {
        match names {
            [n] => {
                for s in self.path() {
                    let q = QualName::new(s, n.clone());
                    if self.cat.functions.values().any(|f| f.name == q) {
                        return Ok(q);
                    }
                }
                Ok(QualName::new("pg_catalog", n.clone()))
            }
            [s, n] | [_, s, n] => Ok(QualName::new(s.clone(), n.clone())),
            _ => err(loc, format!("improper function name `{}`", names.join("."))),
        }
    }

    /// `CREATE [OR REPLACE] AGGREGATE`.
    pub(super) fn create_aggregate(&mut self, s: &protobuf::DefineStmt) -> R<()> {
        let names = strings(&s.defnames);
        let (schema, name) = match names.as_slice() {
            [n] => (String::new(), n.clone()),
            [sc, n] | [_, sc, n] => (sc.clone(), n.clone()),
            _ => return err(-1, "improper aggregate name"),
        };
        let schema = self.create_schema_for(&schema, -1)?;
        let q = QualName::new(schema, name);
        let mut args: Vec<TypeRef> = Vec::new();
        let mut direct: i32 = -1;
        if !s.oldstyle {
            if let Some(NodeEnum::List(l)) = s.args.first().and_then(|a| a.node.as_ref()) {
                for p in &l.items {
                    let Some(NodeEnum::FunctionParameter(fp)) = p.node.as_ref() else {
                        continue;
                    };
                    if fp.mode == protobuf::FunctionParameterMode::FuncParamVariadic as i32 {
                        return err(
                            -1,
                            "unsupported statement: CREATE AGGREGATE with a VARIADIC argument",
                        );
                    }
                    let tn = fp.arg_type.as_ref().ok_or_else(|| E {
                        loc: -1,
                        msg: "aggregate argument without a type".into(),
                    })?;
                    args.push(self.routine_type(tn)?);
                }
            }
            if let Some(NodeEnum::Integer(i)) = s.args.get(1).and_then(|a| a.node.as_ref()) {
                direct = i.ival;
            }
        }
        let mut kind = if direct >= 0 {
            AggregateKind::OrderedSet
        } else {
            AggregateKind::Normal
        };
        let mut sfunc = None;
        let mut stype = None;
        let mut a = Aggregate::new(
            q.clone(),
            vec![],
            QualName::new("pg_catalog", ""),
            TypeRef::builtin(""),
        );
        let mut finalmodify = None;
        let mut mfinalmodify = None;
        for item in &s.definition {
            let Some(NodeEnum::DefElem(d)) = item.node.as_ref() else {
                continue;
            };
            let key = d.defname.to_ascii_lowercase();
            let value = def_text(d);
            let text = || -> R<String> {
                value
                    .as_ref()
                    .and_then(|v| v.last().cloned())
                    .ok_or_else(|| E {
                        loc: d.location,
                        msg: format!("aggregate attribute \"{}\" requires a value", d.defname),
                    })
            };
            let func = |b: &Self| -> R<QualName> {
                let v = value.clone().unwrap_or_default();
                b.support_function(&v, d.location)
            };
            let ty = |b: &Self| -> R<TypeRef> {
                match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::TypeName(t)) => b.routine_type(t),
                    _ => {
                        let t = types::parse_type_name(&text()?).map_err(at(d.location))?;
                        b.routine_type(&t)
                    }
                }
            };
            let int = || -> R<i32> {
                text()?.parse::<i32>().map_err(|_| E {
                    loc: d.location,
                    msg: format!("{} requires an integer value", d.defname),
                })
            };
            let modify = || -> R<FinalModify> {
                match text()?.to_ascii_lowercase().as_str() {
                    "read_only" => Ok(FinalModify::ReadOnly),
                    "shareable" => Ok(FinalModify::Shareable),
                    "read_write" => Ok(FinalModify::ReadWrite),
                    _ => err(
                        d.location,
                        format!(
                            "parameter \"{}\" must be READ_ONLY, SHAREABLE, or READ_WRITE",
                            d.defname
                        ),
                    ),
                }
            };
            match key.as_str() {
                "sfunc" | "sfunc1" => sfunc = Some(func(self)?),
                "stype" | "stype1" => stype = Some(ty(self)?),
                "basetype" if s.oldstyle => {
                    let t = ty(self)?;
                    if !(t.schema.is_none() && (t.name == "any" || t.name == "\"any\"")) {
                        args = vec![t];
                    }
                }
                "sspace" => a.sspace = int()?,
                "finalfunc" | "finalfunc1" => a.finalfunc = Some(func(self)?),
                "finalfunc_extra" => a.finalfunc_extra = true,
                "finalfunc_modify" => finalmodify = Some(modify()?),
                "combinefunc" => a.combinefunc = Some(func(self)?),
                "serialfunc" => a.serialfunc = Some(func(self)?),
                "deserialfunc" => a.deserialfunc = Some(func(self)?),
                "initcond" | "initcond1" => a.initcond = Some(text()?),
                "msfunc" => a.msfunc = Some(func(self)?),
                "minvfunc" => a.minvfunc = Some(func(self)?),
                "mstype" => a.mstype = Some(ty(self)?),
                "msspace" => a.msspace = int()?,
                "mfinalfunc" => a.mfinalfunc = Some(func(self)?),
                "mfinalfunc_extra" => a.mfinalfunc_extra = true,
                "mfinalfunc_modify" => mfinalmodify = Some(modify()?),
                "minitcond" => a.minitcond = Some(text()?),
                "sortop" => {
                    let v = value.clone().unwrap_or_default();
                    a.sortop = Some(match v.as_slice() {
                        [op] => QualName::new("pg_catalog", op.clone()),
                        [sc, op] => QualName::new(sc.clone(), op.clone()),
                        _ => return err(d.location, "improper operator name"),
                    });
                }
                "parallel" => {
                    a.parallel = match text()?.to_ascii_lowercase().as_str() {
                        "safe" => Parallel::Safe,
                        "restricted" => Parallel::Restricted,
                        "unsafe" => Parallel::Unsafe,
                        _ => {
                            return err(
                                d.location,
                                "parameter \"parallel\" must be SAFE, RESTRICTED, or UNSAFE",
                            )
                        }
                    }
                }
                "hypothetical" => {
                    if kind != AggregateKind::OrderedSet {
                        return err(
                            d.location,
                            "only ordered-set aggregates can be hypothetical",
                        );
                    }
                    kind = AggregateKind::Hypothetical;
                }
                _ => {
                    return err(
                        d.location,
                        format!("aggregate attribute \"{}\" not recognized", d.defname),
                    )
                }
            }
        }
        a.sfunc = sfunc.ok_or_else(|| at(-1)("aggregate sfunc must be specified".into()))?;
        a.stype = stype.ok_or_else(|| at(-1)("aggregate stype must be specified".into()))?;
        if a.mstype.is_some() != a.msfunc.is_some() || a.minvfunc.is_some() != a.msfunc.is_some() {
            return err(
                -1,
                "aggregate msfunc, minvfunc and mstype must be specified together",
            );
        }
        a.args = args;
        a.kind = kind;
        a.direct_args = direct.max(0);
        a.finalfunc_modify = finalmodify.unwrap_or(FinalModify::default_for(kind));
        a.mfinalfunc_modify = mfinalmodify.unwrap_or(FinalModify::default_for(kind));
        let key = a.signature();
        if self.cat.functions.contains_key(&key) {
            return err(
                -1,
                format!("function {key} already exists with same argument types"),
            );
        }
        match self.cat.aggregates.get(&key) {
            Some(old) if s.replace => {
                if old.kind != a.kind || old.direct_args != a.direct_args {
                    return err(-1, format!("cannot change routine kind of {key}"));
                }
                a.comment = old.comment.clone();
            }
            Some(_) => {
                return err(
                    -1,
                    format!("function {key} already exists with same argument types"),
                )
            }
            None => {}
        }
        self.cat.aggregates.insert(key, a);
        Ok(())
    }

    /// The key of the aggregate `name(args)` names (`DROP`/`COMMENT ON`/`ALTER
    /// AGGREGATE`); `None` when there is none.
    fn aggregate_key(&self, owa: &protobuf::ObjectWithArgs) -> R<Option<String>> {
        let names = strings(&owa.objname);
        let (schema, name) = match names.as_slice() {
            [n] => (None, n.clone()),
            [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
            _ => return err(-1, "improper aggregate name"),
        };
        let mut args = Vec::new();
        for a in &owa.objargs {
            if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                args.push(self.routine_type(tn)?.to_string());
            }
        }
        let args = args.join(", ");
        let schemas = match schema {
            Some(s) => vec![s],
            None => self.path(),
        };
        for s in schemas {
            let key = format!("{}({args})", QualName::new(s, name.clone()));
            if self.cat.aggregates.contains_key(&key) {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    fn aggregate_object(n: Option<&Node>) -> Option<&protobuf::ObjectWithArgs> {
        match n.and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::ObjectWithArgs(o)) => Some(o),
            _ => None,
        }
    }

    pub(super) fn is_aggregate_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectAggregate as i32
    }

    pub(super) fn aggregate_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let owa = Self::aggregate_object(s.object.as_deref())
            .ok_or_else(|| at(-1)("improper aggregate name".into()))?;
        let key = self.aggregate_key(owa)?.ok_or_else(|| {
            at(-1)(format!(
                "aggregate {} does not exist",
                strings(&owa.objname).join(".")
            ))
        })?;
        if let Some(a) = self.cat.aggregates.get_mut(&key) {
            a.comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        }
        Ok(())
    }

    pub(super) fn is_aggregate_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectAggregate as i32
    }

    pub(super) fn drop_aggregate(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let Some(owa) = Self::aggregate_object(Some(o)) else {
                continue;
            };
            match self.aggregate_key(owa)? {
                Some(key) => {
                    self.cat.aggregates.remove(&key);
                }
                None if s.missing_ok => {}
                None => {
                    return err(
                        -1,
                        format!(
                            "aggregate {} does not exist",
                            strings(&owa.objname).join(".")
                        ),
                    )
                }
            }
        }
        Ok(())
    }

    pub(super) fn is_aggregate_rename(s: &protobuf::RenameStmt) -> bool {
        s.rename_type == ObjectType::ObjectAggregate as i32
    }

    pub(super) fn rename_aggregate(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let owa = Self::aggregate_object(s.object.as_deref())
            .ok_or_else(|| at(-1)("improper aggregate name".into()))?;
        let key = self.aggregate_key(owa)?.ok_or_else(|| {
            at(-1)(format!(
                "aggregate {} does not exist",
                strings(&owa.objname).join(".")
            ))
        })?;
        let mut a = self.cat.aggregates.remove(&key).expect("found above");
        a.name = QualName::new(a.name.schema.clone(), s.newname.clone());
        let new = a.signature();
        if self.cat.aggregates.contains_key(&new) || self.cat.functions.contains_key(&new) {
            return err(-1, format!("function {new} already exists"));
        }
        self.cat.aggregates.insert(new, a);
        Ok(())
    }

    /// After a statement: aggregates whose schema is gone (`DROP SCHEMA … CASCADE`) went
    /// with it.
    pub(super) fn prune_aggregates(&mut self) {
        let schemas = &self.cat.schemas;
        self.cat
            .aggregates
            .retain(|_, a| schemas.contains_key(&a.name.schema));
        self.cat.casts.retain(|_, c| {
            [&c.source, &c.target]
                .iter()
                .all(|t| t.schema.as_ref().is_none_or(|s| schemas.contains_key(s)))
        });
    }
}
