//! Operators, operator families and operator classes in the SQL front end: `CREATE
//! OPERATOR`, `ALTER OPERATOR … SET (RESTRICT, JOIN)`, `CREATE OPERATOR FAMILY`, `ALTER
//! OPERATOR FAMILY … ADD|DROP`, `CREATE OPERATOR CLASS`, `COMMENT ON` and `DROP` of each.
//!
//! This module is a child of `parse` (it extends its `Builder`). It follows what
//! PostgreSQL keeps (shale-model's `operators.rs`): commutator and negator links are
//! symmetric, shell operators are not objects, every member of a class is its family's.
//! An operator or function named unqualified that the files do not define is taken as
//! a built-in one (`pg_catalog`); whether it exists is left to the server.

use super::*;
use shale_model::operators::op_name;
use shale_model::{FamilyFunction, FamilyOperator, Operator, OperatorClass, OperatorFamily};

/// The names of an option's value (`public.f`, `OPERATOR(public.=)`, `=`).
fn def_names(d: &protobuf::DefElem) -> Option<Vec<String>> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref())? {
        NodeEnum::TypeName(t) => Some(types::type_names(t)),
        NodeEnum::String(s) => Some(vec![s.sval.clone()]),
        NodeEnum::List(l) => Some(strings(&l.items)),
        _ => None,
    }
}

/// `[am, schema?, name]` of `COMMENT ON`/`DROP OPERATOR CLASS|FAMILY`.
fn am_and_names(n: Option<&Node>) -> Option<(String, Vec<String>)> {
    let Some(NodeEnum::List(l)) = n.and_then(|n| n.node.as_ref()) else {
        return None;
    };
    let all = strings(&l.items);
    let (am, names) = all.split_first()?;
    Some((am.clone(), names.to_vec()))
}

/// The support-function member types PostgreSQL fills in when they are not written
/// (`assignProcTypes`): btree comparison and hash functions take them from the
/// function's arguments, the rest from the class's input type (none in `ALTER OPERATOR
/// FAMILY`).
fn default_function_types(
    method: &str,
    number: i32,
    args: &[TypeRef],
    class_type: Option<&TypeRef>,
) -> Option<(TypeRef, TypeRef)> {
    match (method, number, args) {
        ("btree", 1, [l, r]) => Some((l.clone(), r.clone())),
        ("btree", 3, [l, _, r, ..]) => Some((l.clone(), r.clone())),
        ("hash", 1 | 2, [t, ..]) => Some((t.clone(), t.clone())),
        _ => class_type.map(|t| (t.clone(), t.clone())),
    }
}

impl Builder {
    /// An operator named by `names` with these argument types: an explicit schema, else
    /// the files' operator on the search path, else the operator being defined (`own`,
    /// when its name and types are the same), else `fallback`.
    fn resolve_operator(
        &self,
        names: &[String],
        left: Option<&TypeRef>,
        right: &TypeRef,
        own: Option<&QualName>,
        fallback: &str,
    ) -> R<QualName> {
        match names {
            [n] => {
                let args = format!(
                    "{}, {right}",
                    left.map(|t| t.to_string()).unwrap_or_else(|| "NONE".into())
                );
                for s in self.path() {
                    let q = QualName::new(s, n.clone());
                    if self
                        .cat
                        .operators
                        .contains_key(&format!("{}({args})", op_name(&q)))
                    {
                        return Ok(q);
                    }
                }
                if let Some(o) = own.filter(|o| &o.name == n) {
                    return Ok(o.clone());
                }
                Ok(QualName::new(fallback, n.clone()))
            }
            [s, n] | [_, s, n] => Ok(QualName::new(s.clone(), n.clone())),
            _ => err(-1, format!("improper operator name `{}`", names.join("."))),
        }
    }

