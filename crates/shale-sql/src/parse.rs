//! DDL statements → the catalog, applied in order as PostgreSQL would run them.

use crate::directives::{self, Anchor, Attached};
use crate::facts;
use crate::naming::{self, choose_name, figure_index_colname, index_column_names, name_addition};
use crate::normalize::{self, column_refs, first_schema, NormCx};
use crate::raw;
use crate::types::{self, serial_type};
use crate::{SourceFile, SqlError};
use pg_query::protobuf::{
    self, AlterTableType, ConstrType, DropBehavior, Node, ObjectType, SortByDir, SortByNulls,
};
use pg_query::NodeEnum;
use shale_model::{
    quote_ident, Catalog, Column, ColumnRef, Constraint, ConstraintKind, EnumType, Expr, Extension,
    FkAction, Identity, Index, IndexKey, IndexKeyExpr, ObjectId, QualName, Schema, Sequence, Table,
    TypeRef,
};
use std::collections::{BTreeMap, BTreeSet};

#[path = "aggregates.rs"]
mod aggregates;
#[path = "casts.rs"]
mod casts;
#[path = "event_triggers.rs"]
mod event_triggers;
#[path = "foreign_data.rs"]
mod foreign_data;
#[path = "names.rs"]
pub(crate) mod names;
#[path = "operators.rs"]
mod operators;
#[path = "ordering.rs"]
mod ordering;
#[path = "publications.rs"]
mod publications;
#[path = "relation_options.rs"]
mod relation_options;
#[path = "rewrite_rules.rs"]
mod rewrite_rules;
#[path = "routines.rs"]
pub(crate) mod routines;
#[path = "security.rs"]
pub(crate) mod security;
#[path = "statements.rs"]
pub(crate) mod statements;
#[path = "statistics.rs"]
mod statistics;
#[path = "table_like.rs"]
mod table_like;
#[path = "table_options.rs"]
pub(crate) mod table_options;
#[path = "text_search.rs"]
mod text_search;
#[path = "user_types.rs"]
mod user_types;

/// An error inside a statement: a byte offset in the file (`-1`: the statement itself).
pub(crate) struct E {
    loc: i32,
    msg: String,
}

type R<T> = Result<T, E>;

/// A statement as read from a file: start byte, end byte, parse tree.
type ReadStatement = (usize, usize, NodeEnum);

fn err<T>(loc: i32, msg: impl Into<String>) -> R<T> {
    Err(E {
        loc,
        msg: msg.into(),
    })
}

fn at(loc: i32) -> impl Fn(String) -> E {
    move |msg| E { loc, msg }
}

fn unsupported<T>(loc: i32, what: &str) -> R<T> {
    err(loc, format!("unsupported statement: {what}"))
}

fn sval(n: &Node) -> Option<&str> {
    match n.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

fn strings(nodes: &[Node]) -> Vec<String> {
    nodes.iter().filter_map(sval).map(str::to_string).collect()
}

/// Integer value of a DefElem argument (`Integer`, `Float` for big values, or a string).
fn def_int(d: &protobuf::DefElem) -> R<i64> {
    let bad = || E {
        loc: d.location,
        msg: format!("{} requires a numeric value", d.defname),
    };
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::Integer(i)) => Ok(i.ival as i64),
        Some(NodeEnum::Float(f)) => f.fval.parse::<i64>().map_err(|_| bad()),
        Some(NodeEnum::String(s)) => s.sval.trim().parse::<i64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

fn def_bool(d: &protobuf::DefElem) -> R<bool> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        None => Ok(true),
        Some(NodeEnum::Boolean(b)) => Ok(b.boolval),
        Some(NodeEnum::Integer(i)) => Ok(i.ival != 0),
        // `off` unquoted is a word like any other (`on` is a keyword, read as a string).
        Some(NodeEnum::String(_) | NodeEnum::TypeName(_)) => {
            match def_string(d)?.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" => Ok(true),
                "false" | "off" | "no" => Ok(false),
                _ => err(
                    d.location,
                    format!("{} requires a Boolean value", d.defname),
                ),
            }
        }
        _ => err(
            d.location,
            format!("{} requires a Boolean value", d.defname),
        ),
    }
}

fn def_string(d: &protobuf::DefElem) -> R<String> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::String(s)) => Ok(s.sval.clone()),
        Some(NodeEnum::Integer(i)) => Ok(i.ival.to_string()),
        Some(NodeEnum::Float(f)) => Ok(f.fval.clone()),
        Some(NodeEnum::Boolean(b)) => Ok(b.boolval.to_string()),
        // An unquoted word (`synchronous_commit = remote_apply`, as pg_dump writes it) is
        // parsed as a type name: its one name is the value.
        Some(NodeEnum::TypeName(t)) if t.names.len() == 1 => match t.names[0].node.as_ref() {
            Some(NodeEnum::String(s)) => Ok(s.sval.clone()),
            _ => err(d.location, format!("{} requires a value", d.defname)),
        },
        _ => err(d.location, format!("{} requires a value", d.defname)),
    }
}

/// Sequence parameters as `init_params` leaves them.
#[derive(Clone)]
struct SeqParams {
    data_type: String,
    start: i64,
    increment: i64,
    min_value: i64,
    max_value: i64,
    cache: i64,
    cycle: bool,
}

