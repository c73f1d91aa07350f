//! Row-level security (`ALTER TABLE … ENABLE/FORCE ROW LEVEL SECURITY`), policies
//! (`CREATE/ALTER/DROP POLICY`, `COMMENT ON POLICY`) and privileges (`GRANT`/`REVOKE` on
//! schemas, tables, views, columns, sequences and types) in the SQL front end.
//!
//! This module is a child of `parse` (it extends its `Builder`). Privileges follow the
//! model's convention (`shale_model::security`): the set granted to roles other than the
//! owner, stored only when it differs from a new object's. The role running the files is
//! taken to own every object; grants to it are not modelled.

use super::*;
use pg_query::protobuf::{AlterTableType, GrantTargetType, RoleSpecType};
use shale_model::security::{all_privileges, DefaultKey, DefaultObjects, PUBLIC};
use shale_model::{Grant, Policy, PolicyCommand, RoutineKind};

fn node_loc(n: &Node) -> i32 {
    match n.node.as_ref() {
        Some(NodeEnum::RangeVar(r)) => r.location,
        Some(NodeEnum::RoleSpec(r)) => r.location,
        Some(NodeEnum::TypeName(t)) => t.location,
        _ => -1,
    }
}

/// The security-related state of a [`Builder`].
#[derive(Default)]
pub(crate) struct State {
    /// Objects that exist (and so do not take default privileges any more), tracked from
    /// the first `ALTER DEFAULT PRIVILEGES` on.
    seen: Option<BTreeSet<ObjectId>>,
}

impl Builder {
    // -----------------------------------------------------------------------------------
    // Row-level security switches

