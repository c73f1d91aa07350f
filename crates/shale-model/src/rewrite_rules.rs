//! Rewrite rules (`CREATE RULE`), other than the `_RETURN` rule of a view (the view).
//!
//! Canonical conventions (both front ends follow them):
//! - A rule is keyed by its table (or view) and its name, like a trigger.
//! - `condition` (`WHERE`) and each action are normalized in the scope PostgreSQL gives
//!   them: `old` and `new` are the rule's relation (a condition names them qualified as
//!   the catalog prints them; an action names them only qualified), relations are
//!   schema-qualified and `INSERT` column lists explicit (the query normalizer,
//!   shale-sql `select.rs`). `pg_get_ruledef` is read through the same code.
//! - `actions` empty is `DO NOTHING`; `ALSO` is the default (`instead: false`).
//! - `enabled` is `pg_rewrite.ev_enabled` (`ALTER TABLE … ENABLE/DISABLE RULE`), with the
//!   same four states as a trigger's.

use crate::ident::quote_ident;
use crate::routines::TriggerEnabled;
use crate::{Catalog, Expr, ObjectId, QualName};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_origin(e: &TriggerEnabled) -> bool {
    *e == TriggerEnabled::Origin
}

/// The event a rule is on (`ev_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleEvent {
    Select,
    Update,
    Insert,
    Delete,
}

impl RuleEvent {
    pub fn sql(self) -> &'static str {
        match self {
            RuleEvent::Select => "SELECT",
            RuleEvent::Update => "UPDATE",
            RuleEvent::Insert => "INSERT",
            RuleEvent::Delete => "DELETE",
        }
    }
}

