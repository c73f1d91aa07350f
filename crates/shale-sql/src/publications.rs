//! Publications and subscriptions in the SQL front end: `CREATE/ALTER/DROP PUBLICATION`,
//! `CREATE/ALTER/DROP SUBSCRIPTION`, `COMMENT ON` both, and what dropping a table or a
//! schema does to the publications that list it.
//!
//! This module is a child of `parse` (it extends its `Builder`). Checks follow
//! PostgreSQL's (`commands/publicationcmds.c`, `commands/subscriptioncmds.c`) where the
//! files alone can tell. A subscription is read as the catalog keeps it; whether its
//! publisher can be reached is never asked.

use super::*;
use pg_query::protobuf::{AlterPublicationAction, AlterSubscriptionType, PublicationObjSpecType};
use shale_model::{Publication, PublicationTable, Subscription};

/// What a publication statement lists: tables and schemas.
#[derive(Default)]
struct Targets {
    tables: Vec<PublicationTable>,
    schemas: Vec<String>,
}

impl Builder {
    /// The tables and schemas of `FOR TABLE … / TABLES IN SCHEMA …`.
    fn publication_targets(&self, objects: &[Node]) -> R<Targets> {
        let mut out = Targets::default();
        let mut last = PublicationObjSpecType::PublicationobjTable;
        for o in objects {
            let Some(NodeEnum::PublicationObjSpec(spec)) = o.node.as_ref() else {
                return err(-1, "unsupported publication object");
            };
            let mut kind = PublicationObjSpecType::try_from(spec.pubobjtype)
                .unwrap_or(PublicationObjSpecType::PublicationobjTable);
            if kind == PublicationObjSpecType::PublicationobjContinuation {
                kind = last;
            }
            last = kind;
            match kind {
                PublicationObjSpecType::PublicationobjTablesInSchema
                | PublicationObjSpecType::PublicationobjTablesInCurSchema => {
                    let name = if kind == PublicationObjSpecType::PublicationobjTablesInCurSchema
                        || spec.name.is_empty()
                    {
                        self.path().into_iter().next().ok_or_else(|| {
                            at(spec.location)(
                                "no schema has been selected for CURRENT_SCHEMA".into(),
                            )
                        })?
                    } else {
                        spec.name.clone()
                    };
                    if !self.schema_exists(&name) {
                        return err(spec.location, format!("schema \"{name}\" does not exist"));
                    }
                    if out.schemas.contains(&name) {
                        return err(
                            spec.location,
                            format!("schema \"{name}\" specified more than once"),
                        );
                    }
                    out.schemas.push(name);
                }
                _ => {
                    let Some(pt) = spec.pubtable.as_ref() else {
                        return err(spec.location, "invalid table name");
                    };
                    let rv = pt
                        .relation
                        .as_ref()
                        .ok_or_else(|| at(spec.location)("invalid table name".to_string()))?;
                    let q = self.find_table(rv)?;
                    if out.tables.iter().any(|t| t.table == q) {
                        return err(
                            rv.location,
                            format!(
                                "conflicting or redundant column lists for table \"{}\"",
                                q.name
                            ),
                        );
                    }
                    let table = &self.cat.tables[&q];
                    let mut columns = Vec::new();
                    for c in strings(&pt.columns) {
                        if table.column(&c).is_none() {
                            return err(
                                rv.location,
                                format!("column \"{c}\" of relation \"{}\" does not exist", q.name),
                            );
                        }
                        if columns.contains(&c) {
                            return err(
                                rv.location,
                                format!("duplicate column \"{c}\" in publication column list"),
                            );
                        }
                        columns.push(c);
                    }
                    // prattrs keeps attribute numbers sorted: the table's column order.
                    columns.sort_by_key(|c| table.columns.iter().position(|x| &x.name == c));
                    let row_filter = match pt.where_clause.as_deref() {
                        Some(w) => {
                            Some(self.norm_expr(w, &table.columns, None, Self::node_location(w))?)
                        }
                        None => None,
                    };
                    out.tables.push(PublicationTable {
                        table: q,
                        columns,
                        row_filter,
                    });
                }
            }
        }
        Ok(out)
    }