    /// An `ALTER TABLE` made only of row-level security commands.
    pub(super) fn is_rls_alter(s: &protobuf::AlterTableStmt) -> bool {
        use AlterTableType as A;
        !s.cmds.is_empty()
            && s.cmds.iter().all(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c)) => matches!(
                    A::try_from(c.subtype).unwrap_or(A::Undefined),
                    A::AtEnableRowSecurity
                        | A::AtDisableRowSecurity
                        | A::AtForceRowSecurity
                        | A::AtNoForceRowSecurity
                ),
                _ => false,
            })
    }

    pub(super) fn alter_rls(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        use AlterTableType as A;
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let q = match self.find_table(rv) {
            Ok(q) => q,
            Err(_) if s.missing_ok => return Ok(()),
            Err(e) => return Err(e),
        };
        let t = self.cat.tables.get_mut(&q).expect("found");
        for c in &s.cmds {
            if let Some(NodeEnum::AlterTableCmd(c)) = c.node.as_ref() {
                match A::try_from(c.subtype).unwrap_or(A::Undefined) {
                    A::AtEnableRowSecurity => t.rls_enabled = true,
                    A::AtDisableRowSecurity => t.rls_enabled = false,
                    A::AtForceRowSecurity => t.rls_forced = true,
                    A::AtNoForceRowSecurity => t.rls_forced = false,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Policies

    fn role_name(n: &Node) -> R<String> {
        let loc = node_loc(n);
        match n.node.as_ref() {
            Some(NodeEnum::RoleSpec(r)) => {
                match RoleSpecType::try_from(r.roletype).unwrap_or(RoleSpecType::Undefined) {
                    RoleSpecType::RolespecPublic => Ok(PUBLIC.to_string()),
                    RoleSpecType::RolespecCstring => Ok(r.rolename.clone()),
                    _ => err(
                        loc,
                        "CURRENT_USER, CURRENT_ROLE and SESSION_USER as a role are not supported: name the role",
                    ),
                }
            }
            _ => err(loc, "expected a role name"),
        }
    }

    fn policy_roles(nodes: &[Node]) -> R<Vec<String>> {
        let mut roles: Vec<String> = nodes.iter().map(Self::role_name).collect::<R<_>>()?;
        if roles.iter().any(|r| r == PUBLIC) {
            // PostgreSQL keeps only PUBLIC when it is among the roles.
            roles = vec![PUBLIC.to_string()];
        }
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            roles.push(PUBLIC.to_string());
        }
        Ok(roles)
    }

    fn policy_expr(&self, table: &QualName, n: &Node) -> R<Expr> {
        let columns = self.table(table).columns.clone();
        let loc = Self::node_location(n);
        let mut sub = false;
        normalize::walk(n, &mut |e| {
            if matches!(e, NodeEnum::SubLink(_)) {
                sub = true;
            }
        });
        if sub {
            let sql = normalize::deparse_expr(n).map_err(at(loc))?;
            return normalize_policy_expr(&sql, table, &self.cat, &self.path()).map_err(at(loc));
        }
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let user_fn = |f: &str| self.cat.functions.values().any(|x| x.name.name == f);
        let bound = crate::binder::columns_complete(&self.cat, table)
            .then(|| {
                crate::binder::unknown_column(n, &names, &[table.name.as_str()], true, &user_fn)
            })
            .flatten();
        if let Some((at, msg)) = bound {
            return err(if at >= 0 { at } else { loc }, msg);
        }
        self.norm_expr(n, &columns, None, loc)
    }

    pub(super) fn create_policy(&mut self, s: &protobuf::CreatePolicyStmt) -> R<()> {
        let rv = s.table.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let q = self.find_table(rv)?;
        let key = (q.clone(), s.policy_name.clone());
        if self.cat.policies.contains_key(&key) {
            return err(
                -1,
                format!(
                    "policy \"{}\" for table \"{}\" already exists",
                    s.policy_name, q.name
                ),
            );
        }
        let command = match s.cmd_name.as_str() {
            "all" | "" => PolicyCommand::All,
            "select" => PolicyCommand::Select,
            "insert" => PolicyCommand::Insert,
            "update" => PolicyCommand::Update,
            "delete" => PolicyCommand::Delete,
            other => return err(-1, format!("unrecognized policy command \"{other}\"")),
        };
        let using = s
            .qual
            .as_deref()
            .map(|n| self.policy_expr(&q, n))
            .transpose()?;
        let with_check = s
            .with_check
            .as_deref()
            .map(|n| self.policy_expr(&q, n))
            .transpose()?;
        match command {
            PolicyCommand::Select | PolicyCommand::Delete if with_check.is_some() => {
                return err(
                    -1,
                    "WITH CHECK cannot be applied to SELECT or DELETE".to_string(),
                )
            }
            PolicyCommand::Insert if using.is_some() => {
                return err(-1, "only WITH CHECK expression allowed for INSERT")
            }
            _ => {}
        }
        let p = Policy {
            table: q.clone(),
            name: s.policy_name.clone(),
            command,
            permissive: s.permissive,
            roles: Self::policy_roles(&s.roles)?,
            using,
            with_check,
            comment: None,
        };
        self.anchor_stmt(p.id());
        self.cat.policies.insert(key, p);
        Ok(())
    }

    pub(super) fn alter_policy(&mut self, s: &protobuf::AlterPolicyStmt) -> R<()> {
        let rv = s.table.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let q = self.find_table(rv)?;
        let key = (q.clone(), s.policy_name.clone());
        if !self.cat.policies.contains_key(&key) {
            return err(
                -1,
                format!(
                    "policy \"{}\" for table \"{}\" does not exist",
                    s.policy_name, q.name
                ),
            );
        }
        let using = s
            .qual
            .as_deref()
            .map(|n| self.policy_expr(&q, n))
            .transpose()?;
        let with_check = s
            .with_check
            .as_deref()
            .map(|n| self.policy_expr(&q, n))
            .transpose()?;
        let roles = if s.roles.is_empty() {
            None
        } else {
            Some(Self::policy_roles(&s.roles)?)
        };
        let p = self.cat.policies.get_mut(&key).expect("checked");
        if let Some(r) = roles {
            p.roles = r;
        }
        if using.is_some() {
            p.using = using;
        }
        if with_check.is_some() {
            p.with_check = with_check;
        }
        Ok(())
    }

    /// `names` of a policy in `DROP`/`COMMENT`: `[schema.]table.policy`.
    fn policy_key(&self, names: &[String]) -> R<(QualName, String)> {
        if names.len() < 2 {
            return err(-1, "policy name must be followed by ON table");
        }
        let (tn, p) = names.split_at(names.len() - 1);
        let q = self.find_table_names(tn, -1)?;
        Ok((q, p[0].clone()))
    }

    pub(super) fn is_policy_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectPolicy as i32
    }

    pub(super) fn drop_policy(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let names = match o.node.as_ref() {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => return err(-1, "expected a policy name"),
            };
            let key = match self.policy_key(&names) {
                Ok(k) => k,
                Err(_) if s.missing_ok => continue,
                Err(e) => return Err(e),
            };
            if self.cat.policies.remove(&key).is_none() && !s.missing_ok {
                return err(
                    -1,
                    format!(
                        "policy \"{}\" for table \"{}\" does not exist",
                        key.1, key.0.name
                    ),
                );
            }
        }
        Ok(())
    }

    pub(super) fn is_policy_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectPolicy as i32
    }

    pub(super) fn policy_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let names = match s.object.as_deref().and_then(|o| o.node.as_ref()) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            _ => return err(-1, "expected a policy name"),
        };
        let key = self.policy_key(&names)?;
        let text = (!s.comment.is_empty()).then(|| s.comment.clone());
        match self.cat.policies.get_mut(&key) {
            Some(p) => {
                p.comment = text;
                Ok(())
            }
            None => err(
                -1,
                format!(
                    "policy \"{}\" for table \"{}\" does not exist",
                    key.1, key.0.name
                ),
            ),
        }
    }

    // -----------------------------------------------------------------------------------
    // Privileges

    /// The objects a `GRANT`/`REVOKE` names (without column lists).
    fn grant_objects(&self, s: &protobuf::GrantStmt) -> R<Vec<ObjectId>> {
        let objtype = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
        let target = GrantTargetType::try_from(s.targtype).unwrap_or(GrantTargetType::Undefined);
        let mut out = Vec::new();
        if target == GrantTargetType::AclTargetAllInSchema {
            for o in &s.objects {
                let schema = sval(o).unwrap_or_default().to_string();
                if !self.schema_exists(&schema) {
                    return err(node_loc(o), format!("schema \"{schema}\" does not exist"));
                }
                match objtype {
                    ObjectType::ObjectTable => {
                        for q in self.cat.tables.keys().filter(|q| q.schema == schema) {
                            out.push(ObjectId::Table { name: q.clone() });
                        }
                        for q in self.cat.views.keys().filter(|q| q.schema == schema) {
                            out.push(ObjectId::View { name: q.clone() });
                        }
                    }
                    ObjectType::ObjectSequence => {
                        for q in self.cat.sequences.keys().filter(|q| q.schema == schema) {
                            out.push(ObjectId::Sequence { name: q.clone() });
                        }
                    }
                    ObjectType::ObjectFunction
                    | ObjectType::ObjectProcedure
                    | ObjectType::ObjectRoutine => {
                        for f in self
                            .cat
                            .functions
                            .values()
                            .filter(|f| f.name.schema == schema)
                        {
                            let is_proc = f.kind == RoutineKind::Procedure;
                            let take = match objtype {
                                ObjectType::ObjectFunction => !is_proc,
                                ObjectType::ObjectProcedure => is_proc,
                                _ => true,
                            };
                            if take {
                                out.push(f.id());
                            }
                        }
                    }
                    _ => return err(-1, "unsupported GRANT/REVOKE ON ALL … IN SCHEMA"),
                }
            }
            return Ok(out);
        }
        if target != GrantTargetType::AclTargetObject {
            return err(-1, "unsupported GRANT/REVOKE target");
        }
        for o in &s.objects {
            let loc = node_loc(o);
            match objtype {
                ObjectType::ObjectTable => {
                    let Some(NodeEnum::RangeVar(rv)) = o.node.as_ref() else {
                        return err(loc, "expected a table name");
                    };
                    if let Ok(q) = self.find_table(rv) {
                        out.push(ObjectId::Table { name: q });
                    } else if let Some(q) =
                        self.lookup(&rv.schemaname, &rv.relname, &self.cat.views)
                    {
                        out.push(ObjectId::View { name: q });
                    } else if let Some(q) =
                        self.lookup(&rv.schemaname, &rv.relname, &self.cat.sequences)
                    {
                        // GRANT … ON TABLE works on sequences too.
                        out.push(ObjectId::Sequence { name: q });
                    } else {
                        return err(
                            loc,
                            format!("relation \"{}\" does not exist", rv_display(rv)),
                        );
                    }
                }
                ObjectType::ObjectSequence => {
                    let Some(NodeEnum::RangeVar(rv)) = o.node.as_ref() else {
                        return err(loc, "expected a sequence name");
                    };
                    let names: Vec<String> = [rv.schemaname.clone(), rv.relname.clone()]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect();
                    let q = self.find_sequence_names(&names, rv.location)?;
                    out.push(ObjectId::Sequence { name: q });
                }
                ObjectType::ObjectSchema => {
                    let name = sval(o).unwrap_or_default().to_string();
                    if !self.schema_exists(&name) {
                        return err(loc, format!("schema \"{name}\" does not exist"));
                    }
                    out.push(ObjectId::Schema { name });
                }
                ObjectType::ObjectType | ObjectType::ObjectDomain => {
                    let names = match o.node.as_ref() {
                        Some(NodeEnum::TypeName(tn)) => types::type_names(tn),
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        _ => vec![],
                    };
                    let q = self.enum_by_names(&names, loc)?;
                    out.push(ObjectId::Type { name: q });
                }
                ObjectType::ObjectFunction
                | ObjectType::ObjectProcedure
                | ObjectType::ObjectRoutine => {
                    let Some(NodeEnum::ObjectWithArgs(owa)) = o.node.as_ref() else {
                        return err(loc, "expected a function name");
                    };
                    out.push(self.grant_function(owa)?);
                }
                ObjectType::ObjectFdw | ObjectType::ObjectForeignServer => {
                    let name = sval(o).unwrap_or_default().to_string();
                    let (id, known, what) = if objtype == ObjectType::ObjectFdw {
                        (
                            ObjectId::ForeignDataWrapper { name: name.clone() },
                            self.cat.foreign_data_wrappers.contains_key(&name),
                            "foreign-data wrapper",
                        )
                    } else {
                        (
                            ObjectId::ForeignServer { name: name.clone() },
                            self.cat.foreign_servers.contains_key(&name),
                            "server",
                        )
                    };
                    if known {
                        out.push(id);
                    } else if objtype == ObjectType::ObjectFdw && !self.cat.extensions.is_empty()
                    {
                        // A wrapper an extension of the files creates (postgres_fdw): not
                        // in the model, nor are its privileges (as introspection skips
                        // extension members).
                    } else {
                        return err(loc, format!("{what} \"{name}\" does not exist"));
                    }
                }
                _ => {
                    return err(
                        -1,
                        "unsupported statement: GRANT/REVOKE on this kind of object (shale models privileges on schemas, tables, views, columns, sequences, enum types, functions, foreign-data wrappers and foreign servers)",
                    )
                }
            }
        }
        Ok(out)
    }

    /// The function (or procedure) `GRANT … ON FUNCTION name(args)` names.
    fn grant_function(&self, owa: &protobuf::ObjectWithArgs) -> R<ObjectId> {
        let names = strings(&owa.objname);
        let (schema, name) = match names.as_slice() {
            [n] => (None, n.clone()),
            [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
            _ => return err(-1, "improper function name"),
        };
        let schemas = match &schema {
            Some(s) => vec![s.clone()],
            None => self.path(),
        };
        let candidates: Vec<&shale_model::Function> = schemas
            .iter()
            .flat_map(|s| {
                let q = QualName::new(s.clone(), name.clone());
                self.cat.functions.values().filter(move |f| f.name == q)
            })
            .collect();
        if owa.args_unspecified {
            return match candidates.as_slice() {
                [f] => Ok(f.id()),
                [] => err(-1, format!("function {name} does not exist")),
                _ => err(
                    -1,
                    format!("function name \"{name}\" is not unique (name its argument types)"),
                ),
            };
        }
        // Input argument types, spelled as the model spells them (no modifiers).
        let mut tns: Vec<&protobuf::TypeName> = Vec::new();
        if !owa.objfuncargs.is_empty() {
            for a in &owa.objfuncargs {
                if let Some(NodeEnum::FunctionParameter(p)) = a.node.as_ref() {
                    use pg_query::protobuf::FunctionParameterMode as M;
                    let mode = M::try_from(p.mode).unwrap_or(M::FuncParamDefault);
                    if matches!(mode, M::FuncParamOut | M::FuncParamTable) {
                        continue;
                    }
                    if let Some(t) = &p.arg_type {
                        tns.push(t);
                    }
                }
            }
        } else {
            for a in &owa.objargs {
                if let Some(NodeEnum::TypeName(t)) = a.node.as_ref() {
                    tns.push(t);
                }
            }
        }
        let first = first_schema(&self.path());
        let mut args = Vec::new();
        for tn in tns {
            let mut user = |s: Option<&str>, n: &str| {
                self.resolve_user_type(s, n)
                    .or_else(|_| Ok(QualName::new(s.unwrap_or(&first), n)))
            };
            let mut t = types::type_from_typename(tn, &mut user).map_err(at(tn.location))?;
            if t.schema.is_none() {
                let base = types::base_name(&t.name);
                t.name = if base == "bpchar" {
                    "character".into()
                } else if base.starts_with("interval") {
                    "interval".into()
                } else {
                    base
                };
            }
            args.push(t.to_string());
        }
        let args = args.join(", ");
        candidates
            .iter()
            .find(|f| f.identity_args() == args)
            .map(|f| f.id())
            .ok_or_else(|| E {
                loc: -1,
                msg: format!("function {name}({args}) does not exist"),
            })
    }

    /// `GRANT` / `REVOKE` on objects.
    pub(super) fn grant(&mut self, s: &protobuf::GrantStmt) -> R<()> {
        let objects = self.grant_objects(s)?;
        let grantees: Vec<String> = s.grantees.iter().map(Self::role_name).collect::<R<_>>()?;
        // (privilege or None for ALL, columns)
        let mut privs: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for p in &s.privileges {
            let Some(NodeEnum::AccessPriv(a)) = p.node.as_ref() else {
                return err(-1, "expected a privilege");
            };
            let name = if a.priv_name.is_empty() {
                None
            } else {
                Some(a.priv_name.to_ascii_uppercase())
            };
            privs.push((name, strings(&a.cols)));
        }
        if privs.is_empty() {
            privs.push((None, vec![]));
        }
        for object in &objects {
            for (priv_name, cols) in &privs {
                let targets: Vec<ObjectId> = if cols.is_empty() {
                    vec![object.clone()]
                } else {
                    let table = match object {
                        ObjectId::Table { name } | ObjectId::View { name } => name.clone(),
                        _ => return err(-1, "column privileges are only valid for relations"),
                    };
                    let mut v = Vec::new();
                    for c in cols {
                        let id = ObjectId::Column {
                            table: table.clone(),
                            column: c.clone(),
                        };
                        if !self.cat.acl_object_exists(&id) {
                            return err(
                                -1,
                                format!(
                                    "column \"{c}\" of relation \"{}\" does not exist",
                                    table.name
                                ),
                            );
                        }
                        v.push(id);
                    }
                    v
                };
                for target in targets {
                    let allowed = all_privileges(&target);
                    let names: Vec<&str> = match priv_name {
                        None => allowed.to_vec(),
                        Some(p) => {
                            if !allowed.contains(&p.as_str()) {
                                return err(
                                    -1,
                                    format!("invalid privilege type {p} for {}", target.kind()),
                                );
                            }
                            vec![p.as_str()]
                        }
                    };
                    self.apply_grant(&target, &names, &grantees, s.is_grant, s.grant_option);
                    // REVOKE on a table revokes the same privileges on its columns.
                    if !s.is_grant {
                        if let ObjectId::Table { name } | ObjectId::View { name } = &target {
                            let cols: Vec<ObjectId> = self
                                .cat
                                .privileges
                                .keys()
                                .filter(|k| matches!(k, ObjectId::Column { table, .. } if table == name))
                                .cloned()
                                .collect();
                            for c in cols {
                                self.apply_grant(&c, &names, &grantees, false, s.grant_option);
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn apply_grant(
        &mut self,
        target: &ObjectId,
        privs: &[&str],
        grantees: &[String],
        is_grant: bool,
        option: bool,
    ) {
        let mut set = self.cat.grants_on(target);
        for g in grantees {
            for p in privs {
                let plain = Grant::new(g, p, false);
                let with = Grant::new(g, p, true);
                if is_grant {
                    if option {
                        set.remove(&plain);
                        set.insert(with);
                    } else if !set.contains(&with) {
                        set.insert(plain);
                    }
                } else if option {
                    // REVOKE GRANT OPTION FOR: keeps the privilege.
                    if set.remove(&with) {
                        set.insert(plain);
                    }
                } else {
                    set.remove(&plain);
                    set.remove(&with);
                }
            }
        }
        self.cat.set_grants(target.clone(), set);
    }

    /// Policies and privileges of objects that no longer exist go with them.
    pub(super) fn prune_security(&mut self) {
        let cat = &self.cat;
        let keep_p: Vec<_> = cat
            .policies
            .keys()
            .filter(|(t, _)| cat.tables.contains_key(t))
            .cloned()
            .collect();
        let keep_a: Vec<_> = cat
            .privileges
            .keys()
            .filter(|o| cat.acl_object_exists(o))
            .cloned()
            .collect();
        self.cat.policies.retain(|k, _| keep_p.contains(k));
        let schemas: Vec<String> = self.cat.schemas.keys().cloned().collect();
        self.cat
            .default_privileges
            .retain(|k, _| k.1.as_ref().is_none_or(|s| schemas.contains(s)));
        self.cat.privileges.retain(|k, _| keep_a.contains(k));
    }

    // -----------------------------------------------------------------------------------
    // Default privileges

    /// Objects that can hold privileges and take default privileges when created.
    fn acl_objects(&self) -> BTreeSet<ObjectId> {
        let c = &self.cat;
        let mut out = BTreeSet::new();
        out.extend(
            c.schemas
                .keys()
                .map(|n| ObjectId::Schema { name: n.clone() }),
        );
        out.extend(c.tables.keys().map(|n| ObjectId::Table { name: n.clone() }));
        out.extend(c.views.keys().map(|n| ObjectId::View { name: n.clone() }));
        out.extend(
            c.sequences
                .keys()
                .map(|n| ObjectId::Sequence { name: n.clone() }),
        );
        out.extend(c.enums.keys().map(|n| ObjectId::Type { name: n.clone() }));
        out.extend(c.functions.values().map(|f| f.id()));
        out
    }

    /// Whether a statement may add (create, rename, move) an object that takes default
    /// privileges. The others (indexes, comments, grants, triggers, policies, `ALTER
    /// TABLE`s that only add constraints or set column properties) skip
    /// [`Self::after_statement_security`], which compares every object of the schema and
    /// so would make reading quadratic once an `ALTER DEFAULT PRIVILEGES` ran.
    pub(super) fn may_add_acl_object(n: &NodeEnum) -> bool {
        use AlterTableType as A;
        match n {
            NodeEnum::IndexStmt(_)
            | NodeEnum::CommentStmt(_)
            | NodeEnum::GrantStmt(_)
            | NodeEnum::GrantRoleStmt(_)
            | NodeEnum::AlterDefaultPrivilegesStmt(_)
            | NodeEnum::CreateTrigStmt(_)
            | NodeEnum::CreatePolicyStmt(_)
            | NodeEnum::AlterPolicyStmt(_)
            | NodeEnum::VariableSetStmt(_) => false,
            NodeEnum::AlterTableStmt(s) => !s.cmds.iter().all(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c)) => [
                    A::AtAddConstraint,
                    A::AtValidateConstraint,
                    A::AtSetNotNull,
                    A::AtDropNotNull,
                    A::AtColumnDefault,
                    A::AtEnableRowSecurity,
                    A::AtDisableRowSecurity,
                    A::AtForceRowSecurity,
                    A::AtNoForceRowSecurity,
                    A::AtClusterOn,
                    A::AtSetStatistics,
                    A::AtReplicaIdentity,
                ]
                .iter()
                .any(|t| *t as i32 == c.subtype),
                _ => false,
            }),
            _ => true,
        }
    }

    /// After each statement: objects it created start with the default privileges in force
    /// (only once some `ALTER DEFAULT PRIVILEGES` ran).
    pub(super) fn after_statement_security(&mut self) {
        let Some(seen) = self.security.seen.take() else {
            return;
        };
        let now = self.acl_objects();
        for o in now.difference(&seen) {
            let g = self.cat.new_object_grants(o);
            self.cat.set_grants(o.clone(), g);
        }
        self.security.seen = Some(now);
    }

    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE …] [IN SCHEMA …] GRANT|REVOKE …`.
    pub(super) fn alter_default_privileges(
        &mut self,
        s: &protobuf::AlterDefaultPrivilegesStmt,
    ) -> R<()> {
        let mut roles: Vec<Option<String>> = Vec::new();
        let mut schemas: Vec<Option<String>> = Vec::new();
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            let items: Vec<Node> = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => l.items.clone(),
                _ => vec![],
            };
            match d.defname.as_str() {
                "roles" => {
                    for r in &items {
                        let name = Self::role_name(r)?;
                        if name == PUBLIC {
                            return err(d.location, "FOR ROLE PUBLIC is not allowed");
                        }
                        roles.push(Some(name));
                    }
                }
                "schemas" => {
                    for n in &items {
                        let name = sval(n).unwrap_or_default().to_string();
                        if !self.schema_exists(&name) {
                            return err(d.location, format!("schema \"{name}\" does not exist"));
                        }
                        schemas.push(Some(name));
                    }
                }
                other => return err(d.location, format!("unrecognized option \"{other}\"")),
            }
        }
        if roles.is_empty() {
            roles.push(None);
        }
        if schemas.is_empty() {
            schemas.push(None);
        }
        let g = s.action.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing GRANT or REVOKE".into(),
        })?;
        let objects = match ObjectType::try_from(g.objtype).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectTable => DefaultObjects::Tables,
            ObjectType::ObjectSequence => DefaultObjects::Sequences,
            ObjectType::ObjectFunction | ObjectType::ObjectRoutine => DefaultObjects::Functions,
            ObjectType::ObjectType => DefaultObjects::Types,
            ObjectType::ObjectSchema => DefaultObjects::Schemas,
            _ => return err(-1, "unsupported ALTER DEFAULT PRIVILEGES object kind"),
        };
        if objects == DefaultObjects::Schemas && schemas.iter().any(|s| s.is_some()) {
            return err(
                -1,
                "cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS",
            );
        }
        let grantees: Vec<String> = g.grantees.iter().map(Self::role_name).collect::<R<_>>()?;
        let allowed = all_privileges(&objects.sample());
        let mut privs: Vec<&str> = Vec::new();
        for p in &g.privileges {
            let Some(NodeEnum::AccessPriv(a)) = p.node.as_ref() else {
                return err(-1, "expected a privilege");
            };
            if !a.cols.is_empty() {
                return err(-1, "default privileges cannot be set for columns");
            }
            let name = a.priv_name.to_ascii_uppercase();
            match allowed.iter().find(|x| **x == name) {
                Some(x) => privs.push(x),
                None => {
                    return err(
                        -1,
                        format!("invalid privilege type {name} for {}", objects.sql()),
                    )
                }
            }
        }
        if privs.is_empty() {
            privs = allowed.to_vec();
        }
        for role in &roles {
            for schema in &schemas {
                let key: DefaultKey = (role.clone(), schema.clone(), objects);
                let mut set = self.cat.default_grants(&key);
                for gr in &grantees {
                    for p in &privs {
                        let plain = Grant::new(gr, p, false);
                        let with = Grant::new(gr, p, true);
                        if g.is_grant {
                            if g.grant_option {
                                set.remove(&plain);
                                set.insert(with);
                            } else if !set.contains(&with) {
                                set.insert(plain);
                            }
                        } else if g.grant_option {
                            if set.remove(&with) {
                                set.insert(plain);
                            }
                        } else {
                            set.remove(&plain);
                            set.remove(&with);
                        }
                    }
                }
                self.cat.set_default_grants(key, set);
            }
        }
        if self.security.seen.is_none() {
            self.security.seen = Some(self.acl_objects());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Owners (opt-in)

fn owner_name(r: Option<&protobuf::RoleSpec>) -> Option<String> {
    let r = r?;
    (RoleSpecType::try_from(r.roletype).ok()? == RoleSpecType::RolespecCstring)
        .then(|| r.rolename.clone())
}

/// Fill `cat.owners` from the `OWNER TO` clauses of `files` (`ALTER TABLE/SEQUENCE/VIEW/
/// SCHEMA/TYPE/FUNCTION … OWNER TO`, `CREATE SCHEMA … AUTHORIZATION`), for objects `cat`
/// (the model of the same files) holds. Only for `--include owners`: by default owners are
/// not part of the model. Unqualified names are looked up through the search path each
/// file sets (`SET search_path`, pg_dump's `set_config`), as the files are read; an owner
/// clause for an overloaded function without argument types, or naming `CURRENT_USER`, is
/// skipped.
pub fn read_owners(files: &[SourceFile], cat: &mut Catalog) -> Result<(), SqlError> {
    crate::deep::deep(|| {
        for f in files {
            let text = blank_meta_commands(&f.text).unwrap_or_else(|_| f.text.clone());
            let parsed = pg_query::parse(&text, 0).map_err(|e| SqlError {
                file: f.path.clone(),
                line: 1,
                column: 1,
                message: e.to_string(),
                snippet: String::new(),
            })?;
            let mut path = super::default_search_path();
            for raw in parsed.protobuf.stmts {
                let Some(node) = raw.stmt.and_then(|s| s.node) else {
                    continue;
                };
                // A malformed search path was reported when the files were read.
                let set = match &node {
                    NodeEnum::VariableSetStmt(s) => super::search_path_set(s).ok().flatten(),
                    NodeEnum::SelectStmt(s) => super::set_config_call(s).ok().flatten().flatten(),
                    _ => None,
                };
                if let Some(p) = set {
                    path = p;
                    continue;
                }
                let names = Names { cat, path: &path };
                if let Some((object, owner)) = owner_clause(&node, &names) {
                    if cat.acl_object_exists(&object) {
                        cat.owners.insert(object, owner);
                    }
                }
            }
        }
        Ok(())
    })
}

/// Name resolution for owner clauses: the catalog and the search path in force.
struct Names<'a> {
    cat: &'a Catalog,
    path: &'a [String],
}

impl Names<'_> {
    /// The schemas an unqualified name is looked up in (those of the path that exist), or
    /// the one given.
    fn schemas<'s>(&'s self, schema: &'s str) -> Vec<&'s str> {
        if schema.is_empty() {
            self.path
                .iter()
                .map(String::as_str)
                .filter(|s| self.cat.schemas.contains_key(*s) || *s == "public")
                .collect()
        } else {
            vec![schema]
        }
    }

    fn relation_id(&self, schema: &str, name: &str) -> Option<ObjectId> {
        self.schemas(schema).into_iter().find_map(|sch| {
            let q = QualName::new(sch, name);
            if self.cat.tables.contains_key(&q) {
                Some(ObjectId::Table { name: q })
            } else if self.cat.views.contains_key(&q) {
                Some(ObjectId::View { name: q })
            } else if self.cat.sequences.contains_key(&q) {
                Some(ObjectId::Sequence { name: q })
            } else {
                None
            }
        })
    }

    /// A qualified name as written, or the first schema of the path where `exists`.
    fn qual(&self, names: &[String], exists: impl Fn(&QualName) -> bool) -> Option<QualName> {
        match names {
            [n] => self
                .schemas("")
                .into_iter()
                .map(|s| QualName::new(s, n.clone()))
                .find(|q| exists(q)),
            [s, n] | [_, s, n] => Some(QualName::new(s.clone(), n.clone())),
            _ => None,
        }
    }
}

fn owner_clause(node: &NodeEnum, names: &Names) -> Option<(ObjectId, String)> {
    let cat = names.cat;
    match node {
        NodeEnum::AlterTableStmt(s) => {
            let owner = s.cmds.iter().find_map(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c))
                    if c.subtype == AlterTableType::AtChangeOwner as i32 =>
                {
                    owner_name(c.newowner.as_ref())
                }
                _ => None,
            })?;
            let rv = s.relation.as_ref()?;
            Some((names.relation_id(&rv.schemaname, &rv.relname)?, owner))
        }
        NodeEnum::CreateSchemaStmt(s) => Some((
            ObjectId::Schema {
                name: s.schemaname.clone(),
            },
            owner_name(s.authrole.as_ref())?,
        )),
        NodeEnum::AlterOwnerStmt(s) => {
            let owner = owner_name(s.newowner.as_ref())?;
            let obj = s.object.as_deref().and_then(|o| o.node.as_ref());
            let id = match ObjectType::try_from(s.object_type).ok()? {
                ObjectType::ObjectSchema => ObjectId::Schema {
                    name: match obj {
                        Some(NodeEnum::String(x)) => x.sval.clone(),
                        _ => return None,
                    },
                },
                ObjectType::ObjectType | ObjectType::ObjectDomain => {
                    let type_names = match obj {
                        Some(NodeEnum::List(l)) => strings(&l.items),
                        Some(NodeEnum::TypeName(t)) => types::type_names(t),
                        _ => return None,
                    };
                    ObjectId::Type {
                        name: names.qual(&type_names, |q| {
                            cat.acl_object_exists(&ObjectId::Type { name: q.clone() })
                        })?,
                    }
                }
                ObjectType::ObjectFunction
                | ObjectType::ObjectProcedure
                | ObjectType::ObjectRoutine => {
                    let Some(NodeEnum::ObjectWithArgs(owa)) = obj else {
                        return None;
                    };
                    let q = names.qual(&strings(&owa.objname), |q| {
                        cat.functions_named(q).next().is_some()
                    })?;
                    let candidates: Vec<_> = cat.functions_named(&q).collect();
                    match candidates.as_slice() {
                        [f] => f.id(),
                        _ => return None,
                    }
                }
                ObjectType::ObjectTable
                | ObjectType::ObjectSequence
                | ObjectType::ObjectView
                | ObjectType::ObjectMatview => {
                    let rv = s.relation.as_ref()?;
                    names.relation_id(&rv.schemaname, &rv.relname)?
                }
                ObjectType::ObjectTsdictionary => {
                    let Some(NodeEnum::List(l)) = obj else {
                        return None;
                    };
                    ObjectId::TextSearchDictionary {
                        name: names
                            .qual(&strings(&l.items), |q| cat.ts_dictionaries.contains_key(q))?,
                    }
                }
                ObjectType::ObjectTsconfiguration => {
                    let Some(NodeEnum::List(l)) = obj else {
                        return None;
                    };
                    ObjectId::TextSearchConfiguration {
                        name: names.qual(&strings(&l.items), |q| {
                            cat.ts_configurations.contains_key(q)
                        })?,
                    }
                }
                ObjectType::ObjectEventTrigger => ObjectId::EventTrigger {
                    name: match obj {
                        Some(NodeEnum::String(x)) => x.sval.clone(),
                        _ => return None,
                    },
                },
                _ => return None,
            };
            Some((id, owner))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Policy expressions with subqueries

/// Resolves names against a catalog and a search path (for policy subqueries).
struct CatalogResolver<'a> {
    cat: &'a Catalog,
    path: Vec<String>,
}

impl CatalogResolver<'_> {
    fn schemas(&self, schema: Option<&str>) -> Vec<String> {
        match schema {
            Some(s) => vec![s.to_string()],
            None => self.path.clone(),
        }
    }
    fn first(&self, schema: Option<&str>) -> String {
        schema
            .map(str::to_string)
            .unwrap_or_else(|| first_schema(&self.path))
    }
}

