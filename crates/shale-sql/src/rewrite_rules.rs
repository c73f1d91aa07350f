//! Rewrite rules in the SQL front end: `CREATE [OR REPLACE] RULE`, `ALTER RULE … RENAME
//! TO`, `COMMENT ON RULE`, `DROP RULE`, `ALTER TABLE … ENABLE/DISABLE [REPLICA|ALWAYS]
//! RULE`, and what dropping the relation does (the rules go with it).
//!
//! This module is a child of `parse` (it extends its `Builder`). The condition and the
//! actions are normalized by the query normalizer (`select.rs`) with the rule's `old` and
//! `new` in scope, so that `pg_get_ruledef` (replayed by the live front end through
//! [`Builder::create_rule`]) and the files meet. Checks follow `rewrite/rewriteDefine.c`
//! and `parser/parse_utilcmd.c` (`transformRuleStmt`) where the files alone can tell.
//! `ON SELECT` rules (a view's `_RETURN`) are views' own: such a statement stays
//! unmodelled.

use super::routines::Res;
use super::*;
use crate::select::{self, Resolver};
use pg_query::protobuf::CmdType;
use shale_model::{RewriteRule, RuleEvent, TriggerEnabled};

/// `[schema.]table.rule` as `COMMENT ON RULE` / `DROP RULE` name it: the relation and
/// the rule's name.
fn rule_object(n: Option<&Node>) -> R<(protobuf::RangeVar, String)> {
    let names = match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::List(l)) => strings(&l.items),
        _ => vec![],
    };
    let [.., table, rule] = names.as_slice() else {
        return err(-1, "improper rule name (name ON table)");
    };
    let schema = match names.as_slice() {
        [.., schema, _, _] => schema.clone(),
        _ => String::new(),
    };
    Ok((
        protobuf::RangeVar {
            schemaname: schema,
            relname: table.clone(),
            inh: true,
            location: -1,
            ..Default::default()
        },
        rule.clone(),
    ))
}

impl Builder {
    /// The table or view a rule is on.
    fn rule_relation(&self, rv: &protobuf::RangeVar) -> R<QualName> {
        if let Ok(q) = self.find_table(rv) {
            return Ok(q);
        }
        self.lookup(&rv.schemaname, &rv.relname, &self.cat.views)
            .ok_or_else(|| E {
                loc: rv.location,
                msg: format!("relation \"{}\" does not exist", rv_display(rv)),
            })
    }

    fn rule_missing(table: &QualName, name: &str) -> E {
        E {
            loc: -1,
            msg: format!(
                "rule \"{name}\" for relation \"{}\" does not exist",
                table.name
            ),
        }
    }

    /// `CREATE RULE` on a table or view, other than `ON SELECT`?
    pub(super) fn is_modeled_rule(s: &protobuf::RuleStmt) -> bool {
        s.event != CmdType::CmdSelect as i32
    }

    pub(super) fn create_rule(&mut self, s: &protobuf::RuleStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let table = self.rule_relation(rv)?;
        let event = match CmdType::try_from(s.event).unwrap_or(CmdType::Undefined) {
            CmdType::CmdUpdate => RuleEvent::Update,
            CmdType::CmdInsert => RuleEvent::Insert,
            CmdType::CmdDelete => RuleEvent::Delete,
            CmdType::CmdSelect => RuleEvent::Select,
            _ => return err(-1, "unexpected rule event"),
        };
        if s.rulename == "_RETURN" {
            return err(-1, "rule \"_RETURN\" is a view's own: use CREATE VIEW");
        }
        let res = Res(self);
        let cols = res
            .relation(Some(&table.schema), &table.name)
            .map(|r| r.columns)
            .unwrap_or_default();
        let hint = |m: String| E {
            loc: -1,
            msg: format!("rule \"{}\": {m}", s.rulename),
        };
        let condition = match s.where_clause.as_deref() {
            None => None,
            Some(w) => {
                for c in column_refs_in(w) {
                    check_old_new(event, &c).map_err(hint)?;
                }
                let (sql, canon, refs) =
                    select::normalize_rule_condition(w, &res, &cols, event.sql()).map_err(hint)?;
                Some(Expr { sql, canon, refs })
            }
        };
        let mut actions = Vec::new();
        for a in &s.actions {
            let Some(stmt) = a.node.as_ref() else {
                continue;
            };
            for c in column_refs_in(a) {
                check_old_new(event, &c).map_err(hint)?;
            }
            check_targets(stmt, &res).map_err(hint)?;
            let (sql, canon, refs) =
                select::normalize_rule_action(stmt, &res, &cols).map_err(hint)?;
            actions.push(Expr { sql, canon, refs });
        }
        let key = (table.clone(), s.rulename.clone());
        let mut rule = RewriteRule {
            table,
            name: s.rulename.clone(),
            event,
            instead: s.instead,
            condition,
            actions,
            enabled: TriggerEnabled::Origin,
            comment: None,
        };
        if let Some(old) = self.cat.rewrite_rules.get(&key) {
            if !s.replace {
                return err(
                    -1,
                    format!(
                        "rule \"{}\" for relation \"{}\" already exists",
                        s.rulename, key.0.name
                    ),
                );
            }
            // CREATE OR REPLACE keeps the comment and the enabled state.
            rule.comment = old.comment.clone();
            rule.enabled = old.enabled;
        }
        self.cat.rewrite_rules.insert(key, rule);
        Ok(())
    }