    /// `WITH (publish = '…', publish_via_partition_root = …)` applied to `p`.
    fn publication_options(p: &mut Publication, options: &[Node]) -> R<()> {
        let mut seen = BTreeSet::new();
        for o in options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            if !seen.insert(d.defname.clone()) {
                return err(d.location, "conflicting or redundant options");
            }
            match d.defname.as_str() {
                "publish" => {
                    let v = def_string(d)?;
                    p.insert = false;
                    p.update = false;
                    p.delete = false;
                    p.truncate = false;
                    for op in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        match op {
                            "insert" => p.insert = true,
                            "update" => p.update = true,
                            "delete" => p.delete = true,
                            "truncate" => p.truncate = true,
                            other => {
                                return err(
                                    d.location,
                                    format!("unrecognized value for publication option \"publish\": \"{other}\""),
                                )
                            }
                        }
                    }
                }
                "publish_via_partition_root" => p.via_root = def_bool(d)?,
                other => {
                    return err(
                        d.location,
                        format!("unrecognized publication parameter: \"{other}\""),
                    )
                }
            }
        }
        Ok(())
    }

    pub(super) fn create_publication(&mut self, s: &protobuf::CreatePublicationStmt) -> R<()> {
        if self.cat.publications.contains_key(&s.pubname) {
            return err(-1, format!("publication \"{}\" already exists", s.pubname));
        }
        let mut p = Publication::new(s.pubname.clone());
        Self::publication_options(&mut p, &s.options)?;
        p.all_tables = s.for_all_tables;
        let t = self.publication_targets(&s.pubobjects)?;
        p.tables = t.tables;
        p.schemas = t.schemas;
        Self::check_publication(&p)?;
        p.tables.sort_by(|a, b| a.table.cmp(&b.table));
        p.schemas.sort();
        self.cat.publications.insert(p.name.clone(), p);
        Ok(())
    }

    /// What PostgreSQL refuses in a publication with schemas: column lists, and tables
    /// of a schema it lists.
    fn check_publication(p: &Publication) -> R<()> {
        if p.schemas.is_empty() {
            return Ok(());
        }
        for t in &p.tables {
            if !t.columns.is_empty() {
                return err(
                    -1,
                    format!(
                        "cannot use column list for relation \"{}\" in publication \"{}\": column lists cannot be specified in publications containing FOR TABLES IN SCHEMA elements",
                        t.table, p.name
                    ),
                );
            }
            if p.schemas.contains(&t.table.schema) {
                return err(
                    -1,
                    format!(
                        "cannot add relation \"{}\" to publication \"{}\": its schema is already part of the publication",
                        t.table, p.name
                    ),
                );
            }
        }
        Ok(())
    }

    pub(super) fn alter_publication(&mut self, s: &protobuf::AlterPublicationStmt) -> R<()> {
        let mut p = self
            .cat
            .publications
            .get(&s.pubname)
            .cloned()
            .ok_or_else(|| at(-1)(format!("publication \"{}\" does not exist", s.pubname)))?;
        if !s.options.is_empty() {
            // SET (…) resets the options it does not name.
            let comment = p.comment.take();
            let mut fresh = Publication::new(p.name.clone());
            Self::publication_options(&mut fresh, &s.options)?;
            p.insert = fresh.insert;
            p.update = fresh.update;
            p.delete = fresh.delete;
            p.truncate = fresh.truncate;
            p.via_root = fresh.via_root;
            p.comment = comment;
        }
        if !s.pubobjects.is_empty() || s.action == AlterPublicationAction::ApSetObjects as i32 {
            if p.all_tables {
                return err(
                    -1,
                    format!("publication \"{}\" is defined as FOR ALL TABLES", p.name),
                );
            }
            let t = self.publication_targets(&s.pubobjects)?;
            match AlterPublicationAction::try_from(s.action) {
                Ok(AlterPublicationAction::ApAddObjects) => {
                    for x in t.tables {
                        let msg = format!(
                            "relation \"{}\" is already member of publication \"{}\"",
                            x.table.name, p.name
                        );
                        add_member(&mut p.tables, x, |y, x| y.table == x.table, msg)?;
                    }
                    for x in t.schemas {
                        let msg = format!(
                            "schema \"{x}\" is already member of publication \"{}\"",
                            p.name
                        );
                        add_member(&mut p.schemas, x, |y, x| y == x, msg)?;
                    }
                }
                Ok(AlterPublicationAction::ApDropObjects) => {
                    for x in t.tables {
                        let before = p.tables.len();
                        p.tables.retain(|y| y.table != x.table);
                        if p.tables.len() == before {
                            return err(
                                -1,
                                format!(
                                    "relation \"{}\" is not part of the publication",
                                    x.table.name
                                ),
                            );
                        }
                    }
                    for x in t.schemas {
                        let before = p.schemas.len();
                        p.schemas.retain(|y| y != &x);
                        if p.schemas.len() == before {
                            return err(
                                -1,
                                format!(
                                    "tables from schema \"{x}\" are not part of the publication"
                                ),
                            );
                        }
                    }
                }
                _ => {
                    p.tables = t.tables;
                    p.schemas = t.schemas;
                }
            }
            Self::check_publication(&p)?;
            p.tables.sort_by(|a, b| a.table.cmp(&b.table));
            p.schemas.sort();
        }
        self.cat.publications.insert(p.name.clone(), p);
        Ok(())
    }

    pub(super) fn is_publication_rename(s: &protobuf::RenameStmt) -> bool {
        s.rename_type == ObjectType::ObjectPublication as i32
            || s.rename_type == ObjectType::ObjectSubscription as i32
    }

    /// `ALTER PUBLICATION|SUBSCRIPTION … RENAME TO …`.
    pub(super) fn rename_publication(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let old = match s.object.as_deref().and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::String(x)) => x.sval.clone(),
            _ => String::new(),
        };
        let new = s.newname.clone();
        if s.rename_type == ObjectType::ObjectPublication as i32 {
            if self.cat.publications.contains_key(&new) {
                return err(-1, format!("publication \"{new}\" already exists"));
            }
            let mut p = self
                .cat
                .publications
                .remove(&old)
                .ok_or_else(|| at(-1)(format!("publication \"{old}\" does not exist")))?;
            p.name = new.clone();
            self.cat.publications.insert(new, p);
        } else {
            if self.cat.subscriptions.contains_key(&new) {
                return err(-1, format!("subscription \"{new}\" already exists"));
            }
            let mut p = self
                .cat
                .subscriptions
                .remove(&old)
                .ok_or_else(|| at(-1)(format!("subscription \"{old}\" does not exist")))?;
            p.name = new.clone();
            self.cat.subscriptions.insert(new, p);
        }
        Ok(())
    }

    pub(super) fn is_publication_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectPublication as i32
            || s.objtype == ObjectType::ObjectSubscription as i32
    }

    pub(super) fn publication_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let name = match s.object.as_deref().and_then(|n| n.node.as_ref()) {
            Some(NodeEnum::String(x)) => x.sval.clone(),
            _ => String::new(),
        };
        let comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        if s.objtype == ObjectType::ObjectPublication as i32 {
            let p = self
                .cat
                .publications
                .get_mut(&name)
                .ok_or_else(|| at(-1)(format!("publication \"{name}\" does not exist")))?;
            p.comment = comment;
        } else {
            let p = self
                .cat
                .subscriptions
                .get_mut(&name)
                .ok_or_else(|| at(-1)(format!("subscription \"{name}\" does not exist")))?;
            p.comment = comment;
        }
        Ok(())
    }

    pub(super) fn is_publication_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectPublication as i32
    }

    pub(super) fn drop_publication(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let name = match o.node.as_ref() {
                Some(NodeEnum::String(x)) => x.sval.clone(),
                _ => String::new(),
            };
            if self.cat.publications.remove(&name).is_none() && !s.missing_ok {
                return err(-1, format!("publication \"{name}\" does not exist"));
            }
        }
        Ok(())
    }

    /// After a statement: tables and schemas that are gone leave the publications (as
    /// PostgreSQL drops their membership with them).
    pub(super) fn prune_publications(&mut self) {
        let tables = &self.cat.tables;
        let schemas = &self.cat.schemas;
        for p in self.cat.publications.values_mut() {
            p.tables.retain(|t| tables.contains_key(&t.table));
            p.schemas.retain(|s| schemas.contains_key(s));
        }
    }

    // -----------------------------------------------------------------------------------
    // Subscriptions

    /// Options of `CREATE/ALTER SUBSCRIPTION … WITH (…)` applied to `sub`; `create`
    /// allows the options that only `CREATE` takes.
    fn subscription_options(sub: &mut Subscription, options: &[Node], create: bool) -> R<()> {
        let mut seen = BTreeSet::new();
        let mut connect = true;
        let mut enabled_given = false;
        for o in options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            if !seen.insert(d.defname.clone()) {
                return err(d.location, "conflicting or redundant options");
            }
            match d.defname.as_str() {
                "connect" | "create_slot" | "copy_data" if create => {
                    let v = def_bool(d)?;
                    if d.defname == "connect" {
                        connect = v;
                    }
                }
                "enabled" if create => {
                    sub.enabled = def_bool(d)?;
                    enabled_given = true;
                }
                "slot_name" => {
                    sub.slot_name = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::String(s)) if s.sval.eq_ignore_ascii_case("none") => None,
                        _ => Some(def_string(d)?),
                    };
                }
                "synchronous_commit" => {
                    let v = def_string(d)?.to_ascii_lowercase();
                    let v = match v.as_str() {
                        "true" | "yes" | "1" => "on".to_string(),
                        "false" | "no" | "0" => "off".to_string(),
                        _ => v,
                    };
                    if !["on", "off", "local", "remote_write", "remote_apply"].contains(&v.as_str())
                    {
                        return err(
                            d.location,
                            format!("invalid value for parameter \"synchronous_commit\": \"{v}\""),
                        );
                    }
                    sub.synchronous_commit = v;
                }
                "binary" => sub.binary = def_bool(d)?,
                "streaming" => {
                    // `parallel` quoted or not (pg_dump writes it bare).
                    let parallel = d.arg.is_some()
                        && def_string(d).is_ok_and(|v| v.eq_ignore_ascii_case("parallel"));
                    sub.streaming = if parallel {
                        "parallel".into()
                    } else if def_bool(d)? {
                        "on".into()
                    } else {
                        "off".into()
                    };
                }
                other => {
                    return err(
                        d.location,
                        format!("unrecognized subscription parameter: \"{other}\" (shale models connect, enabled, create_slot, copy_data, slot_name, synchronous_commit, binary and streaming)"),
                    )
                }
            }
        }
        if create && !connect {
            if enabled_given && sub.enabled {
                return err(
                    -1,
                    "connect = false and enabled = true are mutually exclusive options",
                );
            }
            sub.enabled = false;
        }
        if create && sub.slot_name.is_none() && sub.enabled {
            return err(
                -1,
                "slot_name = NONE and enabled = true are mutually exclusive options",
            );
        }
        Ok(())
    }

    pub(super) fn create_subscription(&mut self, s: &protobuf::CreateSubscriptionStmt) -> R<()> {
        if self.cat.subscriptions.contains_key(&s.subname) {
            return err(-1, format!("subscription \"{}\" already exists", s.subname));
        }
        let mut sub = Subscription {
            name: s.subname.clone(),
            conninfo: Some(s.conninfo.clone()),
            publications: strings(&s.publication),
            enabled: true,
            slot_name: Some(s.subname.clone()),
            synchronous_commit: "off".into(),
            binary: false,
            streaming: "off".into(),
            comment: None,
        };
        Self::subscription_options(&mut sub, &s.options, true)?;
        self.cat.subscriptions.insert(sub.name.clone(), sub);
        Ok(())
    }

    pub(super) fn alter_subscription(&mut self, s: &protobuf::AlterSubscriptionStmt) -> R<()> {
        let mut sub = self
            .cat
            .subscriptions
            .get(&s.subname)
            .cloned()
            .ok_or_else(|| at(-1)(format!("subscription \"{}\" does not exist", s.subname)))?;
        match AlterSubscriptionType::try_from(s.kind) {
            Ok(AlterSubscriptionType::AlterSubscriptionOptions) => {
                Self::subscription_options(&mut sub, &s.options, false)?;
                if sub.slot_name.is_none() && sub.enabled {
                    return err(-1, "cannot set slot_name = NONE for enabled subscription");
                }
            }
            Ok(AlterSubscriptionType::AlterSubscriptionConnection) => {
                sub.conninfo = Some(s.conninfo.clone());
            }
            Ok(AlterSubscriptionType::AlterSubscriptionSetPublication) => {
                sub.publications = strings(&s.publication);
            }
            Ok(AlterSubscriptionType::AlterSubscriptionAddPublication) => {
                for p in strings(&s.publication) {
                    let msg = format!(
                        "publication \"{p}\" is already in subscription \"{}\"",
                        sub.name
                    );
                    add_member(&mut sub.publications, p, |y, x| y == x, msg)?;
                }
            }
            Ok(AlterSubscriptionType::AlterSubscriptionDropPublication) => {
                for p in strings(&s.publication) {
                    if !sub.publications.contains(&p) {
                        return err(
                            -1,
                            format!(
                                "publication \"{p}\" is not in subscription \"{}\"",
                                sub.name
                            ),
                        );
                    }
                    sub.publications.retain(|x| x != &p);
                }
                if sub.publications.is_empty() {
                    return err(-1, "cannot drop all the publications from a subscription");
                }
            }
            Ok(AlterSubscriptionType::AlterSubscriptionEnabled) => {
                let on = s
                    .options
                    .iter()
                    .find_map(|o| match o.node.as_ref() {
                        Some(NodeEnum::DefElem(d)) if d.defname == "enabled" => Some(def_bool(d)),
                        _ => None,
                    })
                    .unwrap_or(Ok(true))?;
                if on && sub.slot_name.is_none() {
                    return err(
                        -1,
                        "cannot enable subscription that does not have a slot name",
                    );
                }
                sub.enabled = on;
            }
            // REFRESH PUBLICATION and SKIP change no definition.
            _ => {}
        }
        self.cat.subscriptions.insert(sub.name.clone(), sub);
        Ok(())
    }

    pub(super) fn drop_subscription(&mut self, s: &protobuf::DropSubscriptionStmt) -> R<()> {
        if self.cat.subscriptions.remove(&s.subname).is_none() && !s.missing_ok {
            return err(-1, format!("subscription \"{}\" does not exist", s.subname));
        }
        Ok(())
    }
}

/// Adds `x` to `list`, refusing it with PostgreSQL's message `msg` when `same` finds it
/// there already.
fn add_member<T>(list: &mut Vec<T>, x: T, same: impl Fn(&T, &T) -> bool, msg: String) -> R<()> {
    if list.iter().any(|y| same(y, &x)) {
        return err(-1, msg);
    }
    list.push(x);
    Ok(())
}
