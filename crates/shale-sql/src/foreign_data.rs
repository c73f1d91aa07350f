//! SQL/MED in the SQL front end: `CREATE/ALTER/DROP FOREIGN DATA WRAPPER`, `SERVER`,
//! `USER MAPPING` and `FOREIGN TABLE`, `COMMENT ON` them, and what `DROP … CASCADE`
//! does to their dependents.
//!
//! This module is a child of `parse` (it extends its `Builder`). Checks follow
//! PostgreSQL's (`commands/foreigncmds.c`) where the files alone can tell. A wrapper an
//! extension creates (`postgres_fdw`) is not in the model: a server naming a wrapper
//! the files do not create is accepted when the files create an extension.

use super::*;
use pg_query::protobuf::{AlterTableType, DefElemAction, RoleSpecType};
use shale_model::{ForeignDataWrapper, ForeignServer, ForeignTable, Options, UserMapping};

/// The user of a user mapping as the model keys it.
fn mapping_user(r: Option<&protobuf::RoleSpec>) -> String {
    match r.map(|r| RoleSpecType::try_from(r.roletype)) {
        Some(Ok(RoleSpecType::RolespecPublic)) => "PUBLIC".into(),
        Some(Ok(RoleSpecType::RolespecCstring)) => {
            r.map(|r| r.rolename.clone()).unwrap_or_default()
        }
        _ => "CURRENT_USER".into(),
    }
}

/// Generic options applied to `o` (`OPTIONS (k 'v')`, or `ADD/SET/DROP` in `ALTER`).
fn apply_options(o: &mut Options, list: &[Node]) -> R<()> {
    for n in list {
        let Some(NodeEnum::DefElem(d)) = n.node.as_ref() else {
            continue;
        };
        let action = DefElemAction::try_from(d.defaction).unwrap_or(DefElemAction::DefelemUnspec);
        match action {
            DefElemAction::DefelemDrop => {
                if o.remove(&d.defname).is_none() {
                    return err(d.location, format!("option \"{}\" not found", d.defname));
                }
            }
            DefElemAction::DefelemSet => {
                if !o.contains_key(&d.defname) {
                    return err(d.location, format!("option \"{}\" not found", d.defname));
                }
                o.insert(d.defname.clone(), def_string(d)?);
            }
            _ => {
                if o.contains_key(&d.defname) {
                    return err(
                        d.location,
                        format!("option \"{}\" provided more than once", d.defname),
                    );
                }
                o.insert(d.defname.clone(), def_string(d)?);
            }
        }
    }
    Ok(())
}

fn node_string(n: Option<&Node>) -> String {
    match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::String(s)) => s.sval.clone(),
        Some(NodeEnum::List(l)) => strings(&l.items).join("."),
        _ => String::new(),
    }
}

impl Builder {
    /// A wrapper's handler or validator function: one of the files (with the arguments
    /// PostgreSQL requires), or one of an extension installed in the schema named (or on
    /// the search path).
    fn fdw_function(&self, names: &[String], args: &str, loc: i32) -> R<QualName> {
        let (schema, name) = match names {
            [n] => (None, n.clone()),
            [s, n] | [_, s, n] => (Some(s.clone()), n.clone()),
            _ => return err(loc, "improper function name"),
        };
        let schemas = match &schema {
            Some(s) => vec![s.clone()],
            None => self.path(),
        };
        for s in &schemas {
            let q = QualName::new(s.clone(), name.clone());
            if self.cat.functions.contains_key(&format!("{q}({args})")) {
                return Ok(q);
            }
            if self.cat.extensions.values().any(|e| &e.schema == s) {
                return Ok(q);
            }
        }
        err(
            loc,
            format!("function {}({args}) does not exist", names.join(".")),
        )
    }

