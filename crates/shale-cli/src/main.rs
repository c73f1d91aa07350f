use clap::{Parser, Subcommand};
use shale_cli::{Format, InspectFormat, Source};
use shale_plan::{PlanOptions, RiskLevel};
use std::process::ExitCode;

/// Declarative schema-as-code for PostgreSQL: plan safe, ordered, risk-annotated changes
/// from the schema you want to the schema you have.
#[derive(Parser)]
#[command(name = "shale", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the plan that turns --from into --to.
    ///
    /// Exit codes: 0 no changes, 2 changes planned, 1 error (as Terraform's
    /// -detailed-exitcode; --no-detailed-exitcode makes a successful plan exit 0).
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
        #[arg(long)]
        no_online: bool,
        /// lock_timeout for each locking step, e.g. 5s.
        #[arg(long, default_value = "5s")]
        lock_timeout: String,
        /// Exit 0 when the plan succeeds, whether or not it has changes.
        #[arg(long)]
        no_detailed_exitcode: bool,
    },
    /// Plan against a live database, show the plan, apply it, and verify the result.
    Apply {
        /// The database to change.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        db: String,
        /// Desired state: a .sql/.yaml file or a directory.
        #[arg(long)]
        to: String,
        /// Highest risk level to run without refusing: low, medium (default) or high.
        #[arg(long, default_value = "medium")]
        allow: RiskLevel,
        #[arg(long, default_value = "5s")]
        lock_timeout: String,
        #[arg(long)]
        no_online: bool,
        /// Show the plan and check approvals, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a schema (usually a live database) as desired-state files.
    Inspect {
        /// A postgres:// URL (or a file or directory).
        source: String,
        /// sql, yaml or json.
        #[arg(long, default_value = "sql")]
        format: InspectFormat,
    },
}

fn main() -> ExitCode {
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
            lock_timeout,
            no_detailed_exitcode,
        } => {
            let opts = PlanOptions {
                online: !no_online,
                lock_timeout: Some(lock_timeout),
            };
            let plan = shale_cli::make_plan(&Source::parse(&from), &Source::parse(&to), &opts)?;
            print!("{}", shale_cli::render(&plan, format));
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
            lock_timeout,
            no_online,
            dry_run,
        } => {
            let args = shale_cli::ApplyArgs {
                db,
                to: Source::parse(&to),
                plan: PlanOptions {
                    online: !no_online,
                    lock_timeout: Some(lock_timeout.clone()),
                },
                apply: shale_apply::ApplyOptions {
                    allow,
                    lock_timeout: Some(lock_timeout),
                },
                dry_run,
            };
            let outcome = shale_cli::apply(&args, &mut |plan| {
                print!("{}", shale_plan::render::text(plan));
            })?;
            match outcome.report {
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
        Command::Inspect { source, format } => {
            print!("{}", shale_cli::inspect(&Source::parse(&source), format)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