fn type_bounds(t: &str) -> (i64, i64) {
    match t {
        "smallint" => (i16::MIN as i64, i16::MAX as i64),
        "integer" => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The domains PostgreSQL defines in `information_schema` (every server has them, so
/// columns may use them by name).
const INFORMATION_SCHEMA_TYPES: &[&str] = &[
    "cardinal_number",
    "character_data",
    "sql_identifier",
    "time_stamp",
    "yes_or_no",
];

impl SeqParams {
    fn from_sequence(s: &Sequence) -> SeqParams {
        SeqParams {
            data_type: s.data_type.clone(),
            start: s.start,
            increment: s.increment,
            min_value: s.min_value,
            max_value: s.max_value,
            cache: s.cache,
            cycle: s.cycle,
        }
    }
    fn from_identity(i: &Identity, data_type: &str) -> SeqParams {
        SeqParams {
            data_type: data_type.to_string(),
            start: i.start,
            increment: i.increment,
            min_value: i.min_value,
            max_value: i.max_value,
            cache: i.cache,
            cycle: i.cycle,
        }
    }
    fn identity(&self, always: bool) -> Identity {
        Identity {
            always,
            start: self.start,
            increment: self.increment,
            min_value: self.min_value,
            max_value: self.max_value,
            cache: self.cache,
            cycle: self.cycle,
        }
    }
}

/// What a sequence option list says besides the parameters.
#[derive(Default)]
struct SeqExtras {
    owned_by: Option<(Vec<String>, i32)>,
    sequence_name: Option<Vec<String>>,
}

#[derive(Clone)]
struct IndexCon {
    primary: bool,
    columns: Vec<String>,
    include: Vec<String>,
    nulls_not_distinct: bool,
    deferrable: bool,
    initdeferred: bool,
    name: Option<String>,
    loc: i32,
}

struct FkCon {
    con: protobuf::Constraint,
    columns: Vec<String>,
}

/// Constraints of a CREATE TABLE / ALTER TABLE, to be added once columns exist.
#[derive(Default)]
struct Pending {
    checks: Vec<protobuf::Constraint>,
    index_cons: Vec<IndexCon>,
    fks: Vec<FkCon>,
    /// (column, raw default)
    defaults: Vec<(String, Node)>,
    generated: Vec<(String, Node)>,
    /// serial columns (column, data type)
    serials: Vec<(String, String, i32)>,
    /// identity columns whose sequence needs a name (column, given name)
    identities: Vec<(String, Option<Vec<String>>)>,
}

pub(crate) struct Builder {
    cat: Catalog,
    search_path: Vec<String>,
    /// Internal sequences of identity columns (not in the model, but they take names).
    identity_seqs: names::IdentitySeqs,
    /// Constraint names by schema (kept true by `sync_table_names`).
    con_names: names::ConstraintNames,
    /// The catalog's indexes by table (kept true by `sync_index`).
    ix_by_table: names::IndexesByTable,
    file: String,
    /// The current file's text: set with [`Builder::set_text`], which resets `lines`.
    text: String,
    /// Byte offsets of the lines of `text`, built on the first error location asked for,
    /// so that locating is a binary search, not a scan of the file (which, once per SQL
    /// function body, made reading quadratic).
    lines: std::cell::OnceCell<Vec<usize>>,
    /// Start of the statement being applied (byte offset in the file).
    stmt_start: usize,
    /// Byte offset in the file that the locations of the statement being applied count
    /// from: the start of the chunk of the file libpg_query parsed it in (raw.rs).
    loc_base: usize,
    /// Bytes of SQL per libpg_query call when a file is parsed (raw.rs).
    chunk_bytes: usize,
    /// Where the objects of the current file that directives may name are defined.
    anchors: Vec<Anchor>,
    /// The current file has directives (`shale:` somewhere): only then are anchors kept.
    anchoring: bool,
    /// Locations (byte offsets in the file) of the table constraints (not column
    /// constraints) of the current file.
    table_con_locs: BTreeSet<usize>,
    /// Directives of the files read so far.
    attached: Vec<Attached>,
    /// Views, functions, triggers: see `routines.rs`.
    routines: routines::State,
    /// Default privileges in force: see `security.rs`.
    security: security::State,
    /// The `COPY … FROM stdin` data blocks of the current file (statements.rs).
    copy_blocks: Vec<statements::CopyBlock>,
    /// Partitioned-index bookkeeping (table_options.rs).
    pub(crate) part_indexes: table_options::PartIndexes,
    /// The `ALTER TABLE` being applied names its table `ONLY`.
    pub(crate) alter_only: bool,
}

fn default_search_path() -> Vec<String> {
    vec!["$user".to_string(), "public".to_string()]
}

/// The search path a `SET`/`RESET` sets, if it sets `search_path`.
pub(crate) fn search_path_set(s: &protobuf::VariableSetStmt) -> R<Option<Vec<String>>> {
    if s.name != "search_path" {
        return Ok(None);
    }
    use protobuf::VariableSetKind as K;
    Ok(match K::try_from(s.kind).unwrap_or(K::Undefined) {
        K::VarSetValue => {
            let mut path = Vec::new();
            for a in &s.args {
                match a.node.as_ref() {
                    Some(NodeEnum::AConst(c)) => match &c.val {
                        Some(protobuf::a_const::Val::Sval(v)) => path.push(v.sval.clone()),
                        _ => return err(s.location, "invalid search_path value"),
                    },
                    _ => return err(s.location, "invalid search_path value"),
                }
            }
            Some(path)
        }
        K::VarSetDefault | K::VarReset | K::VarResetAll => Some(default_search_path()),
        _ => None,
    })
}

/// A `SELECT [pg_catalog.]set_config(name, value, is_local)` alone: `None` when `s` is
/// not one, else the search path it sets (`Some(None)` for another setting).
pub(crate) fn set_config_call(s: &protobuf::SelectStmt) -> R<Option<Option<Vec<String>>>> {
    let [t] = s.target_list.as_slice() else {
        return Ok(None);
    };
    if !s.from_clause.is_empty() || s.where_clause.is_some() {
        return Ok(None);
    }
    let Some(NodeEnum::ResTarget(rt)) = t.node.as_ref() else {
        return Ok(None);
    };
    let Some(NodeEnum::FuncCall(f)) = rt.val.as_deref().and_then(|v| v.node.as_ref()) else {
        return Ok(None);
    };
    let name = strings(&f.funcname);
    let is_set_config = matches!(name.as_slice(), [n] | [_, n] if n == "set_config")
        && (name.len() == 1 || name[0] == "pg_catalog");
    if !is_set_config || f.args.len() != 3 {
        return Ok(None);
    }
    let text = |n: &Node| match n.node.as_ref() {
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    };
    let (Some(var), Some(value)) = (text(&f.args[0]), text(&f.args[1])) else {
        return Ok(None);
    };
    if var != "search_path" {
        return Ok(Some(None));
    }
    split_identifier_list(&value)
        .map(|p| Some(Some(p)))
        .ok_or_else(|| E {
            loc: f.location,
            msg: format!("invalid search_path value `{value}`"),
        })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    let before = &text[..b];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..b].chars().count() + 1;
    (line, col)
}

/// Byte offsets where the lines of `text` start.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// [`line_col`] with the text's [`line_starts`]: the same answer, found by binary search.
pub(crate) fn line_col_indexed(text: &str, lines: &[usize], byte: usize) -> (usize, usize) {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    let line = lines.partition_point(|&start| start <= b).max(1);
    let line_start = lines[line - 1];
    (line, text[line_start..b].chars().count() + 1)
}

/// The source line around a byte offset, trimmed, for error snippets.
pub(crate) fn snippet_at(text: &str, byte: usize) -> String {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    let start = text[..b].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[b..].find('\n').map(|i| b + i).unwrap_or(text.len());
    let line = text[start..end].trim_end();
    if line.chars().count() > 120 {
        line.chars().take(120).collect::<String>() + "…"
    } else {
        line.to_string()
    }
}

/// Skip whitespace and comments from `from`.
pub(crate) fn skip_trivia(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from.min(bytes.len());
    loop {
        while i < bytes.len() && (bytes[i] as char).is_ascii_whitespace() {
            i += 1;
        }
        if bytes[i..].starts_with(b"--") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if bytes[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
}

/// psql meta-commands (`\\restrict key` of recent pg_dump, `\\connect`, `\\set`, …) on
/// lines of their own are blanked out, keeping byte positions. Those that would read
/// other files (`\\i`, `\\ir`, `\\include`) are an error at their byte offset.
fn blank_meta_commands(text: &str) -> Result<String, usize> {
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let is_meta = line.starts_with('\\')
            && line[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic());
        if is_meta {
            let cmd: String = line[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if matches!(cmd.as_str(), "i" | "ir" | "include" | "include_relative") {
                return Err(offset);
            }
            // one space per byte keeps every later byte offset where it was
            let content = line.strip_suffix('\n').unwrap_or(line);
            out.extend(std::iter::repeat_n(' ', content.len()));
            if content.len() < line.len() {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
        offset += line.len();
    }
    Ok(out)
}

/// Find where a syntax error is: the first token at which a prefix of the failing
/// statement stops being merely incomplete.
pub(crate) fn locate_syntax_error(text: &str) -> Option<(usize, String)> {
    let mut spans: Vec<(usize, usize)> = pg_query::split_with_scanner(text)
        .ok()?
        .iter()
        .map(|s| {
            let start = s.as_ptr() as usize - text.as_ptr() as usize;
            (start, start + s.len())
        })
        .collect();
    // The scanner split leaves out a last statement that has no `;`.
    let tail = spans.last().map(|(_, e)| *e).unwrap_or(0);
    if skip_trivia(text, tail) < text.len() {
        let rest = text[tail..].trim_start_matches(|c: char| c == ';' || c.is_whitespace());
        spans.push((text.len() - rest.len(), text.len()));
    }
    for (offset, end) in spans {
        let s = &text[offset..end];
        let msg = match pg_query::parse(s, 0) {
            Ok(_) => continue,
            Err(pg_query::Error::Parse(m)) => m,
            Err(e) => e.to_string(),
        };
        let tokens = pg_query::scan(s).ok()?.tokens;
        for t in &tokens {
            let end = t.end as usize;
            if let Err(e) = pg_query::parse(&s[..end], 0) {
                let m = match e {
                    pg_query::Error::Parse(m) => m,
                    other => other.to_string(),
                };
                if !m.contains("at end of input") {
                    return Some((offset + t.start as usize, m));
                }
            }
        }
        // Error at the end of the statement.
        let end = tokens.last().map(|t| t.end as usize).unwrap_or(0);
        return Some((offset + end, msg));
    }
    None
}

/// A name for the kind of an unsupported statement: `CREATE VIEW`, `GRANT`, …
fn statement_kind(n: &NodeEnum, text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphabetic() && c != '_')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    match n {
        NodeEnum::ViewStmt(_) => return "CREATE VIEW".into(),
        NodeEnum::CreateFunctionStmt(f) => {
            return if f.is_procedure {
                "CREATE PROCEDURE".into()
            } else {
                "CREATE FUNCTION".into()
            }
        }
        NodeEnum::CreateTrigStmt(_) => return "CREATE TRIGGER".into(),
        NodeEnum::CreatePolicyStmt(_) => return "CREATE POLICY".into(),
        NodeEnum::GrantStmt(g) => return if g.is_grant { "GRANT" } else { "REVOKE" }.into(),
        NodeEnum::GrantRoleStmt(g) => return if g.is_grant { "GRANT" } else { "REVOKE" }.into(),
        NodeEnum::CreateDomainStmt(_) => return "CREATE DOMAIN".into(),
        NodeEnum::CompositeTypeStmt(_) => return "CREATE TYPE (composite)".into(),
        NodeEnum::CreateRangeStmt(_) => return "CREATE TYPE (range)".into(),
        NodeEnum::RuleStmt(_) => return "CREATE RULE".into(),
        NodeEnum::InsertStmt(_) => return "INSERT".into(),
        NodeEnum::UpdateStmt(_) => return "UPDATE".into(),
        NodeEnum::DeleteStmt(_) => return "DELETE".into(),
        NodeEnum::DoStmt(_) => return "DO".into(),
        _ => {}
    }
    const MODIFIERS: &[&str] = &[
        "OR",
        "REPLACE",
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "TRUSTED",
        "PROCEDURAL",
        "RECURSIVE",
        "DEFAULT",
        "CONSTRAINT",
        "IF",
        "NOT",
        "EXISTS",
    ];
    const TWO_WORD: &[&str] = &[
        "MATERIALIZED",
        "FOREIGN",
        "EVENT",
        "TEXT",
        "ACCESS",
        "USER",
        "OPERATOR",
    ];
    match words.first().map(String::as_str) {
        Some(first @ ("CREATE" | "ALTER" | "DROP")) => {
            let rest: Vec<&String> = words[1..]
                .iter()
                .filter(|w| !MODIFIERS.contains(&w.as_str()))
                .collect();
            match rest.as_slice() {
                [a, b, ..] if TWO_WORD.contains(&a.as_str()) => format!("{first} {a} {b}"),
                [a, ..] => format!("{first} {a}"),
                [] => first.to_string(),
            }
        }
        Some(w) => w.to_string(),
        None => "statement".into(),
    }
}

fn fk_action(c: &str, loc: i32) -> R<FkAction> {
    Ok(match c {
        "" | "a" => FkAction::NoAction,
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        other => return err(loc, format!("unknown foreign key action `{other}`")),
    })
}

fn contype(c: &protobuf::Constraint) -> ConstrType {
    ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined)
}

impl Builder {
    pub(crate) fn new() -> Builder {
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        Builder {
            cat,
            search_path: default_search_path(),
            identity_seqs: names::IdentitySeqs::default(),
            con_names: names::ConstraintNames::default(),
            ix_by_table: names::IndexesByTable::default(),
            file: String::new(),
            text: String::new(),
            lines: std::cell::OnceCell::new(),
            stmt_start: 0,
            loc_base: 0,
            chunk_bytes: raw::CHUNK_BYTES,
            anchors: Vec::new(),
            anchoring: true,
            table_con_locs: BTreeSet::new(),
            attached: Vec::new(),
            routines: routines::State::default(),
            security: security::State::default(),
            copy_blocks: Vec::new(),
            part_indexes: table_options::PartIndexes::default(),
            alter_only: false,
        }
    }

    /// The catalog and the directives of every file, checked against it.
    pub(crate) fn finish(mut self) -> Result<(Catalog, shale_model::Directives), SqlError> {
        self.prune_security();
        self.cat.prune_table_options();
        routines::resolve_late_source_refs(&mut self.cat);
        crate::binder::check_sql_bodies(&self.cat, &self.routines.sql_bodies)?;
        let d = directives::resolve(self.attached, &self.cat)?;
        Ok((self.cat, d))
    }

    fn anchor(&mut self, byte: usize, level: u8, id: ObjectId) {
        if self.anchoring {
            self.anchors.push(Anchor { byte, level, id });
        }
    }

    fn anchor_stmt(&mut self, id: ObjectId) {
        self.anchor(self.stmt_start, 0, id);
    }

    /// The byte offset in the file of a location in the statement being applied's tree
    /// (`None` for an unknown location, -1).
    fn file_byte(&self, loc: i32) -> Option<usize> {
        usize::try_from(loc).ok().map(|l| l + self.loc_base)
    }

    /// An anchor at a location of the statement being applied's tree.
    fn anchor_loc(&mut self, loc: i32, level: u8, id: ObjectId) {
        self.anchor(self.file_byte(loc).unwrap_or(self.loc_base), level, id);
    }

    /// Record where a table constraint of the current file is given.
    fn table_con_loc(&mut self, loc: i32) {
        if let Some(b) = self.file_byte(loc) {
            self.table_con_locs.insert(b);
        }
    }

    /// A table constraint (given at `loc`) got its name.
    fn anchor_constraint(&mut self, q: &QualName, name: &str, loc: i32) {
        let Some(byte) = self.file_byte(loc) else {
            return;
        };
        if self.table_con_locs.contains(&byte) {
            self.anchor(
                byte,
                1,
                ObjectId::Constraint {
                    table: q.clone(),
                    name: name.to_string(),
                },
            );
        }
    }

    /// Make `text` the text errors are located in.
    pub(crate) fn set_text(&mut self, text: String) {
        self.text = text;
        self.lines = std::cell::OnceCell::new();
    }

    fn sql_error(&self, byte: usize, msg: String) -> SqlError {
        let lines = self.lines.get_or_init(|| line_starts(&self.text));
        let (line, column) = line_col_indexed(&self.text, lines, byte);
        SqlError {
            file: self.file.clone(),
            line,
            column,
            message: msg,
            snippet: snippet_at(&self.text, byte),
        }
    }

    /// Read one file's statements: `COPY` data and psql meta-commands blanked out, the
    /// text parsed. Returns the blanked text and its statements, still encoded.
    fn read_file(&mut self, f: &SourceFile) -> Result<(String, raw::Statements), SqlError> {
        self.file = f.path.clone();
        self.set_text(f.text.clone());
        // Data blocks first: their rows may start with `\` like meta-commands.
        let text =
            match statements::blank_copy_data(&f.text) {
                Ok((text, blocks)) => {
                    self.copy_blocks = blocks;
                    text
                }
                Err(byte) => return Err(self.sql_error(
                    byte,
                    "COPY … FROM stdin: its data has no end (a line `\\.` must follow the rows)"
                        .into(),
                )),
            };
        let text = match blank_meta_commands(&text) {
            Ok(t) => t,
            Err(byte) => {
                return Err(self.sql_error(
                    byte,
                    "unsupported psql meta-command (only \\restrict-style commands of pg_dump are skipped)"
                        .into(),
                ))
            }
        };
        let parsed = match raw::Statements::parse_in_chunks(&text, self.chunk_bytes) {
            Ok(p) => p,
            Err(e) => {
                let msg = match e {
                    pg_query::Error::Parse(m) => m,
                    other => other.to_string(),
                };
                return Err(match locate_syntax_error(&text) {
                    Some((byte, m)) => self.sql_error(byte, m),
                    None => self.sql_error(0, msg),
                });
            }
        };
        Ok((text, parsed))
    }

    /// Statement `i` of a file read by `read_file`: its start and end bytes and its tree
    /// (`None`: an empty statement). Sets `loc_base` to where the tree's locations count
    /// from.
    fn decode_statement(
        &mut self,
        text: &str,
        stmts: &raw::Statements,
        i: usize,
    ) -> Result<Option<ReadStatement>, SqlError> {
        let (base, raw) = stmts
            .decode(i)
            .map_err(|e| self.sql_error(0, e.to_string()))?;
        self.loc_base = base;
        let start = skip_trivia(text, base + raw.stmt_location.max(0) as usize);
        let end = if raw.stmt_len > 0 {
            base + (raw.stmt_location + raw.stmt_len) as usize
        } else {
            text.len()
        };
        Ok(raw
            .stmt
            .and_then(|s| s.node)
            .map(|node| (start, end.max(start), node)))
    }

    /// Read the files as one schema: every statement of every file is read first, then
    /// they run in file order, except that a statement naming an object a later one
    /// creates waits for it (ordering.rs).
    ///
    /// Memory: a statement's tree is decoded to read what it names, dropped, and decoded
    /// again when it runs; only the encoded trees (several times smaller) of the files are
    /// kept in between, and each file's once its last statement has run.
    pub(crate) fn files(&mut self, files: &[SourceFile]) -> Result<(), SqlError> {
        struct Item {
            file: usize,
            /// Index among its file's statements.
            stmt: usize,
            start: usize,
            end: usize,
        }
        let mut texts = Vec::with_capacity(files.len());
        let mut trees: Vec<Option<raw::Statements>> = Vec::with_capacity(files.len());
        let mut blocks = Vec::with_capacity(files.len());
        let mut items: Vec<Item> = Vec::new();
        let mut entries: Vec<ordering::Entry> = Vec::new();
        // Statements of each file, and of each of its chunks, not yet run.
        let mut left: Vec<usize> = vec![0; files.len()];
        let mut left_in_chunk: Vec<Vec<usize>> = Vec::with_capacity(files.len());
        for (k, f) in files.iter().enumerate() {
            let (text, stmts) = self.read_file(f)?;
            self.search_path = default_search_path();
            let mut in_chunk = vec![0; stmts.chunk_count()];
            for i in 0..stmts.len() {
                let Some((start, end, node)) = self.decode_statement(&text, &stmts, i)? else {
                    continue;
                };
                let path = self.search_path.clone();
                // The search path each statement runs with, as the file sets it.
                self.stmt_start = start;
                let set = match &node {
                    NodeEnum::VariableSetStmt(s) => self.set(s),
                    NodeEnum::SelectStmt(s) => self.is_set_config(s).map(|_| ()),
                    _ => Ok(()),
                };
                if let Err(e) = set {
                    let byte = self.file_byte(e.loc).unwrap_or(start);
                    return Err(self.sql_error(byte, e.msg));
                }
                entries.push(ordering::Entry {
                    refs: ordering::Refs::of(&node),
                    path: path.clone(),
                });
                items.push(Item {
                    file: k,
                    stmt: i,
                    start,
                    end,
                });
                left[k] += 1;
                in_chunk[stmts.chunk_of(i)] += 1;
            }
            left_in_chunk.push(in_chunk);
            texts.push(text);
            trees.push(Some(stmts));
            blocks.push(std::mem::take(&mut self.copy_blocks));
        }
        let order = match ordering::order(&entries) {
            Ok(o) => o,
            Err(cycle) => {
                let first = &items[cycle[0].index];
                let mut msg = String::from(
                    "these statements need each other (a cycle), so no order can run them:",
                );
                for w in &cycle {
                    let it = &items[w.index];
                    let f = &files[it.file];
                    let (line, col) = line_col(&f.text, it.start);
                    let stmts = trees[it.file].as_ref().expect("no statement has run");
                    let kind = match self.decode_statement(&texts[it.file], stmts, it.stmt)? {
                        Some((_, _, node)) => {
                            statement_kind(&node, &texts[it.file][it.start..it.end])
                        }
                        None => "statement".into(),
                    };
                    let needs: Vec<String> = w.needs.iter().map(|k| k.to_string()).collect();
                    msg.push_str(&format!(
                        "\n  {}:{line}:{col}: {kind} (needs {})",
                        f.path,
                        needs.join(", ")
                    ));
                }
                self.file = files[first.file].path.clone();
                self.set_text(files[first.file].text.clone());
                return Err(self.sql_error(first.start, msg));
            }
        };
        let mut anchors: Vec<Vec<Anchor>> = vec![Vec::new(); files.len()];
        let mut current = usize::MAX;
        for i in order {
            let it = &items[i];
            if it.file != current {
                if current != usize::MAX {
                    anchors[current].append(&mut self.anchors);
                    blocks[current] = std::mem::take(&mut self.copy_blocks);
                }
                current = it.file;
                self.file = files[current].path.clone();
                self.set_text(files[current].text.clone());
                self.copy_blocks = std::mem::take(&mut blocks[current]);
                self.table_con_locs.clear();
                // Without a directive, directives::attach reads no anchor.
                self.anchoring = directives::may_have_directives(&texts[current]);
            }
            let stmts = trees[it.file]
                .as_ref()
                .expect("each file's trees live until it has run");
            let Some((_, _, node)) = self.decode_statement(&texts[it.file], stmts, it.stmt)? else {
                continue;
            };
            let chunk = stmts.chunk_of(it.stmt);
            left[it.file] -= 1;
            left_in_chunk[it.file][chunk] -= 1;
            if left[it.file] == 0 {
                trees[it.file] = None;
            } else if left_in_chunk[it.file][chunk] == 0 {
                if let Some(t) = trees[it.file].as_mut() {
                    t.release(chunk);
                }
            }
            let stmt_text = texts[it.file].get(it.start..it.end).unwrap_or("");
            self.stmt_start = it.start;
            self.search_path = entries[i].path.clone();
            let may_add_acl_object = Self::may_add_acl_object(&node);
            if let Err(e) = self.statement(node, stmt_text) {
                let byte = self.file_byte(e.loc).unwrap_or(it.start);
                return Err(self.sql_error(byte, e.msg));
            }
            if may_add_acl_object {
                self.after_statement_security();
            }
            self.prune_statistics();
            self.prune_rewrite_rules();
            self.check_name_indexes();
        }
        if current != usize::MAX {
            anchors[current].append(&mut self.anchors);
        }
        for (k, f) in files.iter().enumerate() {
            let mut a = std::mem::take(&mut anchors[k]);
            a.sort_by_key(|x| x.byte);
            let found = directives::attach(&f.path, &texts[k], &a)?;
            self.attached.extend(found);
        }
        Ok(())
    }

    fn statement(&mut self, n: NodeEnum, text: &str) -> R<()> {
        match n {
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(&s),
            NodeEnum::CreateExtensionStmt(s) => self.create_extension(&s),
            NodeEnum::CreateEnumStmt(s) => self.create_enum(&s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(&s),
            NodeEnum::CreateSeqStmt(s) => self.create_sequence(&s),
            NodeEnum::AlterSeqStmt(s) => self.alter_sequence(&s),
            NodeEnum::CreateStmt(s) if Self::is_table_options_create(&s) => {
                self.create_table_options(&s)
            }
            NodeEnum::CreateStmt(s) => self.create_table(&s),
            NodeEnum::DefineStmt(s) if Self::is_collation_define(&s) => self.create_collation(&s),
            NodeEnum::DropStmt(s) if Self::is_collation_drop(&s) => self.drop_collation(&s),
            // Domains, composite and range types (user_types.rs).
            NodeEnum::CreateDomainStmt(s) => self.create_domain(&s),
            NodeEnum::AlterDomainStmt(s) => self.alter_domain(&s),
            NodeEnum::CompositeTypeStmt(s) => self.create_composite(&s),
            NodeEnum::CreateRangeStmt(s) => self.create_range(&s),
            NodeEnum::CommentStmt(s) if self.is_user_types_comment(&s) => {
                self.user_types_comment(&s)
            }
            NodeEnum::DropStmt(s) if self.is_user_types_drop(&s) => self.user_types_drop(&s),
            // Row-level security, policies, privileges (security.rs).
            NodeEnum::AlterTableStmt(s) if Self::is_rls_alter(&s) => self.alter_rls(&s),
            NodeEnum::CreatePolicyStmt(s) => self.create_policy(&s),
            NodeEnum::AlterPolicyStmt(s) => self.alter_policy(&s),
            NodeEnum::DropStmt(s) if Self::is_policy_drop(&s) => self.drop_policy(&s),
            NodeEnum::CommentStmt(s) if Self::is_policy_comment(&s) => self.policy_comment(&s),
            NodeEnum::GrantStmt(s) => self.grant(&s),
            NodeEnum::AlterDefaultPrivilegesStmt(s) => self.alter_default_privileges(&s),
            // Event triggers (event_triggers.rs).
            NodeEnum::CreateEventTrigStmt(s) => self.create_event_trigger(&s),
            NodeEnum::AlterEventTrigStmt(s) => self.alter_event_trigger(&s),
            NodeEnum::RenameStmt(s) if Self::is_event_trigger_rename(&s) => {
                self.rename_event_trigger(&s)
            }
            NodeEnum::CommentStmt(s) if Self::is_event_trigger_comment(&s) => {
                self.event_trigger_comment(&s)
            }
            NodeEnum::DropStmt(s) if Self::is_event_trigger_drop(&s) => self.drop_event_trigger(&s),
            // Aggregates and casts (aggregates.rs, casts.rs).
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectAggregate as i32 => {
                self.create_aggregate(&s)
            }
            NodeEnum::CommentStmt(s) if Self::is_aggregate_comment(&s) => {
                self.aggregate_comment(&s)
            }
            NodeEnum::DropStmt(s) if Self::is_aggregate_drop(&s) => self.drop_aggregate(&s),
            NodeEnum::RenameStmt(s) if Self::is_aggregate_rename(&s) => self.rename_aggregate(&s),
            NodeEnum::CreateCastStmt(s) => self.create_cast(&s),
            NodeEnum::CommentStmt(s) if Self::is_cast_comment(&s) => self.cast_comment(&s),
            NodeEnum::DropStmt(s) if Self::is_cast_drop(&s) => self.drop_cast(&s),
            // Publications and subscriptions (publications.rs).
            NodeEnum::CreatePublicationStmt(s) => self.create_publication(&s),
            NodeEnum::AlterPublicationStmt(s) => self.alter_publication(&s),
            NodeEnum::RenameStmt(s) if Self::is_publication_rename(&s) => {
                self.rename_publication(&s)
            }
            NodeEnum::CommentStmt(s) if Self::is_publication_comment(&s) => {
                self.publication_comment(&s)
            }
            NodeEnum::DropStmt(s) if Self::is_publication_drop(&s) => self.drop_publication(&s),
            NodeEnum::CreateSubscriptionStmt(s) => self.create_subscription(&s),
            NodeEnum::AlterSubscriptionStmt(s) => self.alter_subscription(&s),
            NodeEnum::DropSubscriptionStmt(s) => self.drop_subscription(&s),
            // Foreign-data wrappers, servers, user mappings, foreign tables (foreign_data.rs).
            NodeEnum::CreateFdwStmt(s) => self.create_fdw(&s),
            NodeEnum::AlterFdwStmt(s) => self.alter_fdw(&s),
            NodeEnum::CreateForeignServerStmt(s) => self.create_server(&s),
            NodeEnum::AlterForeignServerStmt(s) => self.alter_server(&s),
            NodeEnum::CreateUserMappingStmt(s) => self.create_user_mapping(&s),
            NodeEnum::AlterUserMappingStmt(s) => self.alter_user_mapping(&s),
            NodeEnum::DropUserMappingStmt(s) => self.drop_user_mapping(&s),
            NodeEnum::CreateForeignTableStmt(s) => self.create_foreign_table(&s),
            NodeEnum::AlterTableStmt(s) if self.foreign_alter_target(&s).is_some() => {
                let q = self.foreign_alter_target(&s).expect("checked");
                self.alter_foreign_table(&q, &s)
            }
            NodeEnum::CommentStmt(s) if self.is_foreign_data_comment(&s) => {
                self.foreign_data_comment(&s)
            }
            NodeEnum::DropStmt(s) if Self::is_foreign_data_drop(&s) => self.drop_foreign_data(&s),
            // Extended statistics (statistics.rs).
            NodeEnum::CreateStatsStmt(s) => self.create_statistics(&s),
            NodeEnum::AlterStatsStmt(s) => self.alter_statistics(&s),
            NodeEnum::RenameStmt(s) if Self::is_statistics_rename(&s) => self.rename_statistics(&s),
            NodeEnum::CommentStmt(s) if Self::is_statistics_comment(&s) => {
                self.statistics_comment(&s)
            }
            NodeEnum::DropStmt(s) if Self::is_statistics_drop(&s) => self.drop_statistics(&s),
            // Operators, operator families and classes (operators.rs).
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectOperator as i32 => {
                self.create_operator(&s)
            }
            NodeEnum::AlterOperatorStmt(s) => self.alter_operator(&s),
            NodeEnum::CreateOpFamilyStmt(s) => self.create_operator_family(&s),
            NodeEnum::CreateOpClassStmt(s) => self.create_operator_class(&s),
            NodeEnum::AlterOpFamilyStmt(s) => self.alter_operator_family(&s),
            NodeEnum::CommentStmt(s) if Self::is_operator_comment(&s) => self.operator_comment(&s),
            NodeEnum::DropStmt(s) if Self::is_operator_drop(&s) => self.drop_operator_objects(&s),
            // Text search parsers, templates, dictionaries, configurations (text_search.rs).
            NodeEnum::DefineStmt(s) if Self::is_ts_define(&s) => self.create_ts_object(&s),
            NodeEnum::AlterTsdictionaryStmt(s) => self.alter_ts_dictionary(&s),
            NodeEnum::AlterTsconfigurationStmt(s) => self.alter_ts_configuration(&s),
            NodeEnum::RenameStmt(s) if Self::is_ts_rename(&s) => self.rename_ts(&s),
            NodeEnum::CommentStmt(s) if Self::is_ts_comment(&s) => self.ts_comment(&s),
            NodeEnum::DropStmt(s) if Self::is_ts_drop(&s) => self.drop_ts(&s),
            // Rewrite rules (rewrite_rules.rs).
            NodeEnum::RuleStmt(s) if Self::is_modeled_rule(&s) => self.create_rule(&s),
            NodeEnum::RenameStmt(s) if Self::is_rule_rename(&s) => self.rename_rule(&s),
            NodeEnum::CommentStmt(s) if Self::is_rule_comment(&s) => self.rule_comment(&s),
            NodeEnum::DropStmt(s) if Self::is_rule_drop(&s) => self.drop_rule(&s),
            NodeEnum::AlterTableStmt(s) if Self::is_rule_alter(&s) => self.alter_rule_enabled(&s),
            // Views, functions, triggers (routines.rs).
            NodeEnum::ViewStmt(s) => self.create_view(&s),
            NodeEnum::CreateTableAsStmt(s) if s.objtype == ObjectType::ObjectMatview as i32 => {
                self.create_matview(&s)
            }
            NodeEnum::RefreshMatViewStmt(s) => self.refresh_matview(&s),
            NodeEnum::CreateFunctionStmt(s) => self.create_function(&s).map(|_| ()),
            NodeEnum::CreateTrigStmt(s) => self.create_trigger(&s),
            NodeEnum::AlterFunctionStmt(s) => self.alter_function(&s),
            NodeEnum::IndexStmt(s) if self.index_on_view(&s) => self.create_view_index(&s),
            NodeEnum::AlterTableStmt(s) if Self::is_index_options_alter(&s) => {
                self.alter_index_options(&s)
            }
            NodeEnum::AlterTableStmt(s) if self.is_routine_alter(&s) => {
                self.alter_routine_relation(&s)
            }
            NodeEnum::CommentStmt(s) if self.is_routine_comment(&s) => self.routine_comment(&s),
            NodeEnum::DropStmt(s) if self.is_routine_drop(&s) => {
                self.drop_event_trigger_functions(&s)?;
                self.routine_drop(&s)
            }
            NodeEnum::AlterTableStmt(s) if Self::is_table_options_alter(&s) => {
                self.alter_table_options(&s)
            }
            NodeEnum::AlterTableStmt(s) if self.child_target(s.relation.as_ref()).is_some() => {
                let q = self.child_target(s.relation.as_ref()).expect("checked");
                self.with_inherited_columns(&q, |b| b.alter_table(&s, text))
            }
            NodeEnum::AlterTableStmt(s) => self.alter_table(&s, text),
            NodeEnum::IndexStmt(s) if self.child_target(s.relation.as_ref()).is_some() => {
                let q = self.child_target(s.relation.as_ref()).expect("checked");
                self.with_inherited_columns(&q, |b| b.create_index(&s))
            }
            NodeEnum::IndexStmt(s) => self.create_index(&s),
            NodeEnum::CommentStmt(s) if self.is_table_options_comment(&s) => {
                self.table_options_comment(&s)
            }
            NodeEnum::CommentStmt(s) => self.comment(&s),
            NodeEnum::VariableSetStmt(s) => self.set(&s),
            NodeEnum::SelectStmt(s) if self.is_set_config(&s)? => Ok(()),
            // Data, procedural and role statements (statements.rs).
            ref n if Self::is_ignored_statement(n) => self.ignore_statement(n, text),
            NodeEnum::TransactionStmt(_) => Ok(()),
            // OWNER TO is not part of the model.
            NodeEnum::AlterOwnerStmt(_) => Ok(()),
            NodeEnum::DropStmt(s) => {
                self.drop_table_dependents(&s)?;
                self.drop(&s, text)?;
                self.prune_routines();
                self.prune_event_triggers();
                self.prune_aggregates();
                self.prune_publications();
                self.prune_foreign_tables();
                self.prune_operators();
                self.prune_text_search();
                Ok(())
            }
            NodeEnum::AlterExtensionStmt(s) => self.alter_extension(&s),
            NodeEnum::AlterObjectSchemaStmt(s)
                if s.object_type == ObjectType::ObjectExtension as i32 =>
            {
                let name = s
                    .object
                    .as_deref()
                    .and_then(sval)
                    .unwrap_or_default()
                    .to_string();
                let schema = self.create_schema_for(&s.newschema, -1)?;
                match self.cat.extensions.get_mut(&name) {
                    Some(e) => {
                        e.schema = schema;
                        Ok(())
                    }
                    None if s.missing_ok => Ok(()),
                    None => err(-1, format!("extension \"{name}\" does not exist")),
                }
            }
            other => self.unmodeled_statement(&other, text),
        }
    }

    // -----------------------------------------------------------------------------------
    // Names and lookups

    fn schema_exists(&self, s: &str) -> bool {
        self.cat.schemas.contains_key(s)
    }

    /// Schemas of the search path that exist, in order.
    fn path(&self) -> Vec<String> {
        self.search_path
            .iter()
            .filter(|s| self.schema_exists(s))
            .cloned()
            .collect()
    }

    /// The schema given, or the search path.
    fn path_or(&self, schema: &str) -> Vec<String> {
        if schema.is_empty() {
            self.path()
        } else {
            vec![schema.to_string()]
        }
    }

    /// Where `CREATE x name` puts the object.
    fn create_schema_for(&self, schema: &str, loc: i32) -> R<String> {
        if !schema.is_empty() {
            if schema == "pg_catalog" {
                return err(loc, "cannot create objects in schema pg_catalog");
            }
            if !self.schema_exists(schema) {
                return err(loc, format!("schema \"{schema}\" does not exist"));
            }
            return Ok(schema.to_string());
        }
        self.path().into_iter().next().ok_or_else(|| E {
            loc,
            msg: "no schema has been selected to create in (search_path is empty)".into(),
        })
    }

    fn range_var_target(&self, rv: &protobuf::RangeVar) -> R<QualName> {
        let s = self.create_schema_for(&rv.schemaname, rv.location)?;
        Ok(QualName::new(s, rv.relname.clone()))
    }

    /// Every relation name (tables, sequences, indexes, constraint indexes, identity
    /// sequences) in `schema`.
    fn relation_taken(&self, schema: &str, name: &str) -> bool {
        let q = QualName::new(schema, name);
        self.cat.tables.contains_key(&q)
            || self.cat.sequences.contains_key(&q)
            || self.cat.indexes.contains_key(&q)
            || self.identity_seqs.contains(&q)
            || self.con_names.index_owning(schema, name)
            || self.cat.foreign_tables.contains_key(&q)
    }

    /// Is `name` the name of a constraint of some table in `schema`?
    /// The table and key (in `Table::constraints`) of the primary key or unique
    /// constraint of `schema` whose index is called `name`. A scan of the schema's
    /// tables: only `COMMENT ON INDEX` of such an index asks.
    fn key_of_index(&self, schema: &str, name: &str) -> Option<(QualName, String)> {
        self.cat
            .tables
            .iter()
            .filter(|(q, _)| q.schema == schema)
            .find_map(|(q, t)| {
                t.constraints
                    .iter()
                    .find(|(_, c)| {
                        c.name == name
                            && matches!(
                                c.kind,
                                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                            )
                    })
                    .map(|(k, _)| (q.clone(), k.clone()))
            })
    }

    fn constraint_taken(&self, schema: &str, name: &str) -> bool {
        self.con_names.constraint(schema, name)
    }

    /// Bring the name index up to date for the table stored under `q` (after its
    /// constraints changed, it was added, or it was removed).
    fn sync_table_names(&mut self, q: &QualName) {
        self.con_names.sync(q, self.cat.tables.get(q));
    }

    /// Bring the index-by-table lookup up to date for the index stored under `q` (after
    /// it was inserted into or removed from `cat.indexes`).
    pub(crate) fn sync_index(&mut self, q: &QualName) {
        self.ix_by_table.sync(q, self.cat.indexes.get(q));
    }

    /// The same after indexes of `table` were removed in bulk (`retain`).
    fn sync_indexes_of(&mut self, table: &QualName) {
        let names: Vec<QualName> = self.ix_by_table.on(table).cloned().collect();
        for q in names {
            self.sync_index(&q);
        }
    }

    /// The names of `table`'s indexes in `cat.indexes`, in name order.
    pub(crate) fn indexes_on(&self, table: &QualName) -> impl Iterator<Item = &Index> {
        self.ix_by_table
            .on(table)
            .filter_map(|q| self.cat.indexes.get(q))
    }

    /// Remove these constraints (table, name) from their tables.
    fn remove_constraints(&mut self, cons: Vec<(QualName, String)>) {
        for (tq, cn) in cons {
            if let Some(t) = self.cat.tables.get_mut(&tq) {
                t.constraints.remove(&cn);
            }
            self.sync_table_names(&tq);
        }
    }

    /// Rebuild the name index from the whole catalog (after the catalog was replaced).
    pub(crate) fn rebuild_name_indexes(&mut self) {
        self.con_names = names::ConstraintNames::build(&self.cat);
        self.ix_by_table = names::IndexesByTable::build(&self.cat);
    }

    /// Debug builds: the maintained name index must equal one built afresh.
    fn check_name_indexes(&self) {
        if cfg!(debug_assertions) && self.cat.tables.len() <= 2000 {
            assert_eq!(
                self.con_names,
                names::ConstraintNames::build(&self.cat),
                "constraint name index out of date"
            );
            assert_eq!(
                self.ix_by_table,
                names::IndexesByTable::build(&self.cat),
                "index-by-table lookup out of date"
            );
        }
    }

    fn lookup<T>(&self, schema: &str, name: &str, map: &BTreeMap<QualName, T>) -> Option<QualName> {
        if !schema.is_empty() {
            let q = QualName::new(schema, name);
            return map.contains_key(&q).then_some(q);
        }
        for s in self.path() {
            let q = QualName::new(s.clone(), name);
            if map.contains_key(&q) {
                return Some(q);
            }
            if self.relation_taken(&s, name) {
                return None;
            }
        }
        None
    }

    fn find_table(&self, rv: &protobuf::RangeVar) -> R<QualName> {
        self.lookup(&rv.schemaname, &rv.relname, &self.cat.tables)
            .ok_or_else(|| E {
                loc: rv.location,
                msg: format!("relation \"{}\" does not exist", rv_display(rv)),
            })
    }

    fn find_table_names(&self, names: &[String], loc: i32) -> R<QualName> {
        let (schema, name) = match names {
            [n] => ("", n.as_str()),
            [s, n] => (s.as_str(), n.as_str()),
            [_db, s, n] => (s.as_str(), n.as_str()),
            _ => return err(loc, format!("improper relation name `{}`", names.join("."))),
        };
        self.lookup(schema, name, &self.cat.tables)
            .ok_or_else(|| E {
                loc,
                msg: format!("relation \"{}\" does not exist", names.join(".")),
            })
    }

    fn find_sequence_names(&self, names: &[String], loc: i32) -> R<QualName> {
        let (schema, name) = match names {
            [n] => ("", n.as_str()),
            [s, n] => (s.as_str(), n.as_str()),
            [_db, s, n] => (s.as_str(), n.as_str()),
            _ => return err(loc, format!("improper sequence name `{}`", names.join("."))),
        };
        self.lookup(schema, name, &self.cat.sequences)
            .ok_or_else(|| E {
                loc,
                msg: format!("sequence \"{}\" does not exist", names.join(".")),
            })
    }

    fn find_enum(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        match schema {
            Some(s) => {
                let q = QualName::new(s, name);
                (self.cat.enums.contains_key(&q) || self.cat.has_ext_type(&q)).then_some(q)
            }
            None => self.path().into_iter().find_map(|s| {
                let q = QualName::new(s, name);
                (self.cat.enums.contains_key(&q) || self.cat.has_ext_type(&q)).then_some(q)
            }),
        }
    }

    /// A non-built-in type: an enum of the files, a table's row type, or a type of an
    /// extension installed in that schema (for an unqualified name: the first schema on
    /// the search path that holds an extension).
    fn resolve_user_type(&self, schema: Option<&str>, name: &str) -> Result<QualName, String> {
        if let Some(q) = self.find_enum(schema, name) {
            return Ok(q);
        }
        if schema == Some("information_schema") && INFORMATION_SCHEMA_TYPES.contains(&name) {
            return Ok(QualName::new("information_schema", name));
        }
        let ext_in = |s: &str| self.cat.extensions.values().any(|e| e.schema == s);
        match schema {
            Some(s) => {
                let q = QualName::new(s, name);
                if self.cat.tables.contains_key(&q) || ext_in(s) {
                    return Ok(q);
                }
                Err(format!(
                    "type \"{}.{}\" does not exist",
                    quote_ident(s),
                    quote_ident(name)
                ))
            }
            None => {
                for s in self.path() {
                    let q = QualName::new(s.clone(), name);
                    if self.cat.tables.contains_key(&q) {
                        return Ok(q);
                    }
                }
                if let Some(s) = self.path().into_iter().find(|s| ext_in(s)) {
                    return Ok(QualName::new(s, name));
                }
                Err(format!("type \"{}\" does not exist", quote_ident(name)))
            }
        }
    }

    /// Whether PostgreSQL keeps no default for `node` on a column of type `ty`
    /// ([`types::stores_no_default`]).
    fn stores_no_default(&self, node: &protobuf::Node, ty: &TypeRef) -> bool {
        let mut resolve = |tn: &protobuf::TypeName| self.resolve_type(tn).ok();
        let is_domain = |t: &TypeRef| {
            t.user_type()
                .is_some_and(|q| self.cat.domains.contains_key(&q))
        };
        types::stores_no_default(node, ty, &mut resolve, &is_domain)
    }

    fn resolve_type(&self, tn: &protobuf::TypeName) -> R<TypeRef> {
        let mut user = |s: Option<&str>, n: &str| self.resolve_user_type(s, n);
        types::type_from_typename(tn, &mut user).map_err(at(tn.location))
    }

    fn resolve_seq_name(&self, schema: Option<&str>, name: &str) -> QualName {
        match schema {
            Some(s) => QualName::new(s, name),
            None => {
                for s in self.path() {
                    let q = QualName::new(s.clone(), name);
                    if self.cat.sequences.contains_key(&q) || self.identity_seqs.contains(&q) {
                        return q;
                    }
                }
                QualName::new(first_schema(&self.path()), name)
            }
        }
    }

    /// Normalize an expression of table `table` (its columns typed), coerced to `target`.
    fn norm_expr(
        &self,
        n: &Node,
        columns: &[Column],
        target: Option<&TypeRef>,
        loc: i32,
    ) -> R<Expr> {
        // A domain column is typed as its base type (see `Catalog::domain_base`).
        let ct = |c: &str| {
            columns
                .iter()
                .find(|x| x.name == c)
                .map(|x| self.cat.domain_base(&x.ty))
        };
        let rs = |s: Option<&str>, n: &str| self.resolve_seq_name(s, n);
        let rt = |s: Option<&str>, n: &str| self.resolve_user_type(s, n);
        let cx = NormCx {
            column_type: &ct,
            target_type: target,
            resolve_seq: &rs,
            resolve_type: &rt,
            resolve_ts_config: &|s, n| self.resolve_ts_config(s, n),
        };
        check_expr_nodes(n, loc)?;
        let e = normalize::normalize_node(n, &cx).map_err(at(loc))?;
        for r in &e.refs {
            let known = self.cat.sequences.contains_key(r) || self.identity_seqs.contains(r);
            // A text search configuration (`'cfg'::regconfig`): of the files, or of
            // another schema's extension; only a sequence must be the files'.
            let sequence_ref = e.canon.contains(&format!("val('{r}'"));
            if self.cat.ts_configurations.contains_key(r) || !sequence_ref {
                continue;
            }
            if !known {
                return err(loc, format!("relation \"{r}\" does not exist"));
            }
        }
        Ok(e)
    }

    fn node_location(n: &Node) -> i32 {
        let mut loc = -1;
        normalize::walk(n, &mut |e| {
            if loc >= 0 {
                return;
            }
            let l = match e {
                NodeEnum::ColumnRef(c) => c.location,
                NodeEnum::AConst(c) => c.location,
                NodeEnum::FuncCall(f) => f.location,
                NodeEnum::AExpr(a) => a.location,
                NodeEnum::TypeCast(t) => t.location,
                NodeEnum::BoolExpr(b) => b.location,
                NodeEnum::SubLink(l) => l.location,
                NodeEnum::ParamRef(p) => p.location,
                NodeEnum::NullTest(t) => t.location,
                NodeEnum::SqlvalueFunction(f) => f.location,
                NodeEnum::AArrayExpr(a) => a.location,
                NodeEnum::CaseExpr(c) => c.location,
                NodeEnum::CoalesceExpr(c) => c.location,
                NodeEnum::RowExpr(r) => r.location,
                _ => -1,
            };
            if l >= 0 {
                loc = l;
            }
        });
        loc
    }

    fn collation(&self, names: &[Node], loc: i32) -> R<Option<QualName>> {
        let names = strings(names);
        Ok(match names.as_slice() {
            [] => None,
            [n] if n == "default" => None,
            [n] => Some(self.resolve_collation_name(n)),
            [s, n] => Some(QualName::new(s.clone(), n.clone())),
            _ => {
                return err(
                    loc,
                    format!("improper collation name `{}`", names.join(".")),
                )
            }
        })
    }

    // -----------------------------------------------------------------------------------
    // SET search_path

    fn set(&mut self, s: &protobuf::VariableSetStmt) -> R<()> {
        if let Some(path) = search_path_set(s)? {
            self.search_path = path;
        }
        Ok(())
    }

    /// `SELECT pg_catalog.set_config('search_path', '…', false)` as pg_dump writes it (any
    /// other `SELECT` is data: statements.rs).
    fn is_set_config(&mut self, s: &protobuf::SelectStmt) -> R<bool> {
        Ok(match set_config_call(s)? {
            None => false,
            Some(path) => {
                if let Some(path) = path {
                    self.search_path = path;
                }
                true
            }
        })
    }

    // -----------------------------------------------------------------------------------
    // Schemas, extensions, enums

    fn create_schema(&mut self, s: &protobuf::CreateSchemaStmt) -> R<()> {
        if !s.schema_elts.is_empty() {
            return unsupported(-1, "CREATE SCHEMA with schema elements");
        }
        let name = if s.schemaname.is_empty() {
            match s.authrole.as_ref() {
                Some(r) if !r.rolename.is_empty() => r.rolename.clone(),
                _ => return err(-1, "CREATE SCHEMA needs a name"),
            }
        } else {
            s.schemaname.clone()
        };
        if name.starts_with("pg_") {
            return err(-1, format!("unacceptable schema name \"{name}\""));
        }
        if self.schema_exists(&name) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(-1, format!("schema \"{name}\" already exists"));
        }
        self.cat.schemas.insert(name.clone(), Schema { name });
        Ok(())
    }

    fn create_extension(&mut self, s: &protobuf::CreateExtensionStmt) -> R<()> {
        // plpgsql comes installed (in pg_catalog, which the model leaves out)
        if s.extname == "plpgsql" {
            if s.if_not_exists {
                return Ok(());
            }
            return err(-1, "extension \"plpgsql\" already exists");
        }
        if self.cat.extensions.contains_key(&s.extname) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(-1, format!("extension \"{}\" already exists", s.extname));
        }
        let mut schema = None;
        let mut version = None;
        let mut cascade = false;
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            match d.defname.as_str() {
                "schema" => schema = Some((def_string(d)?, d.location)),
                "new_version" => version = Some(def_string(d)?),
                "cascade" => cascade = def_bool(d)?,
                "old_version" => return unsupported(d.location, "CREATE EXTENSION … FROM"),
                other => return err(d.location, format!("unknown option `{other}`")),
            }
        }
        let schema = match schema {
            Some((s, loc)) => self.create_schema_for(&s, loc)?,
            None => self.create_schema_for("", -1)?,
        };
        // Extensions this one requires (contrib's control files): CASCADE installs the
        // missing ones in the same schema, as PostgreSQL does.
        for req in required_extensions(&s.extname) {
            if self.cat.extensions.contains_key(*req) {
                continue;
            }
            if !cascade {
                return err(
                    -1,
                    format!("required extension \"{req}\" is not installed (use CASCADE)"),
                );
            }
            self.cat.extensions.insert(
                req.to_string(),
                Extension {
                    name: req.to_string(),
                    schema: schema.clone(),
                    version: None,
                },
            );
        }
        self.cat.extensions.insert(
            s.extname.clone(),
            Extension {
                name: s.extname.clone(),
                schema,
                version,
            },
        );
        Ok(())
    }

    /// `ALTER EXTENSION x UPDATE [TO v]`: the version becomes `v` (unknown without TO:
    /// the default version of the installed files).
    fn alter_extension(&mut self, s: &protobuf::AlterExtensionStmt) -> R<()> {
        let mut version = None;
        for o in &s.options {
            if let Some(NodeEnum::DefElem(d)) = o.node.as_ref() {
                if d.defname == "new_version" {
                    version = Some(def_string(d)?);
                }
            }
        }
        match self.cat.extensions.get_mut(&s.extname) {
            Some(e) => {
                e.version = version;
                Ok(())
            }
            None => err(-1, format!("extension \"{}\" does not exist", s.extname)),
        }
    }

    fn type_name_taken(&self, q: &QualName) -> bool {
        self.cat.enums.contains_key(q)
            || self.cat.tables.contains_key(q)
            || self.cat.has_ext_type(q)
    }

    fn qual_from_names(&self, names: &[String], loc: i32) -> R<QualName> {
        match names {
            [n] => Ok(QualName::new(self.create_schema_for("", loc)?, n.clone())),
            [s, n] => Ok(QualName::new(self.create_schema_for(s, loc)?, n.clone())),
            _ => err(
                loc,
                format!("improper qualified name `{}`", names.join(".")),
            ),
        }
    }

    fn create_enum(&mut self, s: &protobuf::CreateEnumStmt) -> R<()> {
        let q = self.qual_from_names(&strings(&s.type_name), -1)?;
        if self.type_name_taken(&q) {
            return err(-1, format!("type \"{}\" already exists", q.name));
        }
        let mut labels: Vec<String> = Vec::new();
        for v in &s.vals {
            let Some(l) = sval(v) else {
                return err(-1, "enum labels must be string literals");
            };
            if l.len() > naming::MAX_IDENT_BYTES {
                return err(-1, format!("invalid enum label \"{l}\": too long"));
            }
            if labels.iter().any(|x| x == l) {
                return err(-1, format!("enum label \"{l}\" used more than once"));
            }
            labels.push(l.to_string());
        }
        self.cat.enums.insert(
            q.clone(),
            EnumType {
                name: q.clone(),
                labels,
                comment: None,
            },
        );
        self.anchor_stmt(ObjectId::Type { name: q });
        Ok(())
    }

    fn enum_by_names(&self, names: &[String], loc: i32) -> R<QualName> {
        let found = match names {
            [n] => self.find_enum(None, n),
            [s, n] => self.find_enum(Some(s), n),
            _ => None,
        };
        found.ok_or_else(|| E {
            loc,
            msg: format!("type \"{}\" does not exist", names.join(".")),
        })
    }

    fn alter_enum(&mut self, s: &protobuf::AlterEnumStmt) -> R<()> {
        let q = self.enum_by_names(&strings(&s.type_name), -1)?;
        let Some(e) = self.cat.enums.get_mut(&q) else {
            return err(-1, format!("type \"{}\" does not exist", q.name));
        };
        if !s.old_val.is_empty() {
            // RENAME VALUE
            if e.labels.contains(&s.new_val) {
                return err(-1, format!("enum label \"{}\" already exists", s.new_val));
            }
            let Some(l) = e.labels.iter_mut().find(|l| **l == s.old_val) else {
                return err(
                    -1,
                    format!("\"{}\" is not an existing enum label", s.old_val),
                );
            };
            *l = s.new_val.clone();
            return Ok(());
        }
        if e.labels.contains(&s.new_val) {
            if s.skip_if_new_val_exists {
                return Ok(());
            }
            return err(-1, format!("enum label \"{}\" already exists", s.new_val));
        }
        if s.new_val.len() > naming::MAX_IDENT_BYTES {
            return err(-1, format!("invalid enum label \"{}\"", s.new_val));
        }
        let pos = if s.new_val_neighbor.is_empty() {
            e.labels.len()
        } else {
            let Some(i) = e.labels.iter().position(|l| *l == s.new_val_neighbor) else {
                return err(
                    -1,
                    format!("\"{}\" is not an existing enum label", s.new_val_neighbor),
                );
            };
            if s.new_val_is_after {
                i + 1
            } else {
                i
            }
        };
        e.labels.insert(pos, s.new_val.clone());
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Sequences

    /// `init_params`: apply sequence options over `base` (None: a new sequence).
    fn seq_options(
        &self,
        options: &[Node],
        base: Option<&SeqParams>,
        default_type: &str,
        for_identity: bool,
    ) -> R<(SeqParams, SeqExtras)> {
        let mut extras = SeqExtras::default();
        let mut as_type: Option<(String, i32)> = None;
        let mut increment = None;
        let mut min: Option<Option<i64>> = None;
        let mut max: Option<Option<i64>> = None;
        let mut start = None;
        let mut cache = None;
        let mut cycle = None;
        for o in options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            match d.defname.as_str() {
                "as" => {
                    let Some(NodeEnum::TypeName(tn)) =
                        d.arg.as_deref().and_then(|a| a.node.as_ref())
                    else {
                        return err(d.location, "AS requires a type");
                    };
                    let t = self.resolve_type(tn)?;
                    if t.schema.is_some()
                        || t.array
                        || !matches!(t.name.as_str(), "smallint" | "integer" | "bigint")
                    {
                        return err(
                            d.location,
                            "sequence type must be smallint, integer, or bigint",
                        );
                    }
                    as_type = Some((t.name, d.location));
                }
                "increment" => increment = Some(def_int(d)?),
                "minvalue" => {
                    min = Some(if d.arg.is_some() {
                        Some(def_int(d)?)
                    } else {
                        None
                    })
                }
                "maxvalue" => {
                    max = Some(if d.arg.is_some() {
                        Some(def_int(d)?)
                    } else {
                        None
                    })
                }
                "start" => start = Some(def_int(d)?),
                "restart" => {}
                "cache" => cache = Some(def_int(d)?),
                "cycle" => cycle = Some(def_bool(d)?),
                "owned_by" if !for_identity => {
                    let Some(NodeEnum::List(l)) = d.arg.as_deref().and_then(|a| a.node.as_ref())
                    else {
                        return err(d.location, "invalid OWNED BY option");
                    };
                    extras.owned_by = Some((strings(&l.items), d.location));
                }
                "sequence_name" if for_identity => {
                    let Some(NodeEnum::List(l)) = d.arg.as_deref().and_then(|a| a.node.as_ref())
                    else {
                        return err(d.location, "invalid SEQUENCE NAME option");
                    };
                    extras.sequence_name = Some(strings(&l.items));
                }
                "logged" | "unlogged" => {
                    return unsupported(d.location, "unlogged sequences");
                }
                other => return err(d.location, format!("option \"{other}\" not recognized")),
            }
        }
        let is_init = base.is_none();
        let old = base.cloned().unwrap_or(SeqParams {
            data_type: default_type.to_string(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: 1,
            cache: 1,
            cycle: false,
        });
        let mut p = old.clone();
        let mut reset_max = false;
        let mut reset_min = false;
        if let Some((t, _)) = &as_type {
            if !is_init && *t != old.data_type {
                let (omin, omax) = type_bounds(&old.data_type);
                reset_max = old.max_value == omax;
                reset_min = old.min_value == omin;
            }
            p.data_type = t.clone();
        }
        if let Some(i) = increment {
            if i == 0 {
                return err(-1, "INCREMENT must not be zero");
            }
            p.increment = i;
        } else if is_init {
            p.increment = 1;
        }
        if let Some(c) = cycle {
            p.cycle = c;
        } else if is_init {
            p.cycle = false;
        }
        let (tmin, tmax) = type_bounds(&p.data_type);
        match max {
            Some(Some(v)) => p.max_value = v,
            Some(None) => p.max_value = if p.increment > 0 { tmax } else { -1 },
            None if is_init || reset_max => {
                p.max_value = if p.increment > 0 || reset_max {
                    tmax
                } else {
                    -1
                }
            }
            None => {}
        }
        match min {
            Some(Some(v)) => p.min_value = v,
            Some(None) => p.min_value = if p.increment < 0 { tmin } else { 1 },
            None if is_init || reset_min => {
                p.min_value = if p.increment < 0 || reset_min {
                    tmin
                } else {
                    1
                }
            }
            None => {}
        }
        if p.max_value < tmin || p.max_value > tmax {
            return err(
                -1,
                format!(
                    "MAXVALUE ({}) is out of range for sequence data type {}",
                    p.max_value, p.data_type
                ),
            );
        }
        if p.min_value < tmin || p.min_value > tmax {
            return err(
                -1,
                format!(
                    "MINVALUE ({}) is out of range for sequence data type {}",
                    p.min_value, p.data_type
                ),
            );
        }
        if p.min_value >= p.max_value {
            return err(
                -1,
                format!(
                    "MINVALUE ({}) must be less than MAXVALUE ({})",
                    p.min_value, p.max_value
                ),
            );
        }
        if let Some(s) = start {
            p.start = s;
        } else if is_init {
            p.start = if p.increment > 0 {
                p.min_value
            } else {
                p.max_value
            };
        }
        if p.start < p.min_value {
            return err(
                -1,
                format!(
                    "START value ({}) cannot be less than MINVALUE ({})",
                    p.start, p.min_value
                ),
            );
        }
        if p.start > p.max_value {
            return err(
                -1,
                format!(
                    "START value ({}) cannot be greater than MAXVALUE ({})",
                    p.start, p.max_value
                ),
            );
        }
        if let Some(c) = cache {
            if c <= 0 {
                return err(-1, format!("CACHE ({c}) must be greater than zero"));
            }
            p.cache = c;
        } else if is_init {
            p.cache = 1;
        }
        Ok((p, extras))
    }

    fn create_sequence(&mut self, s: &protobuf::CreateSeqStmt) -> R<()> {
        let rv = s.sequence.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing sequence name".into(),
        })?;
        if rv.relpersistence != "p" {
            return unsupported(rv.location, "CREATE TEMPORARY/UNLOGGED SEQUENCE");
        }
        let q = self.range_var_target(rv)?;
        if self.relation_taken(&q.schema, &q.name) {
            if s.if_not_exists {
                return Ok(());
            }
            return err(
                rv.location,
                format!("relation \"{}\" already exists", q.name),
            );
        }
        let (p, extras) = self.seq_options(&s.options, None, "bigint", false)?;
        let mut seq = Sequence::with_defaults(q.clone(), &p.data_type, p.increment);
        apply_params(&mut seq, &p);
        self.cat.sequences.insert(q.clone(), seq);
        self.anchor_stmt(ObjectId::Sequence { name: q.clone() });
        if let Some((names, loc)) = extras.owned_by {
            self.set_owned_by(&q, &names, loc)?;
        }
        Ok(())
    }

    fn set_owned_by(&mut self, seq: &QualName, names: &[String], loc: i32) -> R<()> {
        if names.len() == 1 && names[0] == "none" {
            if let Some(s) = self.cat.sequences.get_mut(seq) {
                s.owned_by = None;
            }
            return Ok(());
        }
        if names.len() < 2 {
            return err(loc, "invalid OWNED BY option (use table.column or NONE)");
        }
        let (tnames, col) = names.split_at(names.len() - 1);
        let table = self.find_table_names(tnames, loc)?;
        if table.schema != seq.schema {
            return err(
                loc,
                "sequence must be in same schema as table it is linked to",
            );
        }
        let t = &self.cat.tables[&table];
        if t.column(&col[0]).is_none() {
            return err(
                loc,
                format!(
                    "column \"{}\" of relation \"{}\" does not exist",
                    col[0], table.name
                ),
            );
        }
        if let Some(s) = self.cat.sequences.get_mut(seq) {
            s.owned_by = Some(ColumnRef {
                table,
                column: col[0].clone(),
            });
        }
        Ok(())
    }

    fn alter_sequence(&mut self, s: &protobuf::AlterSeqStmt) -> R<()> {
        let rv = s.sequence.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing sequence name".into(),
        })?;
        let names: Vec<String> = [rv.schemaname.clone(), rv.relname.clone()]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect();
        let q = match self.find_sequence_names(&names, rv.location) {
            Ok(q) => q,
            Err(_) if s.missing_ok => return Ok(()),
            Err(e) => {
                if self.identity_seqs.values().any(|i| i.name == rv.relname) {
                    return unsupported(
                        rv.location,
                        "ALTER SEQUENCE on an identity column's sequence (use ALTER TABLE … ALTER COLUMN … SET)",
                    );
                }
                return Err(e);
            }
        };
        let base = SeqParams::from_sequence(&self.cat.sequences[&q]);
        let (p, extras) = self.seq_options(&s.options, Some(&base), "bigint", false)?;
        if let Some(seq) = self.cat.sequences.get_mut(&q) {
            apply_params(seq, &p);
        }
        if let Some((names, loc)) = extras.owned_by {
            self.set_owned_by(&q, &names, loc)?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // Tables

    fn create_table(&mut self, s: &protobuf::CreateStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        match rv.relpersistence.as_str() {
            "p" => {}
            "t" => return unsupported(rv.location, "CREATE TEMPORARY TABLE"),
            _ => return unsupported(rv.location, "CREATE UNLOGGED TABLE"),
        }
        if !s.inh_relations.is_empty() {
            return unsupported(-1, "CREATE TABLE … INHERITS");
        }
        if s.partspec.is_some() {
            return unsupported(-1, "CREATE TABLE … PARTITION BY");
        }
        if s.partbound.is_some() {
            return unsupported(-1, "CREATE TABLE … PARTITION OF");
        }
        if s.of_typename.is_some() {
            return unsupported(-1, "CREATE TABLE … OF type");
        }
        if !s.options.is_empty() {
            return unsupported(-1, "CREATE TABLE … WITH (storage parameters)");
        }
        if !s.tablespacename.is_empty() {
            return unsupported(-1, "CREATE TABLE … TABLESPACE");
        }
        if !s.access_method.is_empty() {
            return unsupported(-1, "CREATE TABLE … USING access method");
        }
        let q = self.range_var_target(rv)?;
        if self.relation_taken(&q.schema, &q.name) {
            if s.if_not_exists && self.cat.tables.contains_key(&q) {
                return Ok(());
            }
            return err(
                rv.location,
                format!("relation \"{}\" already exists", q.name),
            );
        }
        if self.cat.enums.contains_key(&q) {
            return err(rv.location, format!("type \"{}\" already exists", q.name));
        }
        let mut table = Table::new(q.clone());
        let mut p = Pending::default();
        let mut column_anchors = Vec::new();
        let mut likes = Vec::new();
        for elt in &s.table_elts {
            match elt.node.as_ref() {
                Some(NodeEnum::ColumnDef(cd)) => {
                    self.column_def(&mut table, cd, &mut p)?;
                    column_anchors.push((cd.location, cd.colname.clone()));
                }
                Some(NodeEnum::Constraint(c)) => {
                    self.table_constraint(c, &mut p, None)?;
                    self.table_con_loc(c.location);
                }
                Some(NodeEnum::TableLikeClause(l)) => {
                    likes.push(self.like_columns(&mut table, l, &mut p)?);
                }
                _ => return unsupported(-1, "CREATE TABLE element"),
            }
        }
        for c in s.constraints.iter().chain(&s.nnconstraints) {
            if let Some(NodeEnum::Constraint(c)) = c.node.as_ref() {
                self.table_constraint(c, &mut p, None)?;
                self.table_con_loc(c.location);
            }
        }
        self.finish_columns(&mut table, &mut p, true)?;
        // Every table stays in the model: drop the capacity growing the list left unused.
        table.columns.shrink_to_fit();
        self.cat.tables.insert(q.clone(), table);
        self.sync_table_names(&q);
        self.anchor_stmt(ObjectId::Table { name: q.clone() });
        for (loc, column) in column_anchors {
            let id = ObjectId::Column {
                table: q.clone(),
                column,
            };
            self.anchor_loc(loc, 1, id);
        }
        self.add_pending(&q, p, true)?;
        self.expand_likes(&q, likes)
    }

    /// A column definition: its type and column constraints (those needing the whole
    /// table go to `p`).
    fn column_def(&self, table: &mut Table, cd: &protobuf::ColumnDef, p: &mut Pending) -> R<()> {
        let name = cd.colname.clone();
        if table.column(&name).is_some() {
            return err(
                cd.location,
                format!("column \"{name}\" specified more than once"),
            );
        }
        let tn = cd.type_name.as_ref().ok_or_else(|| E {
            loc: cd.location,
            msg: format!("column \"{name}\" has no type"),
        })?;
        let serial = serial_type(tn);
        let ty = match serial {
            Some(t) => {
                if !tn.array_bounds.is_empty() {
                    return err(tn.location, "array of serial is not implemented");
                }
                TypeRef::builtin(t)
            }
            None => self.resolve_type(tn)?,
        };
        let mut col = Column::new(name.clone(), ty);
        if let Some(cc) = cd.coll_clause.as_ref() {
            col.collation = self.collation(&cc.collname, cc.location)?;
        }
        if !cd.compression.is_empty() {
            return unsupported(cd.location, "column COMPRESSION");
        }
        if !cd.storage.is_empty() || !cd.storage_name.is_empty() {
            return unsupported(cd.location, "column STORAGE");
        }
        // Constraint attributes (DEFERRABLE, …) apply to the constraint before them.
        let mut cons: Vec<protobuf::Constraint> = Vec::new();
        let mut saw_deferrability = false;
        let mut saw_initially = false;
        for n in &cd.constraints {
            let Some(NodeEnum::Constraint(c)) = n.node.as_ref() else {
                continue;
            };
            let kind = contype(c);
            let attr = matches!(
                kind,
                ConstrType::ConstrAttrDeferrable
                    | ConstrType::ConstrAttrNotDeferrable
                    | ConstrType::ConstrAttrDeferred
                    | ConstrType::ConstrAttrImmediate
            );
            if matches!(
                kind,
                ConstrType::ConstrAttrEnforced | ConstrType::ConstrAttrNotEnforced
            ) {
                return unsupported(c.location, "ENFORCED / NOT ENFORCED");
            }
            if !attr {
                saw_deferrability = false;
                saw_initially = false;
                cons.push(c.as_ref().clone());
                continue;
            }
            let Some(last) = cons.last_mut().filter(|l| {
                matches!(
                    contype(l),
                    ConstrType::ConstrPrimary
                        | ConstrType::ConstrUnique
                        | ConstrType::ConstrForeign
                )
            }) else {
                return err(c.location, "misplaced constraint attribute clause");
            };
            match kind {
                ConstrType::ConstrAttrDeferrable | ConstrType::ConstrAttrNotDeferrable => {
                    if saw_deferrability {
                        return err(c.location, "multiple DEFERRABLE/NOT DEFERRABLE clauses");
                    }
                    saw_deferrability = true;
                    last.deferrable = kind == ConstrType::ConstrAttrDeferrable;
                    if !last.deferrable && last.initdeferred {
                        return err(
                            c.location,
                            "constraint declared INITIALLY DEFERRED must be DEFERRABLE",
                        );
                    }
                }
                _ => {
                    if saw_initially {
                        return err(c.location, "multiple INITIALLY clauses");
                    }
                    saw_initially = true;
                    last.initdeferred = kind == ConstrType::ConstrAttrDeferred;
                    if last.initdeferred {
                        if !saw_deferrability {
                            last.deferrable = true;
                        } else if !last.deferrable {
                            return err(
                                c.location,
                                "constraint declared INITIALLY DEFERRED must be DEFERRABLE",
                            );
                        }
                    }
                }
            }
        }
        let mut saw_null = false;
        let mut has_default = false;
        for c in cons {
            match contype(&c) {
                ConstrType::ConstrNull => {
                    if col.not_null {
                        return err(c.location, "conflicting NULL/NOT NULL declarations");
                    }
                    saw_null = true;
                }
                ConstrType::ConstrNotnull => {
                    if saw_null {
                        return err(c.location, "conflicting NULL/NOT NULL declarations");
                    }
                    col.not_null = true;
                }
                ConstrType::ConstrDefault => {
                    if has_default {
                        return err(
                            c.location,
                            format!("multiple default values specified for column \"{name}\""),
                        );
                    }
                    if col.identity.is_some() {
                        return err(
                            c.location,
                            format!("both default and identity specified for column \"{name}\""),
                        );
                    }
                    has_default = true;
                    if let Some(e) = c.raw_expr.as_deref() {
                        p.defaults.push((name.clone(), e.clone()));
                    }
                }
                ConstrType::ConstrIdentity => {
                    if has_default {
                        return err(
                            c.location,
                            format!("both default and identity specified for column \"{name}\""),
                        );
                    }
                    if col.identity.is_some() {
                        return err(
                            c.location,
                            format!("multiple identity specifications for column \"{name}\""),
                        );
                    }
                    let id_type = identity_type(&col.ty).ok_or_else(|| E {
                        loc: c.location,
                        msg: format!(
                            "identity column type must be smallint, integer, or bigint (column \"{name}\")"
                        ),
                    })?;
                    let (params, extras) = self.seq_options(&c.options, None, id_type, true)?;
                    col.identity = Some(params.identity(c.generated_when == "a"));
                    col.not_null = true;
                    p.identities.push((name.clone(), extras.sequence_name));
                }
                ConstrType::ConstrGenerated => {
                    if c.generated_kind == "v" {
                        return unsupported(
                            c.location,
                            "virtual generated columns (PostgreSQL 15 needs STORED)",
                        );
                    }
                    if has_default || col.identity.is_some() {
                        return err(
                            c.location,
                            format!(
                                "both default and generation expression specified for column \"{name}\""
                            ),
                        );
                    }
                    has_default = true;
                    if let Some(e) = c.raw_expr.as_deref() {
                        p.generated.push((name.clone(), e.clone()));
                    }
                }
                ConstrType::ConstrCheck => p.checks.push(c),
                ConstrType::ConstrPrimary | ConstrType::ConstrUnique => {
                    p.index_cons.push(index_con(&c, vec![name.clone()])?)
                }
                ConstrType::ConstrForeign => {
                    if c.fk_attrs.len() > 1 {
                        return err(c.location, "a column constraint references one column");
                    }
                    p.fks.push(FkCon {
                        con: c,
                        columns: vec![name.clone()],
                    })
                }
                ConstrType::ConstrExclusion => {
                    return unsupported(c.location, "EXCLUDE constraints")
                }
                _ => return unsupported(c.location, "column constraint"),
            }
        }
        if let Some(t) = serial {
            if has_default || col.identity.is_some() {
                return err(
                    cd.location,
                    format!(
                        "multiple default values specified for column \"{name}\" of table \"{}\"",
                        table.name.name
                    ),
                );
            }
            col.not_null = true;
            p.serials.push((name.clone(), t.to_string(), cd.location));
        }
        table.columns.push(col);
        Ok(())
    }

    /// A table constraint of `CREATE TABLE` (`using_index` is `None`) or of
    /// `ALTER TABLE … ADD CONSTRAINT` (which collects `… USING INDEX` in `using_index`),
    /// kept in `p` until the columns are known.
    fn table_constraint(
        &self,
        c: &protobuf::Constraint,
        p: &mut Pending,
        using_index: Option<&mut Vec<protobuf::Constraint>>,
    ) -> R<()> {
        let altering = using_index.is_some();
        match contype(c) {
            ConstrType::ConstrCheck => {
                let mut c = c.clone();
                if altering {
                    // NOT VALID is kept (the table may have rows)
                    c.skip_validation = !c.initially_valid;
                }
                p.checks.push(c)
            }
            ConstrType::ConstrPrimary | ConstrType::ConstrUnique if !c.indexname.is_empty() => {
                match using_index {
                    Some(u) => u.push(c.clone()),
                    None => return unsupported(c.location, "constraint … USING INDEX"),
                }
            }
            ConstrType::ConstrPrimary | ConstrType::ConstrUnique => {
                p.index_cons.push(index_con(c, strings(&c.keys))?)
            }
            ConstrType::ConstrForeign => p.fks.push(FkCon {
                con: c.clone(),
                columns: strings(&c.fk_attrs),
            }),
            ConstrType::ConstrExclusion => return unsupported(c.location, "EXCLUDE constraints"),
            _ if altering => return unsupported(c.location, "ADD CONSTRAINT of this kind"),
            ConstrType::ConstrNotnull => {
                return unsupported(c.location, "table-level NOT NULL constraint")
            }
            _ => return unsupported(c.location, "table constraint"),
        }
        Ok(())
    }

    /// Name the sequences of serial and identity columns, then compute defaults and
    /// generation expressions (they need every column's type).
    fn finish_columns(&mut self, table: &mut Table, p: &mut Pending, _creating: bool) -> R<()> {
        let q = table.name.clone();
        // Serial and identity sequences are named in column order, at transform time.
        let mut chosen: Vec<String> = Vec::new();
        let order: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        for colname in &order {
            if let Some((_, data_type, loc)) = p.serials.iter().find(|s| &s.0 == colname).cloned() {
                let seq_name = choose_name(&q.name, Some(colname), "seq", &|n| {
                    self.relation_taken(&q.schema, n) || chosen.iter().any(|c| c == n)
                });
                chosen.push(seq_name.clone());
                let sq = QualName::new(q.schema.clone(), seq_name);
                let mut seq = Sequence::with_defaults(sq.clone(), &data_type, 1);
                seq.owned_by = Some(ColumnRef {
                    table: q.clone(),
                    column: colname.clone(),
                });
                let lit = shale_model::quote_literal(&sq.to_string());
                let node =
                    normalize::parse_expr(&format!("nextval({lit}::regclass)")).map_err(at(loc))?;
                self.cat.sequences.insert(sq, seq);
                let ty = table.column(colname).map(|c| c.ty.clone());
                let e = self.norm_expr(&node, &table.columns, ty.as_ref(), loc)?;
                if let Some(c) = table.column_mut(colname) {
                    c.default = Some(e);
                }
            }
            if let Some((_, given)) = p.identities.iter().find(|s| &s.0 == colname).cloned() {
                let sq = match given {
                    Some(names) => match names.as_slice() {
                        [n] => QualName::new(q.schema.clone(), n.clone()),
                        [s, n] => QualName::new(s.clone(), n.clone()),
                        _ => return err(-1, "improper SEQUENCE NAME"),
                    },
                    None => QualName::new(
                        q.schema.clone(),
                        choose_name(&q.name, Some(colname), "seq", &|n| {
                            self.relation_taken(&q.schema, n) || chosen.iter().any(|c| c == n)
                        }),
                    ),
                };
                if self.relation_taken(&sq.schema, &sq.name) || chosen.contains(&sq.name) {
                    return err(-1, format!("relation \"{}\" already exists", sq.name));
                }
                chosen.push(sq.name.clone());
                self.identity_seqs.insert(
                    ColumnRef {
                        table: q.clone(),
                        column: colname.clone(),
                    },
                    sq,
                );
            }
        }
        for (colname, node) in std::mem::take(&mut p.defaults) {
            let loc = Self::node_location(&node);
            if !column_refs(&node).is_empty() {
                return err(loc, "cannot use column reference in DEFAULT expression");
            }
            let ty = table.column(&colname).map(|c| c.ty.clone());
            let e = self.norm_expr(&node, &table.columns, ty.as_ref(), loc)?;
            let none = ty
                .as_ref()
                .is_some_and(|t| self.stores_no_default(&node, t));
            if let Some(c) = table.column_mut(&colname) {
                c.default = if none { None } else { Some(e) };
            }
        }
        let generated_names: Vec<String> = p.generated.iter().map(|g| g.0.clone()).collect();
        for (colname, node) in std::mem::take(&mut p.generated) {
            let loc = Self::node_location(&node);
            for r in column_refs(&node) {
                match table.column(&r) {
                    None => return err(loc, format!("column \"{r}\" does not exist")),
                    Some(c) if c.generated.is_some() || generated_names.contains(&r) => {
                        return err(
                            loc,
                            "cannot use generated column in column generation expression",
                        )
                    }
                    _ => {}
                }
            }
            let ty = table.column(&colname).map(|c| c.ty.clone());
            let e = self.norm_expr(&node, &table.columns, ty.as_ref(), loc)?;
            if let Some(c) = table.column_mut(&colname) {
                c.generated = Some(e);
            }
        }
        Ok(())
    }

    /// Add checks, then primary/unique, then foreign keys, in PostgreSQL's order.
    fn add_pending(&mut self, q: &QualName, p: Pending, creating: bool) -> R<()> {
        let mut batch: Vec<String> = Vec::new();
        for c in &p.checks {
            self.add_check(q, c, &mut batch, creating)?;
        }
        let index_cons = if creating {
            dedupe_index_cons(p.index_cons)
        } else {
            p.index_cons
        };
        for ic in &index_cons {
            self.add_index_con(q, ic)?;
        }
        for fk in &p.fks {
            self.add_fk(q, &fk.con, &fk.columns, creating)?;
        }
        Ok(())
    }

    fn table(&self, q: &QualName) -> &Table {
        &self.cat.tables[q]
    }

    fn check_con_name_free(&self, q: &QualName, name: &str, loc: i32) -> R<()> {
        if self.table(q).constraints.contains_key(name) {
            return err(
                loc,
                format!(
                    "constraint \"{name}\" for relation \"{}\" already exists",
                    q.name
                ),
            );
        }
        Ok(())
    }

    fn add_check(
        &mut self,
        q: &QualName,
        c: &protobuf::Constraint,
        batch: &mut Vec<String>,
        creating: bool,
    ) -> R<()> {
        let Some(expr) = c.raw_expr.as_deref() else {
            return err(c.location, "CHECK constraint without expression");
        };
        let cols = column_refs(expr);
        let table = self.table(q);
        for col in &cols {
            if table.column(col).is_none() {
                return err(
                    Self::node_location(expr),
                    format!("column \"{col}\" does not exist"),
                );
            }
        }
        let e = self.norm_expr(expr, &table.columns, None, c.location)?;
        let name = if c.conname.is_empty() {
            let colname = if cols.len() == 1 {
                Some(cols[0].as_str())
            } else {
                None
            };
            choose_name(&q.name, colname, "check", &|n| {
                batch.iter().any(|b| b == n) || self.constraint_taken(&q.schema, n)
            })
        } else {
            if batch.contains(&c.conname) {
                return err(
                    c.location,
                    format!("check constraint \"{}\" already exists", c.conname),
                );
            }
            self.check_con_name_free(q, &c.conname, c.location)?;
            c.conname.clone()
        };
        batch.push(name.clone());
        let con = Constraint {
            name: name.clone(),
            kind: ConstraintKind::Check {
                expr: e,
                no_inherit: c.is_no_inherit,
            },
            deferrable: false,
            initially_deferred: false,
            validated: creating || c.initially_valid,
            comment: None,
            index_comment: None,
            index_invalid: false,
        };
        if let Some(t) = self.cat.tables.get_mut(q) {
            t.constraints.insert(name.clone(), con);
        }
        self.sync_table_names(q);
        self.anchor_constraint(q, &name, c.location);
        Ok(())
    }

    fn add_index_con(&mut self, q: &QualName, ic: &IndexCon) -> R<()> {
        let table = self.table(q);
        for col in ic.columns.iter() {
            if table.column(col).is_none() {
                return err(
                    ic.loc,
                    format!("column \"{col}\" named in key does not exist"),
                );
            }
        }
        for col in ic.include.iter() {
            if table.column(col).is_none() {
                return err(
                    ic.loc,
                    format!("column \"{col}\" named in key does not exist"),
                );
            }
        }
        if ic.primary && table.primary_key().is_some() {
            return err(
                ic.loc,
                format!(
                    "multiple primary keys for table \"{}\" are not allowed",
                    q.name
                ),
            );
        }
        let name = match &ic.name {
            Some(n) => {
                self.check_con_name_free(q, n, ic.loc)?;
                if self.relation_taken(&q.schema, n) {
                    return err(ic.loc, format!("relation \"{n}\" already exists"));
                }
                n.clone()
            }
            None => {
                let taken = |n: &str| {
                    self.relation_taken(&q.schema, n) || self.constraint_taken(&q.schema, n)
                };
                if ic.primary {
                    choose_name(&q.name, None, "pkey", &taken)
                } else {
                    let mut all = ic.columns.clone();
                    all.extend(ic.include.iter().cloned());
                    let add = name_addition(&index_column_names(&all));
                    choose_name(&q.name, Some(&add), "key", &taken)
                }
            }
        };
        let kind = if ic.primary {
            ConstraintKind::PrimaryKey {
                columns: ic.columns.clone(),
                include: ic.include.clone(),
            }
        } else {
            ConstraintKind::Unique {
                columns: ic.columns.clone(),
                include: ic.include.clone(),
                nulls_not_distinct: ic.nulls_not_distinct,
            }
        };
        let t = self.cat.tables.get_mut(q).expect("table exists");
        if ic.primary {
            for c in &ic.columns {
                if let Some(col) = t.column_mut(c) {
                    col.not_null = true;
                }
            }
        }
        t.constraints.insert(
            name.clone(),
            Constraint {
                name: name.clone(),
                kind,
                deferrable: ic.deferrable,
                initially_deferred: ic.initdeferred,
                validated: true,
                comment: None,
                index_comment: None,
                index_invalid: false,
            },
        );
        self.sync_table_names(q);
        self.anchor_constraint(q, &name, ic.loc);
        self.adopt_for_new_key(q, &name, &ic.columns, &ic.include);
        Ok(())
    }

    fn add_fk(
        &mut self,
        q: &QualName,
        c: &protobuf::Constraint,
        columns: &[String],
        creating: bool,
    ) -> R<()> {
        let pk_rv = c.pktable.as_ref().ok_or_else(|| E {
            loc: c.location,
            msg: "foreign key without referenced table".into(),
        })?;
        let ref_table = self.find_table(pk_rv)?;
        let table = self.table(q);
        for col in columns {
            if table.column(col).is_none() {
                return err(
                    c.location,
                    format!("column \"{col}\" referenced in foreign key constraint does not exist"),
                );
            }
        }
        let rt = self.table(&ref_table);
        let ref_columns: Vec<String> = if c.pk_attrs.is_empty() {
            match rt.primary_key() {
                Some(pk) => pk.kind.columns().to_vec(),
                None => {
                    return err(
                        pk_rv.location,
                        format!(
                            "there is no primary key for referenced table \"{}\"",
                            ref_table.name
                        ),
                    )
                }
            }
        } else {
            strings(&c.pk_attrs)
        };
        // A partition's or child's columns include its parents' (table_options.rs).
        let ref_all = self.cat.all_column_names(&ref_table);
        for col in &ref_columns {
            if !ref_all.contains(col) {
                return err(
                    pk_rv.location,
                    format!("column \"{col}\" referenced in foreign key constraint does not exist"),
                );
            }
        }
        if ref_columns.len() != columns.len() {
            return err(
                c.location,
                "number of referencing and referenced columns for foreign key disagree",
            );
        }
        if !c.pk_attrs.is_empty() && !self.has_unique_key(&ref_table, &ref_columns) {
            return err(
                pk_rv.location,
                format!(
                    "there is no unique constraint matching given keys for referenced table \"{}\"",
                    ref_table.name
                ),
            );
        }
        let match_full = match c.fk_matchtype.as_str() {
            "" | "s" => false,
            "f" => true,
            _ => return unsupported(c.location, "MATCH PARTIAL"),
        };
        if !c.fk_del_set_cols.is_empty() {
            return unsupported(c.location, "ON DELETE SET NULL/DEFAULT (columns)");
        }
        let on_update = fk_action(&c.fk_upd_action, c.location)?;
        let on_delete = fk_action(&c.fk_del_action, c.location)?;
        let name = if c.conname.is_empty() {
            let add = name_addition(columns);
            choose_name(&q.name, Some(&add), "fkey", &|n| {
                self.constraint_taken(&q.schema, n)
            })
        } else {
            self.check_con_name_free(q, &c.conname, c.location)?;
            c.conname.clone()
        };
        let con = Constraint {
            name: name.clone(),
            kind: ConstraintKind::ForeignKey {
                columns: columns.to_vec(),
                ref_table,
                ref_columns,
                on_update,
                on_delete,
                match_full,
            },
            deferrable: c.deferrable,
            initially_deferred: c.initdeferred,
            validated: creating || c.initially_valid,
            comment: None,
            index_comment: None,
            index_invalid: false,
        };
        if let Some(t) = self.cat.tables.get_mut(q) {
            t.constraints.insert(name.clone(), con);
        }
        self.sync_table_names(q);
        self.anchor_constraint(q, &name, c.location);
        Ok(())
    }

    /// A primary key, unique constraint or plain unique index (non-partial, on columns)
    /// on exactly these columns (in any order), as a foreign key needs.
    fn has_unique_key(&self, table: &QualName, cols: &[String]) -> bool {
        let same = |a: &[String]| {
            let mut x = a.to_vec();
            let mut y = cols.to_vec();
            x.sort();
            y.sort();
            x.dedup();
            x == y && a.len() == cols.len()
        };
        // A partition holds a copy of each key and unique index of its parent.
        if let Some(p) = self.cat.table_opts(table).partition_of {
            if self.has_unique_key(&p.parent, cols) {
                return true;
            }
        }
        let t = self.table(table);
        let by_constraint = t.constraints.values().any(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                !c.deferrable && same(columns)
            }
            _ => false,
        });
        if by_constraint {
            // (The usual case; the scan of every index below is not needed.)
            return true;
        }
        self.cat.indexes.values().any(|i| {
            i.table == *table && i.unique && i.predicate.is_none() && {
                let cs: Option<Vec<String>> = i
                    .keys
                    .iter()
                    .map(|k| match &k.key {
                        IndexKeyExpr::Column(c) => Some(c.clone()),
                        IndexKeyExpr::Expr(_) => None,
                    })
                    .collect();
                cs.is_some_and(|cs| same(&cs))
            }
        })
    }

    // -----------------------------------------------------------------------------------
    // ALTER TABLE

    fn alter_table(&mut self, s: &protobuf::AlterTableStmt, text: &str) -> R<()> {
        let only = s.relation.as_ref().is_some_and(|rv| !rv.inh);
        let outer = std::mem::replace(&mut self.alter_only, only);
        let r = self.alter_table_cmds(s, text);
        self.alter_only = outer;
        r
    }

    fn alter_table_cmds(&mut self, s: &protobuf::AlterTableStmt, text: &str) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing relation name".into(),
        })?;
        let objtype = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
        let cmds: Vec<&protobuf::AlterTableCmd> = s
            .cmds
            .iter()
            .filter_map(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c)) => Some(c.as_ref()),
                _ => None,
            })
            .collect();
        let only_owner = cmds
            .iter()
            .all(|c| c.subtype == AlterTableType::AtChangeOwner as i32);
        if only_owner {
            // OWNER TO is not modelled; pg_dump writes ALTER TABLE … OWNER TO for
            // sequences too.
            let exists = self
                .path_or(&rv.schemaname)
                .iter()
                .any(|sch| self.relation_taken(sch, &rv.relname));
            if exists || s.missing_ok {
                return Ok(());
            }
            return err(
                rv.location,
                format!("relation \"{}\" does not exist", rv_display(rv)),
            );
        }
        if objtype != ObjectType::ObjectTable {
            let words: Vec<&str> = text.split_whitespace().take(2).collect();
            return unsupported(-1, &words.join(" ").to_ascii_uppercase());
        }
        let q = match self.find_table(rv) {
            Ok(q) => q,
            Err(_) if s.missing_ok => return Ok(()),
            Err(e) => return Err(e),
        };
        // As transformAlterTableStmt: ADD COLUMN and ADD CONSTRAINT are transformed in
        // command order (their constraints collected), then everything runs in passes:
        // drops, column types, new columns, column attributes, primary/unique keys,
        // checks, foreign keys, the rest.
        let pass = |c: &protobuf::AlterTableCmd| -> u8 {
            use AlterTableType as A;
            match A::try_from(c.subtype).unwrap_or(A::Undefined) {
                A::AtDropColumn | A::AtDropConstraint => 0,
                A::AtAlterColumnType => 1,
                A::AtDropNotNull
                | A::AtSetNotNull
                | A::AtAddIdentity
                | A::AtSetIdentity
                | A::AtDropIdentity => 5,
                A::AtColumnDefault => 7,
                _ => 8,
            }
        };
        let mut p = Pending::default();
        let mut scratch = self.table(&q).clone();
        let mut new_columns: Vec<(Column, bool, i32)> = Vec::new();
        let mut rest: Vec<&protobuf::AlterTableCmd> = Vec::new();
        let mut using_index: Vec<protobuf::Constraint> = Vec::new();
        for cmd in &cmds {
            let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
            if cmd.subtype == AlterTableType::AtAddColumn as i32 {
                let Some(NodeEnum::ColumnDef(cd)) = def else {
                    return err(-1, "ADD COLUMN without a column definition");
                };
                if scratch.column(&cd.colname).is_some() && cmd.missing_ok {
                    continue;
                }
                self.column_def(&mut scratch, cd, &mut p)?;
                let id = ObjectId::Column {
                    table: q.clone(),
                    column: cd.colname.clone(),
                };
                self.anchor_loc(cd.location, 1, id);
                let col = scratch.columns.last().cloned().expect("just added");
                new_columns.push((col, cmd.missing_ok, cd.location));
            } else if cmd.subtype == AlterTableType::AtAddConstraint as i32 {
                let Some(NodeEnum::Constraint(c)) = def else {
                    return err(-1, "ADD CONSTRAINT without a constraint");
                };
                self.table_con_loc(c.location);
                self.table_constraint(c, &mut p, Some(&mut using_index))?;
            } else {
                rest.push(cmd);
            }
        }
        rest.sort_by_key(|c| pass(c));
        for cmd in rest.iter().filter(|c| pass(c) < 4) {
            self.alter_cmd(&q, cmd)?;
        }
        for (col, missing_ok, loc) in new_columns {
            let t = self.cat.tables.get_mut(&q).expect("table exists");
            if t.column(&col.name).is_some() {
                if missing_ok {
                    continue;
                }
                return err(
                    loc,
                    format!(
                        "column \"{}\" of relation \"{}\" already exists",
                        col.name, q.name
                    ),
                );
            }
            t.columns.push(col);
        }
        self.flush_new_columns(&q, &mut p)?;
        for cmd in rest.iter().filter(|c| (4..7).contains(&pass(c))) {
            self.alter_cmd(&q, cmd)?;
        }
        for ic in dedupe_index_cons(std::mem::take(&mut p.index_cons)) {
            self.add_index_con(&q, &ic)?;
        }
        for c in &using_index {
            self.constraint_using_index(&q, c)?;
        }
        for cmd in rest.iter().filter(|c| pass(c) == 7) {
            self.alter_cmd(&q, cmd)?;
        }
        let mut batch = Vec::new();
        for c in std::mem::take(&mut p.checks) {
            let from_add_constraint = c.skip_validation;
            self.add_check(&q, &c, &mut batch, !from_add_constraint)?;
        }
        for fk in std::mem::take(&mut p.fks) {
            self.add_fk(&q, &fk.con, &fk.columns, false)?;
        }
        for cmd in rest.iter().filter(|c| pass(c) > 7) {
            self.alter_cmd(&q, cmd)?;
        }
        Ok(())
    }

    /// Columns added by ADD COLUMN: name their sequences, compute defaults.
    fn flush_new_columns(&mut self, q: &QualName, p: &mut Pending) -> R<()> {
        if p.serials.is_empty()
            && p.identities.is_empty()
            && p.defaults.is_empty()
            && p.generated.is_empty()
        {
            return Ok(());
        }
        let mut table = self.cat.tables.remove(q).expect("table exists");
        let r = self.finish_columns(&mut table, p, false);
        self.cat.tables.insert(q.clone(), table);
        r
    }

    fn alter_cmd(&mut self, q: &QualName, cmd: &protobuf::AlterTableCmd) -> R<()> {
        use AlterTableType as A;
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let col_missing = |name: &str| E {
            loc: -1,
            msg: format!(
                "column \"{name}\" of relation \"{}\" does not exist",
                q.name
            ),
        };
        match A::try_from(cmd.subtype).unwrap_or(A::Undefined) {
            A::AtChangeOwner => Ok(()),
            A::AtColumnDefault => {
                let ty = self
                    .table(q)
                    .column(&cmd.name)
                    .ok_or_else(|| col_missing(&cmd.name))?
                    .ty
                    .clone();
                let value = match cmd.def.as_deref() {
                    None => None,
                    Some(n) => {
                        let loc = Self::node_location(n);
                        if !column_refs(n).is_empty() {
                            return err(loc, "cannot use column reference in DEFAULT expression");
                        }
                        let c = self.table(q).column(&cmd.name).expect("checked");
                        if c.identity.is_some() {
                            return err(
                                loc,
                                format!("column \"{}\" is an identity column", cmd.name),
                            );
                        }
                        if c.generated.is_some() {
                            return err(
                                loc,
                                format!("column \"{}\" is a generated column", cmd.name),
                            );
                        }
                        let e = self.norm_expr(n, &self.table(q).columns, Some(&ty), loc)?;
                        (!self.stores_no_default(n, &ty)).then_some(e)
                    }
                };
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.default = value;
                }
                Ok(())
            }
            A::AtSetNotNull | A::AtDropNotNull => {
                let set = cmd.subtype == A::AtSetNotNull as i32;
                let t = self.table(q);
                let c = t.column(&cmd.name).ok_or_else(|| col_missing(&cmd.name))?;
                if !set {
                    let in_pk = t
                        .primary_key()
                        .is_some_and(|pk| pk.kind.columns().contains(&cmd.name));
                    if in_pk {
                        return err(-1, format!("column \"{}\" is in a primary key", cmd.name));
                    }
                    if c.identity.is_some() {
                        return err(
                            -1,
                            format!(
                                "column \"{}\" of relation \"{}\" is an identity column",
                                cmd.name, q.name
                            ),
                        );
                    }
                }
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.not_null = set;
                }
                Ok(())
            }
            A::AtAddIdentity => {
                let Some(NodeEnum::Constraint(c)) = def else {
                    return err(-1, "ADD GENERATED without identity specification");
                };
                let col = self
                    .table(q)
                    .column(&cmd.name)
                    .ok_or_else(|| col_missing(&cmd.name))?;
                if col.identity.is_some() {
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" is already an identity column",
                            cmd.name, q.name
                        ),
                    );
                }
                if col.default.is_some() {
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" already has a default value",
                            cmd.name, q.name
                        ),
                    );
                }
                if !col.not_null {
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" must be declared NOT NULL before identity can be added",
                            cmd.name, q.name
                        ),
                    );
                }
                let id_type = identity_type(&col.ty).ok_or_else(|| E {
                    loc: -1,
                    msg: "identity column type must be smallint, integer, or bigint".into(),
                })?;
                let (params, extras) = self.seq_options(&c.options, None, id_type, true)?;
                let identity = params.identity(c.generated_when == "a");
                let mut p2 = Pending::default();
                p2.identities.push((cmd.name.clone(), extras.sequence_name));
                let mut table = self.cat.tables.remove(q).expect("table exists");
                if let Some(col) = table.column_mut(&cmd.name) {
                    col.identity = Some(identity);
                }
                // only the identity sequence is named here
                let cols_backup = std::mem::take(&mut table.columns);
                table.columns = cols_backup
                    .iter()
                    .filter(|c| c.name == cmd.name)
                    .cloned()
                    .collect();
                let r = self.finish_columns(&mut table, &mut p2, false);
                table.columns = cols_backup;
                self.cat.tables.insert(q.clone(), table);
                r
            }
            A::AtSetIdentity => {
                let col = self
                    .table(q)
                    .column(&cmd.name)
                    .ok_or_else(|| col_missing(&cmd.name))?;
                let Some(id) = col.identity.clone() else {
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" is not an identity column",
                            cmd.name, q.name
                        ),
                    );
                };
                let data_type = identity_type(&col.ty).unwrap_or("bigint");
                let opts: Vec<Node> = match def {
                    Some(NodeEnum::List(l)) => l.items.clone(),
                    _ => vec![],
                };
                let mut always = id.always;
                let mut seq_opts = Vec::new();
                for o in opts {
                    if let Some(NodeEnum::DefElem(d)) = o.node.as_ref() {
                        if d.defname == "generated" {
                            // ATTRIBUTE_IDENTITY_ALWAYS is 'a', BY DEFAULT 'd'
                            always = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                                Some(NodeEnum::Integer(i)) => i.ival == b'a' as i32,
                                _ => def_string(d).map(|v| v == "a").unwrap_or(false),
                            };
                            continue;
                        }
                    }
                    seq_opts.push(o);
                }
                let base = SeqParams::from_identity(&id, data_type);
                let (params, _) = self.seq_options(&seq_opts, Some(&base), data_type, true)?;
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.identity = Some(params.identity(always));
                }
                Ok(())
            }
            A::AtDropIdentity => {
                let col = self
                    .table(q)
                    .column(&cmd.name)
                    .ok_or_else(|| col_missing(&cmd.name))?;
                if col.identity.is_none() {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" is not an identity column",
                            cmd.name, q.name
                        ),
                    );
                }
                self.identity_seqs.remove(&ColumnRef {
                    table: q.clone(),
                    column: cmd.name.clone(),
                });
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.identity = None;
                }
                Ok(())
            }
            A::AtValidateConstraint => {
                let t = self.cat.tables.get_mut(q).expect("table exists");
                match t.constraints.get_mut(&cmd.name) {
                    Some(c) => {
                        c.validated = true;
                        Ok(())
                    }
                    None => err(
                        -1,
                        format!(
                            "constraint \"{}\" of relation \"{}\" does not exist",
                            cmd.name, q.name
                        ),
                    ),
                }
            }
            A::AtDropConstraint => {
                let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
                if !self.table(q).constraints.contains_key(&cmd.name) {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return err(
                        -1,
                        format!(
                            "constraint \"{}\" of relation \"{}\" does not exist",
                            cmd.name, q.name
                        ),
                    );
                }
                self.drop_constraint(q, &cmd.name, cascade)
            }
            A::AtDropColumn => {
                let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
                if self.table(q).column(&cmd.name).is_none() {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return Err(col_missing(&cmd.name));
                }
                self.drop_column(q, &cmd.name, cascade)
            }
            A::AtAlterColumnType => {
                let Some(NodeEnum::ColumnDef(cd)) = def else {
                    return err(-1, "ALTER COLUMN TYPE without a type");
                };
                if self.table(q).column(&cmd.name).is_none() {
                    return Err(col_missing(&cmd.name));
                }
                let tn = cd.type_name.as_ref().ok_or_else(|| E {
                    loc: -1,
                    msg: "ALTER COLUMN TYPE without a type".into(),
                })?;
                let ty = self.resolve_type(tn)?;
                let coll = match cd.coll_clause.as_ref() {
                    Some(cc) => self.collation(&cc.collname, cc.location)?,
                    None => None,
                };
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.ty = ty;
                    c.collation = coll;
                }
                Ok(())
            }
            A::AtDropExpression => {
                let c = self
                    .table(q)
                    .column(&cmd.name)
                    .ok_or_else(|| col_missing(&cmd.name))?;
                if c.generated.is_none() {
                    if cmd.missing_ok {
                        return Ok(());
                    }
                    return err(
                        -1,
                        format!(
                            "column \"{}\" of relation \"{}\" is not a stored generated column",
                            cmd.name, q.name
                        ),
                    );
                }
                let t = self.cat.tables.get_mut(q).expect("table exists");
                if let Some(c) = t.column_mut(&cmd.name) {
                    c.generated = None;
                }
                Ok(())
            }
            other => unsupported(-1, &format!("ALTER TABLE {}", alter_cmd_name(other))),
        }
    }

    /// Drop a constraint; foreign keys of other tables that depend on a dropped
    /// primary/unique key need CASCADE.
    fn drop_constraint(&mut self, q: &QualName, name: &str, cascade: bool) -> R<()> {
        let t = self.table(q);
        let con = t.constraints[name].clone();
        if let ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } =
            &con.kind
        {
            let dependents = self.fks_referencing(q, Some(columns));
            let others = t
                .constraints
                .values()
                .filter(|c| c.name != name)
                .any(|c| match &c.kind {
                    ConstraintKind::PrimaryKey { columns: c2, .. }
                    | ConstraintKind::Unique { columns: c2, .. } => same_columns(c2, columns),
                    _ => false,
                });
            if !dependents.is_empty() && !others {
                if !cascade {
                    return err(
                        -1,
                        format!(
                            "cannot drop constraint {name} on table {} because other objects depend on it (use CASCADE)",
                            q.name
                        ),
                    );
                }
                self.remove_constraints(dependents);
            }
        }
        if let Some(t) = self.cat.tables.get_mut(q) {
            t.constraints.remove(name);
        }
        self.sync_table_names(q);
        Ok(())
    }

    /// Foreign keys (table, name) referencing `q` (on these referenced columns, if given).
    fn fks_referencing(&self, q: &QualName, cols: Option<&Vec<String>>) -> Vec<(QualName, String)> {
        let mut out = Vec::new();
        for t in self.cat.tables.values() {
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                {
                    if ref_table == q {
                        let hit = cols.is_none_or(|cs| same_columns(ref_columns, cs));
                        if hit {
                            out.push((t.name.clone(), c.name.clone()));
                        }
                    }
                }
            }
        }
        out
    }

    fn drop_column(&mut self, q: &QualName, col: &str, cascade: bool) -> R<()> {
        // Foreign keys of other tables referencing this column.
        let mut external: Vec<(QualName, String)> = Vec::new();
        for t in self.cat.tables.values() {
            for c in t.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                {
                    if ref_table == q && ref_columns.iter().any(|r| r == col) && t.name != *q {
                        external.push((t.name.clone(), c.name.clone()));
                    }
                }
            }
        }
        if !external.is_empty() && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop column {col} of table {} because other objects depend on it (use CASCADE)",
                    q.name
                ),
            );
        }
        self.remove_constraints(external);
        let t = self.cat.tables.get_mut(q).expect("table exists");
        t.columns.retain(|c| c.name != col);
        t.constraints.retain(|_, c| match &c.kind {
            ConstraintKind::Check { expr, .. } => {
                !normalize::expr_columns(&expr.sql).iter().any(|c| c == col)
            }
            ConstraintKind::ForeignKey {
                ref_table,
                ref_columns,
                columns,
                ..
            } => {
                !(columns.iter().any(|c| c == col)
                    || (ref_table == q && ref_columns.iter().any(|c| c == col)))
            }
            k => !k.columns().iter().any(|c| c == col) && !constraint_includes(k, col),
        });
        self.sync_table_names(q);
        self.cat.indexes.retain(|_, i| {
            i.table != *q
                || !(i.include.iter().any(|c| c == col)
                    || i.keys.iter().any(|k| match &k.key {
                        IndexKeyExpr::Column(c) => c == col,
                        IndexKeyExpr::Expr(e) => {
                            normalize::expr_columns(&e.sql).iter().any(|c| c == col)
                        }
                    })
                    || i.predicate
                        .as_ref()
                        .is_some_and(|p| normalize::expr_columns(&p.sql).iter().any(|c| c == col)))
        });
        self.sync_indexes_of(q);
        self.cat.sequences.retain(|_, s| {
            s.owned_by
                .as_ref()
                .is_none_or(|o| !(o.table == *q && o.column == col))
        });
        self.identity_seqs.remove(&ColumnRef {
            table: q.clone(),
            column: col.to_string(),
        });
        Ok(())
    }

    /// `ADD CONSTRAINT name {PRIMARY KEY | UNIQUE} USING INDEX idx`: a plain unique index
    /// becomes the constraint's index (renamed to the constraint's name).
    fn constraint_using_index(&mut self, q: &QualName, c: &protobuf::Constraint) -> R<()> {
        let iq = QualName::new(q.schema.clone(), c.indexname.clone());
        let Some(ix) = self.cat.indexes.get(&iq).cloned() else {
            return err(
                c.location,
                format!("index \"{}\" does not exist", c.indexname),
            );
        };
        if ix.table != *q {
            return err(
                c.location,
                format!(
                    "index \"{}\" does not belong to table \"{}\"",
                    c.indexname, q.name
                ),
            );
        }
        let mut columns = Vec::new();
        for k in &ix.keys {
            match &k.key {
                IndexKeyExpr::Column(col)
                    if ix.unique
                        && k.collation.is_none()
                        && k.opclass.is_none()
                        && !k.descending
                        && !k.nulls_first =>
                {
                    columns.push(col.clone())
                }
                _ => {
                    return err(
                        c.location,
                        format!(
                            "index \"{}\" cannot be used for a constraint (it must be a plain unique index on columns, in default sort order)",
                            c.indexname
                        ),
                    )
                }
            }
        }
        if ix.method != "btree" || ix.predicate.is_some() {
            return err(
                c.location,
                format!("index \"{}\" cannot be used for a constraint", c.indexname),
            );
        }
        self.cat.indexes.remove(&iq);
        self.sync_index(&iq);
        let ic = IndexCon {
            primary: contype(c) == ConstrType::ConstrPrimary,
            columns,
            include: ix.include.clone(),
            nulls_not_distinct: ix.nulls_not_distinct,
            deferrable: c.deferrable,
            initdeferred: c.initdeferred,
            name: Some(if c.conname.is_empty() {
                c.indexname.clone()
            } else {
                c.conname.clone()
            }),
            loc: c.location,
        };
        let r = self.add_index_con(q, &ic);
        if r.is_err() {
            self.cat.indexes.insert(iq.clone(), ix);
            self.sync_index(&iq);
        } else if let Some(mut a) = self.cat.attached_indexes.remove(&iq) {
            // Still attached, now under the constraint's name.
            a.index = QualName::new(q.schema.clone(), ic.name.clone().unwrap_or_default());
            self.cat.attached_indexes.insert(a.index.clone(), a);
        }
        r
    }

    // -----------------------------------------------------------------------------------
    // DROP

    fn drop(&mut self, s: &protobuf::DropStmt, text: &str) -> R<()> {
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        let kind = ObjectType::try_from(s.remove_type).unwrap_or(ObjectType::Undefined);
        for o in &s.objects {
            let (names, loc) = match o.node.as_ref() {
                Some(NodeEnum::List(l)) => (strings(&l.items), -1),
                Some(NodeEnum::String(st)) => (vec![st.sval.clone()], -1),
                Some(NodeEnum::TypeName(tn)) => (types::type_names(tn), tn.location),
                _ => return unsupported(-1, &statement_kind(&NodeEnum::DropStmt(s.clone()), text)),
            };
            let missing = |what: &str| E {
                loc,
                msg: format!("{what} \"{}\" does not exist", names.join(".")),
            };
            match kind {
                ObjectType::ObjectTable => match self.find_table_names(&names, loc) {
                    Ok(q) => self.drop_table(&q, cascade)?,
                    Err(_) if s.missing_ok => {}
                    Err(_) => return Err(missing("table")),
                },
                ObjectType::ObjectIndex => {
                    let (schema, name) = split_names(&names);
                    match self.lookup(schema, name, &self.cat.indexes) {
                        Some(q) => self.drop_index(&q, cascade)?,
                        None => {
                            let backs_constraint = self.path_or(schema).iter().any(|sch| {
                                self.relation_taken(sch, name) && self.constraint_taken(sch, name)
                            });
                            if backs_constraint {
                                return err(
                                    loc,
                                    format!(
                                        "cannot drop index {name} because a constraint requires it (drop the constraint instead)"
                                    ),
                                );
                            }
                            if !s.missing_ok {
                                return Err(missing("index"));
                            }
                        }
                    }
                }
                ObjectType::ObjectSequence => match self.find_sequence_names(&names, loc) {
                    Ok(q) => self.drop_sequence(&q, cascade)?,
                    Err(_) if s.missing_ok => {}
                    Err(_) => return Err(missing("sequence")),
                },
                ObjectType::ObjectType => {
                    let found = match names.as_slice() {
                        [n] => self.find_enum(None, n),
                        [sch, n] => self.find_enum(Some(sch), n),
                        _ => None,
                    };
                    match found {
                        Some(q) => self.drop_enum(&q, cascade)?,
                        None if s.missing_ok => {}
                        None => return Err(missing("type")),
                    }
                }
                ObjectType::ObjectSchema => {
                    let name = names.last().cloned().unwrap_or_default();
                    if self.schema_exists(&name) {
                        self.drop_schema(&name, cascade)?;
                    } else if !s.missing_ok {
                        return Err(missing("schema"));
                    }
                }
                ObjectType::ObjectExtension => {
                    let name = names.last().cloned().unwrap_or_default();
                    if self.cat.extensions.remove(&name).is_none() && !s.missing_ok {
                        return Err(missing("extension"));
                    }
                }
                _ => return unsupported(-1, &statement_kind(&NodeEnum::DropStmt(s.clone()), text)),
            }
        }
        Ok(())
    }

    fn drop_table(&mut self, q: &QualName, cascade: bool) -> R<()> {
        let dependents: Vec<(QualName, String)> = self
            .fks_referencing(q, None)
            .into_iter()
            .filter(|(t, _)| t != q)
            .collect();
        if !dependents.is_empty() && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop table {q} because other objects depend on it (constraint {} on table {}; use CASCADE)",
                    dependents[0].1, dependents[0].0
                ),
            );
        }
        self.remove_constraints(dependents);
        self.cat.tables.remove(q);
        self.sync_table_names(q);
        self.cat.indexes.retain(|_, i| i.table != *q);
        self.sync_indexes_of(q);
        self.cat
            .sequences
            .retain(|_, s| s.owned_by.as_ref().is_none_or(|o| o.table != *q));
        self.identity_seqs.retain(|c, _| c.table != *q);
        Ok(())
    }

    fn drop_index(&mut self, q: &QualName, cascade: bool) -> R<()> {
        if !self.cat.indexes.contains_key(q) {
            return Ok(());
        }
        self.drop_attached(q, cascade)?;
        let Some(ix) = self.cat.indexes.remove(q) else {
            return Ok(());
        };
        self.sync_index(q);
        // Foreign keys whose referenced columns are this index's (PostgreSQL records the
        // index a foreign key was checked against; a constraint's index is preferred).
        let key_cols: Option<Vec<String>> = ix
            .keys
            .iter()
            .map(|k| match &k.key {
                IndexKeyExpr::Column(c) => Some(c.clone()),
                IndexKeyExpr::Expr(_) => None,
            })
            .collect();
        let mut broken = Vec::new();
        if let (true, Some(cols)) = (ix.unique, key_cols) {
            let by_constraint = self.table(&ix.table).constraints.values().any(|c| {
                matches!(
                    c.kind,
                    ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                ) && same_columns(c.kind.columns(), &cols)
            });
            if !by_constraint {
                for (tq, cn) in self.fks_referencing(&ix.table, Some(&cols)) {
                    broken.push((tq, cn));
                }
            }
        }
        if !broken.is_empty() {
            if !cascade {
                self.cat.indexes.insert(q.clone(), ix);
                self.sync_index(q);
                return err(
                    -1,
                    format!(
                        "cannot drop index {q} because constraint {} on table {} depends on it (use CASCADE)",
                        broken[0].1, broken[0].0
                    ),
                );
            }
            self.remove_constraints(broken);
        }
        Ok(())
    }

    fn drop_sequence(&mut self, q: &QualName, cascade: bool) -> R<()> {
        let users: Vec<(QualName, String)> = self
            .cat
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.default.as_ref().is_some_and(|d| d.refs.contains(q)))
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if !users.is_empty() {
            if !cascade {
                return err(
                    -1,
                    format!(
                        "cannot drop sequence {q} because the default of column {}.{} depends on it (use CASCADE)",
                        users[0].0, users[0].1
                    ),
                );
            }
            for (tq, col) in users {
                if let Some(c) = self
                    .cat
                    .tables
                    .get_mut(&tq)
                    .and_then(|t| t.column_mut(&col))
                {
                    c.default = None;
                }
            }
        }
        self.cat.sequences.remove(q);
        Ok(())
    }

    fn drop_enum(&mut self, q: &QualName, cascade: bool) -> R<()> {
        let users: Vec<(QualName, String)> = self
            .cat
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.ty.user_type().as_ref() == Some(q))
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        if !users.is_empty() && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop type {q} because column {}.{} depends on it (use CASCADE)",
                    users[0].0, users[0].1
                ),
            );
        }
        for (tq, col) in users {
            self.drop_column(&tq, &col, true)?;
        }
        self.cat.enums.remove(q);
        Ok(())
    }

    fn drop_schema(&mut self, name: &str, cascade: bool) -> R<()> {
        let in_schema = |q: &QualName| q.schema == name;
        let empty = !self.cat.tables.keys().any(in_schema)
            && !self.cat.sequences.keys().any(in_schema)
            && !self.cat.enums.keys().any(in_schema)
            && !self.cat.extensions.values().any(|e| e.schema == name);
        if !empty && !cascade {
            return err(
                -1,
                format!(
                    "cannot drop schema {} because other objects depend on it (use CASCADE)",
                    quote_ident(name)
                ),
            );
        }
        for t in keys_in_schema(&self.cat.tables, name) {
            self.drop_table(&t, true)?;
        }
        for sq in keys_in_schema(&self.cat.sequences, name) {
            self.drop_sequence(&sq, true)?;
        }
        for e in keys_in_schema(&self.cat.enums, name) {
            self.drop_enum(&e, true)?;
        }
        self.cat.extensions.retain(|_, e| e.schema != name);
        self.cat.schemas.remove(name);
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // CREATE INDEX

    fn create_index(&mut self, s: &protobuf::IndexStmt) -> R<()> {
        let rv = s.relation.as_ref().ok_or_else(|| E {
            loc: -1,
            msg: "missing table name".into(),
        })?;
        let q = self.find_table(rv)?;
        if !s.table_space.is_empty() {
            return unsupported(-1, "CREATE INDEX … TABLESPACE");
        }
        let storage = relation_options::with_params(&s.options)?;
        if !s.exclude_op_names.is_empty() || s.primary || s.isconstraint {
            return unsupported(-1, "constraint index");
        }
        let method = if s.access_method.is_empty() {
            "btree".to_string()
        } else {
            s.access_method.clone()
        };
        if s.unique && method != "btree" {
            return err(
                -1,
                format!("access method \"{method}\" does not support unique indexes"),
            );
        }
        // Borrowed, not cloned: a table clone per index was a tenth of reading indexes.
        let table = self.table(&q);
        // Sized once: every index stays in the model.
        let mut keys = Vec::with_capacity(s.index_params.len());
        let mut key_names = Vec::new();
        for p in &s.index_params {
            let Some(NodeEnum::IndexElem(ie)) = p.node.as_ref() else {
                continue;
            };
            let (k, n) = self.index_key(table, ie, &method)?;
            keys.push(k);
            key_names.push(n);
        }
        let mut include = Vec::new();
        for p in &s.index_including_params {
            let Some(NodeEnum::IndexElem(ie)) = p.node.as_ref() else {
                continue;
            };
            if ie.name.is_empty() {
                return err(-1, "expressions are not supported in included columns");
            }
            if table.column(&ie.name).is_none() {
                return err(-1, format!("column \"{}\" does not exist", ie.name));
            }
            include.push(ie.name.clone());
            key_names.push(ie.name.clone());
        }
        let predicate = match s.where_clause.as_deref() {
            Some(w) => {
                let loc = Self::node_location(w);
                for c in column_refs(w) {
                    if table.column(&c).is_none() {
                        return err(loc, format!("column \"{c}\" does not exist"));
                    }
                }
                Some(self.norm_expr(w, &table.columns, None, loc)?)
            }
            None => None,
        };
        let name = if s.idxname.is_empty() {
            let add = name_addition(&index_column_names(&key_names));
            choose_name(&q.name, Some(&add), "idx", &|n| {
                self.relation_taken(&q.schema, n)
            })
        } else {
            if self.relation_taken(&q.schema, &s.idxname) {
                if s.if_not_exists {
                    return Ok(());
                }
                return err(-1, format!("relation \"{}\" already exists", s.idxname));
            }
            s.idxname.clone()
        };
        let partitioned = self.cat.table_opts(&table.name).partition_by.is_some();
        let iq = QualName::new(q.schema.clone(), name);
        let iq_for_parts = iq.clone();
        self.anchor_stmt(ObjectId::Index { name: iq.clone() });
        self.cat.indexes.insert(
            iq.clone(),
            Index {
                name: iq,
                table: q,
                unique: s.unique,
                method,
                keys,
                include,
                predicate,
                nulls_not_distinct: s.nulls_not_distinct,
                comment: None,
                invalid: false,
                storage,
                statistics: BTreeMap::new(),
            },
        );
        self.sync_index(&iq_for_parts);
        if partitioned {
            if rv.inh {
                self.adopt_for_new_index(&iq_for_parts);
            } else {
                self.index_on_only(&iq_for_parts);
            }
        }
        Ok(())
    }

    /// One index key and the name it contributes to an implicit index name.
    fn index_key(
        &self,
        table: &Table,
        ie: &protobuf::IndexElem,
        method: &str,
    ) -> R<(IndexKey, String)> {
        if !ie.opclassopts.is_empty() {
            return unsupported(-1, "operator class parameters");
        }
        let (key, key_type, colname, own_collation) = if !ie.name.is_empty() {
            let c = table.column(&ie.name).ok_or_else(|| E {
                loc: -1,
                msg: format!("column \"{}\" does not exist", ie.name),
            })?;
            (
                IndexKeyExpr::Column(ie.name.clone()),
                Some(c.ty.clone()),
                ie.name.clone(),
                c.collation.clone(),
            )
        } else {
            let e = ie.expr.as_deref().ok_or_else(|| E {
                loc: -1,
                msg: "index key without column or expression".into(),
            })?;
            let loc = Self::node_location(e);
            for c in column_refs(e) {
                if table.column(&c).is_none() {
                    return err(loc, format!("column \"{c}\" does not exist"));
                }
            }
            let name = if ie.indexcolname.is_empty() {
                figure_index_colname(e)
            } else {
                ie.indexcolname.clone()
            };
            // A bare column (or a cast to its own type) is a plain column key.
            let plain = plain_column(e, table, &|tn| self.resolve_type(tn).ok());
            match plain {
                Some(col) => {
                    let c = table.column(&col).expect("checked");
                    (
                        IndexKeyExpr::Column(col.clone()),
                        Some(c.ty.clone()),
                        name,
                        c.collation.clone(),
                    )
                }
                None => {
                    let ex = self.norm_expr(e, &table.columns, None, loc)?;
                    (IndexKeyExpr::Expr(ex), None, name, None)
                }
            }
        };
        let collation = match self.collation(&ie.collation, -1)? {
            Some(c) if Some(&c) != own_collation.as_ref() => Some(c),
            Some(_) => None,
            None if ie.collation.is_empty() => match (&key, ie.expr.as_deref()) {
                (IndexKeyExpr::Expr(_), Some(e)) => derived_collation(e, table),
                _ => None,
            },
            None => None,
        };
        let opclass = match strings(&ie.opclass).as_slice() {
            [] => None,
            names => {
                let (schema, name) = match names {
                    [n] => (None, n.clone()),
                    [s, n] => (Some(s.clone()), n.clone()),
                    _ => return err(-1, "improper operator class name"),
                };
                let is_default = schema.as_deref().is_none_or(|s| s == "pg_catalog")
                    && match key_type.as_ref() {
                        Some(t) => {
                            let is_enum = t
                                .user_type()
                                .is_some_and(|u| self.cat.enums.contains_key(&u));
                            facts::default_opclass(method, t, is_enum) == Some(name.as_str())
                        }
                        None => facts::is_some_default(method, &name),
                    };
                // A class of the files (operators.rs), found on the search path; the
                // catalog names it only when it is not the default for the key's type.
                let own = match &schema {
                    Some(s) => Some(QualName::new(s.clone(), name.clone())),
                    None => self
                        .path()
                        .into_iter()
                        .map(|s| QualName::new(s, name.clone()))
                        .find(|q| {
                            self.cat
                                .operator_classes
                                .contains_key(&(q.clone(), method.to_string()))
                        }),
                }
                .and_then(|q| {
                    self.cat
                        .operator_classes
                        .get(&(q.clone(), method.to_string()))
                        .map(|c| (q, c.default && key_type.as_ref() == Some(&c.ty)))
                });
                if is_default || own.as_ref().is_some_and(|(_, d)| *d) {
                    None
                } else if let Some((q, _)) = own {
                    Some(q)
                } else {
                    let schema = schema.unwrap_or_else(|| {
                        if facts::is_catalog_opclass(&name) {
                            "pg_catalog".to_string()
                        } else {
                            let ext_schema = self
                                .path()
                                .into_iter()
                                .find(|s| self.cat.extensions.values().any(|e| &e.schema == s));
                            ext_schema.unwrap_or_else(|| first_schema(&self.path()))
                        }
                    });
                    Some(QualName::new(schema, name))
                }
            }
        };
        let descending = match SortByDir::try_from(ie.ordering).unwrap_or(SortByDir::Undefined) {
            SortByDir::SortbyDesc => true,
            SortByDir::SortbyUsing => return unsupported(-1, "ORDER BY USING in an index"),
            _ => false,
        };
        let nulls_first =
            match SortByNulls::try_from(ie.nulls_ordering).unwrap_or(SortByNulls::Undefined) {
                SortByNulls::SortbyNullsFirst => true,
                SortByNulls::SortbyNullsLast => false,
                _ => descending,
            };
        Ok((
            IndexKey {
                key,
                collation,
                opclass,
                descending,
                nulls_first,
            },
            colname,
        ))
    }

    // -----------------------------------------------------------------------------------
    // COMMENT ON

    fn comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let text = if s.comment.is_empty() {
            None
        } else {
            Some(s.comment.clone())
        };
        let obj = s.object.as_deref().and_then(|o| o.node.as_ref());
        let names = match obj {
            Some(NodeEnum::List(l)) => strings(&l.items),
            Some(NodeEnum::String(st)) => vec![st.sval.clone()],
            Some(NodeEnum::TypeName(tn)) => types::type_names(tn),
            _ => vec![],
        };
        let loc = match obj {
            Some(NodeEnum::TypeName(tn)) => tn.location,
            _ => -1,
        };
        match ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectTable => {
                let q = self.find_table_names(&names, loc)?;
                self.cat.tables.get_mut(&q).expect("found").comment = text;
            }
            ObjectType::ObjectColumn => {
                if names.len() < 2 {
                    return err(loc, "column name must be qualified");
                }
                let (tn, col) = names.split_at(names.len() - 1);
                let q = self.find_table_names(tn, loc)?;
                let t = self.cat.tables.get_mut(&q).expect("found");
                let c = t.column_mut(&col[0]).ok_or_else(|| E {
                    loc,
                    msg: format!(
                        "column \"{}\" of relation \"{}\" does not exist",
                        col[0], q.name
                    ),
                })?;
                c.comment = text;
            }
            ObjectType::ObjectType => {
                let q = self.enum_by_names(&names, loc)?;
                self.cat.enums.get_mut(&q).expect("found").comment = text;
            }
            ObjectType::ObjectSequence => {
                let q = self.find_sequence_names(&names, loc)?;
                self.cat.sequences.get_mut(&q).expect("found").comment = text;
            }
            ObjectType::ObjectIndex => {
                let (schema, name) = match names.as_slice() {
                    [n] => ("", n.as_str()),
                    [s, n] => (s.as_str(), n.as_str()),
                    _ => return err(loc, "improper index name"),
                };
                match self.lookup(schema, name, &self.cat.indexes) {
                    Some(q) => self.cat.indexes.get_mut(&q).expect("found").comment = text,
                    None => {
                        // The index of a primary key or unique constraint: its comment is
                        // the key's other comment (the first schema of the path that has
                        // such a key, as a relation name is looked up).
                        let key = self
                            .path_or(schema)
                            .into_iter()
                            .find(|sch| self.con_names.index_owning(sch, name))
                            .and_then(|sch| self.key_of_index(&sch, name));
                        if let Some((tq, key)) = key {
                            let t = self.cat.tables.get_mut(&tq).expect("found");
                            t.constraints.get_mut(&key).expect("found").index_comment = text;
                            return Ok(());
                        }
                        let backs_constraint = self
                            .path_or(schema)
                            .iter()
                            .any(|sch| self.constraint_taken(sch, name));
                        if backs_constraint {
                            return unsupported(
                                loc,
                                "COMMENT ON INDEX of an exclusion constraint's index (comment on the constraint instead)",
                            );
                        }
                        return err(loc, format!("index \"{}\" does not exist", names.join(".")));
                    }
                }
            }
            ObjectType::ObjectTabconstraint => {
                if names.len() < 2 {
                    return err(loc, "improper constraint name");
                }
                let (tn, con) = names.split_at(names.len() - 1);
                let q = self.find_table_names(tn, loc)?;
                let t = self.cat.tables.get_mut(&q).expect("found");
                let c = t.constraints.get_mut(&con[0]).ok_or_else(|| E {
                    loc,
                    msg: format!(
                        "constraint \"{}\" for table \"{}\" does not exist",
                        con[0], q.name
                    ),
                })?;
                c.comment = text;
            }
            // The extension's comment comes with the extension (pg_dump repeats it).
            ObjectType::ObjectExtension => {
                if !names
                    .iter()
                    .all(|n| self.cat.extensions.contains_key(n) || n == "plpgsql")
                {
                    return err(
                        loc,
                        format!("extension \"{}\" does not exist", names.join(".")),
                    );
                }
            }
            _ => return unsupported(-1, "COMMENT ON this kind of object"),
        }
        Ok(())
    }
}

