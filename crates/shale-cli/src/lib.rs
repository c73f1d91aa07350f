//! The `shale` command line, as a library so tests drive exactly what users run.
//!
//! Commands: `plan` (compare two sources, print the plan), `apply` (plan against a live
//! database, refuse risky steps unless allowed, run, verify), `inspect` (print a live
//! database as desired-state files).
//!
//! Safety around them: the project file `shale.toml` ([`config`]), the schema policies of
//! `shale-lint` run on every plan ([`lint`]), and approvals of risky steps by key
//! ([`approval_block`], `shale_apply::check_approved`).

pub mod config;
pub mod deploy;
pub mod generate;
pub mod git;
pub mod json;
pub mod manpages;
pub mod output;
pub mod progress;
pub mod review;
pub mod source;

use shale_lint::{Policies, Violation};
use shale_model::Catalog;
use shale_plan::{Plan, PlanOptions, RiskLevel};
pub use source::{load, redact, LoadOptions, Source};
use std::collections::BTreeSet;
use std::fmt;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Sql,
    Json,
    /// A pull-request comment (`shale_plan::render::markdown`).
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "sql" => Ok(Format::Sql),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(format!(
                "unknown format `{s}` (expected text, sql, json or markdown)"
            )),
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

impl From<config::ConfigError> for CliError {
    fn from(e: config::ConfigError) -> Self {
        CliError(e.to_string())
    }
}

/// A plan with the two catalogs it was made from (the policies need both).
pub struct Planned {
    pub current: Catalog,
    pub desired: Catalog,
    /// Rename hints and backfills of the desired state.
    pub directives: shale_model::Directives,
    pub plan: Plan,
    /// Roles the desired state names that the current one does not, listed for a plan
    /// with no server to check them against (empty when `from` is a database, where
    /// missing roles are an error instead).
    pub roles_needed: BTreeSet<String>,
}

impl Planned {
    /// The plan back from `desired` to `current`, with what it cannot restore.
    pub fn rollback(&self, opts: &PlanOptions) -> Result<shale_plan::Rollback, CliError> {
        shale_plan::rollback_with(&self.current, &self.desired, &self.directives, opts)
            .map_err(|e| CliError(format!("no rollback plan: {e}")))
    }

    /// The plan in `format`, with its rollback: a section of the text, a member of the
    /// JSON, a commented-out script after the SQL (so the SQL still runs as it is).
    pub fn render_with_rollback(&self, format: Format, opts: &PlanOptions) -> String {
        if self.plan.is_empty() {
            return render(&self.plan, format, opts);
        }
        let rb = match self.rollback(opts) {
            Ok(rb) => rb,
            Err(e) => {
                let note = format!("Rollback: {e}");
                return match format {
                    Format::Json | Format::Markdown => render(&self.plan, format, opts),
                    Format::Sql => format!(
                        "{}
-- {}
",
                        render(&self.plan, format, opts),
                        note.replace('\n', "\n-- ")
                    ),
                    Format::Text => format!(
                        "{}
{note}
",
                        render(&self.plan, format, opts)
                    ),
                };
            }
        };
        match format {
            Format::Text => shale_plan::render::text_with_rollback(&self.plan, &rb),
            Format::Json => shale_plan::render::json_with_rollback(&self.plan, &rb),
            Format::Markdown => shale_plan::render::markdown(
                &self.plan,
                &shale_plan::render::MarkdownOptions {
                    rollback: Some(&rb),
                    ..shale_plan::render::MarkdownOptions::default()
                },
            ),
            Format::Sql => {
                let mut out = render(&self.plan, format, opts);
                out.push_str(
                    "\n-- Rollback script (commented out; `shale plan --rollback-out FILE` writes it runnable):\n",
                );
                for line in shale_plan::render::rollback_sql(&rb, opts).lines() {
                    out.push_str("-- ");
                    out.push_str(line);
                    out.push('\n');
                }
                out
            }
        }
    }
}

/// Plan the change from `from` to `to`.
pub fn make_plan(from: &Source, to: &Source, opts: &PlanOptions) -> Result<Plan, CliError> {
    Ok(plan_sources(from, to, opts)?.plan)
}

