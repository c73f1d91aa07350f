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
    /// `git:REF:PATH`: schema files read from a git commit, without a checkout
    /// ([`crate::git`]).
    Git {
        rev: String,
        path: String,
    },
}

impl Source {
    pub fn parse(s: &str) -> Source {
        if s == "empty" {
            Source::Empty
        } else if let Some((rev, path)) = crate::git::parse(s) {
            Source::Git { rev, path }
        } else if shale_connect::looks_like_conninfo(s) {
            // A postgres:// URI or a libpq keyword=value string (`host=db dbname=app`).
            Source::Database(s.to_string())
        } else {
            Source::Path(PathBuf::from(s))
        }
    }
}

impl Source {
    /// Whether the source is schema files (on disk or in git), not a database.
    pub fn is_files(&self) -> bool {
        matches!(self, Source::Path(_) | Source::Git { .. })
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Empty => f.write_str("empty"),
            Source::Database(url) => f.write_str(&redact(url)),
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Git { rev, path } => write!(f, "git:{rev}:{path}"),
        }
    }
}

/// A connection string (URI or keyword=value) with its secrets replaced by `***`, safe
/// to print: the one redaction, `shale_connect::redact`.
pub fn redact(url: &str) -> String {
    shale_connect::redact(url)
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
///
/// Symbolic links are followed, but a directory reached twice (a link loop, or two links
/// to one directory) is an error naming both paths, as is one file reached twice; an
/// entry with a schema extension that is not a regular file (a FIFO, a socket, a
/// device) is named as such.
pub fn schema_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    use std::collections::HashMap;
    let canonical = |p: &Path| {
        std::fs::canonicalize(p)
            .map_err(|e| LoadError(format!("{}: cannot resolve path: {e}", p.display())))
    };
    let mut seen_dirs: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut seen_files: HashMap<PathBuf, PathBuf> = HashMap::new();
    seen_dirs.insert(canonical(dir)?, dir.to_path_buf());
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
                let c = canonical(&p)?;
                if let Some(first) = seen_dirs.get(&c) {
                    return Err(LoadError(format!(
                        "{}: directory loop: this is {}, already read as {} (remove the symbolic link, or point it elsewhere)",
                        p.display(),
                        c.display(),
                        first.display()
                    )));
                }
                seen_dirs.insert(c, p.clone());
                stack.push(p);
            } else if is_sql(&p) || is_yaml(&p) {
                if !p.is_file() {
                    return Err(LoadError(format!(
                        "{}: {}, not a regular file",
                        p.display(),
                        file_kind(&p)
                    )));
                }
                let c = canonical(&p)?;
                if let Some(first) = seen_files.get(&c) {
                    return Err(LoadError(format!(
                        "{} and {} are the same file ({}); it would be read twice",
                        first.display(),
                        p.display(),
                        c.display()
                    )));
                }
                seen_files.insert(c, p.clone());
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

/// What a path that is neither a regular file nor a directory is, in words.
pub fn file_kind(p: &Path) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if let Ok(m) = std::fs::metadata(p) {
            let t = m.file_type();
            if t.is_fifo() {
                return "a FIFO (named pipe)";
            }
            if t.is_socket() {
                return "a socket";
            }
            if t.is_char_device() {
                return "a character device";
            }
            if t.is_block_device() {
                return "a block device";
            }
        }
    }
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => "a broken symbolic link",
        Ok(_) => "a special file",
        Err(_) => "missing",
    }
}

/// A file's text; invalid UTF-8 is reported with its byte offset, line and column.
fn read(p: &Path) -> Result<String, LoadError> {
    let bytes =
        std::fs::read(p).map_err(|e| LoadError(format!("{}: cannot read: {e}", p.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The valid prefix gives the line and column (in characters) of the bad byte.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map(|i| i + 1).unwrap_or(0)..]
            .chars()
            .count()
            + 1;
        LoadError(format!(
            "{}:{line}:{col}: invalid UTF-8 at byte offset {at} (byte 0x{:02x}); schema files must be UTF-8",
            p.display(),
            bytes[at]
        ))
    })
}

