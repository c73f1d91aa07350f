//! Where a schema comes from: `empty`, a `postgres://` URL, a `.sql`/`.yaml` file, or a
//! directory of them.

use shale_model::{Catalog, Directives, Schema};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A database with nothing but the `public` schema.
    Empty,
    Database(String),
    Path(PathBuf),
}

impl Source {
    pub fn parse(s: &str) -> Source {
        if s == "empty" {
            Source::Empty
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Source::Database(s.to_string())
        } else {
            Source::Path(PathBuf::from(s))
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Empty => f.write_str("empty"),
            Source::Database(url) => f.write_str(&redact(url)),
            Source::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A connection string with any password replaced by `***`, safe to print.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => return url.to_string(),
    };
    let (auth_end, mut out) = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            let user = match userinfo.find(':') {
                Some(c) => format!("{}:***", &userinfo[..c]),
                None => userinfo.to_string(),
            };
            (at, format!("{scheme}{user}"))
        }
        None => (0, scheme.to_string()),
    };
    let tail = if auth_end > 0 || rest.starts_with('@') {
        &rest[auth_end..]
    } else {
        rest
    };
    // Passwords may also come as a query parameter.
    let tail = match tail.find('?') {
        Some(q) => {
            let (base, query) = tail.split_at(q + 1);
            let params: Vec<String> = query
                .split('&')
                .map(|p| {
                    if p.to_ascii_lowercase().starts_with("password=") {
                        "password=***".to_string()
                    } else {
                        p.to_string()
                    }
                })
                .collect();
            format!("{base}{}", params.join("&"))
        }
        None => tail.to_string(),
    };
    out.push_str(&tail);
    out
}

#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LoadError {}

/// The catalog of an empty database.
pub fn empty_catalog() -> Catalog {
    let mut c = Catalog::default();
    c.schemas.insert(
        "public".into(),
        Schema {
            name: "public".into(),
        },
    );
    c
}

fn is_sql(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "sql")
}
fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// The schema files under `dir`, recursively, in byte order of their relative paths
/// (so `01_types.sql` runs before `10_tables.sql`, and `a/x.sql` before `b/y.sql`).
pub fn schema_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| LoadError(format!("{}: cannot read directory: {e}", d.display())))?;
        for entry in entries {
            let entry = entry
                .map_err(|e| LoadError(format!("{}: cannot read directory: {e}", d.display())))?;
            let p = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if is_sql(&p) || is_yaml(&p) {
                out.push(p);
            }
        }
    }
    out.sort_by(|a, b| {
        a.strip_prefix(dir)
            .unwrap_or(a)
            .as_os_str()
            .as_encoded_bytes()
            .cmp(
                b.strip_prefix(dir)
                    .unwrap_or(b)
                    .as_os_str()
                    .as_encoded_bytes(),
            )
    });
    Ok(out)
}

fn read(p: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(p).map_err(|e| LoadError(format!("{}: cannot read: {e}", p.display())))
}

/// Read schema files (all SQL or all YAML) as one schema.
pub fn load_files(files: &[PathBuf]) -> Result<Catalog, LoadError> {
    load_files_with_directives(files).map(|(c, _)| c)
}