/// What PostgreSQL refuses in defaults, checks, generated columns and index expressions:
/// subqueries and parameters; and a `nextval` whose argument is not a sequence name.
fn check_expr_nodes(n: &Node, loc: i32) -> R<()> {
    let mut problem: Option<String> = None;
    normalize::walk(n, &mut |e| {
        if problem.is_some() {
            return;
        }
        match e {
            NodeEnum::SubLink(_) | NodeEnum::SelectStmt(_) => {
                problem = Some("cannot use subquery in this expression".into())
            }
            NodeEnum::ParamRef(p) => problem = Some(format!("there is no parameter ${}", p.number)),
            NodeEnum::FuncCall(f) => {
                let name = f.funcname.last().and_then(sval).unwrap_or_default();
                if matches!(name, "nextval" | "currval" | "setval") {
                    let arg = f.args.first().and_then(|a| match a.node.as_ref() {
                        Some(NodeEnum::AConst(c)) => Some(c),
                        Some(NodeEnum::TypeCast(t)) => match t.arg.as_deref()?.node.as_ref() {
                            Some(NodeEnum::AConst(c)) => Some(c),
                            _ => None,
                        },
                        _ => None,
                    });
                    let text = arg.and_then(|c| match &c.val {
                        Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                        _ => None,
                    });
                    let ok = text
                        .as_deref()
                        .and_then(normalize::split_qualified_name)
                        .is_some_and(|p| (1..=3).contains(&p.len()));
                    if !ok {
                        problem = Some(format!(
                            "{name}() needs a sequence name as a string literal"
                        ));
                    }
                }
            }
            _ => {}
        }
    });
    match problem {
        Some(m) => err(loc, m),
        None => Ok(()),
    }
}