    pub(super) fn is_rule_rename(s: &protobuf::RenameStmt) -> bool {
        s.rename_type == ObjectType::ObjectRule as i32
    }

    /// `ALTER RULE name ON table RENAME TO new`.
    pub(super) fn rename_rule(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let table = self.rule_relation(rv)?;
        let key = (table.clone(), s.subname.clone());
        let Some(mut r) = self.cat.rewrite_rules.remove(&key) else {
            return Err(Self::rule_missing(&table, &s.subname));
        };
        let new = (table.clone(), s.newname.clone());
        if self.cat.rewrite_rules.contains_key(&new) {
            self.cat.rewrite_rules.insert(key, r);
            return err(
                -1,
                format!(
                    "rule \"{}\" for relation \"{}\" already exists",
                    s.newname, table.name
                ),
            );
        }
        r.name = s.newname.clone();
        self.cat.rewrite_rules.insert(new, r);
        Ok(())
    }

    pub(super) fn is_rule_comment(s: &protobuf::CommentStmt) -> bool {
        s.objtype == ObjectType::ObjectRule as i32
    }

    pub(super) fn rule_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let (rv, name) = rule_object(s.object.as_deref())?;
        let table = self.rule_relation(&rv)?;
        let r = self
            .cat
            .rewrite_rules
            .get_mut(&(table.clone(), name.clone()))
            .ok_or_else(|| Self::rule_missing(&table, &name))?;
        r.comment = (!s.comment.is_empty()).then(|| s.comment.clone());
        Ok(())
    }

    pub(super) fn is_rule_drop(s: &protobuf::DropStmt) -> bool {
        s.remove_type == ObjectType::ObjectRule as i32
    }

    pub(super) fn drop_rule(&mut self, s: &protobuf::DropStmt) -> R<()> {
        for o in &s.objects {
            let (rv, name) = rule_object(Some(o))?;
            let relation = self.rule_relation(&rv);
            super::routines::drop_relation_object(
                &mut self.cat.rewrite_rules,
                relation,
                &name,
                s.missing_ok,
                |table| Self::rule_missing(table, &name),
            )?;
        }
        Ok(())
    }

    /// `ALTER TABLE … ENABLE/DISABLE … RULE` (every command of the statement)?
    pub(super) fn is_rule_alter(s: &protobuf::AlterTableStmt) -> bool {
        let rule = |c: &Node| match c.node.as_ref() {
            Some(NodeEnum::AlterTableCmd(c)) => (AlterTableType::AtEnableRule as i32
                ..=AlterTableType::AtDisableRule as i32)
                .contains(&c.subtype),
            _ => false,
        };
        !s.cmds.is_empty() && s.cmds.iter().all(rule)
    }

    pub(super) fn alter_rule_enabled(&mut self, s: &protobuf::AlterTableStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let table = match self.find_table(rv) {
            Ok(t) => t,
            Err(_) if s.missing_ok => return Ok(()),
            Err(_) if self.rule_relation(rv).is_ok() => {
                return err(
                    -1,
                    format!(
                        "ALTER action ENABLE/DISABLE RULE cannot be performed on relation \"{}\" (not a table)",
                        rv.relname
                    ),
                )
            }
            Err(e) => return Err(e),
        };
        for c in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = c.node.as_ref() else {
                continue;
            };
            use AlterTableType as A;
            let state = match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
                A::AtEnableRule => TriggerEnabled::Origin,
                A::AtEnableAlwaysRule => TriggerEnabled::Always,
                A::AtEnableReplicaRule => TriggerEnabled::Replica,
                _ => TriggerEnabled::Disabled,
            };
            let r = self
                .cat
                .rewrite_rules
                .get_mut(&(table.clone(), cmd.name.clone()))
                .ok_or_else(|| Self::rule_missing(&table, &cmd.name))?;
            r.enabled = state;
        }
        Ok(())
    }

    /// After a statement: rules of a relation that no longer exists, or whose actions
    /// name a table or view that no longer exists (`DROP … CASCADE`), are gone.
    pub(super) fn prune_rewrite_rules(&mut self) {
        if self.cat.rewrite_rules.is_empty() {
            return;
        }
        let cat = &self.cat;
        let exists = |q: &QualName| cat.tables.contains_key(q) || cat.views.contains_key(q);
        let gone: Vec<(QualName, String)> = cat
            .rewrite_rules
            .iter()
            .filter(|(_, r)| {
                !exists(&r.table)
                    || r.actions.iter().any(|a| {
                        // The target of an action is its first reference; it must exist.
                        a.refs.first().is_some_and(|q| {
                            !exists(q)
                                && !cat.foreign_tables.contains_key(q)
                                && cat.functions_named(q).next().is_none()
                                && cat.aggregates_named(q).next().is_none()
                        })
                    })
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.cat.rewrite_rules.remove(&k);
        }
    }
}

