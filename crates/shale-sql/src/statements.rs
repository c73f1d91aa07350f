//! Statements that are not schema, as real projects' files hold them: pg_dump's data
//! (`COPY … FROM stdin;` with its rows and `\.`, `SELECT pg_catalog.setval(…)`), Rails'
//! `INSERT INTO "schema_migrations" …`, idempotent `DO $$ … CREATE ROLE … $$` blocks, role
//! statements, `CALL`, maintenance commands. They are skipped and recorded as
//! [`IgnoredStatement`]s (file:line:column and a short kind that never holds a literal of
//! the statement: no password, no row), listed with the plan and refused by
//! `--strict-coverage`.
//!
//! A `COPY … FROM stdin` statement is followed by its data, which is not SQL: the rows up
//! to the `\.` line are blanked out (byte positions kept) before the file is parsed, and
//! [`split_copy_data`] hands them to the dev-database mode, which sends them to the server
//! as `COPY` data.

use super::{line_col, skip_trivia, strings, Builder, R};
use pg_query::protobuf::{self, RoleSpecType, RoleStmtType};
use pg_query::NodeEnum;
use shale_model::{quote_ident, IgnoredStatement};

/// A `COPY … FROM stdin` statement and the data block after it, by byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyBlock {
    /// From `COPY` to the `;` ending the statement.
    pub statement: std::ops::Range<usize>,
    /// The rows: from the line after the statement to the start of the `\.` line.
    pub data: std::ops::Range<usize>,
    /// The `\.` line, with its line break.
    pub terminator: std::ops::Range<usize>,
    /// Number of data rows.
    pub rows: usize,
}

/// Does `prefix` end between statements (every statement in it complete, nothing after
/// the last but `;`, whitespace and comments)?
fn at_statement_boundary(prefix: &str) -> bool {
    // pg_dump's `\restrict` and other psql meta-commands are not SQL.
    let blanked = super::blank_meta_commands(prefix);
    let prefix = blanked.as_deref().unwrap_or(prefix);
    let Ok(spans) = pg_query::split_with_scanner(prefix) else {
        return false;
    };
    let tail = spans
        .last()
        .map(|s| s.as_ptr() as usize - prefix.as_ptr() as usize + s.len())
        .unwrap_or(0);
    let mut i = tail;
    loop {
        i = skip_trivia(prefix, i);
        if prefix[i..].starts_with(';') {
            i += 1;
        } else {
            return i >= prefix.len();
        }
    }
}

/// Is this statement text `COPY … FROM STDIN …`?
fn is_copy_from_stdin(stmt: &str) -> bool {
    let words: Vec<String> = stmt
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    words.first().is_some_and(|w| w == "COPY")
        && words.windows(2).any(|w| w[0] == "FROM" && w[1] == "STDIN")
}

/// The `COPY … FROM stdin` statements of a file and their data blocks, in order. A `COPY`
/// counts where a statement starts (not inside a function body or a string); its data runs
/// to the first line that is exactly `\.`. Error: the byte offset of a `COPY` whose data
/// has no end.
pub(crate) fn copy_blocks(text: &str) -> Result<Vec<CopyBlock>, usize> {
    let mut blocks: Vec<CopyBlock> = Vec::new();
    // Text from here on starts between statements (the start, or after a data block).
    let mut boundary = 0;
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map(|i| line_start + i + 1)
            .unwrap_or(text.len());
        let line = &text[line_start..line_end];
        let indent = line.len() - line.trim_start().len();
        let start = line_start + indent;
        let looks_like_copy = text.as_bytes()[start..]
            .get(..5)
            .is_some_and(|w| w[..4].eq_ignore_ascii_case(b"copy") && w[4].is_ascii_whitespace());
        if !looks_like_copy {
            line_start = line_end;
            continue;
        }
        // The statement ends at the first line that ends with `;`.
        let mut end = line_start;
        let mut stmt_end = None;
        while end < text.len() {
            let e = text[end..]
                .find('\n')
                .map(|i| end + i + 1)
                .unwrap_or(text.len());
            let l = text[end..e].trim_end();
            end = e;
            if l.ends_with(';') {
                stmt_end = Some(start + text[start..end].trim_end().len());
                break;
            }
        }
        let Some(stmt_end) = stmt_end else {
            break;
        };
        if !is_copy_from_stdin(&text[start..stmt_end])
            || !at_statement_boundary(&text[boundary..start])
        {
            line_start = line_end;
            continue;
        }
        let data_start = end;
        let mut rows = 0;
        let mut at = data_start;
        let terminator = loop {
            if at >= text.len() {
                return Err(start);
            }
            let e = text[at..]
                .find('\n')
                .map(|i| at + i + 1)
                .unwrap_or(text.len());
            if text[at..e].trim_end_matches(['\n', '\r']) == "\\." {
                break at..e;
            }
            rows += 1;
            at = e;
        };
        boundary = terminator.end;
        line_start = terminator.end;
        blocks.push(CopyBlock {
            statement: start..stmt_end,
            data: data_start..terminator.start,
            terminator,
            rows,
        });
    }
    Ok(blocks)
}