    /// `HANDLER f | NO HANDLER`, `VALIDATOR f | NO VALIDATOR` applied to `w`.
    fn fdw_functions(&self, w: &mut ForeignDataWrapper, list: &[Node]) -> R<()> {
        for n in list {
            let Some(NodeEnum::DefElem(d)) = n.node.as_ref() else {
                continue;
            };
            let names = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => Vec::new(),
            };
            let f = if names.is_empty() {
                None
            } else {
                let args = if d.defname == "handler" {
                    ""
                } else {
                    "text[], oid"
                };
                Some(self.fdw_function(&names, args, d.location)?)
            };
            match d.defname.as_str() {
                "handler" => w.handler = f,
                "validator" => w.validator = f,
                other => return err(d.location, format!("unrecognized option \"{other}\"")),
            }
        }
        Ok(())
    }

    pub(super) fn create_fdw(&mut self, s: &protobuf::CreateFdwStmt) -> R<()> {
        if self.cat.foreign_data_wrappers.contains_key(&s.fdwname) {
            return err(
                -1,
                format!("foreign-data wrapper \"{}\" already exists", s.fdwname),
            );
        }
        let mut w = ForeignDataWrapper {
            name: s.fdwname.clone(),
            handler: None,
            validator: None,
            options: Options::new(),
            comment: None,
        };
        self.fdw_functions(&mut w, &s.func_options)?;
        apply_options(&mut w.options, &s.options)?;
        self.cat.foreign_data_wrappers.insert(w.name.clone(), w);
        Ok(())
    }

    pub(super) fn alter_fdw(&mut self, s: &protobuf::AlterFdwStmt) -> R<()> {
        let mut w = self
            .cat
            .foreign_data_wrappers
            .get(&s.fdwname)
            .cloned()
            .ok_or_else(|| {
                at(-1)(format!(
                    "foreign-data wrapper \"{}\" does not exist",
                    s.fdwname
                ))
            })?;
        self.fdw_functions(&mut w, &s.func_options)?;
        apply_options(&mut w.options, &s.options)?;
        self.cat.foreign_data_wrappers.insert(w.name.clone(), w);
        Ok(())
    }

    /// Whether a wrapper of that name can be used: one of the files, or (unknown to the
    /// model) one an extension of the files may create.
    fn wrapper_known(&self, name: &str) -> bool {
        self.cat.foreign_data_wrappers.contains_key(name) || !self.cat.extensions.is_empty()
    }

    pub(super) fn create_server(&mut self, s: &protobuf::CreateForeignServerStmt) -> R<()> {
        if self.cat.foreign_servers.contains_key(&s.servername) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(-1, format!("server \"{}\" already exists", s.servername));
        }
        if !self.wrapper_known(&s.fdwname) {
            return err(
                -1,
                format!("foreign-data wrapper \"{}\" does not exist", s.fdwname),
            );
        }
        let mut srv = ForeignServer {
            name: s.servername.clone(),
            wrapper: s.fdwname.clone(),
            server_type: (!s.servertype.is_empty()).then(|| s.servertype.clone()),
            version: (!s.version.is_empty()).then(|| s.version.clone()),
            options: Options::new(),
            comment: None,
        };
        apply_options(&mut srv.options, &s.options)?;
        self.cat.foreign_servers.insert(srv.name.clone(), srv);
        Ok(())
    }

    pub(super) fn alter_server(&mut self, s: &protobuf::AlterForeignServerStmt) -> R<()> {
        let srv = self
            .cat
            .foreign_servers
            .get_mut(&s.servername)
            .ok_or_else(|| at(-1)(format!("server \"{}\" does not exist", s.servername)))?;
        if s.has_version {
            srv.version = (!s.version.is_empty()).then(|| s.version.clone());
        }
        apply_options(&mut srv.options, &s.options)
    }

    pub(super) fn create_user_mapping(&mut self, s: &protobuf::CreateUserMappingStmt) -> R<()> {
        if !self.cat.foreign_servers.contains_key(&s.servername) {
            return err(-1, format!("server \"{}\" does not exist", s.servername));
        }
        let user = mapping_user(s.user.as_ref());
        let key = (s.servername.clone(), user.clone());
        if self.cat.user_mappings.contains_key(&key) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(
                -1,
                format!(
                    "user mapping for \"{user}\" already exists for server \"{}\"",
                    s.servername
                ),
            );
        }
        let mut m = UserMapping {
            server: s.servername.clone(),
            user,
            options: Options::new(),
        };
        apply_options(&mut m.options, &s.options)?;
        self.cat.user_mappings.insert(key, m);
        Ok(())
    }

    pub(super) fn alter_user_mapping(&mut self, s: &protobuf::AlterUserMappingStmt) -> R<()> {
        let user = mapping_user(s.user.as_ref());
        let m = self
            .cat
            .user_mappings
            .get_mut(&(s.servername.clone(), user.clone()))
            .ok_or_else(|| {
                at(-1)(format!(
                    "user mapping for \"{user}\" does not exist for server \"{}\"",
                    s.servername
                ))
            })?;
        apply_options(&mut m.options, &s.options)
    }

    pub(super) fn drop_user_mapping(&mut self, s: &protobuf::DropUserMappingStmt) -> R<()> {
        let user = mapping_user(s.user.as_ref());
        if self
            .cat
            .user_mappings
            .remove(&(s.servername.clone(), user.clone()))
            .is_none()
            && !s.missing_ok
        {
            return err(
                -1,
                format!(
                    "user mapping for \"{user}\" does not exist for server \"{}\"",
                    s.servername
                ),
            );
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Foreign tables

    /// A column of a foreign table: type, options, collation, `NULL`/`NOT NULL`, default.
    fn foreign_column(&self, cd: &protobuf::ColumnDef, t: &mut ForeignTable) -> R<()> {
        if t.column(&cd.colname).is_some() {
            return err(
                cd.location,
                format!("column \"{}\" specified more than once", cd.colname),
            );
        }
        let tn = cd
            .type_name
            .as_ref()
            .ok_or_else(|| at(cd.location)(format!("column \"{}\" has no type", cd.colname)))?;
        if types::serial_type(tn).is_some() {
            return unsupported(cd.location, "serial columns of a foreign table");
        }
        let mut col = Column::new(cd.colname.clone(), self.resolve_type(tn)?);
        if let Some(cc) = cd.coll_clause.as_ref() {
            col.collation = self.collation(&cc.collname, cc.location)?;
        }
        let mut default = None;
        for n in &cd.constraints {
            let Some(NodeEnum::Constraint(c)) = n.node.as_ref() else {
                continue;
            };
            match contype(c) {
                ConstrType::ConstrNull => col.not_null = false,
                ConstrType::ConstrNotnull => col.not_null = true,
                ConstrType::ConstrDefault => default = c.raw_expr.as_deref().cloned(),
                _ => {
                    return unsupported(
                        c.location,
                        "constraints other than NOT NULL and DEFAULT on a foreign table's column",
                    )
                }
            }
        }
        let mut o = Options::new();
        apply_options(&mut o, &cd.fdwoptions)?;
        if !o.is_empty() {
            t.column_options.insert(col.name.clone(), o);
        }
        t.columns.push(col);
        if let Some(d) = default {
            let ty = t.columns.last().map(|c| c.ty.clone());
            let e = self.norm_expr(&d, &t.columns, ty.as_ref(), Self::node_location(&d))?;
            if let Some(c) = t.columns.last_mut() {
                c.default = Some(e);
            }
        }
        Ok(())
    }

    pub(super) fn create_foreign_table(&mut self, s: &protobuf::CreateForeignTableStmt) -> R<()> {
        let Some(base) = s.base_stmt.as_ref() else {
            return err(-1, "missing table definition");
        };
        let rv = base
            .relation
            .as_ref()
            .ok_or_else(|| at(-1)("missing table name".to_string()))?;
        if !base.inh_relations.is_empty() || base.partbound.is_some() {
            return unsupported(-1, "CREATE FOREIGN TABLE … INHERITS / PARTITION OF");
        }
        let q = self.range_var_target(rv)?;
        if self.relation_taken(&q.schema, &q.name) || self.cat.foreign_tables.contains_key(&q) {
            if base.if_not_exists && self.cat.foreign_tables.contains_key(&q) {
                return Ok(());
            }
            return err(
                rv.location,
                format!("relation \"{}\" already exists", q.name),
            );
        }
        if !self.cat.foreign_servers.contains_key(&s.servername) {
            return err(-1, format!("server \"{}\" does not exist", s.servername));
        }
        let mut t = ForeignTable {
            name: q.clone(),
            server: s.servername.clone(),
            columns: Vec::new(),
            column_options: BTreeMap::new(),
            options: Options::new(),
            comment: None,
        };
        for elt in &base.table_elts {
            match elt.node.as_ref() {
                Some(NodeEnum::ColumnDef(cd)) => self.foreign_column(cd, &mut t)?,
                _ => return unsupported(-1, "table constraints on a foreign table (CHECK, LIKE)"),
            }
        }
        if !base.constraints.is_empty() {
            return unsupported(-1, "table constraints on a foreign table");
        }
        apply_options(&mut t.options, &s.options)?;
        self.cat.foreign_tables.insert(q, t);
        Ok(())
    }

    /// The foreign table an `ALTER TABLE`/`ALTER FOREIGN TABLE` names, if it is one.
    pub(super) fn foreign_alter_target(&self, s: &protobuf::AlterTableStmt) -> Option<QualName> {
        if self.cat.foreign_tables.is_empty() {
            return None;
        }
        let rv = s.relation.as_ref()?;
        self.lookup(&rv.schemaname, &rv.relname, &self.cat.foreign_tables)
    }

    pub(super) fn alter_foreign_table(
        &mut self,
        q: &QualName,
        s: &protobuf::AlterTableStmt,
    ) -> R<()> {
        let mut t = self.cat.foreign_tables[q].clone();
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(c)) = cmd.node.as_ref() else {
                continue;
            };
            let kind = AlterTableType::try_from(c.subtype).unwrap_or(AlterTableType::Undefined);
            let col_missing = |name: &str| {
                at(-1)(format!(
                    "column \"{name}\" of relation \"{}\" does not exist",
                    q.name
                ))
            };
            match kind {
                AlterTableType::AtAddColumn => {
                    let Some(NodeEnum::ColumnDef(cd)) = c.def.as_deref().and_then(|d| d.node.as_ref())
                    else {
                        return err(-1, "ADD COLUMN needs a column definition");
                    };
                    if c.missing_ok && t.column(&cd.colname).is_some() {
                        continue;
                    }
                    self.foreign_column(cd, &mut t)?;
                }
                AlterTableType::AtDropColumn => {
                    if t.column(&c.name).is_none() {
                        if c.missing_ok {
                            continue;
                        }
                        return Err(col_missing(&c.name));
                    }
                    t.columns.retain(|x| x.name != c.name);
                    t.column_options.remove(&c.name);
                }
                AlterTableType::AtSetNotNull | AlterTableType::AtDropNotNull => {
                    let on = kind == AlterTableType::AtSetNotNull;
                    let col = t
                        .columns
                        .iter_mut()
                        .find(|x| x.name == c.name)
                        .ok_or_else(|| col_missing(&c.name))?;
                    col.not_null = on;
                }
                AlterTableType::AtColumnDefault => {
                    let i = t
                        .columns
                        .iter()
                        .position(|x| x.name == c.name)
                        .ok_or_else(|| col_missing(&c.name))?;
                    t.columns[i].default = match c.def.as_deref() {
                        Some(d) => {
                            let ty = t.columns[i].ty.clone();
                            Some(self.norm_expr(d, &t.columns, Some(&ty), Self::node_location(d))?)
                        }
                        None => None,
                    };
                }
                AlterTableType::AtAlterColumnType => {
                    let Some(NodeEnum::ColumnDef(cd)) = c.def.as_deref().and_then(|d| d.node.as_ref())
                    else {
                        return err(-1, "ALTER COLUMN TYPE needs a type");
                    };
                    let tn = cd
                        .type_name
                        .as_ref()
                        .ok_or_else(|| at(-1)("ALTER COLUMN TYPE needs a type".to_string()))?;
                    let ty = self.resolve_type(tn)?;
                    let coll = match cd.coll_clause.as_ref() {
                        Some(cc) => self.collation(&cc.collname, cc.location)?,
                        None => None,
                    };
                    let col = t
                        .columns
                        .iter_mut()
                        .find(|x| x.name == c.name)
                        .ok_or_else(|| col_missing(&c.name))?;
                    col.ty = ty;
                    col.collation = coll;
                }
                AlterTableType::AtAlterColumnGenericOptions => {
                    if t.column(&c.name).is_none() {
                        return Err(col_missing(&c.name));
                    }
                    let list = match c.def.as_deref().and_then(|d| d.node.as_ref()) {
                        Some(NodeEnum::List(l)) => l.items.clone(),
                        _ => Vec::new(),
                    };
                    let o = t.column_options.entry(c.name.clone()).or_default();
                    apply_options(o, &list)?;
                    if o.is_empty() {
                        t.column_options.remove(&c.name);
                    }
                }
                AlterTableType::AtGenericOptions => {
                    let list = match c.def.as_deref().and_then(|d| d.node.as_ref()) {
                        Some(NodeEnum::List(l)) => l.items.clone(),
                        _ => Vec::new(),
                    };
                    apply_options(&mut t.options, &list)?;
                }
                AlterTableType::AtChangeOwner => {}
                _ => {
                    return unsupported(
                        -1,
                        "this ALTER FOREIGN TABLE subcommand (shale models columns, NOT NULL, defaults, types and OPTIONS)",
                    )
                }
            }
        }
        self.cat.foreign_tables.insert(q.clone(), t);
        Ok(())
    }

    pub(super) fn is_foreign_data_comment(&self, s: &protobuf::CommentStmt) -> bool {
        let t = s.objtype;
        t == ObjectType::ObjectFdw as i32
            || t == ObjectType::ObjectForeignServer as i32
            || t == ObjectType::ObjectForeignTable as i32
            || (t == ObjectType::ObjectColumn as i32 && self.foreign_comment_column(s).is_some())
    }

    /// The foreign table and column a `COMMENT ON COLUMN` names, when it is one's.
    fn foreign_comment_column(&self, s: &protobuf::CommentStmt) -> Option<(QualName, String)> {
        let names = match s.object.as_deref().and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::List(l)) => strings(&l.items),
            _ => return None,
        };
        let (schema, table, column) = match names.as_slice() {
            [t, c] => ("", t.as_str(), c.clone()),
            [s, t, c] | [_, s, t, c] => (s.as_str(), t.as_str(), c.clone()),
            _ => return None,
        };
        let q = self.lookup(schema, table, &self.cat.foreign_tables)?;
        Some((q, column))
    }

    pub(super) fn foreign_data_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        let t = s.objtype;
        if t == ObjectType::ObjectColumn as i32 {
            let (q, column) = self.foreign_comment_column(s).expect("checked");
            let ft = self.cat.foreign_tables.get_mut(&q).expect("found");
            let col = ft
                .columns
                .iter_mut()
                .find(|c| c.name == column)
                .ok_or_else(|| {
                    at(-1)(format!(
                        "column \"{column}\" of relation \"{}\" does not exist",
                        q.name
                    ))
                })?;
            col.comment = comment;
            return Ok(());
        }
        if t == ObjectType::ObjectForeignTable as i32 {
            let names = match s.object.as_deref().and_then(|n| n.node.as_ref()) {
                Some(NodeEnum::List(l)) => strings(&l.items),
                _ => Vec::new(),
            };
            let (schema, name) = match names.as_slice() {
                [n] => ("", n.as_str()),
                [s, n] | [_, s, n] => (s.as_str(), n.as_str()),
                _ => return err(-1, "improper relation name"),
            };
            let q = self
                .lookup(schema, name, &self.cat.foreign_tables)
                .ok_or_else(|| {
                    at(-1)(format!(
                        "foreign table \"{}\" does not exist",
                        names.join(".")
                    ))
                })?;
            self.cat.foreign_tables.get_mut(&q).expect("found").comment = comment;
            return Ok(());
        }
        let name = node_string(s.object.as_deref());
        if t == ObjectType::ObjectFdw as i32 {
            let w = self
                .cat
                .foreign_data_wrappers
                .get_mut(&name)
                .ok_or_else(|| at(-1)(format!("foreign-data wrapper \"{name}\" does not exist")))?;
            w.comment = comment;
        } else {
            let w = self
                .cat
                .foreign_servers
                .get_mut(&name)
                .ok_or_else(|| at(-1)(format!("server \"{name}\" does not exist")))?;
            w.comment = comment;
        }
        Ok(())
    }

    pub(super) fn is_foreign_data_drop(s: &protobuf::DropStmt) -> bool {
        let t = s.remove_type;
        t == ObjectType::ObjectFdw as i32
            || t == ObjectType::ObjectForeignServer as i32
            || t == ObjectType::ObjectForeignTable as i32
    }

    /// `DROP FOREIGN DATA WRAPPER | SERVER | FOREIGN TABLE`, with `CASCADE` taking the
    /// servers, user mappings and foreign tables that depend on what is dropped.
    pub(super) fn drop_foreign_data(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        let t = s.remove_type;
        for o in &s.objects {
            if t == ObjectType::ObjectForeignTable as i32 {
                let names = match o.node.as_ref() {
                    Some(NodeEnum::List(l)) => strings(&l.items),
                    _ => Vec::new(),
                };
                let (schema, name) = match names.as_slice() {
                    [n] => ("", n.as_str()),
                    [s, n] | [_, s, n] => (s.as_str(), n.as_str()),
                    _ => return err(-1, "improper relation name"),
                };
                match self.lookup(schema, name, &self.cat.foreign_tables) {
                    Some(q) => {
                        self.cat.foreign_tables.remove(&q);
                    }
                    None if s.missing_ok => {}
                    None => {
                        return err(
                            -1,
                            format!("foreign table \"{}\" does not exist", names.join(".")),
                        )
                    }
                }
                continue;
            }
            let name = node_string(Some(o));
            let servers: Vec<String> = if t == ObjectType::ObjectFdw as i32 {
                if self.cat.foreign_data_wrappers.remove(&name).is_none() {
                    if s.missing_ok {
                        continue;
                    }
                    return err(
                        -1,
                        format!("foreign-data wrapper \"{name}\" does not exist"),
                    );
                }
                self.cat
                    .foreign_servers
                    .values()
                    .filter(|x| x.wrapper == name)
                    .map(|x| x.name.clone())
                    .collect()
            } else {
                if !self.cat.foreign_servers.contains_key(&name) {
                    if s.missing_ok {
                        continue;
                    }
                    return err(-1, format!("server \"{name}\" does not exist"));
                }
                vec![name.clone()]
            };
            let dependents = self
                .cat
                .user_mappings
                .keys()
                .filter(|(srv, _)| servers.contains(srv))
                .count()
                + self
                    .cat
                    .foreign_tables
                    .values()
                    .filter(|f| servers.contains(&f.server))
                    .count()
                + if t == ObjectType::ObjectFdw as i32 {
                    servers.len()
                } else {
                    0
                };
            if dependents > 0 && !cascade {
                return err(
                    -1,
                    format!("cannot drop {name} because other objects depend on it (use CASCADE)"),
                );
            }
            for srv in &servers {
                self.cat.foreign_servers.remove(srv);
            }
            self.cat
                .user_mappings
                .retain(|(srv, _), _| !servers.contains(srv));
            self.cat
                .foreign_tables
                .retain(|_, f| !servers.contains(&f.server));
        }
        Ok(())
    }

    /// After a statement: foreign tables whose schema is gone went with it.
    pub(super) fn prune_foreign_tables(&mut self) {
        let schemas = &self.cat.schemas;
        self.cat
            .foreign_tables
            .retain(|q, _| schemas.contains_key(&q.schema));
    }
}
