//! `shale generate`: the plan written as the next versioned migration of a folder, for
//! teams that run migrations with drizzle's migrator or another runner.
//!
//! - `plain`: `NNNN_name.sql`, the plan as the `psql` script `--format sql` prints
//!   (transactions around the transactional steps, `CONCURRENTLY` outside them). For
//!   runners that run a file with `psql -v ON_ERROR_STOP=1 -f`.
//! - `drizzle`: `NNNN_name.sql` with `--> statement-breakpoint` between statements, and
//!   the entry drizzle-kit would add to `meta/_journal.json` (`idx`, `version`, `when`,
//!   `tag`, `breakpoints`). drizzle-orm's migrator runs every pending migration inside one
//!   transaction, where PostgreSQL refuses `CREATE/DROP INDEX CONCURRENTLY`: the drizzle
//!   style therefore plans without the online rewrites (indexes built and dropped
//!   plainly, constraints validated as they are added) and warns, naming each step that
//!   now holds a stronger lock. A plan that still has a step that must run outside a
//!   transaction, or one whose effect must be committed before later steps
//!   (`ALTER TYPE … ADD VALUE` used by a later step), is refused: nothing is written.
//!   No drizzle-kit snapshot (`meta/NNNN_snapshot.json`) is written: the desired-state
//!   files are the source of truth, not drizzle-kit's schema.

use crate::CliError;
use serde::{Deserialize, Serialize};
use shale_plan::{Plan, PlanOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Drizzle,
}

impl std::str::FromStr for Style {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "plain" => Ok(Style::Plain),
            "drizzle" => Ok(Style::Drizzle),
            _ => Err(format!("unknown style `{s}` (expected drizzle or plain)")),
        }
    }
}

/// What was written.
#[derive(Debug)]
pub struct Generated {
    pub file: PathBuf,
    /// Warnings for the user (stderr).
    pub warnings: Vec<String>,
}

/// drizzle-kit's `meta/_journal.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    version: String,
    dialect: String,
    entries: Vec<Entry>,
    /// Members this version of shale does not know, kept as they are.
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    idx: usize,
    version: String,
    when: u64,
    tag: String,
    breakpoints: bool,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

/// The journal format version drizzle-kit writes for PostgreSQL.
const JOURNAL_VERSION: &str = "7";

fn check_name(name: &str) -> Result<(), CliError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(CliError(format!(
            "--name {name:?}: use letters, digits, `_` and `-` only (it becomes a file name)"
        )));
    }
    Ok(())
}

fn io<'a>(path: &'a Path, what: &str) -> impl Fn(std::io::Error) -> CliError + 'a {
    let what = what.to_string();
    move |e| CliError(format!("{}: cannot {what}: {e}", path.display()))
}

/// The number of the next plain migration: one more than the highest `NNNN_` prefix of a
/// `.sql` file in `dir` (0 in an empty or missing folder).
fn next_number(dir: &Path) -> Result<usize, CliError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut next = 0;
    for e in entries {
        let e = e.map_err(io(dir, "read the directory"))?;
        let name = e.file_name().to_string_lossy().to_string();
        if let Some((n, _)) = name.strip_suffix(".sql").and_then(|s| s.split_once('_')) {
            if let Ok(n) = n.parse::<usize>() {
                next = next.max(n + 1);
            }
        }
    }
    Ok(next)
}

/// Write `contents` to `path` through a temporary file beside it, so a reader never sees
/// half a file.
fn write_atomically(path: &Path, contents: &str) -> Result<(), CliError> {
    let tmp = path.with_extension("shale-tmp");
    std::fs::write(&tmp, contents).map_err(io(&tmp, "write"))?;
    std::fs::rename(&tmp, path).map_err(io(path, "write"))
}