/// `text` with the data blocks of its `COPY … FROM stdin` statements blanked out (every
/// byte but line breaks becomes a space, so positions do not move), and the blocks.
pub(crate) fn blank_copy_data(text: &str) -> Result<(String, Vec<CopyBlock>), usize> {
    let blocks = copy_blocks(text)?;
    if blocks.is_empty() {
        return Ok((text.to_string(), blocks));
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for b in &blocks {
        out.push_str(&text[from..b.data.start]);
        out.extend(text[b.data.start..b.terminator.end].bytes().map(|c| {
            if c == b'\n' {
                '\n'
            } else {
                ' '
            }
        }));
        from = b.terminator.end;
    }
    out.push_str(&text[from..]);
    Ok((out, blocks))
}

/// A piece of a SQL script, for running it on a server: SQL to run as it is, or a
/// `COPY … FROM stdin` statement with the data to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptPiece<'a> {
    Sql(&'a str),
    CopyFromStdin { statement: &'a str, data: &'a str },
}

/// A script cut at its `COPY … FROM stdin` data blocks, so that a client can run the SQL
/// and send each block as the data of its `COPY` (as `psql` does). Error: the 1-based line
/// of a `COPY` whose data has no terminating `\.` line.
pub fn split_copy_data(text: &str) -> Result<Vec<ScriptPiece<'_>>, usize> {
    let blocks = copy_blocks(text).map_err(|byte| line_col(text, byte).0)?;
    let mut out = Vec::new();
    let mut from = 0;
    for b in blocks {
        out.push(ScriptPiece::Sql(&text[from..b.statement.start]));
        out.push(ScriptPiece::CopyFromStdin {
            statement: &text[b.statement.clone()],
            data: &text[b.data.clone()],
        });
        from = b.terminator.end;
    }
    out.push(ScriptPiece::Sql(&text[from..]));
    Ok(out)
}

/// A role as a statement names it (`CURRENT_USER` and the like as the keyword).
fn role_spec(r: Option<&protobuf::RoleSpec>) -> String {
    let Some(r) = r else {
        return "ALL".into();
    };
    match RoleSpecType::try_from(r.roletype).unwrap_or(RoleSpecType::Undefined) {
        RoleSpecType::RolespecCstring => quote_ident(&r.rolename),
        RoleSpecType::RolespecCurrentRole => "CURRENT_ROLE".into(),
        RoleSpecType::RolespecCurrentUser => "CURRENT_USER".into(),
        RoleSpecType::RolespecSessionUser => "SESSION_USER".into(),
        RoleSpecType::RolespecPublic => "PUBLIC".into(),
        RoleSpecType::Undefined => "?".into(),
    }
}

