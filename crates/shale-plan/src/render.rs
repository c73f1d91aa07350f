//! Renderings of a [`Plan`]: text for review ([`text`], in `text.rs`), markdown for a
//! pull-request comment ([`markdown`]), a SQL script for `psql`, JSON.

mod markdown;
mod text;

pub use markdown::{markdown, MarkdownOptions};
pub use text::{
    headline, rollback_text, text, text_colored, text_with_rollback, text_with_rollback_colored,
};

use crate::model::{Plan, Step};
use crate::rollback::{Rollback, Unrecoverable};
use crate::PlanOptions;
use shale_model::quote_literal;
use std::fmt::Write;

/// One line of free text, safe inside a `--` comment.
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A script that runs as-is with `psql -v ON_ERROR_STOP=1 -f`: risks as comments,
/// transactional steps grouped in `BEGIN`/`COMMIT` (a `commit_after` step ends its group),
/// statements PostgreSQL refuses in a transaction block on their own.
pub fn sql(plan: &Plan) -> String {
    sql_with_options(plan, &PlanOptions::default())
}

/// [`sql`], with `SET lock_timeout` at the top when the options set one.
pub fn sql_with_options(plan: &Plan, opts: &PlanOptions) -> String {
    if plan.is_empty() {
        return "-- No changes.\n".into();
    }
    script(plan, opts, "plan", "")
}

/// A `psql` script of `plan` titled `-- shale <what>: …`, with `preamble` (comment lines)
/// after the title.
fn script(plan: &Plan, opts: &PlanOptions, what: &str, preamble: &str) -> String {
    let mut out = String::new();
    let n = plan.steps.len();
    let _ = writeln!(
        out,
        "-- shale {what}: {n} step{}, highest risk {}",
        if n == 1 { "" } else { "s" },
        plan.max_risk().unwrap_or_default()
    );
    out.push_str(preamble);
    if let Some(t) = &opts.lock_timeout {
        let _ = writeln!(
            out,
            "-- lock_timeout {}: a step that waits longer for a lock fails",
            one_line(t)
        );
        let _ = writeln!(out, "SET lock_timeout = {};", quote_literal(t));
    }
    let mut in_tx = false;
    for s in &plan.steps {
        if s.transactional && !in_tx {
            let _ = writeln!(out, "\nBEGIN;");
            in_tx = true;
        }
        if !s.transactional && in_tx {
            let _ = writeln!(out, "\nCOMMIT;");
            in_tx = false;
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "-- {}. [{}] {} {}",
            s.id,
            s.risk.level,
            s.risk.code,
            one_line(&s.risk.reason)
        );
        if let Some(l) = &s.risk.lock {
            let _ = writeln!(out, "--    lock: {}", one_line(l));
        }
        if let Some(m) = &s.risk.mitigation {
            let _ = writeln!(out, "--    mitigation: {}", one_line(m));
        }
        if !s.transactional {
            let _ = writeln!(out, "--    runs outside a transaction");
        }
        let _ = writeln!(out, "{};", s.sql);
        if s.commit_after && in_tx {
            let _ = writeln!(out, "\nCOMMIT;");
            in_tx = false;
        }
    }
    if in_tx {
        let _ = writeln!(out, "\nCOMMIT;");
    }
    out
}

/// The plan as pretty JSON: the `Plan` structure, with one more member in every step,
/// `approval_key` ([`crate::Step::approval_key`]), the key `shale apply --approve KEY`
/// takes for that step.
///
/// Every step carries its key, not only the steps above the default `--allow medium`:
/// which steps need approval depends on the `--allow` level `apply` runs with, which the
/// plan does not know. A CI tool selects the steps whose `risk.level` is above the level
/// it applies with and passes their `approval_key`s. The member is derived (reading the
/// JSON back as a `Plan` ignores it).
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(&JsonPlan::new(plan, None)).expect("a plan always serializes")
}

/// A step as JSON: its members as is, then `approval_key`.
#[derive(serde::Serialize)]
struct JsonStep<'a> {
    /// The step, its secrets masked (passwords in options and connection strings).
    #[serde(flatten)]
    step: std::borrow::Cow<'a, Step>,
    approval_key: String,
}

/// A plan as JSON: the members of [`Plan`] in order (a test checks none is missing), its
/// steps with `approval_key`, and the rollback when there is one.
#[derive(serde::Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    steps: Vec<JsonStep<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unmodeled: &'a [shale_model::Unmodeled],
    #[serde(skip_serializing_if = "Option::is_none")]
    rollback: Option<Box<JsonRollback<'a>>>,
}

/// A rollback as JSON: the members of [`Rollback`], its plan's steps with `approval_key`.
#[derive(serde::Serialize)]
struct JsonRollback<'a> {
    plan: JsonPlan<'a>,
    unrecoverable: &'a [Unrecoverable],
}

