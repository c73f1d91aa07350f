//! What `shale plan` prints for review, per format: the plan (text, SQL, JSON or
//! markdown), how each side was read, the approvals needed, what shale does not manage,
//! the roles the target needs and the policy warnings — on stdout where the format can
//! hold them, on stderr otherwise, so stdout stays a valid script, JSON document or
//! comment.

use crate::{
    approval_block, ignored_statements, ignored_text, render, roles_text, violations_text, Format,
    Planned,
};
use shale_lint::Violation;
use shale_plan::{PlanOptions, RiskLevel};

/// How to render.
pub struct Review<'a> {
    pub format: Format,
    pub opts: &'a PlanOptions,
    /// Leave out the rollback.
    pub no_rollback: bool,
    /// `apply`'s `--allow` level: the steps above it need approval.
    pub allow: RiskLevel,
    pub violations: &'a [Violation],
    /// How each side was read (`from: …\nto:   …`).
    pub modes: &'a str,
    /// ANSI colors in the text format.
    pub color: bool,
}

/// The two streams' text.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

/// `--color`: when the text plan is colored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (or `CLICOLOR=0`); `CLICOLOR_FORCE` forces it.
    #[default]
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for ColorChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(ColorChoice::Auto),
            "always" => Ok(ColorChoice::Always),
            "never" => Ok(ColorChoice::Never),
            _ => Err(format!(
                "unknown color choice `{s}` (expected auto, always or never)"
            )),
        }
    }
}

impl ColorChoice {
    /// Whether to color what goes to stdout. `auto` asks `anstream`, which follows the
    /// NO_COLOR / CLICOLOR / CLICOLOR_FORCE conventions and checks for a terminal.
    pub fn on_stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }
}

/// The plan's output in `r.format`.
pub fn plan_output(planned: &Planned, r: &Review) -> Output {
    let mut out = Output::default();
    let plan = &planned.plan;
    let roles = &planned.roles_needed;
    let ignored = ignored_statements(&planned.current, &planned.desired);
    match r.format {
        Format::Text => out.stdout.push_str(&format!("{}\n\n", r.modes)),
        Format::Sql => out
            .stdout
            .push_str(&format!("-- {}\n\n", r.modes.replace('\n', "\n-- "))),
        Format::Json | Format::Markdown => out.stderr.push_str(&format!("{}\n", r.modes)),
    }
    let rollback = if r.no_rollback || plan.is_empty() {
        None
    } else {
        Some(planned.rollback(r.opts))
    };
    match r.format {
        Format::Text => {
            out.stdout.push_str(&match &rollback {
                Some(Ok(rb)) => shale_plan::render::text_with_rollback_colored(plan, rb, r.color),
                Some(Err(e)) => format!(
                    "{}\nRollback: {e}\n",
                    shale_plan::render::text_colored(plan, r.color)
                ),
                None => shale_plan::render::text_colored(plan, r.color),
            });
            out.stdout.push_str(&approval_block(plan, r.allow, &[]));
            out.stdout
                .push_str(&shale_plan::routines::unmodeled_note(plan));
            out.stdout.push_str(&roles_text(roles));
            out.stdout.push_str(&ignored_text(&ignored));
        }
        Format::Markdown => {
            let mut warnings: Vec<String> = r
                .violations
                .iter()
                .map(|v| {
                    let level = if v.is_error() { "error" } else { "warning" };
                    format!("{level}[{}]: {} (help: {})", v.code, v.message, v.fix)
                })
                .collect();
            warnings.extend(shale_plan::security::roles_note(roles));
            warnings.extend(
                ignored
                    .iter()
                    .map(|st| format!("not schema, not run (ignored statement): {st}")),
            );
            if let Some(Err(e)) = &rollback {
                warnings.push(format!("Rollback: {e}"));
            }
            let md = shale_plan::render::MarkdownOptions {
                allow: r.allow,
                rollback: rollback.as_ref().and_then(|r| r.as_ref().ok()),
                warnings,
                context: Some(r.modes.replace("\nto:   ", " → to: ")),
            };
            out.stdout
                .push_str(&shale_plan::render::markdown(plan, &md));
        }
        Format::Json | Format::Sql => {
            let rendered = if r.no_rollback {
                render(plan, r.format, r.opts)
            } else {
                planned.render_with_rollback(r.format, r.opts)
            };
            if r.format == Format::Json {
                out.stdout
                    .push_str(&crate::json::with_extras(&rendered, planned, r.violations));
            } else {
                out.stdout.push_str(&rendered);
            }
            out.stderr
                .push_str(&shale_plan::routines::unmodeled_note(plan));
            out.stderr.push_str(&roles_text(roles));
            if r.format == Format::Sql {
                out.stderr.push_str(&ignored_text(&ignored));
            }
        }
    }
    out.stderr.push_str(&violations_text(r.violations));
    out
}
