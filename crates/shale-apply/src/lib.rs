//! Runs a plan against a live database.
//!
//! Invariants:
//! - Steps run in plan order. Consecutive transactional steps share one transaction; a step
//!   PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`) runs alone,
//!   and a step marked `commit_after` ends its transaction.
//! - Every transaction sets `lock_timeout` so a blocked step fails fast instead of queueing
//!   every other query of the application behind its lock. A step that times out names the
//!   sessions that blocked it ([`blockers`]) and, with `lock_retries`, is tried again after a
//!   growing pause (its transaction was rolled back, so nothing runs twice).
//! - Risky steps are refused before anything runs unless the caller allowed their level or
//!   approved them one by one by their approval key ([`Step::approval_key`]). An approval
//!   key that matches no step needing approval is an error too (typo protection), so an
//!   approval never silently does nothing.
//! - On failure the error says exactly which steps were committed, which were rolled back,
//!   and how to continue: re-planning from the database's state picks up where it stopped.
//!
//! Around a run: plan files and their approvals ([`planfile`]), fingerprints that name
//! drift ([`fingerprint`]), one apply at a time ([`lock`]), waiting for index builds of
//! other sessions ([`building`]) and the proof on a copy ([`prove`]).

pub mod blockers;
pub mod building;
pub mod fingerprint;
pub mod lock;
pub mod planfile;
pub mod prove;

pub use blockers::{Blocker, Connector};
use postgres::error::SqlState;
use postgres::Client;
use shale_plan::{Plan, RiskLevel, Step};
use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Highest risk level that runs without further approval.
    pub allow: RiskLevel,
    /// `lock_timeout` for every step, e.g. `5s`. `None` keeps the server's setting.
    pub lock_timeout: Option<String>,
    /// Approval keys (`drop:public.users.legacy`): steps riskier than `allow` whose key is
    /// listed run anyway. Every key must match such a step.
    pub approve: Vec<String>,
    /// How many times a batch whose lock wait timed out is tried again.
    pub lock_retries: u32,
    /// The pause before the first retry; each further retry waits twice as long (at most a
    /// minute).
    pub retry_backoff: Duration,
    /// [`apply`] prints each step on stderr as it runs, with its time and the time so far
    /// ([`print_event`]); [`apply_observed`] leaves the drawing to its caller.
    pub progress: bool,
    /// Opens a second connection that watches for sessions blocking a step, so that a lock
    /// timeout names them (`None`: the error says only that the lock was not available).
    pub watch: Option<Connector>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            allow: RiskLevel::Medium,
            lock_timeout: Some("5s".into()),
            approve: Vec::new(),
            lock_retries: 0,
            retry_backoff: Duration::from_secs(1),
            progress: false,
            watch: None,
        }
    }
}

/// What ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Ids of the steps that were committed, in order.
    pub committed: Vec<usize>,
    /// Number of transactions (or lone non-transactional statements) executed.
    pub batches: usize,
}

/// A step that is riskier than the allowed level and was not approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub id: usize,
    /// The object as a reviewer reads it (`column public.users.legacy`).
    pub object: String,
    pub level: RiskLevel,
    /// The key that approves it (`drop:public.users.legacy`).
    pub key: String,
}

#[derive(Debug)]
pub enum ApplyError {
    /// Nothing ran: some steps are above the allowed risk level and not approved.
    Refused {
        allow: RiskLevel,
        steps: Vec<Refusal>,
    },
    /// Nothing ran: approval keys that match no step needing approval (a typo, or a step
    /// that is not in this plan). `valid` lists the keys that would be accepted.
    UnknownApproval {
        unknown: Vec<String>,
        valid: Vec<String>,
        allow: RiskLevel,
    },
    /// A bad option value; nothing ran.
    Invalid(String),
    /// A step failed. Steps in `committed` are in the database; the failed step's
    /// transaction (`rolled_back`) was rolled back.
    Failed {
        step: usize,
        sql: String,
        error: String,
        committed: Vec<usize>,
        rolled_back: Vec<usize>,
        non_transactional: bool,
        /// Sessions seen blocking the step while it waited for its lock.
        blockers: Box<[Blocker]>,
        /// How many times the failing batch was tried (more than 1 with `lock_retries`).
        attempts: u32,
    },
}

/// `key` as a shell word: as is when it holds only safe characters, else single-quoted.
pub fn shell_word(key: &str) -> String {
    let safe = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/,=+@%".contains(c));
    if safe {
        key.to_string()
    } else {
        format!("'{}'", key.replace('\'', "'\\''"))
    }
}