/// `[schema.]name` → (schema or "", name).
/// The names of `map` in schema `schema`.
fn keys_in_schema<T>(map: &BTreeMap<QualName, T>, schema: &str) -> Vec<QualName> {
    map.keys().filter(|q| q.schema == schema).cloned().collect()
}

/// The same columns in any order (compared as multisets).
fn same_columns(a: &[String], b: &[String]) -> bool {
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort();
    y.sort();
    x == y
}

fn split_names(names: &[String]) -> (&str, &str) {
    match names {
        [n] => ("", n.as_str()),
        [s, n] | [_, s, n] => (s.as_str(), n.as_str()),
        _ => ("", ""),
    }
}

fn rv_display(rv: &protobuf::RangeVar) -> String {
    if rv.schemaname.is_empty() {
        rv.relname.clone()
    } else {
        format!("{}.{}", rv.schemaname, rv.relname)
    }
}

fn apply_params(seq: &mut Sequence, p: &SeqParams) {
    seq.data_type = p.data_type.clone();
    seq.start = p.start;
    seq.increment = p.increment;
    seq.min_value = p.min_value;
    seq.max_value = p.max_value;
    seq.cache = p.cache;
    seq.cycle = p.cycle;
}

/// `requires` of the contrib extensions that have one (besides procedural languages).
fn required_extensions(name: &str) -> &'static [&'static str] {
    match name {
        "earthdistance" => &["cube"],
        "hstore_plperl" | "hstore_plperlu" => &["hstore"],
        "jsonb_plperl" | "jsonb_plperlu" => &[],
        "ltree_plpython3u" => &["ltree"],
        "hstore_plpython3u" => &["hstore"],
        _ => &[],
    }
}

