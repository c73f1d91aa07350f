use clap::{CommandFactory, Parser, Subcommand};
use shale_cli::config::{self, Config};
use shale_cli::{Format, InspectFormat, Source};
use shale_lint::Policies;
use shale_plan::{Phase, PlanOptions, RiskLevel, Strategy};
use std::path::PathBuf;
use std::process::ExitCode;

/// Declarative schema-as-code for PostgreSQL: plan safe, ordered, risk-annotated changes
/// from the schema you want to the schema you have.
///
/// Settings come from the project file shale.toml in the current directory (or --config);
/// command-line flags override it. See docs/CONFIG.md.
#[derive(Parser)]
#[command(name = "shale", version)]
struct Cli {
    /// Project file (default: shale.toml in the current directory, if there is one).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the plan that turns --from into --to.
    ///
    /// Exit codes: 0 no changes, 2 changes planned, 3 a step is at or above the --fail-on
    /// level, 1 error (including a policy at level error). As Terraform's
    /// -detailed-exitcode; --no-detailed-exitcode makes a successful plan exit 0 (exit 3
    /// still applies).
    Plan {
        /// Current state: a postgres:// URL, a .sql/.yaml file, a directory, or `empty`.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        from: String,
        /// Desired state: a .sql/.yaml file, a directory, a postgres:// URL, or `empty`.
        #[arg(long)]
        to: String,
        /// text (for review), sql (a psql script), or json (the plan as data).
        #[arg(long, default_value = "text")]
        format: Format,
        /// Plain plan: no CONCURRENTLY indexes, no NOT VALID + VALIDATE constraints.
        #[arg(long, conflicts_with = "online")]
        no_online: bool,
        /// Online-safe plan even when shale.toml says `online = false`.
        #[arg(long)]
        online: bool,
        /// lock_timeout for each locking step, e.g. 5s [default: shale.toml, else 5s].
        #[arg(long)]
        lock_timeout: Option<String>,
        /// Exit 0 when the plan succeeds, whether or not it has changes.
        #[arg(long)]
        no_detailed_exitcode: bool,
        /// CI gate: exit 3 when any step's risk is at or above this level (low, medium or
        /// high); the plan is printed all the same.
        #[arg(long, value_name = "LEVEL")]
        fail_on: Option<RiskLevel>,
        /// Set a policy's level, e.g. no_serial=error or SHP003=off (repeatable; overrides
        /// shale.toml).
        #[arg(long, value_name = "NAME=LEVEL")]
        policy: Vec<String>,
        /// Leave out the rollback plan (shown by default after the plan: a section in
        /// text, a `rollback` member in JSON, a commented-out script after the SQL).
        #[arg(long)]
        no_rollback: bool,
        /// Also write the rollback as a runnable psql script to this file.
        #[arg(long, value_name = "FILE")]
        rollback_out: Option<std::path::PathBuf>,
        /// How renames and rewriting type changes of columns are done: direct (one step)
        /// or expand-contract (two phases, the application keeps working in between).
        #[arg(long, default_value = "direct")]
        strategy: Strategy,
        /// Show only this phase (expand or contract) of an expand-contract plan.
        #[arg(long)]
        phase: Option<Phase>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Plan against a live database, show the plan, apply it, and verify the result.
    Apply {
        /// The database to change.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        db: String,
        /// Desired state: a .sql/.yaml file or a directory.
        #[arg(long)]
        to: String,
        /// Highest risk level to run without approval: low, medium or high
        /// [default: shale.toml's [apply] allow, else medium].
        #[arg(long)]
        allow: Option<RiskLevel>,
        /// Approve one step riskier than --allow by its key, as listed under "Needs
        /// approval:" (e.g. drop:public.users.legacy). Repeatable. A key that matches no
        /// such step is an error.
        #[arg(long, value_name = "KEY")]
        approve: Vec<String>,
        /// lock_timeout for each locking step [default: shale.toml, else 5s].
        #[arg(long)]
        lock_timeout: Option<String>,
        /// Plain plan: no CONCURRENTLY indexes, no NOT VALID + VALIDATE constraints.
        #[arg(long, conflicts_with = "online")]
        no_online: bool,
        /// Online-safe plan even when shale.toml says `online = false`.
        #[arg(long)]
        online: bool,
        /// Set a policy's level, e.g. no_serial=error (repeatable; overrides shale.toml).
        #[arg(long, value_name = "NAME=LEVEL")]
        policy: Vec<String>,
        /// Show the plan and check policies and approvals, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// direct or expand-contract (see `shale plan --help`).
        #[arg(long, default_value = "direct")]
        strategy: Strategy,
        /// Apply only this phase of an expand-contract plan: expand first, then (once the
        /// application uses the new columns) contract.
        #[arg(long)]
        phase: Option<Phase>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Print a schema (usually a live database) as desired-state files.
    Inspect {
        /// A postgres:// URL (or a file or directory).
        source: String,
        /// sql, yaml or json.
        #[arg(long, default_value = "sql")]
        format: InspectFormat,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Print a shell completion script, e.g. `shale completions bash >
    /// ~/.local/share/bash-completion/completions/shale`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: shale_cli::generate::Shell,
    },
    /// Print the man page shale(1), or write one page per command into --out-dir.
    Man {
        /// Write shale.1, shale-plan.1, … into this directory instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// What to read and how (shared by plan, apply and inspect).
#[derive(clap::Args, Debug, Clone, Default)]
struct LoadArgs {
    /// Manage only this schema (repeatable; default: every non-system schema).
    #[arg(long = "schema", value_name = "NAME")]
    schemas: Vec<String>,
    /// Leave out objects whose qualified name matches this glob, e.g. 'audit.*' or
    /// 'public.tmp_*' (repeatable).
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Read SQL files through a temporary database on this server (exact; the default
    /// reads them offline with PostgreSQL's parser).
    #[arg(long, value_name = "URL")]
    dev_url: Option<String>,
    /// Also compare what is normally left out: `owners` (they differ between
    /// environments, so they are off by default).
    #[arg(long, value_name = "WHAT")]
    include: Vec<String>,
    /// Refuse to plan while either side holds objects shale does not model yet.
    #[arg(long)]
    strict_coverage: bool,
}

impl LoadArgs {
    fn options(&self) -> Result<shale_cli::LoadOptions, shale_cli::CliError> {
        let mut include_owners = false;
        for w in &self.include {
            match w.as_str() {
                "owners" => include_owners = true,
                other => {
                    return Err(shale_cli::CliError(format!(
                        "--include {other}: unknown (expected owners)"
                    )))
                }
            }
        }
        Ok(shale_cli::LoadOptions {
            schemas: self.schemas.clone(),
            exclude: self.exclude.clone(),
            dev_url: self.dev_url.clone(),
            include_owners,
            strict_coverage: self.strict_coverage,
        })
    }
}

/// Settings after the project file and the flags are combined (flags win).
struct Settings {
    config: Config,
}

impl Settings {
    fn load(explicit: Option<&std::path::Path>) -> Result<Settings, shale_cli::CliError> {
        let (config, _) = config::load(explicit, std::path::Path::new("."))?;
        Ok(Settings { config })
    }
    fn plan_options(
        &self,
        online: bool,
        no_online: bool,
        lock_timeout: Option<String>,
        strategy: Strategy,
    ) -> PlanOptions {
        PlanOptions {
            online: if no_online {
                false
            } else if online {
                true
            } else {
                self.config.plan.online.unwrap_or(true)
            },
            lock_timeout: Some(
                lock_timeout
                    .or_else(|| self.config.plan.lock_timeout.clone())
                    .unwrap_or_else(|| "5s".into()),
            ),
            strategy,
        }
    }
    fn allow(&self, flag: Option<RiskLevel>) -> RiskLevel {
        flag.or(self.config.apply.allow)
            .unwrap_or(RiskLevel::Medium)
    }
    fn policies(&self, flags: &[String]) -> Result<Policies, shale_cli::CliError> {
        let mut p = self.config.policies;
        for f in flags {
            p.set(f)
                .map_err(|e| shale_cli::CliError(format!("--policy {e}")))?;
        }
        Ok(p)
    }
}

fn main() -> ExitCode {
    shale_cli::output::exit_quietly_when_stdout_closes();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, shale_cli::CliError> {
    match cli.command {
        Command::Plan {
            from,
            to,
            format,
            no_online,
            online,
            lock_timeout,
            no_detailed_exitcode,
            fail_on,
            policy,
            no_rollback,
            rollback_out,
            strategy,
            phase,
            load,
        } => {
            let settings = Settings::load(cli.config.as_deref())?;
            let opts = settings.plan_options(online, no_online, lock_timeout, strategy);
            let policies = settings.policies(&policy)?;
            let load_opts = load.options()?;
            let (from, to) = (Source::parse(&from), Source::parse(&to));
            let mut planned = shale_cli::plan_sources_with(&from, &to, &opts, &load_opts)?;
            // Say how each side was read (offline, dev database, introspection).
            let modes = format!(
                "from: {}\nto:   {}",
                shale_cli::source::mode(&from, &load_opts),
                shale_cli::source::mode(&to, &load_opts)
            );
            match format {
                Format::Text => println!("{modes}\n"),
                Format::Sql => println!("-- {}\n", modes.replace('\n', "\n-- ")),
                Format::Json => eprintln!("{modes}"),
            }
            if let Some(phase) = phase {
                planned.plan = planned.plan.phase(phase);
            }
            let plan = &planned.plan;
            if let Some(path) = &rollback_out {
                let rb = planned.rollback(&opts)?;
                std::fs::write(path, shale_plan::render::rollback_sql(&rb, &opts)).map_err(
                    |e| shale_cli::CliError(format!("{}: cannot write: {e}", path.display())),
                )?;
            }
            let rendered = if no_rollback {
                shale_cli::render(plan, format, &opts)
            } else {
                planned.render_with_rollback(format, &opts)
            };
            let roles = &planned.roles_needed;
            match format {
                Format::Json => print!("{}", shale_cli::json_with_roles(&rendered, roles)),
                _ => print!("{rendered}"),
            }
            if format == Format::Text {
                print!(
                    "{}",
                    shale_cli::approval_block(plan, settings.allow(None), &[])
                );
                print!("{}", shale_plan::routines::unmodeled_note(plan));
                print!("{}", shale_cli::roles_text(roles));
            } else {
                eprint!("{}", shale_plan::routines::unmodeled_note(plan));
                eprint!("{}", shale_cli::roles_text(roles));
            }
            let violations = shale_cli::lint(&planned, &policies);
            eprint!("{}", shale_cli::violations_text(&violations));
            if let Some(e) = shale_cli::policy_error(&violations) {
                return Err(e);
            }
            if let Some(level) = fail_on {
                if shale_cli::fails_on(plan, level) {
                    eprintln!("plan has a step at or above the --fail-on level ({level}): exit 3");
                    return Ok(ExitCode::from(3));
                }
            }
            Ok(if plan.is_empty() || no_detailed_exitcode {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Apply {
            db,
            to,
            allow,
            approve,
            lock_timeout,
            no_online,
            online,
            policy,
            dry_run,
            strategy,
            phase,
            load,
        } => {
            let settings = Settings::load(cli.config.as_deref())?;
            let plan_opts = settings.plan_options(online, no_online, lock_timeout, strategy);
            let allow = settings.allow(allow);
            let args = shale_cli::ApplyArgs {
                db,
                to: Source::parse(&to),
                apply: shale_apply::ApplyOptions {
                    allow,
                    lock_timeout: plan_opts.lock_timeout.clone(),
                    approve,
                },
                plan: plan_opts,
                policies: settings.policies(&policy)?,
                dry_run,
                phase,
                load: load.options()?,
            };
            let outcome = shale_cli::apply(&args, &mut |plan, violations| {
                print!("{}", shale_plan::render::text(plan));
                print!(
                    "{}",
                    shale_cli::approval_block(plan, allow, &args.apply.approve)
                );
                eprint!("{}", shale_cli::violations_text(violations));
                print!("{}", shale_plan::routines::unmodeled_note(plan));
            })?;
            match outcome.report {
                Some(r) if phase == Some(Phase::Expand) => println!(
                    "\nApplied the expand phase: {} step(s) in {} batch(es). Old and new columns are kept in step; once the application uses the new ones, run again with --phase contract.",
                    r.committed.len(),
                    r.batches
                ),
                Some(r) => println!(
                    "\nApplied {} step(s) in {} batch(es); the database now matches the desired state.",
                    r.committed.len(),
                    r.batches
                ),
                None if outcome.plan.is_empty() => {}
                None => println!("\nDry run: nothing was changed."),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect {
            source,
            format,
            load,
        } => {
            print!(
                "{}",
                shale_cli::inspect_with(&Source::parse(&source), format, &load.options()?)?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            shale_cli::generate::completions(&mut Cli::command(), shell, &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir } => {
            let cmd = Cli::command();
            let fail = |e: std::io::Error| shale_cli::CliError(format!("man page: {e}"));
            match out_dir {
                Some(dir) => {
                    for p in shale_cli::generate::man_pages(&cmd, &dir).map_err(fail)? {
                        println!("{}", p.display());
                    }
                }
                None => shale_cli::generate::man(&cmd, &mut std::io::stdout()).map_err(fail)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