/// The command-line flag that approves `key`, ready to paste into a shell.
pub fn approve_flag(key: &str) -> String {
    format!("--approve {}", shell_word(key))
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Refused { allow, steps } => {
                writeln!(
                    f,
                    "refusing to apply: {} step(s) are riskier than the allowed level ({allow}) and not approved; nothing was changed:",
                    steps.len()
                )?;
                for r in steps {
                    writeln!(
                        f,
                        "  step {}: [{}] {}  (approve with {})",
                        r.id,
                        r.level,
                        r.object,
                        approve_flag(&r.key)
                    )?;
                }
                let keys: BTreeSet<&str> = steps.iter().map(|r| r.key.as_str()).collect();
                write!(
                    f,
                    "review them, take a backup, then re-run with {} (each step by its key) or --allow {} (every step)",
                    keys.iter()
                        .map(|k| approve_flag(k))
                        .collect::<Vec<_>>()
                        .join(" "),
                    steps
                        .iter()
                        .map(|s| s.level)
                        .max()
                        .unwrap_or(RiskLevel::High)
                        .to_string()
                        .to_lowercase()
                )
            }
            ApplyError::UnknownApproval {
                unknown,
                valid,
                allow,
            } => {
                write!(
                    f,
                    "unknown approval key{} {}: no step of this plan that needs approval has {}; nothing was changed",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if unknown.len() == 1 { "this key" } else { "these keys" },
                )?;
                if valid.is_empty() {
                    write!(
                        f,
                        "\n  no step is riskier than the allowed level ({allow}): nothing needs approval"
                    )?;
                } else {
                    write!(f, "\n  valid keys:")?;
                    for k in valid {
                        write!(f, "\n    {k}")?;
                    }
                }
                write!(
                    f,
                    "\n  (a step that already ran, e.g. before an apply that failed later, is no longer in the plan: drop its --approve)"
                )
            }
            ApplyError::Invalid(m) => write!(f, "{m}"),
            ApplyError::Failed {
                step,
                sql,
                error,
                committed,
                rolled_back,
                non_transactional,
                blockers,
                attempts,
            } => {
                writeln!(f, "step {step} failed: {error}")?;
                // The statement as a reviewer may see it: passwords masked.
                writeln!(f, "  statement: {}", shale_sql::mask_secrets(sql))?;
                for b in blockers.iter() {
                    writeln!(f, "  blocked by {b}")?;
                }
                if *attempts > 1 {
                    writeln!(f, "  tried {attempts} times (--lock-retries)")?;
                }
                if committed.is_empty() {
                    writeln!(f, "  no step was committed: the database is unchanged")?;
                } else {
                    writeln!(
                        f,
                        "  committed before the failure (now in the database): steps {}",
                        list(committed)
                    )?;
                }
                if !rolled_back.is_empty() {
                    writeln!(
                        f,
                        "  rolled back with the failing transaction: steps {}",
                        list(rolled_back)
                    )?;
                }
                if *non_transactional {
                    writeln!(
                        f,
                        "  the failed statement ran outside a transaction; a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind, which the next plan drops and rebuilds"
                    )?;
                }
                write!(
                    f,
                    "  to continue: fix the cause and run the same `shale apply` again; it re-plans from the database's current state, so committed steps are not repeated"
                )
            }
        }
    }
}

impl std::error::Error for ApplyError {}

