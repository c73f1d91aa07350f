//! Steps for foreign-data wrappers, servers, user mappings and foreign tables (rules
//! `SH268`–`SH276`).
//!
//! Options change with `OPTIONS (ADD/SET/DROP …)`. The detail of a step names the
//! options changed, never their values (a value may be a password; the SQL carries it
//! and review output masks it).

use crate::build::{deps, Builder, Draft};
use crate::model::{Action, Risk};
use crate::rules::RuleId;
use shale_diff::foreign_data::ForeignDataChange;
use shale_model::foreign_data::alter_options_sql;
use shale_model::{quote_ident, Column, ForeignTable, ObjectId, Options, QualName};

mod rank {
    pub const DROP: u8 = 4;
    pub const CREATE: u8 = 14;
}

fn column_ids(t: &ForeignTable) -> Vec<ObjectId> {
    t.columns
        .iter()
        .map(|c| ObjectId::Column {
            table: t.name.clone(),
            column: c.name.clone(),
        })
        .collect()
}

/// `ADD host, SET port, DROP dbname`: the option names a change touches.
fn options_detail(from: &Options, to: &Options) -> String {
    let mut v = Vec::new();
    for k in from.keys().filter(|k| !to.contains_key(*k)) {
        v.push(format!("drops {k}"));
    }
    for (k, val) in to {
        match from.get(k) {
            None => v.push(format!("adds {k}")),
            Some(old) if old != val => v.push(format!("sets {k}")),
            _ => {}
        }
    }
    v.join(", ")
}

/// What `ALTER … ` names for an object whose options change.
fn alter_target(o: &ObjectId) -> String {
    match o {
        ObjectId::ForeignDataWrapper { name } => {
            format!("ALTER FOREIGN DATA WRAPPER {}", quote_ident(name))
        }
        ObjectId::ForeignServer { name } => format!("ALTER SERVER {}", quote_ident(name)),
        ObjectId::UserMapping { server, user } => format!(
            "ALTER USER MAPPING FOR {} SERVER {}",
            shale_model::foreign_data::user_sql(user),
            quote_ident(server)
        ),
        ObjectId::Column { table, column } => format!(
            "ALTER FOREIGN TABLE {table} ALTER COLUMN {}",
            quote_ident(column)
        ),
        ObjectId::ForeignTable { name } => format!("ALTER FOREIGN TABLE {name}"),
        other => format!("ALTER {}", other),
    }
}

/// `ALTER COLUMN c TYPE …, ALTER COLUMN c SET NOT NULL, …` turning `from` into `to`.
fn alter_column_sql(table: &QualName, from: &Column, to: &Column) -> (String, String) {
    let c = quote_ident(&to.name);
    let mut parts = Vec::new();
    let mut what = Vec::new();
    if from.ty != to.ty || from.collation != to.collation {
        let mut s = format!("ALTER COLUMN {c} TYPE {}", to.ty);
        if let Some(coll) = &to.collation {
            s.push_str(&format!(" COLLATE {coll}"));
        }
        parts.push(s);
        what.push(format!("type {} to {}", from.ty, to.ty));
    }
    if from.not_null != to.not_null {
        parts.push(format!(
            "ALTER COLUMN {c} {} NOT NULL",
            if to.not_null { "SET" } else { "DROP" }
        ));
        what.push(if to.not_null { "NOT NULL" } else { "nullable" }.to_string());
    }
    if from.default != to.default {
        parts.push(match &to.default {
            Some(d) => format!("ALTER COLUMN {c} SET DEFAULT {}", d.sql),
            None => format!("ALTER COLUMN {c} DROP DEFAULT"),
        });
        what.push("default".to_string());
    }
    (
        format!("ALTER FOREIGN TABLE {table} {}", parts.join(", ")),
        what.join(", "),
    )
}

