//! Progress on standard error while shale waits on a server (introspection, apply),
//! shown only when standard error is a terminal: pipes, files and CI logs get nothing.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Whether progress is drawn at all.
fn enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("SHALE_NO_PROGRESS").is_none()
}

/// A spinner saying `message` until the returned guard is dropped (nothing when
/// standard error is not a terminal).
pub fn spinner(message: String) -> Option<Spinner> {
    if !enabled() {
        return None;
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message);
    pb.enable_steady_tick(Duration::from_millis(100));
    Some(Spinner(pb))
}

/// Clears its spinner when dropped.
pub struct Spinner(ProgressBar);

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// `shale_apply::apply` drawing its progress: on a terminal a bar counting the plan's
/// steps and naming the one running (notes and failures printed above it); elsewhere, when
/// `opts.progress` asks for it, one line a step for logs ([`shale_apply::print_event`]).
#[allow(clippy::result_large_err)] // the error is shale_apply's, returned as it is
pub fn apply(
    client: &mut postgres::Client,
    plan: &shale_plan::Plan,
    opts: &shale_apply::ApplyOptions,
) -> Result<shale_apply::ApplyReport, shale_apply::ApplyError> {
    if !enabled() || plan.steps.is_empty() {
        return shale_apply::apply(client, plan, opts);
    }
    let pb = ProgressBar::new(plan.steps.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("applying [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    let result = shale_apply::apply_observed(client, plan, opts, &mut |event| match event {
        shale_apply::Event::Begin { step, done, .. } => {
            pb.set_position(done as u64);
            pb.set_message(format!(
                "step {}: {} {}",
                step.id,
                step.action.as_str(),
                step.object
            ));
        }
        shale_apply::Event::End {
            step,
            ok: false,
            took,
            ..
        } => pb.println(format!(
            "  step {}: {} {} failed after {:.2}s",
            step.id,
            step.action.as_str(),
            step.object,
            took.as_secs_f64()
        )),
        shale_apply::Event::End { .. } => pb.inc(1),
        shale_apply::Event::Note(m) => pb.println(format!("  {m}")),
    });
    pb.finish_and_clear();
    result
}