/// Plan the change from `from` to `to`, keeping both catalogs.
pub fn plan_sources(from: &Source, to: &Source, opts: &PlanOptions) -> Result<Planned, CliError> {
    plan_sources_with(from, to, opts, &LoadOptions::default())
}

/// Objects of kinds shale does not model, and statements of the files that are not schema
/// (data, `DO`, roles), in either catalog, as an error (`--strict-coverage`).
pub fn check_coverage(current: &Catalog, desired: &Catalog) -> Result<(), CliError> {
    let objects: Vec<String> = current
        .unmodeled
        .iter()
        .chain(&desired.unmodeled)
        .map(|u| format!("  {u}"))
        .collect();
    let statements: Vec<String> = ignored_statements(current, desired)
        .iter()
        .map(|s| format!("  {s}"))
        .collect();
    if objects.is_empty() && statements.is_empty() {
        return Ok(());
    }
    let mut m = String::from("--strict-coverage: nothing was planned:");
    if !objects.is_empty() {
        let _ = write!(
            m,
            "\n{} object(s) of kinds shale does not manage yet:\n{}",
            objects.len(),
            objects.join("\n")
        );
    }
    if !statements.is_empty() {
        let _ = write!(
            m,
            "\n{} statement(s) that are not schema (data, DO blocks, roles), which shale skips:\n{}",
            statements.len(),
            statements.join("\n")
        );
    }
    Err(CliError(m))
}

/// The statements of both sides' files that are not schema, in the order read.
pub fn ignored_statements<'a>(
    current: &'a Catalog,
    desired: &'a Catalog,
) -> Vec<&'a shale_model::IgnoredStatement> {
    current
        .ignored_statements
        .iter()
        .chain(&desired.ignored_statements)
        .collect()
}

/// The note listing the statements that are not schema, printed under the plan (empty
/// when there are none).
pub fn ignored_text(statements: &[&shale_model::IgnoredStatement]) -> String {
    if statements.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\nIgnored statements ({}: not schema, so neither modeled nor run by shale; --strict-coverage refuses them):\n",
        statements.len()
    );
    for s in statements {
        let _ = writeln!(out, "  {s}");
    }
    out
}

/// [`plan_sources`] with load options (schema filters, dev database, owners, coverage).
pub fn plan_sources_with(
    from: &Source,
    to: &Source,
    opts: &PlanOptions,
    load_opts: &LoadOptions,
) -> Result<Planned, CliError> {
    // Both sides are read at once (two databases are introspected in parallel); an error
    // of the current side is reported first, as when they were read one after the other.
    let (current, desired) = std::thread::scope(|s| {
        let current = s.spawn(|| source::load_with(from, load_opts));
        let desired = source::load_with(to, load_opts);
        let current = current
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (current, desired)
    });
    let (mut current, _) = current?;
    // Rename hints and backfills come with the desired state.
    let (mut desired, directives) = desired?;
    // One connection to the current database for the questions below.
    let mut from_client = match from {
        Source::Database(url) => Some(connect(url)?),
        _ => None,
    };
    // Files that name the connecting role in default privileges (`FOR ROLE postgres`, as
    // pg_dump writes them) mean what the introspection of a database by that role reports
    // as the role running shale.
    if let (Source::Database(url), Some(client)) = (from, from_client.as_mut()) {
        if to.is_files() {
            let role = current_user(client, url)?;
            desired.default_privileges_as(&role);
            desired.user_mappings_as(&role);
            desired.drop_grants_to_owner(&role);
        }
        // Roles are never created: a missing one would fail the plan midway.
        check_roles(client, url, &desired)?;
    }
    if let (true, Source::Database(url)) = (from.is_files(), to) {
        let role = current_user(&mut connect(url)?, url)?;
        current.default_privileges_as(&role);
        current.user_mappings_as(&role);
        current.drop_grants_to_owner(&role);
    }
    if load_opts.strict_coverage {
        check_coverage(&current, &desired)?;
    }
    // Against a database, a table that holds no rows can take a NOT NULL column without
    // a DEFAULT: ask the database which of the tables that need it are empty.
    let mut opts = opts.clone();
    if let (Source::Database(url), Some(client)) = (from, from_client.as_mut()) {
        opts.empty_tables = empty_tables(
            client,
            url,
            &shale_plan::tables_to_probe(&current, &desired),
        )?;
    }
    let plan = shale_plan::plan_with(&current, &desired, &directives, &opts)
        .map_err(|e| CliError(e.to_string()))?;
    // Offline there is no server to ask: the roles are listed with the plan instead.
    let roles_needed = match from {
        Source::Database(_) => BTreeSet::new(),
        _ => shale_plan::security::roles_needed(&current, &desired),
    };
    Ok(Planned {
        current,
        desired,
        directives,
        plan,
        roles_needed,
    })
}