/// The text of a source's schema files, read once and handed to every step that needs
/// it (the offline parse, `--dev-url`, `--include owners`).
#[derive(Debug, Clone)]
pub enum SourceText {
    /// SQL files, in the order they run.
    Sql(Vec<shale_sql::SourceFile>),
    /// YAML documents: (path, text).
    Yaml(Vec<(String, String)>),
}

impl SourceText {
    /// Read schema files (all SQL or all YAML).
    pub fn read_files(files: &[PathBuf]) -> Result<SourceText, LoadError> {
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
            return yaml
                .iter()
                .map(|p| Ok((p.display().to_string(), read(p)?)))
                .collect::<Result<Vec<_>, LoadError>>()
                .map(SourceText::Yaml);
        }
        sql.iter()
            .map(|p| {
                Ok(shale_sql::SourceFile {
                    path: p.display().to_string(),
                    text: read(p)?,
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()
            .map(SourceText::Sql)
    }

    /// Read the schema files of a path: one file, or every schema file under a directory.
    /// A readable file that is not a regular one (`/dev/null`, `/dev/stdin`, a shell's
    /// `<(…)` FIFO) is read as SQL: `/dev/null` is an empty schema.
    pub fn read_path(p: &Path) -> Result<SourceText, LoadError> {
        if p.is_dir() {
            let files = schema_files(p)?;
            if files.is_empty() {
                return Err(LoadError(format!(
                    "{}: no .sql, .yaml or .yml files in this directory",
                    p.display()
                )));
            }
            SourceText::read_files(&files)
        } else if p.is_file() {
            if !(is_sql(p) || is_yaml(p)) {
                return Err(LoadError(format!(
                    "{}: not a schema file (expected .sql, .yaml or .yml)",
                    p.display()
                )));
            }
            SourceText::read_files(std::slice::from_ref(&p.to_path_buf()))
        } else if p.exists() {
            let kind = file_kind(p);
            if matches!(kind, "a socket" | "a block device") {
                return Err(LoadError(format!(
                    "{}: {kind}, not a schema file or directory",
                    p.display()
                )));
            }
            let text = read(p).map_err(|e| LoadError(format!("{} ({kind})", e.0)))?;
            if is_yaml(p) {
                return Ok(SourceText::Yaml(vec![(p.display().to_string(), text)]));
            }
            Ok(SourceText::Sql(vec![shale_sql::SourceFile {
                path: p.display().to_string(),
                text,
            }]))
        } else {
            Err(LoadError(format!(
                "{}: {} (a source is `empty`, a postgres:// URL or libpq connection string, a .sql/.yaml file or a directory)",
                p.display(),
                match file_kind(p) {
                    "a broken symbolic link" => "a broken symbolic link",
                    _ => "no such file or directory",
                }
            )))
        }
    }

    /// The SQL files (none for YAML).
    pub fn sql(&self) -> &[shale_sql::SourceFile] {
        match self {
            SourceText::Sql(files) => files,
            SourceText::Yaml(_) => &[],
        }
    }

    /// The schema these files describe, with its directives, read offline.
    pub fn parse(&self) -> Result<(Catalog, Directives), LoadError> {
        match self {
            SourceText::Yaml(docs) => shale_yaml::parse_yaml_files_with_directives(docs)
                .map_err(|e| LoadError(e.to_string())),
            SourceText::Sql(files) => shale_sql::parse_sources_with_directives(files)
                .map_err(|e| LoadError(e.to_string())),
        }
    }
}

/// Read schema files (all SQL or all YAML) as one schema.
pub fn load_files(files: &[PathBuf]) -> Result<Catalog, LoadError> {
    load_files_with_directives(files).map(|(c, _)| c)
}

/// Read schema files (all SQL or all YAML) as one schema, with the directives (rename
/// hints, backfills) they carry beside it.
pub fn load_files_with_directives(files: &[PathBuf]) -> Result<(Catalog, Directives), LoadError> {
    SourceText::read_files(files)?.parse()
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
        Source::Git { .. } => match &opts.dev_url {
            Some(url) => format!(
                "{source}: read from git through a temporary database on {} (exact)",
                redact(url)
            ),
            None => format!(
                "{source}: read from git offline (PostgreSQL's parser, normalized expressions)"
            ),
        },
    }
}

/// Load a source with `opts` applied: dev-database normalization, owners, schema filters.
/// Files are read once.
pub fn load_with(source: &Source, opts: &LoadOptions) -> Result<(Catalog, Directives), LoadError> {
    let text = match source {
        Source::Path(p) => Some(SourceText::read_path(p)?),
        Source::Git { rev, path } => Some(crate::git::read(rev, path)?),
        _ => None,
    };
    load_read_with(source, text.as_ref(), opts)
}

/// [`load_with`] for a source whose files (`text`, for a [`Source::Path`]) were already
/// read: nothing is read from disk again.
pub fn load_read_with(
    source: &Source,
    text: Option<&SourceText>,
    opts: &LoadOptions,
) -> Result<(Catalog, Directives), LoadError> {
    let (mut cat, directives) = match (source, text) {
        (Source::Path(_) | Source::Git { .. }, Some(text)) => text.parse()?,
        (Source::Path(_) | Source::Git { .. }, None) => {
            return Err(LoadError(format!(
                "{source}: internal error: the files were not read"
            )))
        }
        _ => load_with_directives(source)?,
    };
    let sql = text.map(SourceText::sql).unwrap_or_default();
    if let Some(url) = &opts.dev_url {
        if !sql.is_empty() {
            // The dev database ran the statements that are not schema; they are still
            // listed as the files' own.
            let ignored = std::mem::take(&mut cat.ignored_statements);
            cat = shale_introspect::normalize_with_dev_db(url, sql)
                .map_err(|e| LoadError(format!("--dev-url {}: {e}", redact(url))))?;
            cat.ignored_statements = ignored;
        }
    }
    if opts.include_owners {
        match source {
            Source::Database(url) => {
                let mut client =
                    shale_connect::connect(url).map_err(|e| LoadError(e.to_string()))?;
                shale_introspect::read_owners(&mut client, &mut cat)
                    .map_err(|e| LoadError(format!("{}: {e}", redact(url))))?;
            }
            Source::Path(_) | Source::Git { .. } => match text {
                Some(SourceText::Yaml(docs)) => {
                    shale_yaml::read_owners(docs, &mut cat).map_err(|e| LoadError(e.to_string()))?
                }
                _ => shale_sql::read_owners(sql, &mut cat).map_err(|e| LoadError(e.to_string()))?,
            },
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
        Source::Database(url) => {
            let _progress = crate::progress::spinner(format!("introspecting {}", redact(url)));
            shale_introspect::introspect_url(url)
                .map(|c| (c, Directives::default()))
                .map_err(|e| match e {
                    // The connection error names its target (redacted) already.
                    shale_introspect::IntrospectError::Connect(e) => LoadError(e.to_string()),
                    e => LoadError(format!("{}: {e}", redact(url))),
                })
        }
        Source::Path(p) => SourceText::read_path(p)?.parse(),
        Source::Git { rev, path } => crate::git::read(rev, path)?.parse(),
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

    /// A scratch directory of schema files, removed on drop.
    struct Dir(PathBuf);
    impl Dir {
        fn new(tag: &str, files: &[(&str, &str)]) -> Dir {
            let dir =
                std::env::temp_dir().join(format!("shale-source-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in files {
                std::fs::write(dir.join(name), text).unwrap();
            }
            Dir(dir)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const OWNED: &str = "CREATE TABLE t (id int CHECK (id>0));
        ALTER TABLE t OWNER TO someone;";

    #[test]
    fn files_are_read_once_for_the_parse_and_the_owners() {
        let dir = Dir::new(
            "owners",
            &[("01.sql", OWNED), ("02.sql", "CREATE TABLE u ();")],
        );
        let source = Source::Path(dir.0.clone());
        let opts = LoadOptions {
            include_owners: true,
            ..LoadOptions::default()
        };
        let (expected, _) = load_with(&source, &opts).unwrap();
        assert_eq!(expected.owners.len(), 1, "{:?}", expected.owners);
        assert_eq!(expected.tables.len(), 2);
        // Read, then take the files away: the owners come from the text already read.
        let text = SourceText::read_path(&dir.0).unwrap();
        assert_eq!(text.sql().len(), 2);
        drop(dir);
        assert!(load(&source).is_err(), "the files are gone");
        let (cat, _) = load_read_with(&source, Some(&text), &opts).unwrap();
        assert_eq!(cat, expected);
    }

    #[test]
    fn files_are_read_once_for_the_dev_database() {
        let dir = Dir::new(
            "dev",
            &[("schema.sql", "CREATE TABLE t (id int CHECK (id>0));")],
        );
        let source = Source::Path(dir.0.clone());
        let opts = LoadOptions {
            dev_url: Some(shale_testkit::server_url()),
            ..LoadOptions::default()
        };
        let (expected, _) = load_with(&source, &opts).unwrap();
        let text = SourceText::read_path(&dir.0).unwrap();
        drop(dir);
        let (cat, _) = load_read_with(&source, Some(&text), &opts).unwrap();
        assert_eq!(cat, expected);
        assert_eq!(cat.tables.len(), 1);
    }

    #[test]
    fn yaml_files_have_no_sql_for_the_dev_database() {
        let dir = Dir::new(
            "yaml",
            &[(
                "s.yaml",
                "tables:\n  t:\n    columns:\n      id: {type: integer}\n",
            )],
        );
        let text = SourceText::read_path(&dir.0).unwrap();
        assert!(text.sql().is_empty());
        let (cat, _) = text.parse().unwrap();
        assert_eq!(cat.tables.len(), 1);
    }

    #[test]
    fn directory_loops_are_named() {
        let dir = Dir::new("loop", &[("a.sql", "CREATE TABLE a ();")]);
        std::os::unix::fs::symlink(".", dir.0.join("again")).unwrap();
        let e = schema_files(&dir.0).unwrap_err().0;
        assert!(e.contains("directory loop") && e.contains("again"), "{e}");
        let dir = Dir::new("deeploop", &[("a.sql", "CREATE TABLE a ();")]);
        std::fs::create_dir(dir.0.join("sub")).unwrap();
        std::os::unix::fs::symlink("..", dir.0.join("sub").join("up")).unwrap();
        let e = schema_files(&dir.0).unwrap_err().0;
        assert!(e.contains("directory loop"), "{e}");
        // One file reached twice.
        let dir = Dir::new("twice", &[("a.sql", "CREATE TABLE a ();")]);
        std::os::unix::fs::symlink(dir.0.join("a.sql"), dir.0.join("b.sql")).unwrap();
        let e = schema_files(&dir.0).unwrap_err().0;
        assert!(e.contains("are the same file"), "{e}");
    }

    #[test]
    fn special_files() {
        let dir = Dir::new("fifo", &[("a.sql", "CREATE TABLE a ();")]);
        let fifo = dir.0.join("b.sql");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = SourceText::read_path(&dir.0).unwrap_err().0;
        assert!(
            e.contains("b.sql: a FIFO (named pipe), not a regular file"),
            "{e}"
        );
        // /dev/null, named on its own, is an empty schema.
        let text = SourceText::read_path(Path::new("/dev/null")).unwrap();
        let (cat, _) = text.parse().unwrap();
        assert!(cat.tables.is_empty());
        let e = SourceText::read_path(Path::new("/no/such/dir"))
            .unwrap_err()
            .0;
        assert!(e.contains("no such file or directory"), "{e}");
    }

    #[test]
    fn invalid_utf8_has_its_byte_offset() {
        let dir = Dir::new("utf8", &[]);
        std::fs::write(dir.0.join("bad.sql"), b"CREATE TABLE t ();\n-- caf\xe9\n").unwrap();
        let e = SourceText::read_path(&dir.0).unwrap_err().0;
        assert!(
            e.contains("bad.sql:2:7: invalid UTF-8 at byte offset 25 (byte 0xe9)"),
            "{e}"
        );
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