impl crate::select::Resolver for CatalogResolver<'_> {
    fn relation(&self, schema: Option<&str>, name: &str) -> Option<crate::select::RelInfo> {
        self.schemas(schema).into_iter().find_map(|s| {
            let q = QualName::new(s, name);
            if let Some(t) = self.cat.tables.get(&q) {
                return Some(crate::select::RelInfo {
                    name: q,
                    columns: t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), Some(c.ty.clone())))
                        .collect(),
                });
            }
            self.cat.views.get(&q).map(|v| crate::select::RelInfo {
                name: q.clone(),
                columns: v.columns.iter().map(|c| (c.clone(), None)).collect(),
            })
        })
    }
    fn function(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        self.schemas(schema).into_iter().find_map(|s| {
            let q = QualName::new(s, name);
            self.cat
                .functions
                .values()
                .any(|f| f.name == q)
                .then_some(q)
        })
    }
    fn sequence(&self, schema: Option<&str>, name: &str) -> QualName {
        self.schemas(schema)
            .into_iter()
            .map(|s| QualName::new(s, name))
            .find(|q| self.cat.sequences.contains_key(q))
            .unwrap_or_else(|| QualName::new(self.first(schema), name))
    }
    fn user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String> {
        Ok(self
            .schemas(schema)
            .into_iter()
            .map(|s| QualName::new(s, name))
            .find(|q| self.cat.enums.contains_key(q) || self.cat.has_ext_type(q))
            .unwrap_or_else(|| QualName::new(self.first(schema), name)))
    }
    fn columns_complete(&self, q: &QualName) -> bool {
        crate::binder::columns_complete(self.cat, q)
    }
}

