//! Foreign-data wrappers, servers, user mappings and foreign tables.
//!
//! Rules, beyond those of the crate:
//! - Options (`OPTIONS (ADD/SET/DROP …)`) of all four kinds, a wrapper's handler and
//!   validator, a server's version, and a foreign table's columns (added, dropped,
//!   type, `NOT NULL`, default, options) change in place.
//! - A server whose wrapper or type changes, and a foreign table whose server changes,
//!   are dropped and created again; the user mappings and foreign tables of a server
//!   that is re-created are re-created with it.
//! - Comments (wrapper, server, foreign table and its columns) are plain
//!   [`Change::SetComment`]s.

use crate::Change;
use serde::Serialize;
use shale_model::{
    Catalog, Column, ForeignDataWrapper, ForeignServer, ForeignTable, ObjectId, Options, QualName,
    UserMapping,
};
use std::collections::BTreeSet;

/// One difference in SQL/MED objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "foreign_data_change", rename_all = "snake_case")]
pub enum ForeignDataChange {
    CreateWrapper {
        wrapper: ForeignDataWrapper,
    },
    DropWrapper {
        wrapper: ForeignDataWrapper,
    },
    /// `ALTER FOREIGN DATA WRAPPER … HANDLER … VALIDATOR …`.
    AlterWrapperFunctions {
        wrapper: ForeignDataWrapper,
    },
    CreateServer {
        server: ForeignServer,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropServer {
        server: ForeignServer,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER SERVER … VERSION …`.
    AlterServerVersion {
        server: ForeignServer,
    },
    CreateUserMapping {
        mapping: UserMapping,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropUserMapping {
        mapping: UserMapping,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateForeignTable {
        table: ForeignTable,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropForeignTable {
        table: ForeignTable,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `OPTIONS (ADD/SET/DROP …)` of a wrapper, server, user mapping, foreign table or
    /// foreign table column (`object`).
    AlterOptions {
        object: ObjectId,
        from: Options,
        to: Options,
    },
    AddColumn {
        table: ForeignTable,
        column: Box<Column>,
    },
    DropColumn {
        table: QualName,
        column: Box<Column>,
    },
    /// Type, `NOT NULL` or default of a foreign table's column (`from` → `column`).
    AlterColumn {
        table: QualName,
        from: Box<Column>,
        column: Box<Column>,
    },
}

impl ForeignDataChange {
    pub fn object(&self) -> ObjectId {
        use ForeignDataChange as C;
        match self {
            C::CreateWrapper { wrapper }
            | C::DropWrapper { wrapper }
            | C::AlterWrapperFunctions { wrapper } => wrapper.id(),
            C::CreateServer { server, .. }
            | C::DropServer { server, .. }
            | C::AlterServerVersion { server } => server.id(),
            C::CreateUserMapping { mapping, .. } | C::DropUserMapping { mapping, .. } => {
                mapping.id()
            }
            C::CreateForeignTable { table, .. } | C::DropForeignTable { table, .. } => table.id(),
            C::AlterOptions { object, .. } => object.clone(),
            C::AddColumn { table, .. } => table.id(),
            C::DropColumn { table, .. } | C::AlterColumn { table, .. } => ObjectId::ForeignTable {
                name: table.clone(),
            },
        }
    }
}

fn push(out: &mut Vec<Change>, c: ForeignDataChange) {
    out.push(Change::ForeignData {
        foreign_data_change: c,
    });
}

fn comment(out: &mut Vec<Change>, object: ObjectId, from: &Option<String>, to: &Option<String>) {
    if from != to {
        out.push(Change::SetComment {
            object,
            from: from.clone(),
            to: to.clone(),
        });
    }
}

fn options(out: &mut Vec<Change>, object: ObjectId, from: &Options, to: &Options) {
    if from != to {
        push(
            out,
            ForeignDataChange::AlterOptions {
                object,
                from: from.clone(),
                to: to.clone(),
            },
        );
    }
}

fn column_id(t: &QualName, c: &str) -> ObjectId {
    ObjectId::Column {
        table: t.clone(),
        column: c.to_string(),
    }
}

/// Whether a server is dropped and created again: `ALTER SERVER` changes neither its
/// wrapper nor its `TYPE`.
fn recreates(s0: &ForeignServer, s1: &ForeignServer) -> bool {
    s0.wrapper != s1.wrapper || s0.server_type != s1.server_type
}

/// The servers [`diff`] drops and creates again: their privileges start over.
pub(crate) fn recreated_servers(from: &Catalog, to: &Catalog) -> BTreeSet<ObjectId> {
    from.foreign_servers
        .iter()
        .filter(|(n, s0)| {
            to.foreign_servers
                .get(*n)
                .is_some_and(|s1| recreates(s0, s1))
        })
        .map(|(_, s0)| s0.id())
        .collect()
}

/// The changes in SQL/MED objects that turn `from` into `to`.
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    use ForeignDataChange as C;
    // Wrappers.
    for (name, w0) in &from.foreign_data_wrappers {
        match to.foreign_data_wrappers.get(name) {
            None => push(
                out,
                C::DropWrapper {
                    wrapper: w0.clone(),
                },
            ),
            Some(w1) => {
                if (&w0.handler, &w0.validator) != (&w1.handler, &w1.validator) {
                    push(
                        out,
                        C::AlterWrapperFunctions {
                            wrapper: w1.clone(),
                        },
                    );
                }
                options(out, w1.id(), &w0.options, &w1.options);
                comment(out, w1.id(), &w0.comment, &w1.comment);
            }
        }
    }
    for (name, w1) in &to.foreign_data_wrappers {
        if !from.foreign_data_wrappers.contains_key(name) {
            push(
                out,
                C::CreateWrapper {
                    wrapper: ForeignDataWrapper {
                        comment: None,
                        ..w1.clone()
                    },
                },
            );
            comment(out, w1.id(), &None, &w1.comment);
        }
    }

    // Servers: those re-created take their mappings and foreign tables with them.
    let mut recreated: BTreeSet<String> = BTreeSet::new();
    for (name, s0) in &from.foreign_servers {
        let Some(s1) = to.foreign_servers.get(name) else {
            push(
                out,
                C::DropServer {
                    server: s0.clone(),
                    recreate: None,
                },
            );
            continue;
        };
        if recreates(s0, s1) {
            let why = if s0.wrapper != s1.wrapper {
                format!("its wrapper changes ({} to {})", s0.wrapper, s1.wrapper)
            } else {
                "its TYPE changes".to_string()
            };
            recreated.insert(name.clone());
            push(
                out,
                C::DropServer {
                    server: s0.clone(),
                    recreate: Some(why.clone()),
                },
            );
            push(
                out,
                C::CreateServer {
                    server: ForeignServer {
                        comment: None,
                        ..s1.clone()
                    },
                    recreate: Some(why),
                },
            );
            comment(out, s1.id(), &None, &s1.comment);
            continue;
        }
        if s0.version != s1.version {
            push(out, C::AlterServerVersion { server: s1.clone() });
        }
        options(out, s1.id(), &s0.options, &s1.options);
        comment(out, s1.id(), &s0.comment, &s1.comment);
    }
    for (name, s1) in &to.foreign_servers {
        if !from.foreign_servers.contains_key(name) {
            push(
                out,
                C::CreateServer {
                    server: ForeignServer {
                        comment: None,
                        ..s1.clone()
                    },
                    recreate: None,
                },
            );
            comment(out, s1.id(), &None, &s1.comment);
        }
    }
    let server_why = |s: &str| format!("its server {} is re-created", shale_model::quote_ident(s));

    // User mappings.
    for (key, m0) in &from.user_mappings {
        match to.user_mappings.get(key) {
            None => push(
                out,
                C::DropUserMapping {
                    mapping: m0.clone(),
                    recreate: None,
                },
            ),
            Some(m1) if recreated.contains(&m0.server) => {
                let why = Some(server_why(&m0.server));
                push(
                    out,
                    C::DropUserMapping {
                        mapping: m0.clone(),
                        recreate: why.clone(),
                    },
                );
                push(
                    out,
                    C::CreateUserMapping {
                        mapping: m1.clone(),
                        recreate: why,
                    },
                );
            }
            Some(m1) => options(out, m1.id(), &m0.options, &m1.options),
        }
    }
    for (key, m1) in &to.user_mappings {
        if !from.user_mappings.contains_key(key) {
            push(
                out,
                C::CreateUserMapping {
                    mapping: m1.clone(),
                    recreate: None,
                },
            );
        }
    }

    // Foreign tables.
    for (name, t0) in &from.foreign_tables {
        let Some(t1) = to.foreign_tables.get(name) else {
            push(
                out,
                C::DropForeignTable {
                    table: t0.clone(),
                    recreate: None,
                },
            );
            continue;
        };
        let why = if t0.server != t1.server {
            Some(format!(
                "its server changes ({} to {})",
                shale_model::quote_ident(&t0.server),
                shale_model::quote_ident(&t1.server)
            ))
        } else if recreated.contains(&t0.server) {
            Some(server_why(&t0.server))
        } else {
            None
        };
        if let Some(why) = why {
            push(
                out,
                C::DropForeignTable {
                    table: t0.clone(),
                    recreate: Some(why.clone()),
                },
            );
            create_table(out, t1, Some(why));
            continue;
        }
        alter_table(out, t0, t1);
    }
    for (name, t1) in &to.foreign_tables {
        if !from.foreign_tables.contains_key(name) {
            create_table(out, t1, None);
        }
    }
}

fn bare(c: &Column) -> Column {
    Column {
        comment: None,
        ..c.clone()
    }
}

fn create_table(out: &mut Vec<Change>, t: &ForeignTable, recreate: Option<String>) {
    let mut bare_table = t.clone();
    bare_table.comment = None;
    bare_table.columns = t.columns.iter().map(bare).collect();
    push(
        out,
        ForeignDataChange::CreateForeignTable {
            table: bare_table,
            recreate,
        },
    );
    comment(out, t.id(), &None, &t.comment);
    for c in &t.columns {
        comment(out, column_id(&t.name, &c.name), &None, &c.comment);
    }
}

fn alter_table(out: &mut Vec<Change>, t0: &ForeignTable, t1: &ForeignTable) {
    use ForeignDataChange as C;
    let none = Options::new();
    for c0 in &t0.columns {
        if t1.column(&c0.name).is_none() {
            push(
                out,
                C::DropColumn {
                    table: t1.name.clone(),
                    column: Box::new(c0.clone()),
                },
            );
        }
    }
    for c1 in &t1.columns {
        match t0.column(&c1.name) {
            None => {
                push(
                    out,
                    C::AddColumn {
                        table: t1.clone(),
                        column: Box::new(bare(c1)),
                    },
                );
                comment(out, column_id(&t1.name, &c1.name), &None, &c1.comment);
            }
            Some(c0) => {
                if bare(c0) != bare(c1) {
                    push(
                        out,
                        C::AlterColumn {
                            table: t1.name.clone(),
                            from: Box::new(c0.clone()),
                            column: Box::new(c1.clone()),
                        },
                    );
                }
                options(
                    out,
                    column_id(&t1.name, &c1.name),
                    t0.column_options.get(&c1.name).unwrap_or(&none),
                    t1.column_options.get(&c1.name).unwrap_or(&none),
                );
                comment(out, column_id(&t1.name, &c1.name), &c0.comment, &c1.comment);
            }
        }
    }
    options(out, t1.id(), &t0.options, &t1.options);
    comment(out, t1.id(), &t0.comment, &t1.comment);
}
