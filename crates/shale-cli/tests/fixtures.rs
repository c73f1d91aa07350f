//! The fixture suite: every `fixtures/<case>/` with a `desired.sql` (and optionally a
//! `current.sql`, else an empty database, and a `desired.yaml`) is checked three ways on a
//! real PostgreSQL server:
//!
//! 1. no phantom diff: the SQL front end's model of `current.sql` and `desired.sql` equals
//!    the introspected model of a database where that SQL ran;
//! 2. convergence: current loaded, planned to desired, applied, re-planned: empty, and
//!    `pg_dump --schema-only` equals that of desired loaded fresh;
//! 3. the offline plan (files → files) equals the live plan (database → files), and its
//!    text is a snapshot (`plan.snap` beside the case) so reviewers see plans change.
//!
//! `desired.yaml`, when present, must give exactly the model of `desired.sql`. The
//! directives of `desired.sql` (rename hints, backfills: docs/DIRECTIVES.md) are followed
//! by every plan of the case, as `shale plan` follows them.
//!
//! A case that uses a feature older servers lack declares it in a `meta` file beside it:
//! a line `min_pg = 15` (the oldest PostgreSQL major it runs on; `#` starts a comment).
//! A case that needs an extension not every server has says `requires = postgis` (names
//! separated by commas). Where the server is older, or lacks such an extension, its
//! `converges` test is reported as ignored, never silently passed. A known gap on some
//! majors is declared `fails_on_pg = 13, 18` (with the reason in a comment): on those
//! majors the `converges` test passes only while the case still fails, so a fix is
//! noticed and the line removed. `fails_with = <text>` (one or more lines) says what that
//! failure's message holds, so that another failure on those majors is not taken for it.

use libtest_mimic::{Arguments, Failed, Trial};
use shale_cli::source::{empty_catalog, load_files_with_directives};
use shale_model::{Catalog, Directives};
use shale_plan::{PlanOptions, RiskLevel};
use shale_testkit::TestDb;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("desired.sql").is_file())
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let c = case.clone();
        trials.push(Trial::test(format!("{name}::plan_snapshot"), move || {
            plan_snapshot(&c)
        }));
        let meta = match meta(&case) {
            Ok(v) => v,
            Err(e) => {
                trials.push(Trial::test(format!("{name}::meta"), move || Err(e.into())));
                continue;
            }
        };
        let too_old = meta
            .min_pg
            .is_some_and(|min| shale_testkit::server_major().is_some_and(|m| m < min))
            || meta
                .requires
                .iter()
                .any(|ext| !shale_testkit::extension_available(ext));
        let c = case.clone();
        let known_gap =
            shale_testkit::server_major().is_some_and(|m| meta.fails_on_pg.contains(&m));
        let fails_with = meta.fails_with.clone();
        trials.push(
            Trial::test(format!("{name}::converges"), move || {
                match (converges(&c), known_gap) {
                    (r, false) => r,
                    // The known gap, and not some other failure that would hide behind it.
                    (Err(e), true) => match fails_with
                        .iter()
                        .find(|w| !e.message().unwrap_or("").contains(w.as_str()))
                    {
                        None => Ok(()),
                        Some(w) => Err(format!(
                            "fails on this PostgreSQL major as `fails_on_pg` says, but not with `{w}` (`fails_with` in meta):\n{}",
                            e.message().unwrap_or("")
                        )
                        .into()),
                    },
                    (Ok(()), true) => Err(
                        "converges on this PostgreSQL major now: remove it from `fails_on_pg` in meta"
                            .into(),
                    ),
                }
            })
            .with_ignored_flag(too_old),
        );
        if case.join("desired.yaml").is_file() {
            let c = case.clone();
            trials.push(Trial::test(format!("{name}::yaml_equals_sql"), move || {
                yaml_equals_sql(&c)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

/// What a case's `meta` file declares.
#[derive(Default)]
struct Meta {
    /// `min_pg = N`: the oldest PostgreSQL major the case runs on.
    min_pg: Option<u32>,
    /// `requires = a, b`: extensions the server must be able to install.
    requires: Vec<String>,
    /// `fails_on_pg = 13, 18`: majors on which the case is a known gap (must still fail).
    fails_on_pg: Vec<u32>,
    /// `fails_with = text`: what the known gap's failure says (one line each, all must
    /// appear), so that another failure on those majors is not taken for it.
    fails_with: Vec<String>,
}

/// The case's `meta` file, if any. Any other line is an error, so a misspelt key cannot
/// skip nothing silently.
fn meta(case: &Path) -> Result<Meta, String> {
    let path = case.join("meta");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Meta::default());
    };
    let mut meta = Meta::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), i + 1);
        match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("min_pg", v)) => {
                meta.min_pg = Some(
                    v.parse()
                        .map_err(|_| format!("{at}: min_pg is not a number: {v}"))?,
                )
            }
            Some(("fails_on_pg", v)) => {
                for m in v.split(',').map(str::trim) {
                    meta.fails_on_pg.push(
                        m.parse()
                            .map_err(|_| format!("{at}: fails_on_pg is not a list of majors: {v}"))?,
                    );
                }
            }
            Some(("fails_with", v)) if !v.is_empty() => meta.fails_with.push(v.to_string()),
            Some(("requires", v)) => {
                for ext in v.split(',').map(str::trim) {
                    if ext.is_empty() {
                        return Err(format!("{at}: requires names no extension"));
                    }
                    meta.requires.push(ext.to_string());
                }
            }
            _ => {
                return Err(format!(
                    "{at}: expected `min_pg = <major>`, `requires = <extension>`, `fails_on_pg = <majors>` or `fails_with = <text>`, got `{line}`"
                ))
            }
        }
    }
    if !meta.fails_with.is_empty() && meta.fails_on_pg.is_empty() {
        return Err(format!(
            "{}: fails_with without fails_on_pg",
            path.display()
        ));
    }
    Ok(meta)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