/// A connection to a database source: TLS, libpq strings, the PG* environment, timeouts
/// and redaction are `shale_connect`'s.
fn connect(url: &str) -> Result<postgres::Client, CliError> {
    shale_connect::connect(url).map_err(|e| CliError(e.to_string()))
}

/// Which of `tables` hold no rows now.
fn empty_tables(
    client: &mut postgres::Client,
    url: &str,
    tables: &[shale_model::QualName],
) -> Result<BTreeSet<shale_model::QualName>, CliError> {
    // One query for all of them: `SELECT ARRAY[NOT EXISTS (SELECT FROM t1), …]`.
    if tables.is_empty() {
        return Ok(BTreeSet::new());
    }
    let probes: Vec<String> = tables
        .iter()
        .map(|t| format!("NOT EXISTS (SELECT FROM {t})"))
        .collect();
    let row = client
        .query_one(&format!("SELECT ARRAY[{}]", probes.join(", ")), &[])
        .map_err(|e| {
            let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
            CliError(format!(
                "{}: reading whether {} {} rows: {e}",
                redact(url),
                names.join(", "),
                if tables.len() == 1 { "has" } else { "have" }
            ))
        })?;
    let empty: Vec<bool> = row.try_get(0).map_err(|e| {
        CliError(format!(
            "{}: reading which tables are empty: {e}",
            redact(url)
        ))
    })?;
    Ok(tables
        .iter()
        .zip(empty)
        .filter(|(_, empty)| *empty)
        .map(|(t, _)| t.clone())
        .collect())
}

fn current_user(client: &mut postgres::Client, url: &str) -> Result<String, CliError> {
    client
        .query_one("SELECT current_user::text", &[])
        .map(|r| r.get(0))
        .map_err(|e| CliError(format!("{}: {e}", redact(url))))
}

/// The objects of `cat` that name `role`: policies applying to it, objects granting to
/// it, default privileges for or to it, objects it owns.
pub fn objects_naming_role(cat: &Catalog, role: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in cat.policies.values() {
        if p.roles.iter().any(|r| r == role) {
            out.push(
                shale_model::ObjectId::Policy {
                    table: p.table.clone(),
                    name: p.name.clone(),
                }
                .to_string(),
            );
        }
    }
    for a in cat.privileges.values() {
        if a.grants.iter().any(|g| g.grantee == role) {
            out.push(format!("grant on {}", a.object));
        }
    }
    for d in cat.default_privileges.values() {
        if d.role.as_deref() == Some(role) || d.grants.iter().any(|g| g.grantee == role) {
            out.push(d.id().to_string());
        }
    }
    for (object, owner) in &cat.owners {
        if owner == role {
            out.push(format!("owner of {object}"));
        }
    }
    out
}

/// An error naming each role `desired` names that the server behind `client` lacks, with
/// the objects that need it; nothing is planned (or applied) then.
pub fn check_roles(
    client: &mut postgres::Client,
    url: &str,
    desired: &Catalog,
) -> Result<(), CliError> {
    let named = desired.roles_named();
    if named.is_empty() {
        return Ok(());
    }
    let missing = shale_introspect::missing_roles(client, &named)
        .map_err(|e| CliError(format!("{}: {e}", redact(url))))?;
    if missing.is_empty() {
        return Ok(());
    }
    let mut m = format!(
        "the desired state names {} role{} that do{} not exist on {}; shale does not create roles, so nothing was planned or changed (create {} first):",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        if missing.len() == 1 { "es" } else { "" },
        redact(url),
        if missing.len() == 1 { "it" } else { "them" },
    );
    for role in &missing {
        let _ = write!(
            m,
            "\n  role {}: {}",
            shale_model::quote_ident(role),
            objects_naming_role(desired, role).join(", ")
        );
    }
    Err(CliError(m))
}

