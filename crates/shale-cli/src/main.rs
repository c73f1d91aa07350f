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
    /// Color risk levels in text output: auto (on a terminal, unless NO_COLOR is set),
    /// always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    color: shale_cli::review::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the plan that turns --from into --to.
    ///
    /// Exit codes: 0 no changes, 2 changes planned, 3 a step is at or above the --fail-on
    /// level, 1 error (usage errors and a policy at level error included). As Terraform's
    /// -detailed-exitcode; --no-detailed-exitcode makes a successful plan exit 0 (exit 3
    /// still applies).
    Plan {
        /// Current state: a postgres:// URL, a .sql/.yaml file, a directory, or `empty`.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        from: String,
        /// Desired state: a .sql/.yaml file, a directory, a postgres:// URL, or `empty`.
        #[arg(long)]
        to: String,
        /// text (for review), sql (a psql script), json (the plan as data, docs/JSON.md)
        /// or markdown (a pull-request comment).
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
        /// Also write the plan as a plan file for `shale apply --plan FILE` (JSON: the
        /// fingerprints of both states, the options, every step, the rollback; see
        /// docs/APPLY.md).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Plan against a live database (or take a reviewed plan file), show the plan, ask,
    /// prove it on a copy, apply it, and verify the result.
    ///
    /// Exit codes: 0 applied (or nothing to do, or a dry run), 1 anything else: an error,
    /// a refusal (drift, approvals, a tampered plan file, another apply running), or not
    /// confirmed. See docs/APPLY.md.
    Apply {
        /// The database to change.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        db: String,
        /// Desired state: a .sql/.yaml file or a directory.
        #[arg(long, required_unless_present = "plan", conflicts_with = "plan")]
        to: Option<String>,
        /// Run exactly the steps of this plan file (`shale plan … --out FILE`); refused
        /// when the database no longer matches the state it was planned from.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Do not ask for confirmation (needed without a terminal, unless --plan is given).
        #[arg(long, short = 'y')]
        yes: bool,
        /// How long to wait for another apply on the same database, and for index builds
        /// of other sessions, e.g. 30s, 500ms, 2min.
        #[arg(long, default_value = "30s", value_parser = parse_wait)]
        wait: std::time::Duration,
        /// Prove the plan on a temporary copy of the current schema first, and fail when
        /// there is no scratch server (the default proves whenever one is at hand:
        /// --dev-url, or this server when the role may create databases).
        #[arg(long, conflicts_with = "no_prove")]
        prove: bool,
        /// Skip the proof on a copy.
        #[arg(long)]
        no_prove: bool,
        /// Retry a step whose lock wait timed out up to N times, pausing 1s, 2s, 4s, ….
        #[arg(long, value_name = "N", default_value_t = 0)]
        lock_retries: u32,
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
        #[arg(long, conflicts_with_all = ["online", "plan"])]
        no_online: bool,
        /// Online-safe plan even when shale.toml says `online = false`.
        #[arg(long, conflicts_with = "plan")]
        online: bool,
        /// Set a policy's level, e.g. no_serial=error (repeatable; overrides shale.toml).
        #[arg(long, value_name = "NAME=LEVEL", conflicts_with = "plan")]
        policy: Vec<String>,
        /// Show the plan and check policies and approvals, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// direct or expand-contract (see `shale plan --help`).
        #[arg(long, default_value = "direct", conflicts_with = "plan")]
        strategy: Strategy,
        /// Apply only this phase of an expand-contract plan: expand first, then (once the
        /// application uses the new columns) contract.
        #[arg(long, conflicts_with = "plan")]
        phase: Option<Phase>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Record approvals of risky steps in a plan file (`shale apply --plan FILE` then runs
    /// them without --approve). An approval holds for the file's content as it is: a file
    /// edited afterwards is refused.
    Approve {
        /// The plan file.
        file: PathBuf,
        /// Approval keys, as listed under "Needs approval:".
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
    /// Write the plan from --from to --to as the next versioned migration in --dir
    /// (drizzle's migrator, or any runner of SQL files). See docs/GENERATE.md.
    Generate {
        /// Current state: what the migrations so far produce (a git:REF:PATH, files, a
        /// postgres:// URL, or `empty`).
        #[arg(long)]
        from: String,
        /// Desired state.
        #[arg(long)]
        to: String,
        /// The migrations folder.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// The migration's name: NNNN_NAME.sql.
        #[arg(long)]
        name: String,
        /// drizzle (breakpoints and meta/_journal.json; no CONCURRENTLY) or plain (a psql
        /// script).
        #[arg(long, default_value = "plain")]
        style: shale_cli::generate::Style,
        /// Plain plan: no CONCURRENTLY indexes, no NOT VALID + VALIDATE constraints.
        #[arg(long)]
        no_online: bool,
        /// lock_timeout for each locking step [default: shale.toml, else 5s].
        #[arg(long)]
        lock_timeout: Option<String>,
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
        shell: shale_cli::manpages::Shell,
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
            empty_tables: Default::default(),
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
    // Exit 2 means "changes planned": a usage error (clap's default exit code is 2) must
    // not read as drift in a CI gate, so every error exits 1 (`--help`/`--version` 0).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
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
            out,
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
            let violations = shale_cli::lint(&planned, &policies);
            let rendered = shale_cli::review::plan_output(
                &planned,
                &shale_cli::review::Review {
                    format,
                    opts: &opts,
                    no_rollback,
                    allow: settings.allow(None),
                    violations: &violations,
                    modes: &modes,
                    color: cli.color.on_stdout(),
                },
            );
            print!("{}", rendered.stdout);
            if format == Format::Text {
                if let (Source::Database(url), false) = (&from, plan.is_empty()) {
                    print!("\n{}", shale_cli::deploy::proof_note(url, &load_opts));
                }
            }
            eprint!("{}", rendered.stderr);
            if let Source::Database(url) = &from {
                eprint!("{}", shale_cli::deploy::builds_note(url));
            }
            if let Some(e) = shale_cli::policy_error(&violations) {
                return Err(e);
            }
            if let Some(path) = &out {
                let file =
                    shale_cli::deploy::plan_file(&planned, plan, &from, &opts, phase, &load_opts);
                file.write(path)
                    .map_err(|e| shale_cli::CliError(e.to_string()))?;
                eprintln!(
                    "plan file written to {} ({} step(s), digest {}); apply it with `shale apply --plan {}`",
                    path.display(),
                    plan.steps.len(),
                    file.digest,
                    path.display()
                );
                if !file.from_database {
                    eprintln!("note: this plan starts from files, not a database: `apply --plan` refuses a database that differs from them in anything shale compares");
                }
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
            plan: plan_path,
            yes,
            wait,
            prove,
            no_prove,
            lock_retries,
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
            use std::io::IsTerminal;
            let interactive = std::io::stdin().is_terminal();
            if !dry_run && !yes && !interactive && plan_path.is_none() {
                return Err(shale_cli::CliError(
                    "without a terminal, `shale apply` needs --yes (or a reviewed plan file: --plan FILE); nothing was changed".into(),
                ));
            }
            let settings = Settings::load(cli.config.as_deref())?;
            let flag_timeout = lock_timeout.clone();
            let plan_opts = settings.plan_options(online, no_online, lock_timeout, strategy);
            let allow = settings.allow(allow);
            let guards = shale_cli::deploy::Guards {
                wait,
                prove: if prove {
                    shale_cli::deploy::Prove::On
                } else if no_prove {
                    shale_cli::deploy::Prove::Off
                } else {
                    shale_cli::deploy::Prove::Auto
                },
            };
            let apply_opts = shale_apply::ApplyOptions {
                allow,
                lock_timeout: plan_opts.lock_timeout.clone(),
                approve: approve.clone(),
                lock_retries,
                progress: true,
                ..Default::default()
            };
            let db_shown = shale_cli::redact(&db);
            let mut confirm = |plan: &shale_plan::Plan| {
                if yes || !interactive {
                    return true;
                }
                confirm_on_terminal(plan, &db_shown)
            };
            let mut show = |plan: &shale_plan::Plan, violations: &[shale_lint::Violation]| {
                print!("{}", shale_plan::render::text(plan));
                print!("{}", shale_cli::approval_block(plan, allow, &approve));
                eprint!("{}", shale_cli::violations_text(violations));
                print!("{}", shale_plan::routines::unmodeled_note(plan));
            };
            let hooks = shale_cli::deploy::Hooks {
                show: &mut show,
                confirm: &mut confirm,
            };
            let outcome = match (&plan_path, to) {
                (Some(path), _) => {
                    let file_args = shale_cli::deploy::FileApply {
                        db,
                        apply: shale_apply::ApplyOptions {
                            // The file's lock timeout unless the flag or shale.toml sets one.
                            lock_timeout: flag_timeout
                                .or_else(|| settings.config.plan.lock_timeout.clone()),
                            ..apply_opts
                        },
                        dry_run,
                        dev_url: load.dev_url.clone(),
                    };
                    shale_cli::deploy::apply_file(path, &file_args, &guards, hooks)?
                }
                (None, Some(to)) => {
                    let args = shale_cli::ApplyArgs {
                        db,
                        to: Source::parse(&to),
                        apply: apply_opts,
                        plan: plan_opts,
                        policies: settings.policies(&policy)?,
                        dry_run,
                        phase,
                        load: load.options()?,
                    };
                    shale_cli::deploy::apply_with(&args, &guards, hooks)?
                }
                (None, None) => unreachable!("clap requires --to or --plan"),
            };
            print!(
                "{}",
                shale_cli::ignored_text(&outcome.ignored.iter().collect::<Vec<_>>())
            );
            match outcome.report {
                Some(r) if outcome.expand_phase => println!(
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
        Command::Approve { file, keys } => {
            let added = shale_cli::deploy::approve(&file, &keys)?;
            println!(
                "{}: approved {}",
                file.display(),
                if added.is_empty() {
                    "nothing new (already approved)".to_string()
                } else {
                    added.join(", ")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            from,
            to,
            dir,
            name,
            style,
            no_online,
            lock_timeout,
            load,
        } => {
            let settings = Settings::load(cli.config.as_deref())?;
            let opts = settings.plan_options(false, no_online, lock_timeout, Strategy::Direct);
            let generated = shale_cli::generate::run(
                &Source::parse(&from),
                &Source::parse(&to),
                &opts,
                &load.options()?,
                &dir,
                &name,
                style,
            )?;
            match generated {
                None => println!("No changes: nothing written."),
                Some(g) => {
                    for w in &g.warnings {
                        eprintln!("{w}");
                    }
                    println!("wrote {}", g.file.display());
                }
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
            shale_cli::manpages::completions(&mut Cli::command(), shell, &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out_dir } => {
            let cmd = Cli::command();
            let fail = |e: std::io::Error| shale_cli::CliError(format!("man page: {e}"));
            match out_dir {
                Some(dir) => {
                    for p in shale_cli::manpages::man_pages(&cmd, &dir).map_err(fail)? {
                        println!("{}", p.display());
                    }
                }
                None => shale_cli::manpages::man(&cmd, &mut std::io::stdout()).map_err(fail)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `--wait` values: a number of seconds, or a number with a unit (ms, s, min).
fn parse_wait(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    let n: u64 = t[..digits]
        .parse()
        .map_err(|_| format!("`{s}`: expected e.g. 30s, 500ms or 2min"))?;
    match t[digits..].trim() {
        "" | "s" => Ok(std::time::Duration::from_secs(n)),
        "ms" => Ok(std::time::Duration::from_millis(n)),
        "min" => Ok(std::time::Duration::from_secs(n * 60)),
        other => Err(format!(
            "`{s}`: unknown unit `{other}` (expected ms, s or min)"
        )),
    }
}

/// Asks on the terminal whether to apply `plan`; true only for `yes`.
fn confirm_on_terminal(plan: &shale_plan::Plan, db: &str) -> bool {
    use std::io::Write;
    print!(
        "\nApply these {} step(s) to {db}? Only `yes` goes on: ",
        plan.steps.len()
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    answer.trim() == "yes"
}