impl Builder<'_> {
    fn foreign_step(
        &mut self,
        object: &ObjectId,
        action: Action,
        sql: String,
        risk: Risk,
    ) -> usize {
        let mut d = Draft::new(object.clone(), action, sql, risk, rank::CREATE);
        d.needs = deps(self.to, object);
        if action == Action::Alter {
            d.releases = deps(self.from, object);
        }
        d.creates = vec![object.clone()];
        self.push(d)
    }

    fn again(risk: &mut Risk, recreate: &Option<String>) {
        if let Some(why) = recreate {
            risk.reason = format!("{} (created again: {why})", risk.reason);
        }
    }

    fn foreign_drop(
        &mut self,
        removes: Vec<ObjectId>,
        sql: String,
        recreate: &Option<String>,
        plain: RuleId,
    ) {
        let object = removes[0].clone();
        let risk = match recreate {
            Some(why) => self.risk(RuleId::RecreateForeignData, &object, |v| {
                v.detail = why.clone()
            }),
            None => self.risk(plain, &object, |_| {}),
        };
        let d = self.drop(removes, sql, risk, rank::DROP);
        self.push(d);
    }

    pub(crate) fn foreign_data(&mut self, c: &ForeignDataChange) {
        use ForeignDataChange as C;
        let object = c.object();
        match c {
            C::CreateWrapper { wrapper } => {
                let risk = self.risk(RuleId::CreateForeignData, &object, |v| {
                    v.object = object.to_string()
                });
                self.foreign_step(&object, Action::Create, wrapper.create_sql(), risk);
            }
            C::DropWrapper { wrapper } => self.foreign_drop(
                vec![object],
                format!("DROP FOREIGN DATA WRAPPER {}", quote_ident(&wrapper.name)),
                &None,
                RuleId::DropForeignData,
            ),
            C::AlterWrapperFunctions { wrapper } => {
                let risk = self.risk(RuleId::AlterForeignDataOptions, &object, |v| {
                    v.object = object.to_string();
                    v.detail = "HANDLER and VALIDATOR".into()
                });
                self.foreign_step(&object, Action::Alter, wrapper.alter_functions_sql(), risk);
            }
            C::CreateServer { server, recreate } => {
                let mut risk = self.risk(RuleId::CreateForeignData, &object, |v| {
                    v.object = object.to_string();
                    v.detail = format!(" (wrapper {})", quote_ident(&server.wrapper))
                });
                Self::again(&mut risk, recreate);
                self.foreign_step(&object, Action::Create, server.create_sql(), risk);
            }
            C::DropServer { server, recreate } => self.foreign_drop(
                vec![object],
                format!("DROP SERVER {}", quote_ident(&server.name)),
                recreate,
                RuleId::DropForeignData,
            ),
            C::AlterServerVersion { server } => {
                let risk = self.risk(RuleId::AlterForeignDataOptions, &object, |v| {
                    v.object = object.to_string();
                    v.detail = "VERSION".into()
                });
                let v = match &server.version {
                    Some(v) => shale_model::quote_literal(v),
                    None => "NULL".into(),
                };
                self.foreign_step(
                    &object,
                    Action::Alter,
                    format!("ALTER SERVER {} VERSION {v}", quote_ident(&server.name)),
                    risk,
                );
            }
            C::CreateUserMapping { mapping, recreate } => {
                let mut risk = self.risk(RuleId::CreateForeignData, &object, |v| {
                    v.object = object.to_string()
                });
                Self::again(&mut risk, recreate);
                self.foreign_step(&object, Action::Create, mapping.create_sql(), risk);
            }
            C::DropUserMapping { mapping, recreate } => self.foreign_drop(
                vec![object],
                format!(
                    "DROP USER MAPPING FOR {} SERVER {}",
                    mapping.user_sql(),
                    quote_ident(&mapping.server)
                ),
                recreate,
                RuleId::DropForeignData,
            ),
            C::CreateForeignTable { table, recreate } => {
                let mut risk = self.risk(RuleId::CreateForeignTable, &object, |v| {
                    v.detail = quote_ident(&table.server)
                });
                Self::again(&mut risk, recreate);
                let i = self.foreign_step(&object, Action::Create, table.create_sql(), risk);
                self.out[i].creates.extend(column_ids(table));
                self.out[i].names_created.push(table.name.clone());
            }
            C::DropForeignTable { table, recreate } => {
                let mut removes = vec![object];
                removes.extend(column_ids(table));
                let object = removes[0].clone();
                let risk = match recreate {
                    Some(why) => self.risk(RuleId::RecreateForeignData, &object, |v| {
                        v.object = object.to_string();
                        v.detail = why.clone()
                    }),
                    None => self.risk(RuleId::DropForeignTable, &object, |_| {}),
                };
                let mut d = self.drop(
                    removes,
                    format!("DROP FOREIGN TABLE {}", table.name),
                    risk,
                    rank::DROP,
                );
                d.names_removed.push(table.name.clone());
                self.push(d);
            }
            C::AlterOptions { object, from, to } => {
                let Some(opts) = alter_options_sql(from, to) else {
                    return;
                };
                let risk = self.risk(RuleId::AlterForeignDataOptions, object, |v| {
                    v.object = object.to_string();
                    v.detail = options_detail(from, to)
                });
                let owner = match object {
                    ObjectId::Column { table, .. } => ObjectId::ForeignTable {
                        name: table.clone(),
                    },
                    o => o.clone(),
                };
                let i = self.foreign_step(
                    &owner,
                    Action::Alter,
                    format!("{} {opts}", alter_target(object)),
                    risk,
                );
                self.out[i].object = object.clone();
            }
            C::AddColumn { table, column } => {
                let id = ObjectId::Column {
                    table: table.name.clone(),
                    column: column.name.clone(),
                };
                let risk = self.risk(RuleId::AddForeignColumn, &id, |_| {});
                let i = self.foreign_step(
                    &object,
                    Action::Alter,
                    format!(
                        "ALTER FOREIGN TABLE {} ADD COLUMN {}",
                        table.name,
                        table.column_sql(column)
                    ),
                    risk,
                );
                self.out[i].object = id.clone();
                self.out[i].creates.push(id);
            }
            C::DropColumn { table, column } => {
                let id = ObjectId::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                };
                let risk = self.risk(RuleId::DropForeignColumn, &id, |_| {});
                let d = self.drop(
                    vec![id],
                    format!(
                        "ALTER FOREIGN TABLE {table} DROP COLUMN {}",
                        quote_ident(&column.name)
                    ),
                    risk,
                    rank::DROP,
                );
                self.push(d);
            }
            C::AlterColumn {
                table,
                from,
                column,
            } => {
                let id = ObjectId::Column {
                    table: table.clone(),
                    column: column.name.clone(),
                };
                let (sql, what) = alter_column_sql(table, from, column);
                let risk = self.risk(RuleId::AlterForeignColumn, &id, |v| v.detail = what);
                let i = self.foreign_step(&object, Action::Alter, sql, risk);
                self.out[i].object = id;
            }
        }
    }
}