fn identity_type(t: &TypeRef) -> Option<&'static str> {
    if t.schema.is_some() || t.array {
        return None;
    }
    match t.name.as_str() {
        "smallint" => Some("smallint"),
        "integer" => Some("integer"),
        "bigint" => Some("bigint"),
        _ => None,
    }
}

fn index_con(c: &protobuf::Constraint, columns: Vec<String>) -> R<IndexCon> {
    if !c.options.is_empty() {
        return unsupported(c.location, "constraint WITH (storage parameters)");
    }
    if !c.indexspace.is_empty() {
        return unsupported(c.location, "USING INDEX TABLESPACE");
    }
    if c.without_overlaps {
        return unsupported(c.location, "WITHOUT OVERLAPS");
    }
    let mut seen: Vec<&String> = Vec::new();
    for col in &columns {
        if seen.contains(&col) {
            return err(
                c.location,
                format!(
                    "column \"{col}\" appears twice in {} constraint",
                    if contype(c) == ConstrType::ConstrPrimary {
                        "primary key"
                    } else {
                        "unique"
                    }
                ),
            );
        }
        seen.push(col);
    }
    Ok(IndexCon {
        primary: contype(c) == ConstrType::ConstrPrimary,
        columns,
        include: strings(&c.including),
        nulls_not_distinct: c.nulls_not_distinct,
        deferrable: c.deferrable,
        initdeferred: c.initdeferred,
        name: (!c.conname.is_empty()).then(|| c.conname.clone()),
        loc: c.location,
    })
}

