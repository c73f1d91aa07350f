//! What surrounds every `apply`: one apply at a time (the advisory lock), waiting for index
//! builds of other sessions, plan files (`plan --out`, `apply --plan`, `approve`), drift
//! refused, the proof on a copy, and the verification afterwards. The mechanisms live in
//! `shale-apply` (`lock`, `building`, `planfile`, `fingerprint`, `prove`); this module puts
//! them in order around the CLI's sources and connections. See docs/APPLY.md.

use crate::source::{self, LoadOptions, Source};
use crate::{
    check_approved_err, connect, lint, plan_sources_with, policy_error, redact, ApplyArgs,
    ApplyOutcome, CliError, Planned,
};
use shale_apply::fingerprint::{drift, fingerprint, Fingerprint};
use shale_apply::lock::ApplyLock;
use shale_apply::planfile::{FileOptions, PlanFile};
use shale_apply::{ApplyOptions, Connector};
use shale_lint::Violation;
use shale_model::Catalog;
use shale_plan::{Phase, Plan, PlanOptions};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Whether to prove the plan on a copy first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prove {
    /// When a scratch server is at hand: `--dev-url`, or the database's own server when
    /// the role may create databases.
    #[default]
    Auto,
    /// Always; an error when there is no scratch server.
    On,
    Off,
}

/// The guards around an apply.
#[derive(Debug, Clone)]
pub struct Guards {
    /// How long to wait for another apply (the advisory lock) and for index builds of
    /// other sessions.
    pub wait: Duration,
    pub prove: Prove,
}

impl Default for Guards {
    fn default() -> Self {
        Guards {
            wait: Duration::from_secs(30),
            prove: Prove::Auto,
        }
    }
}

/// Callbacks of an apply: `show` gets the plan (and policy violations) before anything
/// runs, `confirm` decides whether to go on (the question on a terminal).
pub struct Hooks<'a> {
    pub show: &'a mut dyn FnMut(&Plan, &[Violation]),
    pub confirm: &'a mut dyn FnMut(&Plan) -> bool,
}

/// Takes the apply lock on `db` (before anything reads it), then waits for index builds of
/// other sessions.
fn guard(db: &str, wait: Duration) -> Result<ApplyLock, CliError> {
    let lock = ApplyLock::acquire(connect(db)?, wait)
        .map_err(|e| CliError(format!("{}: {e}", redact(db))))?;
    let mut client = connect(db)?;
    shale_apply::building::wait_for_builds(&mut client, wait, &mut |builds| {
        for b in builds {
            eprintln!("waiting (up to {:.0}s, --wait): {b}", wait.as_secs_f64());
        }
    })
    .map_err(|e| CliError(format!("{}: {e}", redact(db))))?;
    Ok(lock)
}

/// A connector for the blocker watcher.
fn connector(db: &str) -> Connector {
    let url = db.to_string();
    Connector(Arc::new(move || connect(&url).map_err(|e| e.0)))
}

/// `url` naming database `name` instead of its own.
pub fn with_dbname(url: &str, name: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host_start = rest.rfind('@').map(|a| a + 1).unwrap_or(0);
            let path_start = rest[host_start..]
                .find(['/', '?'])
                .map(|p| i + 3 + host_start + p)
                .unwrap_or(url.len());
            let query = url[path_start..]
                .find('?')
                .map(|q| &url[path_start + q..])
                .unwrap_or("");
            format!("{}/{name}{query}", &url[..path_start])
        }
        None => format!("{url} dbname={name}"),
    }
}

/// The server to prove on: `--dev-url`, else the database's server when the role may
/// create databases there; `None` when neither.
fn scratch_server(db: &str, load: &LoadOptions) -> Option<(String, &'static str)> {
    if let Some(dev) = &load.dev_url {
        return Some((dev.clone(), "--dev-url"));
    }
    let mut c = connect(db).ok()?;
    shale_apply::prove::can_create_databases(&mut c)
        .then(|| (db.to_string(), "this server: the role may create databases"))
}

/// The line a plan from a database prints about the proof `apply` will make.
pub fn proof_note(db: &str, load: &LoadOptions) -> String {
    match scratch_server(db, load) {
        Some((url, why)) => format!(
            "Proof: `shale apply` first runs this plan on a temporary copy of the current schema ({}; {why}) and goes on only if it converges; --no-prove skips it.\n",
            redact(&url)
        ),
        None => "Proof: no scratch server (the role may not create databases here, and no --dev-url): `shale apply` runs this plan without a proof on a copy.\n".into(),
    }
}

