//! Statements of schema files that are not schema: data (`INSERT`, `COPY … FROM stdin` with
//! its rows, `SELECT pg_catalog.setval(…)`), procedural (`DO`, `CALL`) and role statements
//! (`CREATE ROLE`, `GRANT role TO role`; shale never creates roles). The SQL front end
//! skips them and records each one here, so that they are listed with the plan and
//! `--strict-coverage` can refuse them. A database has none: they are carried beside the
//! schema, never diffed, and left out when a model of files is compared with a database's.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One skipped statement: where it is and what it is. `kind` never holds a literal of the
/// statement (a role's password, a row's values): only its kind and the object it names
/// (`INSERT INTO public.schema_migrations`, `CREATE ROLE app`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IgnoredStatement {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub kind: String,
}

impl fmt::Display for IgnoredStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.kind
        )
    }
}