/// The plan in the drizzle style: each statement (its risk as a comment) separated by
/// `--> statement-breakpoint`, a `SET LOCAL lock_timeout` first when one is set.
pub fn drizzle_sql(plan: &Plan, opts: &PlanOptions) -> String {
    let mut chunks = Vec::new();
    if let Some(t) = &opts.lock_timeout {
        chunks.push(format!(
            "-- shale: {}\nSET LOCAL lock_timeout = {};",
            shale_plan::render::headline(plan, "plan"),
            shale_model::quote_literal(t)
        ));
    }
    for s in &plan.steps {
        let mut c = String::new();
        let _ = writeln!(
            c,
            "-- {}. [{}] {} {}",
            s.id,
            s.risk.level,
            s.risk.code,
            s.risk.reason.replace(['\r', '\n'], " ")
        );
        let _ = write!(c, "{};", s.sql);
        chunks.push(c);
    }
    let mut out = chunks.join("\n--> statement-breakpoint\n");
    out.push('\n');
    out
}

/// Why the drizzle migrator cannot run `plan` in its transaction (`None`: it can).
pub fn drizzle_refusal(plan: &Plan) -> Option<String> {
    let outside: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| !s.transactional)
        .map(|s| format!("  {}. {}", s.id, s.sql.lines().next().unwrap_or("")))
        .collect();
    if !outside.is_empty() {
        return Some(format!(
            "drizzle's migrator runs migrations inside a transaction, and these steps cannot run in one:\n{}\nnothing was written; use --style plain, or `shale apply`",
            outside.join("\n")
        ));
    }
    let last = plan.steps.len();
    let commits: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| s.commit_after && s.id != last)
        .map(|s| format!("  {}. {}", s.id, s.sql.lines().next().unwrap_or("")))
        .collect();
    if !commits.is_empty() {
        return Some(format!(
            "these steps must be committed before the steps after them, but drizzle's migrator runs all pending migrations in one transaction:\n{}\nnothing was written; generate this change in two migrations applied separately, use --style plain, or `shale apply`",
            commits.join("\n")
        ));
    }
    None
}