    /// `CREATE OPERATOR`.
    pub(super) fn create_operator(&mut self, s: &protobuf::DefineStmt) -> R<()> {
        let names = strings(&s.defnames);
        let (schema, name) = match names.as_slice() {
            [n] => (String::new(), n.clone()),
            [sc, n] | [_, sc, n] => (sc.clone(), n.clone()),
            _ => return err(-1, "improper operator name"),
        };
        let schema = self.create_schema_for(&schema, -1)?;
        let q = QualName::new(schema, name);
        let (mut left, mut right, mut function) = (None, None, None);
        let (mut commutator, mut negator) = (None, None);
        let mut o = Operator::new(q.clone(), None, TypeRef::builtin(""), QualName::new("", ""));
        for item in &s.definition {
            let Some(NodeEnum::DefElem(d)) = item.node.as_ref() else {
                continue;
            };
            let value = || {
                def_names(d).ok_or_else(|| E {
                    loc: d.location,
                    msg: format!("operator attribute \"{}\" requires a value", d.defname),
                })
            };
            let ty = |b: &Self| -> R<TypeRef> {
                match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::TypeName(t)) => b.routine_type(t),
                    _ => err(d.location, format!("{} requires a type name", d.defname)),
                }
            };
            match d.defname.to_ascii_lowercase().as_str() {
                "leftarg" => left = Some(ty(self)?),
                "rightarg" => right = Some(ty(self)?),
                "function" | "procedure" => {
                    function = Some(self.support_function(&value()?, d.location)?)
                }
                "commutator" => commutator = Some(value()?),
                "negator" => negator = Some(value()?),
                "restrict" => o.restrict = Some(self.support_function(&value()?, d.location)?),
                "join" => o.join = Some(self.support_function(&value()?, d.location)?),
                "hashes" => o.hashes = true,
                "merges" => o.merges = true,
                // PostgreSQL warns and ignores the rest ("sort1", "ltcmp", …).
                _ => {}
            }
        }
        o.right =
            right.ok_or_else(|| at(-1)("operator right argument type must be specified".into()))?;
        o.left = left;
        o.function =
            function.ok_or_else(|| at(-1)("operator function must be specified".into()))?;
        let creation = q.schema.clone();
        if let Some(c) = commutator {
            let Some(l) = o.left.clone() else {
                return err(-1, "only binary operators can have commutators");
            };
            o.commutator =
                Some(self.resolve_operator(&c, Some(&o.right), &l, Some(&q), &creation)?);
        }
        if let Some(n) = negator {
            o.negator = Some(self.resolve_operator(
                &n,
                o.left.as_ref(),
                &o.right.clone(),
                None,
                &creation,
            )?);
        }
        let key = o.signature();
        if self.cat.operators.contains_key(&key) {
            return err(-1, format!("operator {} already exists", o.target()));
        }
        // The links PostgreSQL keeps both ways (see the model's conventions).
        if let Some(k) = o.commutator_key().filter(|k| k != &key) {
            if let Some(other) = self.cat.operators.get_mut(&k) {
                other.commutator = Some(q.clone());
            }
        }
        if let Some(k) = o.negator_key().filter(|k| k != &key) {
            if let Some(other) = self.cat.operators.get_mut(&k) {
                other.negator = Some(q.clone());
            }
        }
        for other in self.cat.operators.values() {
            if o.commutator.is_none() && other.commutator_key().as_ref() == Some(&key) {
                o.commutator = Some(other.name.clone());
            }
            if o.negator.is_none() && other.negator_key().as_ref() == Some(&key) {
                o.negator = Some(other.name.clone());
            }
        }
        self.cat.operators.insert(key, o);
        Ok(())
    }

    /// The key of the operator an `ObjectWithArgs` names (`None` when there is none).
    fn operator_key(&self, owa: &protobuf::ObjectWithArgs) -> R<Option<String>> {
        let names = strings(&owa.objname);
        let mut args = Vec::new();
        for a in &owa.objargs {
            match a.node.as_ref() {
                Some(NodeEnum::TypeName(tn)) => args.push(self.routine_type(tn)?.to_string()),
                _ => args.push("NONE".to_string()),
            }
        }
        if args.len() != 2 {
            return err(-1, "an operator is named with its two argument types");
        }
        let args = args.join(", ");
        let (schemas, name) = match names.as_slice() {
            [n] => (self.path(), n.clone()),
            [s, n] | [_, s, n] => (vec![s.clone()], n.clone()),
            _ => return err(-1, "improper operator name"),
        };
        Ok(schemas
            .into_iter()
            .map(|s| format!("{}({args})", op_name(&QualName::new(s, name.clone()))))
            .find(|k| self.cat.operators.contains_key(k)))
    }

    fn operator_key_required(&self, owa: &protobuf::ObjectWithArgs) -> R<String> {
        self.operator_key(owa)?.ok_or_else(|| {
            at(-1)(format!(
                "operator does not exist: {}",
                strings(&owa.objname).join(".")
            ))
        })
    }

    /// `ALTER OPERATOR … SET (RESTRICT = …, JOIN = …)`.
    pub(super) fn alter_operator(&mut self, s: &protobuf::AlterOperatorStmt) -> R<()> {
        let owa = s
            .opername
            .as_ref()
            .ok_or_else(|| at(-1)("improper operator name".into()))?;
        let key = self.operator_key_required(owa)?;
        let mut changes = Vec::new();
        for item in &s.options {
            let Some(NodeEnum::DefElem(d)) = item.node.as_ref() else {
                continue;
            };
            let f = match def_names(d) {
                Some(n) if n.len() == 1 && n[0].eq_ignore_ascii_case("none") => None,
                Some(n) => Some(self.support_function(&n, d.location)?),
                None => None,
            };
            match d.defname.to_ascii_lowercase().as_str() {
                k @ ("restrict" | "join") => changes.push((k == "restrict", f)),
                _ => {
                    return err(
                        d.location,
                        format!("operator attribute \"{}\" cannot be changed", d.defname),
                    )
                }
            }
        }
        let o = self.cat.operators.get_mut(&key).expect("found above");
        for (restrict, f) in changes {
            if restrict {
                o.restrict = f;
            } else {
                o.join = f;
            }
        }
        Ok(())
    }

    fn owa(n: Option<&Node>) -> Option<&protobuf::ObjectWithArgs> {
        match n.and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::ObjectWithArgs(o)) => Some(o),
            _ => None,
        }
    }

    /// The family or class key (`name`, `method`) `names` names among `keys`.
    fn find_opclass_key<'k>(
        &self,
        names: &[String],
        method: &str,
        mut exists: impl FnMut(&(QualName, String)) -> bool + 'k,
    ) -> R<Option<(QualName, String)>> {
        let (schemas, name) = match names {
            [n] => (self.path(), n.clone()),
            [s, n] | [_, s, n] => (vec![s.clone()], n.clone()),
            _ => return err(-1, "improper qualified name"),
        };
        Ok(schemas
            .into_iter()
            .map(|s| (QualName::new(s, name.clone()), method.to_string()))
            .find(|k| exists(k)))
    }

    fn family_key(&self, names: &[String], method: &str) -> R<(QualName, String)> {
        self.find_opclass_key(names, method, |k| {
            self.cat.operator_families.contains_key(k)
        })?
        .ok_or_else(|| {
            at(-1)(format!(
                "operator family \"{}\" does not exist for access method \"{method}\"",
                names.join(".")
            ))
        })
    }

    pub(super) fn is_operator_comment(s: &protobuf::CommentStmt) -> bool {
        [
            ObjectType::ObjectOperator,
            ObjectType::ObjectOpclass,
            ObjectType::ObjectOpfamily,
        ]
        .iter()
        .any(|t| s.objtype == *t as i32)
    }

    pub(super) fn operator_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let c = (!s.comment.is_empty()).then(|| s.comment.clone());
        if s.objtype == ObjectType::ObjectOperator as i32 {
            let owa = Self::owa(s.object.as_deref())
                .ok_or_else(|| at(-1)("improper operator name".into()))?;
            let key = self.operator_key_required(owa)?;
            self.cat.operators.get_mut(&key).expect("found").comment = c;
            return Ok(());
        }
        let (am, names) =
            am_and_names(s.object.as_deref()).ok_or_else(|| at(-1)("improper name".into()))?;
        if s.objtype == ObjectType::ObjectOpfamily as i32 {
            let key = self.family_key(&names, &am)?;
            self.cat
                .operator_families
                .get_mut(&key)
                .expect("found")
                .comment = c;
        } else {
            let key = self
                .find_opclass_key(&names, &am, |k| self.cat.operator_classes.contains_key(k))?
                .ok_or_else(|| {
                    at(-1)(format!(
                        "operator class \"{}\" does not exist for access method \"{am}\"",
                        names.join(".")
                    ))
                })?;
            self.cat
                .operator_classes
                .get_mut(&key)
                .expect("found")
                .comment = c;
        }
        Ok(())
    }

    /// `CREATE OPERATOR FAMILY name USING method`.
    pub(super) fn create_operator_family(&mut self, s: &protobuf::CreateOpFamilyStmt) -> R<()> {
        let names = strings(&s.opfamilyname);
        let q = self.new_opclass_name(&names)?;
        let f = OperatorFamily::new(q, s.amname.clone());
        if self.cat.operator_families.contains_key(&f.key()) {
            return err(
                -1,
                format!(
                    "operator family \"{}\" for access method \"{}\" already exists",
                    f.name.name, f.method
                ),
            );
        }
        self.cat.operator_families.insert(f.key(), f);
        Ok(())
    }

    fn new_opclass_name(&self, names: &[String]) -> R<QualName> {
        let (schema, name) = match names {
            [n] => (String::new(), n.clone()),
            [sc, n] | [_, sc, n] => (sc.clone(), n.clone()),
            _ => return err(-1, "improper qualified name"),
        };
        Ok(QualName::new(self.create_schema_for(&schema, -1)?, name))
    }

    /// A member of `CREATE OPERATOR CLASS` or `ALTER OPERATOR FAMILY … ADD`, added to
    /// `family`; `class_type` is the class's input type (none in `ALTER`).
    fn add_member(
        &mut self,
        family: &(QualName, String),
        item: &protobuf::CreateOpClassItem,
        class_type: Option<&TypeRef>,
    ) -> R<()> {
        let method = family.1.clone();
        let mut types = Vec::new();
        for a in &item.class_args {
            if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                types.push(self.routine_type(tn)?);
            }
        }
        match item.itemtype {
            1 => {
                let owa = item
                    .name
                    .as_ref()
                    .ok_or_else(|| at(-1)("improper operator name".into()))?;
                let mut args = Vec::new();
                for a in &owa.objargs {
                    if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                        args.push(self.routine_type(tn)?);
                    }
                }
                let (left, right) =
                    match (args.as_slice(), class_type) {
                        ([l, r], _) => (l.clone(), r.clone()),
                        ([], Some(t)) => (t.clone(), t.clone()),
                        _ => return err(
                            -1,
                            "operator argument types must be specified in ALTER OPERATOR FAMILY",
                        ),
                    };
                let operator = self.resolve_operator(
                    &strings(&owa.objname),
                    Some(&left),
                    &right,
                    None,
                    "pg_catalog",
                )?;
                let order_by = if item.order_family.is_empty() {
                    None
                } else {
                    Some(self.family_key(&strings(&item.order_family), "btree")?.0)
                };
                let m = FamilyOperator {
                    strategy: item.number,
                    left,
                    right,
                    operator,
                    order_by,
                };
                let f = self
                    .cat
                    .operator_families
                    .get_mut(family)
                    .expect("family exists");
                if f.operators
                    .iter()
                    .any(|o| (o.strategy, &o.left, &o.right) == (m.strategy, &m.left, &m.right))
                {
                    return err(
                        -1,
                        format!(
                            "operator {}({},{}) already exists in operator family \"{}\"",
                            m.strategy, m.left, m.right, f.name.name
                        ),
                    );
                }
                f.operators.push(m);
            }
            2 => {
                let owa = item
                    .name
                    .as_ref()
                    .ok_or_else(|| at(-1)("improper function name".into()))?;
                let names = strings(&owa.objname);
                let mut args = Vec::new();
                for a in &owa.objargs {
                    if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                        args.push(self.routine_type(tn)?);
                    }
                }
                let mut function = self.support_function(&names, -1)?;
                if owa.args_unspecified || (args.is_empty() && owa.objargs.is_empty()) {
                    // Only a function of the files can be found without its arguments.
                    let found: Vec<_> = self.cat.functions_named(&function).collect();
                    match found.as_slice() {
                        [f] => args = f.args.iter().map(|a| a.ty.clone()).collect(),
                        _ if owa.args_unspecified => {
                            return err(
                                -1,
                                format!(
                                    "support function {} is named without its argument types",
                                    names.join(".")
                                ),
                            )
                        }
                        _ => {}
                    }
                }
                if names.len() == 1 {
                    let key_args = args
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    if let Some(q) = self
                        .path()
                        .into_iter()
                        .map(|sc| QualName::new(sc, names[0].clone()))
                        .find(|q| self.cat.functions.contains_key(&format!("{q}({key_args})")))
                    {
                        function = q;
                    }
                }
                let (left, right) = match types.as_slice() {
                    [l, r] => (l.clone(), r.clone()),
                    [t] => (t.clone(), t.clone()),
                    _ => default_function_types(&method, item.number, &args, class_type)
                        .ok_or_else(|| {
                            at(-1)(
                                "associated data types must be specified for index support function"
                                    .into(),
                            )
                        })?,
                };
                let m = FamilyFunction {
                    number: item.number,
                    left,
                    right,
                    function,
                    args,
                };
                let f = self
                    .cat
                    .operator_families
                    .get_mut(family)
                    .expect("family exists");
                if f.functions
                    .iter()
                    .any(|o| (o.number, &o.left, &o.right) == (m.number, &m.left, &m.right))
                {
                    return err(
                        -1,
                        format!(
                            "function {}({},{}) already exists in operator family \"{}\"",
                            m.number, m.left, m.right, f.name.name
                        ),
                    );
                }
                f.functions.push(m);
            }
            _ => return err(-1, "STORAGE may be specified only in CREATE OPERATOR CLASS"),
        }
        Ok(())
    }

    /// `CREATE OPERATOR CLASS name [DEFAULT] FOR TYPE t USING method [FAMILY f] AS …`.
    pub(super) fn create_operator_class(&mut self, s: &protobuf::CreateOpClassStmt) -> R<()> {
        let q = self.new_opclass_name(&strings(&s.opclassname))?;
        let method = s.amname.clone();
        let ty = self.routine_type(
            s.datatype
                .as_ref()
                .ok_or_else(|| at(-1)("operator class without a type".into()))?,
        )?;
        let key = (q.clone(), method.clone());
        if self.cat.operator_classes.contains_key(&key) {
            return err(
                -1,
                format!(
                    "operator class \"{}\" for access method \"{method}\" already exists",
                    q.name
                ),
            );
        }
        let family = if s.opfamilyname.is_empty() {
            if !self.cat.operator_families.contains_key(&key) {
                let f = OperatorFamily::new(q.clone(), method.clone());
                self.cat.operator_families.insert(key.clone(), f);
            }
            key.clone()
        } else {
            self.family_key(&strings(&s.opfamilyname), &method)?
        };
        if s.is_default
            && self
                .cat
                .operator_classes
                .values()
                .any(|c| c.default && c.method == method && c.ty == ty)
        {
            return err(
                -1,
                format!(
                    "could not make operator class \"{}\" be default for type {ty}",
                    q.name
                ),
            );
        }
        let mut storage = None;
        for item in &s.items {
            let Some(NodeEnum::CreateOpClassItem(it)) = item.node.as_ref() else {
                continue;
            };
            if it.itemtype == 3 {
                if let Some(t) = &it.storedtype {
                    let t = self.routine_type(t)?;
                    storage = (t != ty).then_some(t);
                }
                continue;
            }
            self.add_member(&family, it, Some(&ty))?;
        }
        if let Some(f) = self.cat.operator_families.get_mut(&family) {
            f.sort();
        }
        self.cat.operator_classes.insert(
            key,
            OperatorClass {
                name: q,
                method,
                ty,
                default: s.is_default,
                family: family.0,
                storage,
                comment: None,
            },
        );
        Ok(())
    }

    /// `ALTER OPERATOR FAMILY … ADD|DROP …`.
    pub(super) fn alter_operator_family(&mut self, s: &protobuf::AlterOpFamilyStmt) -> R<()> {
        let family = self.family_key(&strings(&s.opfamilyname), &s.amname)?;
        for item in &s.items {
            let Some(NodeEnum::CreateOpClassItem(it)) = item.node.as_ref() else {
                continue;
            };
            if !s.is_drop {
                self.add_member(&family, it, None)?;
                continue;
            }
            let mut types = Vec::new();
            for a in &it.class_args {
                if let Some(NodeEnum::TypeName(tn)) = a.node.as_ref() {
                    types.push(self.routine_type(tn)?);
                }
            }
            let (l, r) = match types.as_slice() {
                [l, r] => (l.clone(), r.clone()),
                [t] => (t.clone(), t.clone()),
                _ => return err(-1, "a member is dropped with its argument types"),
            };
            let f = self.cat.operator_families.get_mut(&family).expect("found");
            let before = f.operators.len() + f.functions.len();
            if it.itemtype == 1 {
                f.operators
                    .retain(|o| (o.strategy, &o.left, &o.right) != (it.number, &l, &r));
            } else {
                f.functions
                    .retain(|o| (o.number, &o.left, &o.right) != (it.number, &l, &r));
            }
            if f.operators.len() + f.functions.len() == before {
                return err(
                    -1,
                    format!(
                        "{} {}({l},{r}) does not exist in operator family \"{}\"",
                        if it.itemtype == 1 {
                            "operator"
                        } else {
                            "function"
                        },
                        it.number,
                        f.name.name
                    ),
                );
            }
        }
        if let Some(f) = self.cat.operator_families.get_mut(&family) {
            f.sort();
        }
        Ok(())
    }

    pub(super) fn is_operator_drop(s: &protobuf::DropStmt) -> bool {
        [
            ObjectType::ObjectOperator,
            ObjectType::ObjectOpclass,
            ObjectType::ObjectOpfamily,
        ]
        .iter()
        .any(|t| s.remove_type == *t as i32)
    }

    pub(super) fn drop_operator_objects(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let cascade = s.behavior == protobuf::DropBehavior::DropCascade as i32;
        for o in &s.objects {
            if s.remove_type == ObjectType::ObjectOperator as i32 {
                let owa =
                    Self::owa(Some(o)).ok_or_else(|| at(-1)("improper operator name".into()))?;
                match self.operator_key(owa)? {
                    Some(key) => self.drop_operator(&key, cascade)?,
                    None if s.missing_ok => {}
                    None => {
                        return err(
                            -1,
                            format!(
                                "operator does not exist: {}",
                                strings(&owa.objname).join(".")
                            ),
                        )
                    }
                }
                continue;
            }
            let (am, names) =
                am_and_names(Some(o)).ok_or_else(|| at(-1)("improper name".into()))?;
            let family = s.remove_type == ObjectType::ObjectOpfamily as i32;
            let found = if family {
                self.find_opclass_key(&names, &am, |k| self.cat.operator_families.contains_key(k))?
            } else {
                self.find_opclass_key(&names, &am, |k| self.cat.operator_classes.contains_key(k))?
            };
            let Some(key) = found else {
                if s.missing_ok {
                    continue;
                }
                return err(
                    -1,
                    format!(
                        "operator {} \"{}\" does not exist for access method \"{am}\"",
                        if family { "family" } else { "class" },
                        names.join(".")
                    ),
                );
            };
            if family {
                self.cat.operator_families.remove(&key);
                self.cat
                    .operator_classes
                    .retain(|_, c| !(c.family == key.0 && c.method == key.1));
            } else {
                let c = self.cat.operator_classes.remove(&key).expect("found");
                // The members of the class's own type go with it (PostgreSQL ties them
                // to the class); cross-type ones stay in the family.
                if !matches!(c.method.as_str(), "btree" | "hash") {
                    return err(
                        -1,
                        format!(
                            "unsupported statement: DROP OPERATOR CLASS of access method {} (drop and re-create its family instead)",
                            c.method
                        ),
                    );
                }
                if let Some(f) = self.cat.operator_families.get_mut(&c.family_id_key()) {
                    f.operators.retain(|m| !(m.left == c.ty && m.right == c.ty));
                    f.functions.retain(|m| !(m.left == c.ty && m.right == c.ty));
                }
            }
        }
        Ok(())
    }

    fn drop_operator(&mut self, key: &str, cascade: bool) -> R<()> {
        let o = self.cat.operators.remove(key).expect("found");
        let used = self
            .cat
            .operator_families
            .values()
            .any(|f| f.operators.iter().any(|m| m.operator_key() == key));
        if used && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop operator {} because other objects depend on it",
                    o.target()
                ),
            );
        }
        for f in self.cat.operator_families.values_mut() {
            f.operators.retain(|m| m.operator_key() != key);
        }
        // PostgreSQL clears the links to a dropped operator.
        for other in self.cat.operators.values_mut() {
            if other.commutator_key().as_deref() == Some(key) {
                other.commutator = None;
            }
            if other.negator_key().as_deref() == Some(key) {
                other.negator = None;
            }
        }
        Ok(())
    }

    /// After a statement: operators, families and classes whose schema is gone went with
    /// it.
    pub(super) fn prune_operators(&mut self) {
        let schemas = &self.cat.schemas;
        self.cat
            .operators
            .retain(|_, o| schemas.contains_key(&o.name.schema));
        self.cat
            .operator_families
            .retain(|(q, _), _| schemas.contains_key(&q.schema));
        self.cat
            .operator_classes
            .retain(|(q, _), _| schemas.contains_key(&q.schema));
    }
}

trait FamilyKey {
    fn family_id_key(&self) -> (QualName, String);
}

impl FamilyKey for OperatorClass {
    fn family_id_key(&self) -> (QualName, String) {
        (self.family.clone(), self.method.clone())
    }
}
