//! The plan as text for review: a headline counting what is created, altered and dropped,
//! the steps in execution order (an object heading over each run of steps on one object),
//! then a summary per risk level. Optionally colored: risk levels as ANSI styles
//! (`anstyle`), which the CLI's output stream strips where color is off.

use super::{one_line, unrecoverable_lines};
use crate::model::{Action, Plan, RiskLevel, Step};
use crate::rollback::Rollback;
use anstyle::{AnsiColor, Style};
use shale_model::ObjectId;
use std::fmt::Write;

/// The object a step is shown under: a table for its columns and constraints, the object
/// itself otherwise.
pub(crate) fn group_of(o: &ObjectId) -> ObjectId {
    match o {
        ObjectId::Column { table, .. } | ObjectId::Constraint { table, .. } => ObjectId::Table {
            name: table.clone(),
        },
        other => other.clone(),
    }
}

/// The style a risk level is shown in.
pub(crate) fn risk_style(level: RiskLevel) -> Style {
    match level {
        RiskLevel::High => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        RiskLevel::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        RiskLevel::Low => Style::new().fg_color(Some(AnsiColor::Green.into())),
    }
}

/// `text` in `style`, or as is when `color` is off.
fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// The number of steps per action, in a fixed order (create, alter, drop, rename,
/// validate, comment).
pub(crate) fn action_counts(plan: &Plan) -> Vec<(Action, usize)> {
    [
        Action::Create,
        Action::Alter,
        Action::Drop,
        Action::Rename,
        Action::Validate,
        Action::Comment,
    ]
    .into_iter()
    .map(|a| (a, plan.steps.iter().filter(|s| s.action == a).count()))
    .collect()
}

/// The number of steps per risk level, highest first.
pub(crate) fn risk_counts(plan: &Plan) -> Vec<(RiskLevel, usize)> {
    [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low]
        .into_iter()
        .map(|l| (l, plan.steps.iter().filter(|s| s.risk.level == l).count()))
        .collect()
}