/// Whether an expression (SQL text) holds a subquery.
pub fn expr_has_subquery(sql: &str) -> bool {
    crate::deep::deep(|| {
        let Ok(n) = normalize::parse_expr(sql) else {
            return false;
        };
        let mut found = false;
        normalize::walk(&n, &mut |e| {
            if matches!(e, NodeEnum::SubLink(_)) {
                found = true;
            }
        });
        found
    })
}

/// Normalize a policy's `USING` / `WITH CHECK` expression that holds a subquery
/// (`EXISTS (SELECT … FROM members …)`): as the condition of a query on its table, with
/// the query normalizer views use, so that the files and `pg_get_expr` meet. Relations
/// read are in `refs`. `search_path`: where unqualified names resolve (empty for the
/// catalog's fully qualified output). Expressions without subqueries go through
/// [`crate::normalize_expr`] like checks.
pub fn normalize_policy_expr(
    sql: &str,
    table: &QualName,
    cat: &Catalog,
    search_path: &[String],
) -> Result<Expr, String> {
    crate::deep::deep(|| {
        let wrapped = format!("SELECT 1 FROM {table} WHERE {sql}");
        let n = crate::select::parse_stmt(&wrapped)?;
        let res = CatalogResolver {
            cat,
            path: if search_path.is_empty() {
                vec!["public".to_string()]
            } else {
                search_path.to_vec()
            },
        };
        let out = crate::select::normalize_query(&Node { node: Some(n) }, &[], &res, None)?;
        // Printable with relations qualified: the condition of the normalized query.
        let printable = out
            .sql
            .split_once(" WHERE ")
            .map(|(_, w)| w.to_string())
            .unwrap_or_else(|| sql.to_string());
        let mut e = Expr::new(printable, out.canon);
        e.refs = out.refs.into_iter().filter(|r| r != table).collect();
        Ok(e)
    })
}