/// `transformIndexConstraints`: the primary key first, then unique constraints; one that
/// repeats an earlier one's definition is dropped (lending its name if the earlier had
/// none).
fn dedupe_index_cons(cons: Vec<IndexCon>) -> Vec<IndexCon> {
    let mut out: Vec<IndexCon> = Vec::new();
    if let Some(pk) = cons.iter().find(|c| c.primary) {
        out.push(pk.clone());
    }
    let mut pk_seen = false;
    for c in cons {
        if c.primary && !pk_seen {
            pk_seen = true;
            continue;
        }
        let dup = out.iter_mut().find(|p| {
            p.columns == c.columns
                && p.include == c.include
                && p.nulls_not_distinct == c.nulls_not_distinct
                && p.deferrable == c.deferrable
                && p.initdeferred == c.initdeferred
        });
        match dup {
            Some(p) => {
                if p.name.is_none() {
                    p.name = c.name.clone();
                }
            }
            None => out.push(c),
        }
    }
    out
}

fn constraint_includes(k: &ConstraintKind, col: &str) -> bool {
    match k {
        ConstraintKind::PrimaryKey { include, .. } | ConstraintKind::Unique { include, .. } => {
            include.iter().any(|c| c == col)
        }
        _ => false,
    }
}

/// An index expression that is just a column (possibly cast to the column's own type).
fn plain_column(
    e: &Node,
    table: &Table,
    resolve: &dyn Fn(&protobuf::TypeName) -> Option<TypeRef>,
) -> Option<String> {
    match e.node.as_ref()? {
        NodeEnum::ColumnRef(c) if c.fields.len() == 1 => {
            let n = sval(&c.fields[0])?;
            table.column(n).map(|_| n.to_string())
        }
        NodeEnum::TypeCast(tc) => {
            let col = plain_column(tc.arg.as_deref()?, table, resolve)?;
            let t = resolve(tc.type_name.as_ref()?)?;
            (table.column(&col)?.ty == t).then_some(col)
        }
        _ => None,
    }
}