fn list(ids: &[usize]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The steps riskier than `allow`: those that need `--allow` or an approval key.
pub fn needs_approval(plan: &Plan, allow: RiskLevel) -> Vec<&Step> {
    plan.steps.iter().filter(|s| s.risk.level > allow).collect()
}

/// Refuses steps whose risk is above `allow` (no approvals).
pub fn check_allowed(plan: &Plan, allow: RiskLevel) -> Result<(), ApplyError> {
    check_approved(plan, allow, &[])
}

/// Refuses steps whose risk is above `allow` unless their approval key is in `approve`;
/// refuses approval keys that match no such step (typo protection).
pub fn check_approved(plan: &Plan, allow: RiskLevel, approve: &[String]) -> Result<(), ApplyError> {
    let risky = needs_approval(plan, allow);
    let valid: BTreeSet<String> = risky.iter().map(|s| s.approval_key()).collect();
    let mut unknown: Vec<String> = Vec::new();
    for k in approve {
        if !valid.contains(k.as_str()) && !unknown.contains(k) {
            unknown.push(k.clone());
        }
    }
    if !unknown.is_empty() {
        return Err(ApplyError::UnknownApproval {
            unknown,
            valid: valid.into_iter().collect(),
            allow,
        });
    }
    let steps: Vec<Refusal> = risky
        .iter()
        .filter(|s| !approve.contains(&s.approval_key()))
        .map(|s| Refusal {
            id: s.id,
            object: s.object.to_string(),
            level: s.risk.level,
            key: s.approval_key(),
        })
        .collect();
    if steps.is_empty() {
        Ok(())
    } else {
        Err(ApplyError::Refused { allow, steps })
    }
}

/// Split the plan into batches: each batch is one transaction, or one lone
/// non-transactional statement.
pub fn batches(plan: &Plan) -> Vec<Vec<&Step>> {
    let mut out: Vec<Vec<&Step>> = Vec::new();
    let mut cur: Vec<&Step> = Vec::new();
    for s in &plan.steps {
        if !s.transactional {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(vec![s]);
            continue;
        }
        cur.push(s);
        if s.commit_after {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn valid_timeout(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
}

/// What [`apply_observed`] reports while it runs. The caller draws it: [`print_event`]
/// writes lines for logs; the CLI draws a bar on a terminal.
#[derive(Debug)]
pub enum Event<'a> {
    /// `step` starts; `done` of `total` steps are committed or done in its transaction.
    Begin {
        step: &'a Step,
        done: usize,
        total: usize,
    },
    /// `step` ended (`ok` or failed) after `took`; `elapsed` since the apply began.
    End {
        step: &'a Step,
        ok: bool,
        took: Duration,
        elapsed: Duration,
    },
    /// A lock-timeout retry, a committed transaction.
    Note(String),
}

/// An event as one line (or the start and end of one) on stderr: the step-by-step log
/// that [`ApplyOptions::progress`] turns on for [`apply`].
pub fn print_event(event: &Event<'_>) {
    match event {
        Event::Begin { step, done, total } => eprint!(
            "  [{}/{total}] step {}: {} {} … ",
            done + 1,
            step.id,
            step.action.as_str(),
            step.object
        ),
        Event::End {
            ok, took, elapsed, ..
        } => eprintln!(
            "{} in {:.2}s (elapsed {:.2}s)",
            if *ok { "done" } else { "failed" },
            took.as_secs_f64(),
            elapsed.as_secs_f64()
        ),
        Event::Note(m) => eprintln!("  {m}"),
    }
}

/// Counts steps and reports them to the caller's observer.
struct Progress<'o> {
    observer: &'o mut dyn FnMut(Event<'_>),
    total: usize,
    done: usize,
    started: Instant,
}

impl Progress<'_> {
    fn begin(&mut self, step: &Step) -> Instant {
        (self.observer)(Event::Begin {
            step,
            done: self.done,
            total: self.total,
        });
        Instant::now()
    }
    fn end(&mut self, step: &Step, began: Instant, ok: bool) {
        if ok {
            self.done += 1;
        }
        (self.observer)(Event::End {
            step,
            ok,
            took: began.elapsed(),
            elapsed: self.started.elapsed(),
        });
    }
    fn note(&mut self, m: String) {
        (self.observer)(Event::Note(m));
    }
}

/// A failed statement: the step, the message, the SQLSTATE.
type StepError<'a> = (&'a Step, String, Option<SqlState>);

/// Run `plan` on the database `client` is connected to.
pub fn apply(
    client: &mut Client,
    plan: &Plan,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let progress = opts.progress;
    apply_observed(client, plan, opts, &mut |e| {
        if progress {
            print_event(&e)
        }
    })
}