/// The column references (as written, dotted) of a tree: `new.a`, `old.b`, `c`. Read
/// from the tree's serialization, which reaches into statements (`normalize::walk` stops
/// at expressions).
fn column_refs_in(n: &Node) -> Vec<Vec<String>> {
    use serde_json::Value;
    fn first_string(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(m) => m.values().find_map(first_string),
            Value::Array(a) => a.iter().find_map(first_string),
            _ => None,
        }
    }
    fn go(v: &Value, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(fields)) = m.get("ColumnRef").and_then(|c| c.get("fields"))
                {
                    out.push(fields.iter().filter_map(first_string).collect());
                }
                m.values().for_each(|x| go(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| go(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(&serde_json::to_value(n).unwrap_or(Value::Null), &mut out);
    out
}

/// The columns an action's `INSERT` or `UPDATE` writes exist in its target (the query
/// normalizer resolves only what is read).
fn check_targets(stmt: &NodeEnum, res: &dyn Resolver) -> Result<(), String> {
    let (rv, targets) = match stmt {
        NodeEnum::InsertStmt(i) => (i.relation.as_ref(), &i.cols),
        NodeEnum::UpdateStmt(u) => (u.relation.as_ref(), &u.target_list),
        _ => return Ok(()),
    };
    let Some(rv) = rv else {
        return Ok(());
    };
    let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
    let Some(rel) = res.relation(schema, &rv.relname) else {
        return Err(format!("relation \"{}\" does not exist", rv.relname));
    };
    for t in targets {
        if let Some(NodeEnum::ResTarget(rt)) = t.node.as_ref() {
            if !rel.columns.iter().any(|(c, _)| *c == rt.name) {
                return Err(format!(
                    "column \"{}\" of relation \"{}\" does not exist",
                    rt.name, rv.relname
                ));
            }
        }
    }
    Ok(())
}

/// `ON INSERT` rules cannot use `old`, `ON DELETE` rules cannot use `new`.
fn check_old_new(event: RuleEvent, names: &[String]) -> Result<(), String> {
    match (event, names.first().map(String::as_str)) {
        (RuleEvent::Insert, Some("old")) if names.len() > 1 => {
            Err("ON INSERT rule cannot use OLD".into())
        }
        (RuleEvent::Delete, Some("new")) if names.len() > 1 => {
            Err("ON DELETE rule cannot use NEW".into())
        }
        _ => Ok(()),
    }
}
