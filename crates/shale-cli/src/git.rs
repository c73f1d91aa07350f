//! `git:REF:PATH` sources: desired-state files read from a git commit without a checkout,
//! so a pull-request job can plan `main` → the branch with no database.
//!
//! It runs the `git` command line (`git rev-parse`, `git ls-tree`, `git cat-file`) rather
//! than linking a git library: every CI runner that has the repository has `git`, it reads
//! the repository exactly as the user's git does (worktrees, alternates, partial clones,
//! `safe.directory`), and it adds no dependency (gix is large to build; git2 links the C
//! libgit2). PATH is relative to the current directory, as an ordinary path is; the
//! repository is the one the current directory is in.

use crate::source::{LoadError, SourceText};
use std::path::Path;
use std::process::Command;

/// `git:REF:PATH` split into REF and PATH (`None` for another source). A ref name cannot
/// hold `:`, so the first `:` after the prefix ends it.
pub fn parse(s: &str) -> Option<(String, String)> {
    let rest = s.strip_prefix("git:")?;
    let (rev, path) = rest.split_once(':').unwrap_or((rest, ""));
    Some((rev.to_string(), path.to_string()))
}

fn git(dir: Option<&Path>, args: &[&str], what: &str) -> Result<Vec<u8>, LoadError> {
    let mut c = Command::new("git");
    if let Some(d) = dir {
        c.arg("-C").arg(d);
    }
    let out = c
        .args(args)
        .output()
        .map_err(|e| LoadError(format!("{what}: cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(LoadError(format!(
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// `prefix` + `path` as a path from the repository's root, with `.` and `..` resolved
/// (`None` when it leaves the repository).
fn repo_path(prefix: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in prefix.split('/').chain(path.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn is_schema_file(name: &str) -> bool {
    name.ends_with(".sql") || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The schema files of `path` (a file, or a directory read recursively as a directory on
/// disk is: dotfiles skipped, files in byte order of their paths) at commit `rev`.
pub fn read(rev: &str, path: &str) -> Result<SourceText, LoadError> {
    let what = format!("git:{rev}:{path}");
    let prefix = text(git(None, &["rev-parse", "--show-prefix"], &what)?);
    let top = text(git(None, &["rev-parse", "--show-toplevel"], &what)?);
    let top = Path::new(&top);
    let full = repo_path(&prefix, path)
        .ok_or_else(|| LoadError(format!("{what}: the path leaves the repository")))?;
    let commit = text(git(
        Some(top),
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
        &format!("{what}: no commit `{rev}` in this repository"),
    )?);
    let object = format!("{commit}:{full}");
    let kind = text(git(
        Some(top),
        &["cat-file", "-t", &object],
        &format!("{what}: `{full}` is not in {rev}"),
    )?);
    let files: Vec<String> = match kind.as_str() {
        "blob" => {
            if !is_schema_file(&full) {
                return Err(LoadError(format!(
                    "{what}: not a schema file (expected .sql, .yaml or .yml)"
                )));
            }
            vec![full.clone()]
        }
        "tree" => {
            let listing = git(
                Some(top),
                &["ls-tree", "-r", "-z", "--name-only", &object],
                &what,
            )?;
            let mut names: Vec<String> = listing
                .split(|b| *b == 0)
                .filter(|n| !n.is_empty())
                .map(|n| String::from_utf8_lossy(n).to_string())
                .filter(|n| !n.split('/').any(|c| c.starts_with('.')) && is_schema_file(n))
                .collect();
            names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            if names.is_empty() {
                return Err(LoadError(format!(
                    "{what}: no .sql, .yaml or .yml files in this directory"
                )));
            }
            names
                .into_iter()
                .map(|n| {
                    if full.is_empty() {
                        n
                    } else {
                        format!("{full}/{n}")
                    }
                })
                .collect()
        }
        other => {
            return Err(LoadError(format!(
                "{what}: a {other}, not a file or directory"
            )))
        }
    };
    let mut texts = Vec::new();
    for f in &files {
        let body = git(
            Some(top),
            &["cat-file", "blob", &format!("{commit}:{f}")],
            &format!("git:{rev}:{f}"),
        )?;
        let body = String::from_utf8(body)
            .map_err(|_| LoadError(format!("git:{rev}:{f}: not UTF-8 text")))?;
        texts.push((format!("git:{rev}:{f}"), body));
    }
    let yaml = texts.iter().filter(|(n, _)| !n.ends_with(".sql")).count();
    if yaml > 0 && yaml < texts.len() {
        let sql = texts.iter().find(|(n, _)| n.ends_with(".sql")).unwrap();
        let y = texts.iter().find(|(n, _)| !n.ends_with(".sql")).unwrap();
        return Err(LoadError(format!(
            "{} and {}: a schema is written either in SQL or in YAML files, not both",
            sql.0, y.0
        )));
    }
    Ok(if yaml > 0 {
        SourceText::Yaml(texts)
    } else {
        SourceText::Sql(
            texts
                .into_iter()
                .map(|(path, text)| shale_sql::SourceFile { path, text })
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_ref_and_path() {
        assert_eq!(
            parse("git:origin/main:schema/app"),
            Some(("origin/main".into(), "schema/app".into()))
        );
        assert_eq!(parse("git:HEAD~1"), Some(("HEAD~1".into(), "".into())));
        assert_eq!(parse("schema/"), None);
    }

    #[test]
    fn resolves_paths_from_the_repository_root() {
        assert_eq!(repo_path("sub/", "schema"), Some("sub/schema".into()));
        assert_eq!(repo_path("sub/", "../db/./x.sql"), Some("db/x.sql".into()));
        assert_eq!(repo_path("", "."), Some("".into()));
        assert_eq!(repo_path("", "../x"), None);
    }
}
