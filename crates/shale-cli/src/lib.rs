//! The `shale` command line, as a library so tests drive exactly what users run.
//!
//! Commands: `plan` (compare two sources, print the plan), `apply` (plan against a live
//! database, refuse risky steps unless allowed, run, verify), `inspect` (print a live
//! database as desired-state files).

pub mod source;

use shale_plan::{Plan, PlanOptions, RiskLevel};
pub use source::{load, redact, Source};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Sql,
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "sql" => Ok(Format::Sql),
            "json" => Ok(Format::Json),
            _ => Err(format!("unknown format `{s}` (expected text, sql or json)")),
        }
    }
}

#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for CliError {}

impl From<source::LoadError> for CliError {
    fn from(e: source::LoadError) -> Self {
        CliError(e.0)
    }
}

/// Plan the change from `from` to `to`.
pub fn make_plan(from: &Source, to: &Source, opts: &PlanOptions) -> Result<Plan, CliError> {
    let current = load(from)?;
    let desired = load(to)?;
    shale_plan::plan(&current, &desired, opts).map_err(|e| CliError(e.to_string()))
}

pub fn render(plan: &Plan, format: Format) -> String {
    match format {
        Format::Text => shale_plan::render::text(plan),
        Format::Sql => shale_plan::render::sql(plan),
        Format::Json => shale_plan::render::json(plan),
    }
}

pub struct ApplyArgs {
    pub db: String,
    pub to: Source,
    pub plan: PlanOptions,
    pub apply: shale_apply::ApplyOptions,
    pub dry_run: bool,
}

/// What `apply` did, for the caller to print and turn into an exit code.
pub struct ApplyOutcome {
    pub plan: Plan,
    pub report: Option<shale_apply::ApplyReport>,
}

/// Plan against the live database, apply, and verify that nothing differs afterwards.
/// `show` receives the plan before anything runs.
pub fn apply(args: &ApplyArgs, show: &mut dyn FnMut(&Plan)) -> Result<ApplyOutcome, CliError> {
    let db = Source::Database(args.db.clone());
    let plan = make_plan(&db, &args.to, &args.plan)?;
    show(&plan);
    if plan.is_empty() || args.dry_run {
        if !plan.is_empty() {
            shale_apply::check_allowed(&plan, args.apply.allow)
                .map_err(|e| CliError(e.to_string()))?;
        }
        return Ok(ApplyOutcome { plan, report: None });
    }
    let mut client = postgres::Client::connect(&args.db, postgres::NoTls)
        .map_err(|e| CliError(format!("{}: cannot connect: {e}", redact(&args.db))))?;
    let report =
        shale_apply::apply(&mut client, &plan, &args.apply).map_err(|e| CliError(e.to_string()))?;
    // Verify: the database must now match the desired state exactly.
    let after = make_plan(&db, &args.to, &args.plan)?;
    if !after.is_empty() {
        return Err(CliError(format!(
            "applied {} step(s), but the database still differs from the desired state; remaining plan:\n{}",
            report.committed.len(),
            shale_plan::render::text(&after)
        )));
    }
    Ok(ApplyOutcome {
        plan,
        report: Some(report),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectFormat {
    Sql,
    Yaml,
    Json,
}

impl std::str::FromStr for InspectFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sql" => Ok(InspectFormat::Sql),
            "yaml" => Ok(InspectFormat::Yaml),
            "json" => Ok(InspectFormat::Json),
            _ => Err(format!("unknown format `{s}` (expected sql, yaml or json)")),
        }
    }
}

/// Print a source's schema as desired-state files.
pub fn inspect(source: &Source, format: InspectFormat) -> Result<String, CliError> {
    let cat = load(source)?;
    Ok(match format {
        InspectFormat::Sql => {
            shale_plan::create_script(&cat).map_err(|e| CliError(e.to_string()))?
        }
        InspectFormat::Yaml => shale_yaml::to_yaml(&cat),
        InspectFormat::Json => {
            serde_json::to_string_pretty(&cat).map_err(|e| CliError(e.to_string()))? + "\n"
        }
    })
}

/// `--allow` values.
pub fn parse_risk(s: &str) -> Result<RiskLevel, String> {
    s.parse()
}