/// The note listing the roles an offline plan needs on its target server (empty when
/// none).
pub fn roles_text(roles: &BTreeSet<String>) -> String {
    shale_plan::security::roles_note(roles)
        .map(|n| format!("\n{n}\n"))
        .unwrap_or_default()
}

/// The policies' violations among what the plan creates or changes.
pub fn lint(planned: &Planned, policies: &Policies) -> Vec<Violation> {
    shale_lint::lint(&planned.current, &planned.desired, &planned.plan, policies)
}

/// Violations, one after the other, then a line counting them and saying where policy
/// levels are set (empty when there are none).
pub fn violations_text(violations: &[Violation]) -> String {
    if violations.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for v in violations {
        let _ = writeln!(out, "{v}");
    }
    let errors = violations.iter().filter(|v| v.is_error()).count();
    let warnings = violations.len() - errors;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let _ = writeln!(
        out,
        "policies: {errors} error{}, {warnings} warning{} (levels are set in shale.toml [policies] or with --policy NAME=off|warn|error)",
        plural(errors),
        plural(warnings)
    );
    out
}

/// The error that stops `plan` and `apply` when a policy at level `error` is broken, or
/// `None`.
pub fn policy_error(violations: &[Violation]) -> Option<CliError> {
    let errors: Vec<&Violation> = violations.iter().filter(|v| v.is_error()).collect();
    if errors.is_empty() {
        return None;
    }
    let mut m = format!(
        "{} policy violation{} at level error:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    for v in errors {
        let _ = write!(m, "\n  {} {}: {}", v.code, v.object, v.message);
    }
    m.push_str("\nfix the desired schema, or change the policy's level in shale.toml [policies] (or with --policy NAME=warn)");
    Some(CliError(m))
}