/// A warning naming the indexes other sessions of `db` are building right now (empty when
/// none): such an index is INVALID until its build ends, and a plan made meanwhile treats
/// it as left behind by a failed build.
pub fn builds_note(db: &str) -> String {
    let Ok(mut c) = connect(db) else {
        return String::new();
    };
    let Ok(builds) = shale_apply::building::builds(&mut c) else {
        return String::new();
    };
    let mut out = String::new();
    for b in &builds {
        out.push_str(&format!(
            "warning: {b}: it is INVALID only until that build ends, not failed; steps above that drop or rebuild it are wrong until then. `shale apply` waits for the build (--wait); plan again when it has finished\n"
        ));
    }
    out
}

/// Proves `plan` on a copy of `current` when `prove` says so; `converged` checks the copy
/// (read with `load`) and returns what still differs, if anything.
fn prove(
    db: &str,
    guards: &Guards,
    load: &LoadOptions,
    current: &Catalog,
    plan: &Plan,
    opts: &ApplyOptions,
    converged: &dyn Fn(&Catalog) -> Result<(), String>,
) -> Result<(), CliError> {
    if guards.prove == Prove::Off || plan.is_empty() {
        return Ok(());
    }
    let Some((server, why)) = scratch_server(db, load) else {
        if guards.prove == Prove::On {
            return Err(CliError(
                "--prove: no scratch server: the role may not create databases on this server; name one with --dev-url URL".into(),
            ));
        }
        eprintln!("proof on a copy skipped: no scratch server (the role may not create databases here, and no --dev-url)");
        return Ok(());
    };
    let create = shale_plan::create_script(current).map_err(|e| {
        CliError(format!(
            "proof on a copy: cannot write the current schema's create script: {e}"
        ))
    })?;
    let mut admin = connect(&server)?;
    let mut connect_db = |name: &str| connect(&with_dbname(&server, name)).map_err(|e| e.0);
    let mut verify = |name: &str| {
        let url = with_dbname(&server, name);
        let (copy, _) = source::load_with(&Source::Database(url), load).map_err(|e| e.0)?;
        converged(&copy)
    };
    let name = shale_apply::prove::scratch_name();
    eprintln!(
        "proving the plan on a temporary copy of the current schema: database {name} on {} ({why}) …",
        redact(&server)
    );
    let proof = shale_apply::prove::prove(
        &mut admin,
        &name,
        &mut connect_db,
        &create,
        plan,
        opts,
        &mut verify,
    )
    .map_err(|e| CliError(e.to_string()))?;
    eprintln!(
        "proved: {} step(s) ran on the copy and it converged, in {:.2}s (temporary database {} dropped)",
        proof.steps,
        proof.elapsed.as_secs_f64(),
        proof.database
    );
    Ok(())
}

/// Drift between what a fingerprint expects and a catalog, as lines naming each object.
fn drift_lines(expected: &Fingerprint, actual: &Catalog) -> Vec<String> {
    drift(expected, &fingerprint(actual))
        .into_iter()
        .map(|d| format!("  {d}"))
        .collect()
}