impl<'a> JsonPlan<'a> {
    fn new(plan: &'a Plan, rollback: Option<&'a Rollback>) -> JsonPlan<'a> {
        let Plan {
            format_version,
            steps,
            unmodeled,
        } = plan;
        JsonPlan {
            format_version: *format_version,
            steps: steps
                .iter()
                .map(|step| JsonStep {
                    step: masked(step),
                    approval_key: step.approval_key(),
                })
                .collect(),
            unmodeled,
            rollback: rollback.map(|rb| Box::new(JsonRollback::new(rb))),
        }
    }
}

impl<'a> JsonRollback<'a> {
    fn new(rb: &'a Rollback) -> JsonRollback<'a> {
        let Rollback {
            plan,
            unrecoverable,
        } = rb;
        JsonRollback {
            plan: JsonPlan::new(plan, None),
            unrecoverable,
        }
    }
}

/// What the rollback cannot restore, one item per loss, each line prefixed by `prefix`
/// (`""` for text, `"-- "` for SQL).
pub(crate) fn unrecoverable_lines(
    items: &[Unrecoverable],
    prefix: &str,
    restore_after: &str,
) -> String {
    let mut out = String::new();
    for u in items {
        let step = u
            .step
            .map(|s| format!(" (plan step {s})"))
            .unwrap_or_default();
        let _ = writeln!(out, "{prefix}  - {}{step}", one_line(&u.what));
        match &u.backup {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "{prefix}      back up before the plan: {}",
                    one_line(b)
                );
            }
            None => {
                let _ = writeln!(out, "{prefix}      no backup needed");
            }
        }
        if let Some(r) = &u.restore {
            let _ = writeln!(
                out,
                "{prefix}      restore after {restore_after}: {}",
                one_line(r)
            );
        }
    }
    out
}

/// The rollback as a `psql` script of its own (like [`sql_with_options`]), headed by what
/// it cannot restore and the backups to take before running the forward plan.
pub fn rollback_sql(rb: &Rollback, opts: &PlanOptions) -> String {
    let mut preamble = String::new();
    if !rb.unrecoverable.is_empty() {
        let _ = writeln!(
            preamble,
            "-- This rollback cannot restore ({}); take the backups BEFORE running the plan",
            rb.unrecoverable.len()
        );
        let _ = writeln!(
            preamble,
            "-- (shell commands; they use $DATABASE_URL and the current directory):"
        );
        preamble.push_str(&unrecoverable_lines(
            &rb.unrecoverable,
            "-- ",
            "this script",
        ));
    }
    if rb.plan.is_empty() {
        return format!("-- shale rollback: no changes.\n{preamble}");
    }
    script(&rb.plan, opts, "rollback", &preamble)
}

/// The rollback as pretty JSON (the [`Rollback`] structure, its steps with
/// `approval_key` as in [`json`]).
pub fn rollback_json(rb: &Rollback) -> String {
    serde_json::to_string_pretty(&JsonRollback::new(rb)).expect("a rollback always serializes")
}

/// `step` as review output shows it: its SQL with secrets masked
/// (`shale_sql::mask_secrets`). Only the SQL script (and a plan file) carry them.
pub(crate) fn masked(step: &Step) -> std::borrow::Cow<'_, Step> {
    match shale_sql::mask_secrets(&step.sql) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(step),
        std::borrow::Cow::Owned(sql) => std::borrow::Cow::Owned(Step {
            sql,
            ..step.clone()
        }),
    }
}

/// The plan as [`json`] renders it, with one more member, `rollback` (the [`Rollback`]).
pub fn json_with_rollback(plan: &Plan, rb: &Rollback) -> String {
    serde_json::to_string_pretty(&JsonPlan::new(plan, Some(rb))).expect("a plan always serializes")
}