/// Write `plan` into `dir` as the next migration called `name`. For the drizzle style,
/// `plan` must be the plan without online rewrites ([`drizzle_refusal`] is checked here).
pub fn write(
    plan: &Plan,
    opts: &PlanOptions,
    dir: &Path,
    name: &str,
    style: Style,
) -> Result<Generated, CliError> {
    check_name(name)?;
    std::fs::create_dir_all(dir).map_err(io(dir, "create the directory"))?;
    match style {
        Style::Plain => {
            let file = dir.join(format!("{:04}_{name}.sql", next_number(dir)?));
            let sql = shale_plan::render::sql_with_options(plan, opts);
            if file.exists() {
                return Err(CliError(format!("{}: already exists", file.display())));
            }
            write_atomically(&file, &sql)?;
            Ok(Generated {
                file,
                warnings: Vec::new(),
            })
        }
        Style::Drizzle => {
            if let Some(why) = drizzle_refusal(plan) {
                return Err(CliError(why));
            }
            let meta = dir.join("meta");
            let journal_path = meta.join("_journal.json");
            let mut journal = match std::fs::read_to_string(&journal_path) {
                Ok(text) => serde_json::from_str::<Journal>(&text).map_err(|e| {
                    CliError(format!(
                        "{}: not a drizzle journal: {e}",
                        journal_path.display()
                    ))
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if next_number(dir)? > 0 {
                        return Err(CliError(format!(
                            "{}: the folder has numbered migrations but no meta/_journal.json; is it a drizzle migrations folder?",
                            dir.display()
                        )));
                    }
                    Journal {
                        version: JOURNAL_VERSION.into(),
                        dialect: "postgresql".into(),
                        entries: Vec::new(),
                        other: Default::default(),
                    }
                }
                Err(e) => return Err(io(&journal_path, "read")(e)),
            };
            if journal.dialect != "postgresql" {
                return Err(CliError(format!(
                    "{}: dialect {:?}, not postgresql",
                    journal_path.display(),
                    journal.dialect
                )));
            }
            let idx = journal.entries.iter().map(|e| e.idx + 1).max().unwrap_or(0);
            let tag = format!("{idx:04}_{name}");
            let file = dir.join(format!("{tag}.sql"));
            if file.exists() {
                return Err(CliError(format!("{}: already exists", file.display())));
            }
            // The migrator runs the migrations whose `when` is after the last one applied:
            // it must grow even if the clock went back.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            let last = journal.entries.iter().map(|e| e.when).max().unwrap_or(0);
            journal.entries.push(Entry {
                idx,
                version: journal.version.clone(),
                when: now.max(last + 1),
                tag,
                breakpoints: true,
                other: Default::default(),
            });
            write_atomically(&file, &drizzle_sql(plan, opts))?;
            std::fs::create_dir_all(&meta).map_err(io(&meta, "create the directory"))?;
            let mut text = serde_json::to_string_pretty(&journal).expect("a journal serializes");
            text.push('\n');
            write_atomically(&journal_path, &text)?;
            Ok(Generated {
                file,
                warnings: Vec::new(),
            })
        }
    }
}

/// The warning for steps the online plan ran outside a transaction that the drizzle
/// migration runs plainly inside one (`online` is the online plan).
pub fn offline_warning(online: &Plan) -> Option<String> {
    let steps: Vec<String> = online
        .steps
        .iter()
        .filter(|s| !s.transactional)
        .map(|s| format!("  {}", s.sql.lines().next().unwrap_or("")))
        .collect();
    (!steps.is_empty()).then(|| {
        format!(
            "warning: drizzle's migrator runs migrations in a transaction, where CONCURRENTLY cannot run; this migration builds or drops these indexes plainly instead, holding a lock that blocks writes to their tables for the whole build (and validates constraints as it adds them):\n{}\n  To keep writes flowing on large tables, apply this change with `shale apply` or --style plain.",
            steps.join("\n")
        )
    })
}

/// `shale generate`: plan `from` → `to` and write it as the next migration (`None`: no
/// changes, nothing written).
pub fn run(
    from: &crate::Source,
    to: &crate::Source,
    opts: &PlanOptions,
    load: &crate::LoadOptions,
    dir: &Path,
    name: &str,
    style: Style,
) -> Result<Option<Generated>, CliError> {
    check_name(name)?;
    let planned = crate::plan_sources_with(from, to, opts, load)?;
    if planned.plan.is_empty() {
        return Ok(None);
    }
    let mut warnings = Vec::new();
    let plan = match style {
        Style::Plain => planned.plan,
        Style::Drizzle => {
            let plain_opts = PlanOptions {
                online: false,
                ..opts.clone()
            };
            if opts.online {
                warnings.extend(offline_warning(&planned.plan));
            }
            shale_plan::plan_with(
                &planned.current,
                &planned.desired,
                &planned.directives,
                &plain_opts,
            )
            .map_err(|e| CliError(e.to_string()))?
        }
    };
    let high: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| s.risk.level == shale_plan::RiskLevel::High)
        .map(|s| format!("  {}. {} ({})", s.id, s.risk.reason, s.approval_key()))
        .collect();
    if !high.is_empty() {
        warnings.push(format!(
            "warning: the migration has High-risk steps that the migration runner will run without asking:\n{}",
            high.join("\n")
        ));
    }
    let mut g = write(&plan, opts, dir, name, style)?;
    g.warnings.splice(0..0, warnings);
    Ok(Some(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_continue_after_the_highest() {
        let dir = std::env::temp_dir().join(format!("shale-gen-n-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(next_number(&dir).unwrap(), 0);
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["0000_a.sql", "0007_b.sql", "notes.sql", "0009_c.txt"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        assert_eq!(next_number(&dir).unwrap(), 8);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_are_file_names() {
        assert!(check_name("add_users").is_ok());
        assert!(check_name("../x").is_err());
        assert!(check_name("").is_err());
    }
}
