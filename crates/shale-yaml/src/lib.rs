//! YAML front end: shale's YAML desired-state format to and from the canonical model.
//!
//! Reading is exact by construction: a YAML document is checked object by object, then
//! rendered as PostgreSQL DDL and handed to the SQL front end ([`shale_sql::parse_sources`]),
//! so implicit names, type spellings and expression normal forms are the SQL front end's.
//! Every identifier in the generated DDL is quoted with [`shale_model::quote_ident`], every
//! string with [`shale_model::quote_literal`], and every type or expression fragment is
//! checked alone with the PostgreSQL parser first, so a fragment cannot change the
//! statement around it. Errors name the YAML file and, where serde_yaml knows them, the
//! line and column; errors found in the generated DDL name the YAML object it came from.
//!
//! [`to_yaml`] writes a model back in this format, leaving out what is implicit; the round
//! trip `parse_yaml(to_yaml(cat)) == cat` holds for catalogs the SQL front end produces,
//! every object family included (views, routines, triggers, domains, composite and range
//! types, collations, RLS, policies, privileges, default privileges, table options,
//! C-language functions, event triggers, aggregates, casts, extended statistics,
//! foreign-data wrappers, servers, user mappings, foreign tables, publications,
//! subscriptions). Owners (`owner:` keys) are opt-in as for SQL
//! files: read them with [`read_owners`].
//!
//! The format is described in `docs/YAML.md`.

mod aggregates;
mod bounds;
mod doc;
mod doc_families;
mod export;
mod foreign_data;
mod names;
mod operators;
mod publications;
mod relation_options;
mod render;
mod rewrite_rules;
mod sqlcheck;
mod statistics;
mod text_search;

pub use export::to_yaml;

use shale_model::{Catalog, Directives};
use std::fmt;

/// An error in a YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The YAML file, as given.
    pub file: String,
    /// 1-based, when known.
    pub line: Option<usize>,
    /// 1-based, when known.
    pub column: Option<usize>,
    /// The object the error is about (`table public.users, column email`), when known.
    pub object: Option<String>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(o) = &self.object {
            write!(f, "{o}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

impl YamlError {
    pub(crate) fn object(
        file: &str,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        YamlError {
            file: file.to_string(),
            line: None,
            column: None,
            object: Some(object.into()),
            message: message.into(),
        }
    }
}

/// Read one YAML document.
pub fn parse_yaml(path: &str, text: &str) -> Result<Catalog, YamlError> {
    parse_yaml_files(&[(path.to_string(), text.to_string())])
}

/// Read several YAML documents as one desired state (objects may refer to objects of any
/// of the files; each object is defined once). `renamed_from:` and `backfill:` keys are
/// checked (a bad one is an error) and left out; [`parse_yaml_files_with_directives`]
/// returns them.
pub fn parse_yaml_files(files: &[(String, String)]) -> Result<Catalog, YamlError> {
    parse_yaml_files_with_directives(files).map(|(cat, _)| cat)
}

/// Read several YAML documents as one desired state, with the hints of their
/// `renamed_from:` keys (tables, columns, constraints, indexes, enums, sequences) and
/// `backfill:` keys (columns). They mean exactly what the SQL comment directives
/// `-- shale:renamed-from` and `-- shale:backfill` mean (docs/DIRECTIVES.md): the DDL
/// the documents render to carries them as such comments.
pub fn parse_yaml_files_with_directives(
    files: &[(String, String)],
) -> Result<(Catalog, Directives), YamlError> {
    let rendered = render_files(files)?;
    shale_sql::with_deep_stack(|| rendered.parse())
}

/// Fill `cat.owners` from the `owner:` keys of a set of YAML documents (for
/// `--include owners`), as [`shale_sql::read_owners`] does for SQL files: owners of objects
/// `cat` does not hold are left out. Owners are opt-in, so [`parse_yaml_files`] leaves
/// them out.
pub fn read_owners(files: &[(String, String)], cat: &mut Catalog) -> Result<(), YamlError> {
    render_files(files)?.read_owners(cat)
}

/// The PostgreSQL DDL a set of YAML documents stands for (what [`parse_yaml_files`] feeds
/// to the SQL front end). Useful to see what a document means, and to load it by hand.
pub fn render_sql(files: &[(String, String)]) -> Result<String, YamlError> {
    Ok(render_files(files)?.sql)
}

fn render_files(files: &[(String, String)]) -> Result<render::Rendered, YamlError> {
    // Expressions are parsed while rendering (pg_query): as deep as PostgreSQL accepts.
    shale_sql::with_deep_stack(|| render_files_here(files))
}

fn render_files_here(files: &[(String, String)]) -> Result<render::Rendered, YamlError> {
    let mut docs = Vec::with_capacity(files.len());
    for (path, text) in files {
        docs.push((path.clone(), read_document(path, text)?));
    }
    render::render(&docs)
}

/// Deserialize one file, mapping serde_yaml's error to `file:line:column: message`.
/// The limits of `bounds` (nesting depth, alias expansion) are checked first, in one
/// linear pass, so that a document over them fails at once.
fn read_document(path: &str, text: &str) -> Result<doc::Document, YamlError> {
    if let Err(e) = bounds::check(text) {
        return Err(YamlError {
            file: path.to_string(),
            line: Some(e.line),
            column: Some(e.column),
            object: None,
            message: e.message,
        });
    }
    match serde_yaml::from_str::<Option<doc::Document>>(text) {
        Ok(d) => Ok(d.unwrap_or_default()),
        Err(e) => {
            let loc = e.location();
            let mut message = e.to_string();
            if let Some(l) = &loc {
                let suffix = format!(" at line {} column {}", l.line(), l.column());
                if let Some(stripped) = message.strip_suffix(&suffix) {
                    message = stripped.to_string();
                }
            }
            Err(YamlError {
                file: path.to_string(),
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                object: None,
                message,
            })
        }
    }
}