/// `3 to create, 2 to alter, 1 to drop` (create, alter and drop always; rename, validate
/// and comment when there are any).
pub(crate) fn action_summary(plan: &Plan) -> String {
    action_counts(plan)
        .into_iter()
        .filter(|(a, n)| *n > 0 || matches!(a, Action::Create | Action::Alter | Action::Drop))
        .map(|(a, n)| format!("{n} to {}", a.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The headline of a plan: `Plan: 3 to create, 2 to alter, 1 to drop; highest risk: High`
/// (`title` in place of `Plan`), or `Plan: no changes`.
pub fn headline(plan: &Plan, title: &str) -> String {
    match plan.max_risk() {
        None => format!("{title}: no changes"),
        Some(max) => format!("{title}: {}; highest risk: {max}", action_summary(plan)),
    }
}

/// Human review, without color: see [`text_colored`].
pub fn text(plan: &Plan) -> String {
    text_colored(plan, false)
}

/// Human review: the headline, the steps in execution order (an object heading before
/// each run of steps on one object; a table heads its columns and constraints), each with
/// its SQL, risk, lock and mitigation, then a summary of steps per risk level. With
/// `color`, risk levels and headings carry ANSI styles.
pub fn text_colored(plan: &Plan, color: bool) -> String {
    if plan.is_empty() {
        return "No changes.\n".into();
    }
    steps_text(plan, "Plan", color)
}

fn steps_text(plan: &Plan, title: &str, color: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let max = plan.max_risk().unwrap_or_default();
    let _ = writeln!(
        out,
        "{}{}",
        paint(
            color,
            bold,
            &format!("{title}: {}; highest risk: ", action_summary(plan))
        ),
        paint(color, risk_style(max), &max.to_string())
    );
    let mut last: Option<ObjectId> = None;
    for s in &plan.steps {
        let g = group_of(&s.object);
        if last.as_ref() != Some(&g) {
            let _ = writeln!(out, "\n{}", paint(color, bold, &g.to_string()));
            last = Some(g);
        }
        step_text(&mut out, s, color);
    }
    let _ = writeln!(out, "\nSummary:");
    let _ = writeln!(out, "  {:<8} {:>5}", "Risk", "Steps");
    for (l, count) in risk_counts(plan) {
        let label = format!("{:<8}", l.to_string());
        let label = if count > 0 {
            paint(color, risk_style(l), &label)
        } else {
            label
        };
        let _ = writeln!(out, "  {label} {count:>5}");
    }
    let _ = writeln!(out, "  {:<8} {:>5}", "Total", plan.steps.len());
    out
}

fn step_text(out: &mut String, s: &Step, color: bool) {
    // Review output never shows a secret (the SQL script carries them).
    let sql = shale_sql::mask_secrets(&s.sql);
    let mut lines = sql.lines();
    let _ = writeln!(out, "  {:>3}. {}", s.id, lines.next().unwrap_or(""));
    for l in lines {
        let _ = writeln!(out, "       {l}");
    }
    let _ = writeln!(
        out,
        "       {} {} {}",
        paint(
            color,
            risk_style(s.risk.level),
            &format!("[{}]", s.risk.level)
        ),
        s.risk.code,
        one_line(&s.risk.reason)
    );
    if let Some(l) = &s.risk.lock {
        let _ = writeln!(out, "       lock: {}", one_line(l));
    }
    if let Some(m) = &s.risk.mitigation {
        let _ = writeln!(out, "       mitigation: {}", one_line(m));
    }
    if !s.transactional {
        let _ = writeln!(out, "       runs outside a transaction");
    }
    if s.commit_after {
        let _ = writeln!(out, "       commits right after");
    }
    if let Some(p) = s.phase {
        let _ = writeln!(out, "       phase: {p} (apply with --phase {p})");
    }
}

/// The "Rollback" section of the text rendering: the rollback plan as [`text`] shows a
/// plan, then what it cannot restore with the backup to take first.
pub fn rollback_text(rb: &Rollback) -> String {
    rollback_text_colored(rb, false)
}

fn rollback_text_colored(rb: &Rollback, color: bool) -> String {
    let mut out = if rb.plan.is_empty() {
        "Rollback: no changes.\n".to_string()
    } else {
        steps_text(&rb.plan, "Rollback", color)
    };
    if !rb.unrecoverable.is_empty() {
        let _ = writeln!(
            out,
            "\nThe rollback cannot restore ({}); commands use $DATABASE_URL and the current directory:",
            rb.unrecoverable.len()
        );
        out.push_str(&unrecoverable_lines(&rb.unrecoverable, "", "the rollback"));
    }
    out
}

/// [`text`] of the plan followed by its "Rollback" section ([`rollback_text`]); just
/// "No changes." for an empty plan.
pub fn text_with_rollback(plan: &Plan, rb: &Rollback) -> String {
    text_with_rollback_colored(plan, rb, false)
}

/// [`text_with_rollback`], colored as [`text_colored`] colors.
pub fn text_with_rollback_colored(plan: &Plan, rb: &Rollback, color: bool) -> String {
    let mut out = text_colored(plan, color);
    if plan.is_empty() {
        return out;
    }
    out.push('\n');
    out.push_str(&rollback_text_colored(rb, color));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;
    use crate::{plan, PlanOptions};

    #[test]
    fn steps_run_in_execution_order_under_object_headings() {
        let mut from = base();
        add_table(
            &mut from,
            table(
                q("users"),
                vec![nn("id", "integer"), col("legacy", "boolean")],
                vec![pk("users_pkey", &["id"])],
            ),
        );
        let mut to = from.clone();
        let users = to.tables.get_mut(&q("users")).unwrap();
        users.columns.pop();
        users.columns.push(col("email", "text"));
        add_index(
            &mut to,
            index(q("users_email_idx"), q("users"), vec![key("email")]),
        );
        let p = plan(&from, &to, &PlanOptions::default()).unwrap();
        let out = text(&p);
        // Step numbers appear in order.
        let ids: Vec<usize> = out
            .lines()
            .filter_map(|l| l.trim_start().split_once(". "))
            .filter_map(|(n, _)| n.parse().ok())
            .collect();
        assert_eq!(ids, (1..=p.steps.len()).collect::<Vec<_>>(), "{out}");
        assert!(
            out.starts_with("Plan: 2 to create, 0 to alter, 1 to drop; highest risk: High\n"),
            "{out}"
        );
        assert!(!out.contains('\u{1b}'), "no color unless asked");
        let colored = text_colored(&p, true);
        assert!(colored.contains("\u{1b}[1m\u{1b}[31m[High]"), "{colored:?}");
        // Without the escapes, the colored text is the plain text.
        assert_eq!(strip_ansi(&colored), out);
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn an_empty_plan_has_no_counts() {
        let p = Plan {
            format_version: 1,
            steps: vec![],
            unmodeled: vec![],
        };
        assert_eq!(headline(&p, "Plan"), "Plan: no changes");
        assert_eq!(text(&p), "No changes.\n");
    }
}
