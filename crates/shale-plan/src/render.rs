//! Renderings of a [`Plan`]: text for review, a SQL script for `psql`, JSON.

use crate::model::{Plan, RiskLevel, Step};
use crate::PlanOptions;
use shale_model::{quote_literal, ObjectId};
use std::fmt::Write;

/// One line of free text, safe inside a `--` comment.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The object a step is grouped under for review: a table for its columns and
/// constraints, the object itself otherwise.
fn group_of(o: &ObjectId) -> ObjectId {
    match o {
        ObjectId::Column { table, .. } | ObjectId::Constraint { table, .. } => ObjectId::Table {
            name: table.clone(),
        },
        other => other.clone(),
    }
}

/// Human review: steps grouped per object (in order of their first step), each with its
/// SQL, risk, lock and mitigation; then a summary of steps per risk level.
pub fn text(plan: &Plan) -> String {
    if plan.is_empty() {
        return "No changes.\n".into();
    }
    let mut groups: Vec<(ObjectId, Vec<&Step>)> = Vec::new();
    for s in &plan.steps {
        let g = group_of(&s.object);
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, v)) => v.push(s),
            None => groups.push((g, vec![s])),
        }
    }
    let mut out = String::new();
    let n = plan.steps.len();
    let _ = writeln!(
        out,
        "Plan: {n} step{} (highest risk: {})",
        if n == 1 { "" } else { "s" },
        plan.max_risk().unwrap_or_default()
    );
    for (g, steps) in &groups {
        let _ = writeln!(out, "\n{g}");
        for s in steps {
            let mut lines = s.sql.lines();
            let _ = writeln!(out, "  {:>3}. {}", s.id, lines.next().unwrap_or(""));
            for l in lines {
                let _ = writeln!(out, "       {l}");
            }
            let _ = writeln!(
                out,
                "       [{}] {} {}",
                s.risk.level,
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
        }
    }
    let count = |l: RiskLevel| plan.steps.iter().filter(|s| s.risk.level == l).count();
    let _ = writeln!(out, "\nSummary:");
    let _ = writeln!(out, "  {:<8} {:>5}", "Risk", "Steps");
    for l in [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low] {
        let _ = writeln!(out, "  {:<8} {:>5}", l.to_string(), count(l));
    }
    let _ = writeln!(out, "  {:<8} {:>5}", "Total", n);
    out
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
    let mut out = String::new();
    let n = plan.steps.len();
    let _ = writeln!(
        out,
        "-- shale plan: {n} step{}, highest risk {}",
        if n == 1 { "" } else { "s" },
        plan.max_risk().unwrap_or_default()
    );
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

/// The plan as pretty JSON (the `Plan` structure as is).
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("a plan always serializes")
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