/// Plan against the live database and apply, with the guards (see [`crate::apply`]).
pub fn apply_with(
    args: &ApplyArgs,
    guards: &Guards,
    hooks: Hooks<'_>,
) -> Result<ApplyOutcome, CliError> {
    let db = Source::Database(args.db.clone());
    // One apply at a time, taken before the database is read.
    let lock = if args.dry_run {
        None
    } else {
        Some(guard(&args.db, guards.wait)?)
    };
    let planned = plan_sources_with(&db, &args.to, &args.plan, &args.load)?;
    let violations = lint(&planned, &args.policies);
    let Planned {
        current,
        desired,
        directives,
        plan,
        ..
    } = planned;
    let ignored = desired.ignored_statements.clone();
    let plan = match args.phase {
        Some(phase) => plan.phase(phase),
        None => plan,
    };
    (hooks.show)(&plan, &violations);
    if let Some(e) = policy_error(&violations) {
        return Err(e);
    }
    if plan.is_empty() || args.dry_run {
        if !plan.is_empty() {
            check_approved_err(&plan, &args.apply)?;
        }
        return Ok(ApplyOutcome {
            plan,
            ignored,
            violations,
            report: None,
            expand_phase: false,
        });
    }
    check_approved_err(&plan, &args.apply)?;
    if !(hooks.confirm)(&plan) {
        return Err(CliError("not confirmed: nothing was changed".into()));
    }
    let expand = args.phase == Some(Phase::Expand);
    let remaining = |now: &Catalog| -> Result<Option<Plan>, String> {
        let after = shale_plan::plan_with(now, &desired, &directives, &args.plan)
            .map_err(|e| e.to_string())?;
        Ok((!after.is_empty()).then_some(after))
    };
    prove(
        &args.db,
        guards,
        &args.load,
        &current,
        &plan,
        &args.apply,
        &|copy| {
            if expand {
                return Ok(());
            }
            match remaining(copy)? {
                None => Ok(()),
                Some(after) => Err(format!(
                    "remaining plan on the copy:\n{}",
                    shale_plan::render::text(&after)
                )),
            }
        },
    )?;
    let mut client = connect(&args.db)?;
    let opts = ApplyOptions {
        watch: Some(connector(&args.db)),
        ..args.apply.clone()
    };
    let report =
        crate::progress::apply(&mut client, &plan, &opts).map_err(|e| CliError(e.to_string()))?;
    if expand {
        // The expand phase leaves old and new columns side by side on purpose: the
        // contract phase is still to come, so there is nothing to verify yet.
        drop(lock);
        return Ok(ApplyOutcome {
            plan,
            ignored,
            violations,
            report: Some(report),
            expand_phase: expand,
        });
    }
    // Verify: the database must now match the desired state exactly (the files as they
    // were read for the plan, not read again).
    let (now, _) = source::load_with(&db, &args.load)?;
    if let Some(after) = remaining(&now).map_err(CliError)? {
        return Err(CliError(format!(
            "applied {} step(s), but the database still differs from the desired state; remaining plan:\n{}",
            report.committed.len(),
            shale_plan::render::text(&after)
        )));
    }
    drop(lock);
    Ok(ApplyOutcome {
        plan,
        ignored,
        violations,
        report: Some(report),
        expand_phase: expand,
    })
}

/// The plan file for a plan made by `shale plan --out`.
pub fn plan_file(
    planned: &Planned,
    plan: &Plan,
    from: &Source,
    opts: &PlanOptions,
    phase: Option<Phase>,
    load: &LoadOptions,
) -> PlanFile {
    let options = FileOptions {
        online: opts.online,
        lock_timeout: opts.lock_timeout.clone(),
        strategy: opts.strategy,
        phase,
        schemas: load.schemas.clone(),
        exclude: load.exclude.clone(),
        include_owners: load.include_owners,
    };
    PlanFile::new(
        plan,
        planned.rollback(opts).map_err(|e| e.0),
        source::mode(from, load),
        matches!(from, Source::Database(_)),
        options,
        fingerprint(&planned.current),
        fingerprint(&planned.desired),
        env!("CARGO_PKG_VERSION"),
    )
}

/// What `apply --plan FILE` needs besides the file.
pub struct FileApply {
    pub db: String,
    /// Allowed risk and `--approve` keys; the lock timeout is the file's unless a flag set
    /// one.
    pub apply: ApplyOptions,
    pub dry_run: bool,
    /// `--dev-url`, the scratch server for the proof.
    pub dev_url: Option<String>,
}