/// The "Needs approval:" block printed after a plan: each step riskier than `allow`, its
/// approval key and the flag that approves it (`approved` keys are marked). Empty when no
/// step needs approval.
pub fn approval_block(plan: &Plan, allow: RiskLevel, approved: &[String]) -> String {
    let steps = shale_apply::needs_approval(plan, allow);
    if steps.is_empty() {
        return String::new();
    }
    let keys: Vec<String> = steps.iter().map(|s| s.approval_key()).collect();
    let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut out = String::from("\nNeeds approval:\n");
    for (s, key) in steps.iter().zip(&keys) {
        let _ = write!(
            out,
            "  {:>3}. [{}] {key:<width$}  {}",
            s.id,
            s.risk.level,
            shale_apply::approve_flag(key)
        );
        if approved.contains(key) {
            out.push_str("  (approved)");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "  `shale apply` runs these only with their --approve flags, or with --allow {} for every step.",
        steps
            .iter()
            .map(|s| s.risk.level)
            .max()
            .unwrap_or(RiskLevel::High)
            .to_string()
            .to_lowercase()
    );
    out
}

/// Whether `plan` has a step at or above `level` (`plan --fail-on`).
pub fn fails_on(plan: &Plan, level: RiskLevel) -> bool {
    plan.max_risk().is_some_and(|m| m >= level)
}

/// Render a plan; `opts` supplies what the SQL script sets up front (`lock_timeout`).
pub fn render(plan: &Plan, format: Format, opts: &PlanOptions) -> String {
    match format {
        Format::Text => shale_plan::render::text(plan),
        Format::Sql => shale_plan::render::sql_with_options(plan, opts),
        Format::Json => shale_plan::render::json(plan),
        Format::Markdown => {
            shale_plan::render::markdown(plan, &shale_plan::render::MarkdownOptions::default())
        }
    }
}

pub struct ApplyArgs {
    pub db: String,
    pub to: Source,
    pub plan: PlanOptions,
    /// Risk gate, lock timeout and approval keys.
    pub apply: shale_apply::ApplyOptions,
    pub policies: Policies,
    pub dry_run: bool,
    /// Apply only this phase of an expand/contract plan.
    pub phase: Option<shale_plan::Phase>,
    /// Schema filters, dev database, owners, coverage.
    pub load: LoadOptions,
}

/// What `apply` did, for the caller to print and turn into an exit code.
pub struct ApplyOutcome {
    pub plan: Plan,
    /// Statements of the desired files that are not schema: not run.
    pub ignored: Vec<shale_model::IgnoredStatement>,
    /// Policy warnings (errors stop `apply` before anything runs).
    pub violations: Vec<Violation>,
    pub report: Option<shale_apply::ApplyReport>,
    /// The steps applied were an expand phase (from `--phase expand` or from the plan
    /// file's options): the database is not meant to match the desired state yet.
    pub expand_phase: bool,
}

/// Plan against the live database, check the policies and approvals, apply, and verify
/// that nothing differs afterwards. `show` receives the plan and the policy violations
/// before anything runs. Nothing runs when a policy at level `error` is broken, when a
/// step is riskier than allowed and not approved, or when an approval key matches no such
/// step; a dry run checks all of that too. One apply at a time per database (an advisory
/// lock, waited for up to 30 s); no proof on a copy and no question: see
/// [`deploy::apply_with`] for those.
pub fn apply(
    args: &ApplyArgs,
    show: &mut dyn FnMut(&Plan, &[Violation]),
) -> Result<ApplyOutcome, CliError> {
    let guards = deploy::Guards {
        prove: deploy::Prove::Off,
        ..deploy::Guards::default()
    };
    deploy::apply_with(
        args,
        &guards,
        deploy::Hooks {
            show,
            confirm: &mut |_| true,
        },
    )
}

/// [`shale_apply::check_approved`] as a CLI error.
fn check_approved_err(plan: &Plan, opts: &shale_apply::ApplyOptions) -> Result<(), CliError> {
    shale_apply::check_approved(plan, opts.allow, &opts.approve)
        .map_err(|e| CliError(e.to_string()))
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
    inspect_with(source, format, &LoadOptions::default())
}

/// [`inspect`] with schema filters and owners.
pub fn inspect_with(
    source: &Source,
    format: InspectFormat,
    load_opts: &LoadOptions,
) -> Result<String, CliError> {
    let (cat, _) = source::load_with(source, load_opts)?;
    Ok(match format {
        InspectFormat::Sql => {
            shale_plan::create_script(&cat).map_err(|e| CliError(e.to_string()))?
        }
        InspectFormat::Yaml => yaml_or_error(&cat)?,
        InspectFormat::Json => {
            serde_json::to_string_pretty(&cat).map_err(|e| CliError(e.to_string()))? + "\n"
        }
    })
}

/// The catalog as YAML, or an error naming the objects the YAML format cannot hold (every
/// kind the model holds has a YAML key, so this is a safety net for kinds added later):
/// the output is read back (with its `owner:` keys when the catalog has owners) and must
/// plan to nothing, so nothing is silently left out.
fn yaml_or_error(cat: &Catalog) -> Result<String, CliError> {
    let text = shale_yaml::to_yaml(cat);
    let internal = |e: shale_yaml::YamlError| {
        CliError(format!(
            "internal error: the YAML export does not read back: {e}"
        ))
    };
    let files = [("inspect.yaml".to_string(), text.clone())];
    let mut back = shale_yaml::parse_yaml_files(&files).map_err(internal)?;
    if !cat.owners.is_empty() {
        shale_yaml::read_owners(&files, &mut back).map_err(internal)?;
    }
    let opts = PlanOptions {
        online: false,
        ..PlanOptions::default()
    };
    let missing = shale_plan::plan(&back, cat, &opts).map_err(|e| CliError(e.to_string()))?;
    if missing.is_empty() {
        return Ok(text);
    }
    let mut objects: Vec<String> = missing.steps.iter().map(|s| s.object.to_string()).collect();
    objects.dedup();
    Err(CliError(format!(
        "the YAML format cannot express {} object(s) of this schema yet; use --format sql:\n  {}",
        objects.len(),
        objects.join("\n  ")
    )))
}

/// `--allow` values.
pub fn parse_risk(s: &str) -> Result<RiskLevel, String> {
    s.parse()
}