/// Functions (and operators) whose result is text collated like their text inputs.
pub(crate) const TEXT_FUNCTIONS: &[&str] = &[
    "btrim",
    "concat",
    "concat_ws",
    "format",
    "initcap",
    "left",
    "lower",
    "lpad",
    "ltrim",
    "md5",
    "regexp_replace",
    "repeat",
    "replace",
    "reverse",
    "right",
    "rpad",
    "rtrim",
    "split_part",
    "substr",
    "substring",
    "translate",
    "unaccent",
    "upper",
];

/// The collation PostgreSQL derives for an index expression without COLLATE: a text
/// result takes the one non-default collation of the columns it is computed from.
fn derived_collation(e: &Node, table: &Table) -> Option<QualName> {
    let texty = match e.node.as_ref()? {
        NodeEnum::FuncCall(f) => f
            .funcname
            .last()
            .and_then(sval)
            .is_some_and(|n| TEXT_FUNCTIONS.contains(&n) || n == "coalesce"),
        NodeEnum::CoalesceExpr(_) => true,
        NodeEnum::AExpr(a) => a.name.last().and_then(sval) == Some("||"),
        NodeEnum::TypeCast(tc) => tc.type_name.as_ref().is_some_and(|tn| {
            types::type_names(tn)
                .last()
                .is_some_and(|n| matches!(n.as_str(), "text" | "varchar" | "bpchar"))
        }),
        _ => false,
    };
    if !texty {
        return None;
    }
    let mut found: Vec<QualName> = Vec::new();
    for c in column_refs(e) {
        if let Some(coll) = table.column(&c).and_then(|c| c.collation.clone()) {
            if !found.contains(&coll) {
                found.push(coll);
            }
        }
    }
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

fn alter_cmd_name(t: AlterTableType) -> String {
    let s = format!("{t:?}");
    let s = s.strip_prefix("At").unwrap_or(&s);
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// `SplitIdentifierString` for a search_path value: comma-separated, unquoted names fold
/// to lower case.
fn split_identifier_list(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if s.trim().is_empty() {
        return Some(out);
    }
    for part in s.split(',') {
        let names = normalize::split_qualified_name(part)?;
        if names.len() != 1 {
            // a quoted name containing commas or dots is not worth supporting here
            return None;
        }
        out.push(names.into_iter().next()?);
    }
    Some(out)
}

/// Parse every file (in order) into one catalog.
pub(crate) fn parse_files(
    files: &[SourceFile],
) -> Result<(Catalog, shale_model::Directives), SqlError> {
    let mut b = Builder::new();
    b.files(files)?;
    b.finish()
}

/// [`parse_files`] with libpg_query given about `chunk_bytes` of SQL per call.
#[cfg(test)]
pub(crate) fn parse_files_in_chunks(
    files: &[SourceFile],
    chunk_bytes: usize,
) -> Result<(Catalog, shale_model::Directives), SqlError> {
    let mut b = Builder::new();
    b.chunk_bytes = chunk_bytes;
    b.files(files)?;
    b.finish()
}