/// [`apply`], reporting each step's start and end, and each note, to `observer` (which
/// draws them; `opts.progress` is not looked at).
pub fn apply_observed(
    client: &mut Client,
    plan: &Plan,
    opts: &ApplyOptions,
    observer: &mut dyn FnMut(Event<'_>),
) -> Result<ApplyReport, ApplyError> {
    check_approved(plan, opts.allow, &opts.approve)?;
    let timeout_sql = match &opts.lock_timeout {
        Some(t) if !valid_timeout(t) => {
            return Err(ApplyError::Invalid(format!(
                "invalid lock timeout `{t}` (expected e.g. 5s, 500ms, 1min)"
            )))
        }
        Some(t) => Some(shale_model::quote_literal(t.trim())),
        None => None,
    };
    let watcher = opts.watch.as_ref().and_then(blockers::Watcher::start);
    let pid: Option<i32> = match &watcher {
        Some(_) => client
            .query_one("SELECT pg_backend_pid()", &[])
            .ok()
            .map(|r| r.get(0)),
        None => None,
    };
    let mut progress = Progress {
        observer,
        total: plan.steps.len(),
        done: 0,
        started: Instant::now(),
    };
    let mut report = ApplyReport::default();
    for batch in batches(plan) {
        let lone = batch.len() == 1 && !batch[0].transactional;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            if let (Some(w), Some(pid)) = (&watcher, pid) {
                w.watch(pid);
            }
            let result = if lone {
                run_lone(client, batch[0], timeout_sql.as_deref(), &mut progress)
            } else {
                run_transaction(client, &batch, timeout_sql.as_deref(), &mut progress)
            };
            let blockers = match (&watcher, pid) {
                (Some(w), Some(_)) => w.stop(),
                _ => Vec::new(),
            };
            let Err((step, error, code)) = result else {
                break;
            };
            let timed_out = code == Some(SqlState::LOCK_NOT_AVAILABLE);
            if timed_out && attempts <= opts.lock_retries && retryable(client, &batch, lone) {
                let delay = opts
                    .retry_backoff
                    .saturating_mul(1 << (attempts - 1).min(16))
                    .min(Duration::from_secs(60));
                progress.note(format!(
                    "lock timeout on step {}{}; retry {attempts}/{} in {:.1}s",
                    step.id,
                    match blockers.first() {
                        Some(b) => format!(" (blocked by pid {})", b.pid),
                        None => String::new(),
                    },
                    opts.lock_retries,
                    delay.as_secs_f64()
                ));
                std::thread::sleep(delay);
                continue;
            }
            return Err(ApplyError::Failed {
                step: step.id,
                sql: step.sql.clone(),
                error,
                committed: report.committed,
                rolled_back: if lone {
                    Vec::new()
                } else {
                    batch.iter().map(|s| s.id).collect()
                },
                non_transactional: lone,
                blockers: blockers.into_boxed_slice(),
                attempts,
            });
        }
        if !lone {
            progress.note(format!(
                "committed step{} {}",
                if batch.len() == 1 { "" } else { "s" },
                list(&batch.iter().map(|s| s.id).collect::<Vec<_>>())
            ));
        }
        report.batches += 1;
        report.committed.extend(batch.iter().map(|s| s.id));
    }
    Ok(report)
}

/// Whether a batch whose lock wait timed out can run again as it is: a transaction was
/// rolled back whole; a lone `CREATE INDEX CONCURRENTLY` only if it left no index behind.
fn retryable(client: &mut Client, batch: &[&Step], lone: bool) -> bool {
    if !lone {
        return true;
    }
    match (&batch[0].object, batch[0].action) {
        (shale_model::ObjectId::Index { name }, shale_plan::Action::Create) => client
            .query_one("SELECT to_regclass($1) IS NULL", &[&name.to_string()])
            .map(|r| r.get::<_, bool>(0))
            .unwrap_or(false),
        _ => true,
    }
}

pub(crate) fn db_error(e: postgres::Error) -> String {
    // The server's message with SQLSTATE, detail and hint (or the client-side cause).
    let mut m = shale_connect::describe(&e);
    if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
        m.push_str(
            " — another session holds a conflicting lock; retry when it is released, raise --lock-timeout, or retry automatically with --lock-retries N",
        );
    }
    shale_sql::mask_secrets(&m).into_owned()
}

fn step_error(step: &Step, e: postgres::Error) -> StepError<'_> {
    let code = e.code().cloned();
    (step, db_error(e), code)
}

fn run_lone<'a>(
    client: &mut Client,
    step: &'a Step,
    timeout: Option<&str>,
    progress: &mut Progress<'_>,
) -> Result<(), StepError<'a>> {
    if let Some(t) = timeout {
        client
            .batch_execute(&format!("SET lock_timeout = {t}"))
            .map_err(|e| step_error(step, e))?;
    }
    let began = progress.begin(step);
    let r = client
        .batch_execute(&step.sql)
        .map_err(|e| step_error(step, e));
    progress.end(step, began, r.is_ok());
    if timeout.is_some() {
        let _ = client.batch_execute("RESET lock_timeout");
    }
    r
}

fn run_transaction<'a>(
    client: &mut Client,
    batch: &[&'a Step],
    timeout: Option<&str>,
    progress: &mut Progress<'_>,
) -> Result<(), StepError<'a>> {
    let first = batch[0];
    let mut tx = client.transaction().map_err(|e| step_error(first, e))?;
    if let Some(t) = timeout {
        tx.batch_execute(&format!("SET LOCAL lock_timeout = {t}"))
            .map_err(|e| step_error(first, e))?;
    }
    let done_before = progress.done;
    for step in batch {
        let began = progress.begin(step);
        if let Err(e) = tx.batch_execute(&step.sql) {
            progress.end(step, began, false);
            // The whole transaction is rolled back: its steps are not done.
            progress.done = done_before;
            let err = step_error(step, e);
            let _ = tx.rollback();
            return Err(err);
        }
        progress.end(step, began, true);
    }
    tx.commit().map_err(|e| {
        progress.done = done_before;
        step_error(batch[batch.len() - 1], e)
    })
}