fn role_list(nodes: &[protobuf::Node]) -> String {
    nodes
        .iter()
        .map(|n| match n.node.as_ref() {
            Some(NodeEnum::RoleSpec(r)) => role_spec(Some(r)),
            Some(NodeEnum::AccessPriv(p)) => quote_ident(&p.priv_name),
            _ => "?".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Builder {
    /// Is this a statement that is not schema (data, procedural, role, maintenance)?
    pub(super) fn is_ignored_statement(n: &NodeEnum) -> bool {
        matches!(
            n,
            NodeEnum::InsertStmt(_)
                | NodeEnum::UpdateStmt(_)
                | NodeEnum::DeleteStmt(_)
                | NodeEnum::MergeStmt(_)
                | NodeEnum::CopyStmt(_)
                | NodeEnum::TruncateStmt(_)
                | NodeEnum::SelectStmt(_)
                | NodeEnum::DoStmt(_)
                | NodeEnum::CallStmt(_)
                | NodeEnum::CreateRoleStmt(_)
                | NodeEnum::AlterRoleStmt(_)
                | NodeEnum::AlterRoleSetStmt(_)
                | NodeEnum::DropRoleStmt(_)
                | NodeEnum::GrantRoleStmt(_)
                | NodeEnum::VacuumStmt(_)
                | NodeEnum::ClusterStmt(_)
                | NodeEnum::ReindexStmt(_)
                | NodeEnum::CheckPointStmt(_)
                | NodeEnum::LockStmt(_)
                | NodeEnum::ListenStmt(_)
                | NodeEnum::UnlistenStmt(_)
                | NodeEnum::NotifyStmt(_)
                | NodeEnum::DiscardStmt(_)
                | NodeEnum::ExplainStmt(_)
                | NodeEnum::PrepareStmt(_)
                | NodeEnum::ExecuteStmt(_)
                | NodeEnum::DeallocateStmt(_)
                | NodeEnum::VariableShowStmt(_)
                | NodeEnum::ConstraintsSetStmt(_)
                | NodeEnum::LoadStmt(_)
                | NodeEnum::AlterSystemStmt(_)
                | NodeEnum::DeclareCursorStmt(_)
                | NodeEnum::FetchStmt(_)
                | NodeEnum::ClosePortalStmt(_)
        )
    }

    /// Skip a statement that is not schema, recording it.
    pub(super) fn ignore_statement(&mut self, n: &NodeEnum, text: &str) -> R<()> {
        let kind = self.ignored_kind(n, text);
        let (line, column) = line_col(&self.text, self.stmt_start);
        self.cat.ignored_statements.push(IgnoredStatement {
            file: self.file.clone(),
            line,
            column,
            kind,
        });
        Ok(())
    }

    /// What an ignored statement is, with the object it names and no literal of it.
    fn ignored_kind(&self, n: &NodeEnum, text: &str) -> String {
        let rel = |rv: Option<&protobuf::RangeVar>| self.relation_display(rv);
        match n {
            NodeEnum::InsertStmt(s) => format!("INSERT INTO {}", rel(s.relation.as_ref())),
            NodeEnum::UpdateStmt(s) => format!("UPDATE {}", rel(s.relation.as_ref())),
            NodeEnum::DeleteStmt(s) => format!("DELETE FROM {}", rel(s.relation.as_ref())),
            NodeEnum::MergeStmt(s) => format!("MERGE INTO {}", rel(s.relation.as_ref())),
            NodeEnum::TruncateStmt(s) => {
                let names: Vec<String> = s
                    .relations
                    .iter()
                    .filter_map(|r| match r.node.as_ref() {
                        Some(NodeEnum::RangeVar(rv)) => Some(rel(Some(rv))),
                        _ => None,
                    })
                    .collect();
                format!("TRUNCATE {}", names.join(", "))
            }
            NodeEnum::CopyStmt(s) => {
                let what = match &s.relation {
                    Some(rv) => rel(Some(rv)),
                    None => "(query)".into(),
                };
                let dir = if s.is_from { "FROM" } else { "TO" };
                let place = if s.is_program {
                    "PROGRAM".to_string()
                } else if s.filename.is_empty() {
                    if s.is_from { "stdin" } else { "stdout" }.to_string()
                } else {
                    "a file".to_string()
                };
                let rows = self
                    .copy_blocks
                    .iter()
                    .find(|b| b.statement.start == self.stmt_start)
                    .map(|b| format!(" ({} row{})", b.rows, if b.rows == 1 { "" } else { "s" }))
                    .unwrap_or_default();
                format!("COPY {what} {dir} {place}{rows}")
            }
            NodeEnum::SelectStmt(s) => {
                let calls: Vec<String> = s
                    .target_list
                    .iter()
                    .filter_map(|t| match t.node.as_ref() {
                        Some(NodeEnum::ResTarget(rt)) => match rt.val.as_deref()?.node.as_ref() {
                            Some(NodeEnum::FuncCall(f)) => Some(f),
                            _ => None,
                        },
                        _ => None,
                    })
                    .map(|f| {
                        let name = strings(&f.funcname).join(".");
                        // A sequence's name says which one; no other argument is shown.
                        let first = f.args.first().and_then(|a| match a.node.as_ref() {
                            Some(NodeEnum::AConst(c)) => match &c.val {
                                Some(protobuf::a_const::Val::Sval(v)) => Some(v.sval.clone()),
                                _ => None,
                            },
                            _ => None,
                        });
                        match first {
                            Some(seq) if name.ends_with("setval") => {
                                format!("{name}({})", shale_model::quote_literal(&seq))
                            }
                            _ => format!("{name}(…)"),
                        }
                    })
                    .collect();
                if calls.is_empty() || !s.from_clause.is_empty() {
                    "SELECT".into()
                } else {
                    format!("SELECT {}", calls.join(", "))
                }
            }
            NodeEnum::DoStmt(_) => "DO block".into(),
            NodeEnum::CallStmt(s) => match &s.funccall {
                Some(f) => format!("CALL {}", strings(&f.funcname).join(".")),
                None => "CALL".into(),
            },
            NodeEnum::CreateRoleStmt(s) => {
                let what = match RoleStmtType::try_from(s.stmt_type) {
                    Ok(RoleStmtType::RolestmtUser) => "USER",
                    Ok(RoleStmtType::RolestmtGroup) => "GROUP",
                    _ => "ROLE",
                };
                format!("CREATE {what} {}", quote_ident(&s.role))
            }
            NodeEnum::AlterRoleStmt(s) => format!("ALTER ROLE {}", role_spec(s.role.as_ref())),
            NodeEnum::AlterRoleSetStmt(s) => {
                let setting = s
                    .setstmt
                    .as_ref()
                    .map(|v| v.name.as_str())
                    .filter(|n| !n.is_empty())
                    .unwrap_or("…");
                format!("ALTER ROLE {} SET {setting}", role_spec(s.role.as_ref()))
            }
            NodeEnum::DropRoleStmt(s) => format!("DROP ROLE {}", role_list(&s.roles)),
            NodeEnum::GrantRoleStmt(s) => format!(
                "{} {} {} {}",
                if s.is_grant { "GRANT" } else { "REVOKE" },
                role_list(&s.granted_roles),
                if s.is_grant { "TO" } else { "FROM" },
                role_list(&s.grantee_roles)
            ),
            other => super::statement_kind(other, text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_copy_data_blocks_where_statements_start() {
        let text =
            "SET x = 1;\nCOPY public.t (a, b) FROM stdin;\n1\tx\n\\N\ty'\n\\.\n\nSELECT 1;\n";
        let blocks = copy_blocks(text).unwrap();
        assert_eq!(blocks.len(), 1);
        let b = &blocks[0];
        assert_eq!(
            &text[b.statement.clone()],
            "COPY public.t (a, b) FROM stdin;"
        );
        assert_eq!(&text[b.data.clone()], "1\tx\n\\N\ty'\n");
        assert_eq!(b.rows, 2);
        let (blank, _) = blank_copy_data(text).unwrap();
        assert_eq!(blank.len(), text.len());
        assert!(pg_query::parse(&blank, 0).is_ok(), "{blank}");
        // Empty data, CRLF line ends.
        let crlf = "COPY t FROM stdin;\r\n\\.\r\nSELECT 1;";
        let b = copy_blocks(crlf).unwrap();
        assert_eq!((b.len(), b[0].rows), (1, 0));
    }

    #[test]
    fn lines_of_any_text_are_looked_at_safely() {
        assert!(copy_blocks("çççç\nç\n  éé\ncop\nCOPY\n")
            .unwrap()
            .is_empty());
        let text = "-- ç\nCOPY\tt FROM stdin;\nç\n\\.\n";
        assert_eq!(copy_blocks(text).unwrap()[0].rows, 1);
    }

    #[test]
    fn copy_inside_a_body_or_to_stdout_is_not_a_data_block() {
        let text = "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$\nCOPY t FROM stdin;\n$$;\nCOPY t TO stdout;\n";
        assert!(copy_blocks(text).unwrap().is_empty());
    }

    #[test]
    fn data_without_an_end_is_an_error_at_its_copy() {
        let text = "CREATE TABLE t (a int);\nCOPY t FROM stdin;\n1\n2\n";
        assert_eq!(copy_blocks(text), Err(24));
        assert_eq!(split_copy_data(text), Err(2));
    }

    #[test]
    fn splits_scripts_for_a_server() {
        let text = "CREATE TABLE t (a int);\nCOPY t (a) FROM stdin;\n1\n2\n\\.\nSELECT 1;\n";
        let pieces = split_copy_data(text).unwrap();
        assert_eq!(
            pieces,
            vec![
                ScriptPiece::Sql("CREATE TABLE t (a int);\n"),
                ScriptPiece::CopyFromStdin {
                    statement: "COPY t (a) FROM stdin;",
                    data: "1\n2\n"
                },
                ScriptPiece::Sql("SELECT 1;\n"),
            ]
        );
    }
}