fn load(p: &Path) -> Result<Catalog, Failed> {
    load_with_directives(p).map(|(c, _)| c)
}

/// The file's catalog and its directives (rename hints, backfills): the desired side's
/// are followed by every plan of the case, as `shale plan` follows them.
fn load_with_directives(p: &Path) -> Result<(Catalog, Directives), Failed> {
    if !p.exists() {
        return Ok((empty_catalog(), Directives::default()));
    }
    load_files_with_directives(&[p.to_path_buf()])
        .map_err(|e| format!("loading {}: {e}", p.display()).into())
}

fn introspect(db: &TestDb) -> Result<Catalog, Failed> {
    shale_introspect::introspect(&mut db.client())
        .map_err(|e| format!("introspecting {}: {e}", db.name()).into())
}

/// Fail with a readable line diff of the two models. An extension's version counts only
/// when the files name one (as in the diff).
fn same_model(what: &str, files: &Catalog, db: &Catalog) -> Result<(), Failed> {
    // Statements that are not schema (data, DO blocks) are listed from files only.
    let mut files = files.clone();
    files.ignored_statements.clear();
    let files = &files;
    let mut db = db.clone();
    for (name, ext) in db.extensions.iter_mut() {
        if files
            .extensions
            .get(name)
            .is_some_and(|e| e.version.is_none())
        {
            ext.version = None;
        }
    }
    let db = &db;
    if files == db {
        return Ok(());
    }
    let a = serde_json::to_string_pretty(files).unwrap();
    let b = serde_json::to_string_pretty(db).unwrap();
    let diff = similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(4)
        .header("from files", "from database")
        .to_string();
    Err(format!(
        "phantom diff in {what}: the model of the files differs from the database's\n{diff}"
    )
    .into())
}