/// A rewrite rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewriteRule {
    /// The table or view it is on.
    pub table: QualName,
    pub name: String,
    pub event: RuleEvent,
    #[serde(default, skip_serializing_if = "is_false")]
    pub instead: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// The commands, in order; empty for `NOTHING`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Expr>,
    #[serde(default, skip_serializing_if = "is_origin")]
    pub enabled: TriggerEnabled,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl RewriteRule {
    pub fn id(&self) -> ObjectId {
        ObjectId::Rule {
            table: self.table.clone(),
            name: self.name.clone(),
        }
    }

    pub fn key(&self) -> (QualName, String) {
        (self.table.clone(), self.name.clone())
    }

    /// `CREATE [OR REPLACE] RULE …` (without the comment and the enabled state).
    pub fn create_sql(&self, or_replace: bool) -> String {
        let mut s = format!(
            "CREATE {}RULE {} AS ON {} TO {}",
            if or_replace { "OR REPLACE " } else { "" },
            quote_ident(&self.name),
            self.event.sql(),
            self.table
        );
        if let Some(c) = &self.condition {
            s.push_str(&format!(" WHERE {}", c.sql));
        }
        s.push_str(" DO ");
        if self.instead {
            s.push_str("INSTEAD ");
        }
        match self.actions.as_slice() {
            [] => s.push_str("NOTHING"),
            [one] => s.push_str(&one.sql),
            many => {
                let parts: Vec<&str> = many.iter().map(|a| a.sql.as_str()).collect();
                s.push_str(&format!("({})", parts.join("; ")));
            }
        }
        s
    }

    /// `DROP RULE name ON table`.
    pub fn drop_sql(&self) -> String {
        format!("DROP RULE {} ON {}", quote_ident(&self.name), self.table)
    }

    /// `ALTER TABLE … ENABLE|DISABLE|ENABLE REPLICA|ENABLE ALWAYS RULE name`.
    pub fn enabled_sql(&self) -> String {
        format!(
            "ALTER TABLE {} {} RULE {}",
            self.table,
            self.enabled.sql(),
            quote_ident(&self.name)
        )
    }

    /// Whether the condition or an action names `column` (a conservative test: any
    /// mention of the identifier counts).
    pub fn mentions(&self, column: &str) -> bool {
        self.condition
            .iter()
            .chain(self.actions.iter())
            .any(|e| crate::statistics::names_column(&e.canon, column))
    }

    /// Every relation and function the condition and actions name.
    pub fn refs(&self) -> Vec<&QualName> {
        let mut out: Vec<&QualName> = Vec::new();
        for e in self.condition.iter().chain(self.actions.iter()) {
            for r in &e.refs {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }
}

/// `name on table` (display of a rule).
pub(crate) fn rule_display(table: &QualName, name: &str) -> String {
    format!("{} on {table}", quote_ident(name))
}

impl Catalog {
    /// Dependencies of rules (the part of [`Catalog::dependencies`] for them): the table
    /// or view, the columns of it the rule names, and every relation and function its
    /// condition and actions name (a table or column a rule names is dropped after it).
    pub(crate) fn rewrite_rule_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        let ObjectId::Rule { table, name } = id else {
            return;
        };
        if self.views.contains_key(table) {
            out.push(ObjectId::View {
                name: table.clone(),
            });
        } else {
            out.push(ObjectId::Table {
                name: table.clone(),
            });
        }
        let Some(r) = self.rewrite_rules.get(&(table.clone(), name.clone())) else {
            return;
        };
        if let Some(t) = self.tables.get(table) {
            for c in &t.columns {
                if r.mentions(&c.name) {
                    out.push(ObjectId::Column {
                        table: table.clone(),
                        column: c.name.clone(),
                    });
                }
            }
        }
        let refs: Vec<QualName> = r.refs().into_iter().cloned().collect();
        self.rule_refs(&refs, out);
        for e in r.condition.iter().chain(r.actions.iter()) {
            self.expr_dependencies(e, out);
        }
    }

    /// What the names a rule's statements use need: what they need anywhere (a table and
    /// all its columns, a view, a function's overloads: [`Catalog::relation_refs`]), and
    /// an aggregate.
    fn rule_refs(&self, refs: &[QualName], out: &mut Vec<ObjectId>) {
        self.relation_refs(refs, out);
        for r in refs {
            for a in self.aggregates_named(r) {
                out.push(a.id());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, Schema, Table, TypeRef};

    fn expr(sql: &str, refs: &[QualName]) -> Expr {
        Expr {
            sql: sql.into(),
            canon: sql.into(),
            refs: refs.to_vec(),
        }
    }

    fn sample() -> RewriteRule {
        let log = QualName::new("public", "log");
        RewriteRule {
            table: QualName::new("public", "t"),
            name: "Keep".into(),
            event: RuleEvent::Update,
            instead: false,
            condition: Some(expr("new.a <> old.a", &[])),
            actions: vec![expr(
                "INSERT INTO public.log (a) VALUES (new.a)",
                std::slice::from_ref(&log),
            )],
            enabled: TriggerEnabled::Origin,
            comment: None,
        }
    }

    #[test]
    fn sql_of_a_rule() {
        let mut r = sample();
        assert_eq!(
            r.create_sql(false),
            "CREATE RULE \"Keep\" AS ON UPDATE TO public.t WHERE new.a <> old.a DO INSERT INTO public.log (a) VALUES (new.a)"
        );
        assert_eq!(r.drop_sql(), "DROP RULE \"Keep\" ON public.t");
        r.instead = true;
        r.condition = None;
        r.actions.clear();
        assert_eq!(
            r.create_sql(true),
            "CREATE OR REPLACE RULE \"Keep\" AS ON UPDATE TO public.t DO INSTEAD NOTHING"
        );
        r.actions = vec![expr("NOTIFY a", &[]), expr("NOTIFY b", &[])];
        assert!(r
            .create_sql(false)
            .ends_with("DO INSTEAD (NOTIFY a; NOTIFY b)"));
        r.enabled = TriggerEnabled::Replica;
        assert_eq!(
            r.enabled_sql(),
            "ALTER TABLE public.t ENABLE REPLICA RULE \"Keep\""
        );
        assert_eq!(r.id().to_string(), "rule \"Keep\" on public.t");
    }

    #[test]
    fn depends_on_its_table_the_columns_it_names_and_what_it_writes() {
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let mut t = Table::new(QualName::new("public", "t"));
        t.columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        t.columns
            .push(Column::new("b", TypeRef::builtin("integer")));
        cat.tables.insert(t.name.clone(), t);
        let mut log = Table::new(QualName::new("public", "log"));
        log.columns
            .push(Column::new("a", TypeRef::builtin("integer")));
        cat.tables.insert(log.name.clone(), log);
        let r = sample();
        cat.rewrite_rules.insert(r.key(), r.clone());
        let deps = cat.dependencies(&r.id());
        let col = |t: &str, c: &str| ObjectId::Column {
            table: QualName::new("public", t),
            column: c.into(),
        };
        assert!(deps.contains(&col("t", "a")), "{deps:?}");
        assert!(!deps.contains(&col("t", "b")), "{deps:?}");
        assert!(deps.contains(&col("log", "a")), "{deps:?}");
        assert!(deps.contains(&ObjectId::Table {
            name: QualName::new("public", "log")
        }));
        assert!(cat.objects().contains(&r.id()));
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