/// Plain statements, each terminated by `;`, no comments, no transaction control (the
/// body of [`crate::create_script`]).
pub fn statements(plan: &Plan) -> String {
    let mut out = String::new();
    for s in &plan.steps {
        let _ = writeln!(out, "{};\n", s.sql);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;
    use crate::{plan, rollback};
    use shale_model::Catalog;

    /// A plan that adds a column and an index and drops a column (data loss).
    fn case() -> (Catalog, Catalog) {
        let mut from = base();
        add_table(
            &mut from,
            table(
                q("users"),
                vec![
                    nn("id", "integer"),
                    col("email", "text"),
                    col("legacy_flag", "boolean"),
                ],
                vec![pk("users_pkey", &["id"])],
            ),
        );
        let mut to = from.clone();
        let t = to.tables.get_mut(&q("users")).unwrap();
        t.columns.pop();
        t.columns.push(col("nickname", "text"));
        add_index(
            &mut to,
            index(q("users_email_idx"), q("users"), vec![key("email")]),
        );
        (from, to)
    }

    fn opts() -> PlanOptions {
        PlanOptions {
            lock_timeout: Some("5s".into()),
            ..PlanOptions::default()
        }
    }

    #[test]
    fn text_has_a_rollback_section_after_the_plan() {
        let (from, to) = case();
        let p = plan(&from, &to, &opts()).unwrap();
        let rb = rollback(&from, &to, &opts()).unwrap();
        let out = text_with_rollback(&p, &rb);
        assert!(out.starts_with(&text(&p)));
        assert!(out.contains("\nRollback: "));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn rollback_sql_is_a_script_of_its_own() {
        let (from, to) = case();
        let rb = rollback(&from, &to, &opts()).unwrap();
        let out = rollback_sql(&rb, &opts());
        assert!(out.starts_with("-- shale rollback: "));
        assert!(out.contains("SET lock_timeout = '5s';"));
        // Everything before the first statement is comments.
        let head = out.split("SET lock_timeout").next().unwrap();
        assert!(head.lines().all(|l| l.starts_with("--")), "{head}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn json_carries_the_rollback_beside_the_plan() {
        let (from, to) = case();
        let p = plan(&from, &to, &opts()).unwrap();
        let rb = rollback(&from, &to, &opts()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json_with_rollback(&p, &rb)).unwrap();
        // The plan's members are unchanged, and it still reads back as a Plan.
        let back: Plan = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, p);
        let again: Rollback = serde_json::from_value(v["rollback"].clone()).unwrap();
        assert_eq!(again, rb);
        assert_eq!(v["rollback"]["unrecoverable"][0]["kind"], "column_values");
        let alone: Rollback = serde_json::from_str(&rollback_json(&rb)).unwrap();
        assert_eq!(alone, rb);
    }

    /// Every JSON step, of the plan and of its rollback, names the key that approves it,
    /// so that a CI tool can pass `--approve` for the steps above its `--allow` level
    /// without parsing the text output.
    #[test]
    fn json_steps_carry_their_approval_keys() {
        let (from, to) = case();
        let p = plan(&from, &to, &opts()).unwrap();
        let rb = rollback(&from, &to, &opts()).unwrap();
        for out in [json(&p), json_with_rollback(&p, &rb)] {
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            let steps = v["steps"].as_array().unwrap();
            assert_eq!(steps.len(), p.steps.len());
            for (js, s) in steps.iter().zip(&p.steps) {
                assert_eq!(js["id"], s.id);
                assert_eq!(js["approval_key"], s.approval_key(), "{out}");
            }
        }
        // Apart from `approval_key`, the JSON is the structures as serde writes them (so a
        // member added to Plan, Step or Rollback cannot go missing here).
        let strip = |mut v: serde_json::Value| {
            let mut plans = vec![&mut v];
            while let Some(p) = plans.pop() {
                let m = p.as_object_mut().unwrap();
                for s in m.get_mut("steps").unwrap().as_array_mut().unwrap() {
                    assert!(s.as_object_mut().unwrap().remove("approval_key").is_some());
                }
                if let Some(rb) = m.get_mut("rollback") {
                    plans.push(rb.get_mut("plan").unwrap());
                }
            }
            v
        };
        let mut want = serde_json::to_value(&p).unwrap();
        assert_eq!(strip(serde_json::from_str(&json(&p)).unwrap()), want);
        want["rollback"] = serde_json::to_value(&rb).unwrap();
        let got = strip(serde_json::from_str(&json_with_rollback(&p, &rb)).unwrap());
        assert_eq!(got, want);
        // The dropped column is the High step: its key is the one `--approve` takes.
        let v: serde_json::Value = serde_json::from_str(&json(&p)).unwrap();
        let high: Vec<&str> = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["risk"]["level"] == "High")
            .map(|s| s["approval_key"].as_str().unwrap())
            .collect();
        assert_eq!(high, ["drop:public.users.legacy_flag"], "{v:#}");
        // The rollback's steps too, in both renderings.
        let v: serde_json::Value = serde_json::from_str(&json_with_rollback(&p, &rb)).unwrap();
        let alone: serde_json::Value = serde_json::from_str(&rollback_json(&rb)).unwrap();
        for r in [&v["rollback"], &alone] {
            let steps = r["plan"]["steps"].as_array().unwrap();
            assert!(!steps.is_empty());
            for (js, s) in steps.iter().zip(&rb.plan.steps) {
                assert_eq!(js["approval_key"], s.approval_key());
            }
        }
    }

    #[test]
    fn no_changes_no_rollback() {
        let (from, _) = case();
        let p = plan(&from, &from, &opts()).unwrap();
        let rb = rollback(&from, &from, &opts()).unwrap();
        assert!(rb.is_empty());
        assert_eq!(text_with_rollback(&p, &rb), "No changes.\n");
        assert_eq!(
            rollback_sql(&rb, &opts()),
            "-- shale rollback: no changes.\n"
        );
    }
}