/// Run a script as psql would (pg_dump's COPY data included).
fn run_script(db: &TestDb, sql: &str) -> Result<(), String> {
    shale_introspect::run_script(&mut db.client(), sql)
}

fn plan(from: &Catalog, to: &Catalog, hints: &Directives) -> Result<shale_plan::Plan, Failed> {
    shale_plan::plan_with(from, to, hints, &PlanOptions::default())
        .map_err(|e| e.to_string().into())
}

fn plan_snapshot(case: &Path) -> Result<(), Failed> {
    let current = load(&case.join("current.sql"))?;
    let (desired, hints) = load_with_directives(&case.join("desired.sql"))?;
    let p = plan(&current, &desired, &hints)?;
    let text = shale_plan::render::text(&p);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!(
        "shale plan --from {0}/current.sql --to {0}/desired.sql",
        case.file_name().unwrap().to_string_lossy()
    ));
    // A differing snapshot panics; libtest-mimic reports the panic as this test's failure.
    settings.bind(|| insta::assert_snapshot!("plan", text));
    Ok(())
}

fn converges(case: &Path) -> Result<(), Failed> {
    let current_sql = read(&case.join("current.sql"));
    let desired_sql = read(&case.join("desired.sql"));
    let mut current_files = load(&case.join("current.sql"))?;
    let (mut desired_files, hints) = load_with_directives(&case.join("desired.sql"))?;

    let db = TestDb::new("fx");
    // As `shale plan` against a database does: the files' grants to the role running them
    // (the owner of what they create) are not modelled.
    let role = db.current_user();
    current_files.as_run_by(&role);
    desired_files.as_run_by(&role);
    run_script(&db, &current_sql).map_err(|e| format!("current.sql does not load: {e}"))?;
    let fresh = TestDb::new("fxd");
    run_script(&fresh, &desired_sql).map_err(|e| format!("desired.sql does not load: {e}"))?;

    // 1. No phantom diff, on both sides.
    let current_live = introspect(&db)?;
    same_model("current.sql", &current_files, &current_live)?;
    same_model("desired.sql", &desired_files, &introspect(&fresh)?)?;

    // 3. Offline and live plans agree.
    let live_plan = plan(&current_live, &desired_files, &hints)?;
    let offline_plan = plan(&current_files, &desired_files, &hints)?;
    if live_plan != offline_plan {
        return Err(format!(
            "the offline plan differs from the live plan\n--- offline\n{}\n--- live\n{}",
            shale_plan::render::text(&offline_plan),
            shale_plan::render::text(&live_plan)
        )
        .into());
    }

    // 2. Convergence.
    let opts = shale_apply::ApplyOptions {
        allow: RiskLevel::High,
        ..Default::default()
    };
    shale_apply::apply(&mut db.client(), &live_plan, &opts).map_err(|e| {
        format!(
            "apply failed: {e}\nplan:\n{}",
            shale_plan::render::text(&live_plan)
        )
    })?;
    let after = introspect(&db)?;
    let replan = plan(&after, &desired_files, &hints)?;
    if !replan.is_empty() {
        return Err(format!(
            "not converged: re-plan after apply is not empty\n{}",
            shale_plan::render::text(&replan)
        )
        .into());
    }
    let got = db.pg_dump_schema();
    let want = fresh.pg_dump_schema();
    if got != want {
        let diff = similar::TextDiff::from_lines(&want, &got)
            .unified_diff()
            .context_radius(3)
            .header("desired loaded fresh", "current after apply")
            .to_string();
        return Err(format!("pg_dump differs after apply:\n{diff}").into());
    }
    Ok(())
}

fn yaml_equals_sql(case: &Path) -> Result<(), Failed> {
    let from_sql = load(&case.join("desired.sql"))?;
    let from_yaml = load(&case.join("desired.yaml"))?;
    same_model("desired.yaml vs desired.sql", &from_sql, &from_yaml)
}