/// Read schema files (all SQL or all YAML) as one schema, with the directives (rename
/// hints, backfills) they carry beside it.
pub fn load_files_with_directives(files: &[PathBuf]) -> Result<(Catalog, Directives), LoadError> {
    let sql: Vec<&PathBuf> = files.iter().filter(|p| is_sql(p)).collect();
    let yaml: Vec<&PathBuf> = files.iter().filter(|p| is_yaml(p)).collect();
    if !sql.is_empty() && !yaml.is_empty() {
        return Err(LoadError(format!(
            "{} and {}: a schema is written either in SQL or in YAML files, not both",
            sql[0].display(),
            yaml[0].display()
        )));
    }
    if !yaml.is_empty() {
        let docs = yaml
            .iter()
            .map(|p| Ok((p.display().to_string(), read(p)?)))
            .collect::<Result<Vec<_>, LoadError>>()?;
        return shale_yaml::parse_yaml_files_with_directives(&docs)
            .map_err(|e| LoadError(e.to_string()));
    }
    let sources = sql
        .iter()
        .map(|p| {
            Ok(shale_sql::SourceFile {
                path: p.display().to_string(),
                text: read(p)?,
            })
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    shale_sql::parse_sources_with_directives(&sources).map_err(|e| LoadError(e.to_string()))
}

/// How sources are read beyond their location (`plan`/`apply`/`inspect` flags).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Manage only these schemas (all when empty).
    pub schemas: Vec<String>,
    /// Leave out objects whose qualified name matches one of these globs.
    pub exclude: Vec<String>,
    /// Normalize SQL files by loading them into a temporary database on this server
    /// instead of offline (exact by construction, slower).
    pub dev_url: Option<String>,
    /// Compare owners too (`--include owners`): off by default, since owners differ
    /// between environments.
    pub include_owners: bool,
    /// Refuse to plan while either side holds objects shale does not model.
    pub strict_coverage: bool,
}

/// How a source's model was made, for the plan output to say.
pub fn mode(source: &Source, opts: &LoadOptions) -> String {
    match source {
        Source::Empty => "empty database".into(),
        Source::Database(url) => format!("introspected from {}", redact(url)),
        Source::Path(p) => match &opts.dev_url {
            Some(url) if !is_yaml(p) => format!(
                "{}: read through a temporary database on {} (exact)",
                p.display(),
                redact(url)
            ),
            _ => format!(
                "{}: read offline (PostgreSQL's parser, normalized expressions)",
                p.display()
            ),
        },
    }
}

/// Load a source with `opts` applied: dev-database normalization, owners, schema filters.
pub fn load_with(source: &Source, opts: &LoadOptions) -> Result<(Catalog, Directives), LoadError> {
    let (mut cat, directives) = load_with_directives(source)?;
    let files = || -> Result<Vec<shale_sql::SourceFile>, LoadError> {
        let Source::Path(p) = source else {
            return Ok(Vec::new());
        };
        let paths = if p.is_dir() {
            schema_files(p)?
        } else {
            vec![p.clone()]
        };
        paths
            .iter()
            .filter(|p| is_sql(p))
            .map(|p| {
                Ok(shale_sql::SourceFile {
                    path: p.display().to_string(),
                    text: read(p)?,
                })
            })
            .collect()
    };
    if let Some(url) = &opts.dev_url {
        let sql = files()?;
        if !sql.is_empty() {
            cat = shale_introspect::normalize_with_dev_db(url, &sql)
                .map_err(|e| LoadError(format!("--dev-url {}: {e}", redact(url))))?;
        }
    }
    if opts.include_owners {
        match source {
            Source::Database(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)
                    .map_err(|e| LoadError(format!("{}: cannot connect: {e}", redact(url))))?;
                shale_introspect::read_owners(&mut client, &mut cat)
                    .map_err(|e| LoadError(format!("{}: {e}", redact(url))))?;
            }
            Source::Path(_) => {
                shale_sql::read_owners(&files()?, &mut cat).map_err(|e| LoadError(e.to_string()))?
            }
            Source::Empty => {}
        }
    }
    if !opts.schemas.is_empty() || !opts.exclude.is_empty() {
        for pattern in &opts.exclude {
            if pattern.is_empty() {
                return Err(LoadError("--exclude takes a non-empty pattern".into()));
            }
        }
        cat = shale_model::filter::filter(&cat, &opts.schemas, &opts.exclude);
    }
    Ok((cat, directives))
}

/// Load a schema from any source.
pub fn load(source: &Source) -> Result<Catalog, LoadError> {
    load_with_directives(source).map(|(c, _)| c)
}

/// Load a schema from any source, with its directives (a database carries none).
pub fn load_with_directives(source: &Source) -> Result<(Catalog, Directives), LoadError> {
    match source {
        Source::Empty => Ok((empty_catalog(), Directives::default())),
        Source::Database(url) => shale_introspect::introspect_url(url)
            .map(|c| (c, Directives::default()))
            .map_err(|e| LoadError(format!("{}: {e}", redact(url)))),
        Source::Path(p) => {
            if p.is_dir() {
                let files = schema_files(p)?;
                if files.is_empty() {
                    return Err(LoadError(format!(
                        "{}: no .sql, .yaml or .yml files in this directory",
                        p.display()
                    )));
                }
                load_files_with_directives(&files)
            } else if p.is_file() {
                if !(is_sql(p) || is_yaml(p)) {
                    return Err(LoadError(format!(
                        "{}: not a schema file (expected .sql, .yaml or .yml)",
                        p.display()
                    )));
                }
                load_files_with_directives(std::slice::from_ref(p))
            } else {
                Err(LoadError(format!(
                    "{}: no such file or directory (a source is `empty`, a postgres:// URL, a .sql/.yaml file or a directory)",
                    p.display()
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/app"),
            "postgres://app:***@db.example:5432/app"
        );
        assert_eq!(
            redact("postgresql://app@localhost/app?sslmode=require&password=x"),
            "postgresql://app@localhost/app?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgres://localhost/app"),
            "postgres://localhost/app"
        );
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn parses_sources() {
        assert_eq!(Source::parse("empty"), Source::Empty);
        assert!(matches!(
            Source::parse("postgresql://x/y"),
            Source::Database(_)
        ));
        assert!(matches!(Source::parse("schemas/"), Source::Path(_)));
    }
}