/// `shale apply --plan FILE`: the file's steps, exactly, on a database that still matches
/// the state they were planned from.
pub fn apply_file(
    path: &Path,
    args: &FileApply,
    guards: &Guards,
    hooks: Hooks<'_>,
) -> Result<ApplyOutcome, CliError> {
    let pf = PlanFile::read(path).map_err(|e| CliError(e.to_string()))?;
    let plan = pf.plan();
    let name = path.display().to_string();
    if pf.shale_version != env!("CARGO_PKG_VERSION") {
        eprintln!(
            "note: {name} was written by shale {}, this is shale {}: a model that changed between versions shows as drift",
            pf.shale_version,
            env!("CARGO_PKG_VERSION")
        );
    }
    // Approvals recorded in the file count for the steps that need one at this --allow.
    let needing: Vec<String> = shale_apply::needs_approval(&plan, args.apply.allow)
        .iter()
        .map(|s| s.approval_key())
        .collect();
    let mut approve = args.apply.approve.clone();
    for k in pf.approved_keys() {
        if needing.contains(&k) && !approve.contains(&k) {
            approve.push(k);
        }
    }
    let apply_opts = ApplyOptions {
        approve,
        lock_timeout: args
            .apply
            .lock_timeout
            .clone()
            .or_else(|| pf.options.lock_timeout.clone()),
        ..args.apply.clone()
    };
    let load = LoadOptions {
        schemas: pf.options.schemas.clone(),
        exclude: pf.options.exclude.clone(),
        dev_url: args.dev_url.clone(),
        include_owners: pf.options.include_owners,
        strict_coverage: false,
    };
    let lock = if args.dry_run {
        None
    } else {
        Some(guard(&args.db, guards.wait)?)
    };
    let db = Source::Database(args.db.clone());
    let (now, _) = source::load_with(&db, &load)?;
    let drifted = drift_lines(&pf.current, &now);
    if !drifted.is_empty() {
        return Err(CliError(format!(
            "{}: the database no longer matches the state {name} was planned from ({}); refusing to apply, nothing was changed. Drifted:\n{}\nmake a new plan from the database as it is now, and review it",
            redact(&args.db),
            pf.from,
            drifted.join("\n")
        )));
    }
    (hooks.show)(&plan, &[]);
    if !pf.approvals.is_empty() {
        eprintln!("approved in {name}: {}", pf.approved_keys().join(", "));
    }
    if plan.is_empty() || args.dry_run {
        if !plan.is_empty() {
            check_approved_err(&plan, &apply_opts)?;
        }
        return Ok(ApplyOutcome {
            plan,
            ignored: Vec::new(),
            violations: Vec::new(),
            report: None,
            expand_phase: false,
        });
    }
    check_approved_err(&plan, &apply_opts)?;
    if !(hooks.confirm)(&plan) {
        return Err(CliError("not confirmed: nothing was changed".into()));
    }
    let expand = pf.options.phase == Some(Phase::Expand);
    prove(&args.db, guards, &load, &now, &plan, &apply_opts, &|copy| {
        if expand {
            return Ok(());
        }
        let lines = drift_lines(&pf.desired, copy);
        if lines.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the copy differs from the desired state:\n{}",
                lines.join("\n")
            ))
        }
    })?;
    let mut client = connect(&args.db)?;
    let opts = ApplyOptions {
        watch: Some(connector(&args.db)),
        ..apply_opts
    };
    let report = crate::progress::apply(&mut client, &plan, &opts).map_err(|e| {
        CliError(format!(
            "{e}\n  with a plan file: the database no longer matches {name}, so it will be refused; make a new plan from the database as it is now"
        ))
    })?;
    if expand {
        eprintln!("the expand phase is not verified against the desired state: the contract phase is still to come");
    } else {
        let (after, _) = source::load_with(&db, &load)?;
        let lines = drift_lines(&pf.desired, &after);
        if !lines.is_empty() {
            return Err(CliError(format!(
                "applied {} step(s) of {name}, but the database does not match the plan's desired state:\n{}",
                report.committed.len(),
                lines.join("\n")
            )));
        }
    }
    drop(lock);
    Ok(ApplyOutcome {
        plan,
        ignored: Vec::new(),
        violations: Vec::new(),
        report: Some(report),
        expand_phase: expand,
    })
}

/// `shale approve FILE KEY…`: records the approvals in the file; returns the keys added.
pub fn approve(path: &Path, keys: &[String]) -> Result<Vec<String>, CliError> {
    let mut pf = PlanFile::read(path).map_err(|e| CliError(e.to_string()))?;
    let added = pf
        .approve(keys)
        .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
    pf.write(path).map_err(|e| CliError(e.to_string()))?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::with_dbname;

    #[test]
    fn dbname_replaced_in_urls_and_keyword_strings() {
        assert_eq!(
            with_dbname("postgres://u:p@h:5432/app?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_dbname("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_dbname("postgresql://u:a/b@h/app", "x"),
            "postgresql://u:a/b@h/x"
        );
        assert_eq!(
            with_dbname("host=h dbname=app", "x"),
            "host=h dbname=app dbname=x"
        );
    }
}
