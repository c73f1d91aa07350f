//! The plan as markdown for a pull-request comment: a headline with counts by action and
//! by risk, a risk table, the approvals needed with their keys, a Mermaid graph of the
//! objects touched and the dependency edges between them, every step's SQL in a
//! collapsible block with its lock, flags and mitigation, and the rollback.
//!
//! The graph stays readable for large plans: the steps on a table (its columns,
//! constraints, triggers, policies, grants) are one node per table, nodes sit in one
//! subgraph per schema, and past [`MAX_GRAPH_NODES`] nodes the rest are one "and N more"
//! node (the riskiest objects are kept).

use super::one_line;
use super::text::{action_counts, action_summary, risk_counts};
use crate::model::{Plan, RiskLevel, Step};
use crate::rollback::Rollback;
use shale_model::ObjectId;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Nodes drawn in the graph at most; the rest are counted in one "and N more" node.
pub const MAX_GRAPH_NODES: usize = 40;
/// Edges drawn at most (GitHub refuses very large diagrams).
pub const MAX_GRAPH_EDGES: usize = 120;

/// What the markdown says beyond the plan itself (by default: `--allow medium`, as
/// `shale apply`'s default).
#[derive(Debug, Clone)]
pub struct MarkdownOptions<'a> {
    /// Steps above this level are listed under "Needs approval" with their keys
    /// (`shale apply --allow`'s level).
    pub allow: RiskLevel,
    /// The rollback, shown collapsed after the steps.
    pub rollback: Option<&'a Rollback>,
    /// Warnings to list (policy violations, roles the target must have), one line each.
    pub warnings: Vec<String>,
    /// A line under the headline saying what was compared (e.g. `main → this branch`).
    pub context: Option<String>,
}

impl Default for MarkdownOptions<'_> {
    fn default() -> Self {
        MarkdownOptions {
            allow: RiskLevel::Medium,
            rollback: None,
            warnings: Vec::new(),
            context: None,
        }
    }
}

/// The markdown comment (see the module documentation).
pub fn markdown(plan: &Plan, opts: &MarkdownOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## shale plan\n");
    if let Some(c) = &opts.context {
        let _ = writeln!(out, "{}\n", inline(c));
    }
    if plan.is_empty() {
        let _ = writeln!(
            out,
            "**No changes.** The target already matches the desired schema."
        );
        warnings(&mut out, plan, opts);
        return out;
    }
    let max = plan.max_risk().unwrap_or_default();
    let risks: Vec<String> = risk_counts(plan)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| format!("{n} {l}"))
        .collect();
    let _ = writeln!(
        out,
        "**{}; highest risk: {max}** ({}; {} step{})\n",
        action_summary(plan),
        risks.join(", "),
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" }
    );
    // Counts by risk and action.
    let actions: Vec<_> = action_counts(plan)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    let _ = write!(out, "| Risk |");
    for (a, _) in &actions {
        let _ = write!(out, " {} |", a.as_str());
    }
    let _ = writeln!(out, " total |");
    let _ = writeln!(out, "|---|{}---:|", "---:|".repeat(actions.len()));
    for (level, n) in risk_counts(plan) {
        if n == 0 {
            continue;
        }
        let _ = write!(out, "| {} |", level_badge(level));
        for (a, _) in &actions {
            let c = plan
                .steps
                .iter()
                .filter(|s| s.action == *a && s.risk.level == level)
                .count();
            let _ = write!(out, " {c} |");
        }
        let _ = writeln!(out, " {n} |");
    }
    let _ = writeln!(out);
    risk_table(&mut out, plan);
    approvals(&mut out, plan, opts.allow);
    warnings(&mut out, plan, opts);
    let _ = writeln!(out, "### Objects and dependencies\n");
    let _ = writeln!(out, "```mermaid\n{}```\n", mermaid(plan));
    let _ = writeln!(out, "### Steps\n");
    for s in &plan.steps {
        step_details(&mut out, s);
    }
    if let Some(rb) = opts.rollback {
        rollback(&mut out, rb);
    }
    out
}

/// The level as shown in tables and headlines (High in bold).
fn level_badge(level: RiskLevel) -> String {
    match level {
        RiskLevel::High => "**High**".into(),
        other => other.to_string(),
    }
}

/// Text safe in a table cell or a line of markdown: one line, HTML-escaped, `|` escaped.
fn inline(s: &str) -> String {
    html(&one_line(s)).replace('|', "\\|")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `code` as inline code in a table cell: backticks around, none inside.
fn code_cell(s: &str) -> String {
    format!("<code>{}</code>", inline(s))
}

/// A fenced code block that no backtick run inside `body` can close.
fn fenced(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", body.trim_end())
}

/// The risk table: one row per step at or above Medium, then the Low steps counted (every
/// step is in the details below).
fn risk_table(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "| # | Risk | Rule | Change | Lock |");
    let _ = writeln!(out, "|---:|---|---|---|---|");
    let mut low = 0;
    for s in &plan.steps {
        if s.risk.level == RiskLevel::Low {
            low += 1;
            continue;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} {} | {} |",
            s.id,
            level_badge(s.risk.level),
            s.risk.code,
            s.action.as_str(),
            inline(&s.object.to_string()),
            s.risk.lock.as_deref().map(inline).unwrap_or_default()
        );
    }
    if low > 0 {
        let _ = writeln!(
            out,
            "| | Low | | {low} more step{} | |",
            if low == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out);
}

/// A key as one shell word.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:-/=".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn approvals(out: &mut String, plan: &Plan, allow: RiskLevel) {
    let steps: Vec<&Step> = plan.steps.iter().filter(|s| s.risk.level > allow).collect();
    if steps.is_empty() {
        let _ = writeln!(
            out,
            "No step is above `--allow {}`: no approval needed.\n",
            allow.to_string().to_lowercase()
        );
        return;
    }
    let _ = writeln!(
        out,
        "### Needs approval ({} step{} above `--allow {}`)\n",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" },
        allow.to_string().to_lowercase()
    );
    for s in &steps {
        let _ = writeln!(
            out,
            "- step {} [{}] {}: {}",
            s.id,
            s.risk.level,
            inline(&s.risk.reason),
            code_cell(&format!("--approve {}", shell_word(&s.approval_key())))
        );
    }
    let flags: Vec<String> = steps
        .iter()
        .map(|s| format!("--approve {}", shell_word(&s.approval_key())))
        .collect();
    let _ = writeln!(out, "\nAll of them: {}\n", code_cell(&flags.join(" ")));
}

fn warnings(out: &mut String, plan: &Plan, opts: &MarkdownOptions) {
    if !opts.warnings.is_empty() {
        let _ = writeln!(out, "### Warnings\n");
        for w in &opts.warnings {
            let _ = writeln!(out, "- {}", inline(w));
        }
        let _ = writeln!(out);
    }
    if !plan.unmodeled.is_empty() {
        let _ = writeln!(
            out,
            "### Not managed by shale ({})\n\nReported, never changed:\n",
            plan.unmodeled.len()
        );
        for u in &plan.unmodeled {
            let _ = writeln!(out, "- {}", inline(&u.to_string()));
        }
        let _ = writeln!(out);
    }
}

fn step_details(out: &mut String, s: &Step) {
    let _ = writeln!(
        out,
        "<details><summary><b>{}.</b> [{}] {} {} <i>({})</i></summary>\n",
        s.id,
        s.risk.level,
        s.action.as_str(),
        html(&s.object.to_string()),
        s.risk.code
    );
    out.push_str(&fenced(
        "sql",
        &format!("{};", shale_sql::mask_secrets(&s.sql)),
    ));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "- **{}** {}: {}",
        s.risk.level,
        s.risk.code,
        inline(&s.risk.reason)
    );
    if let Some(l) = &s.risk.lock {
        let _ = writeln!(out, "- lock: {}", inline(l));
    }
    let flags = flags(s);
    if !flags.is_empty() {
        let _ = writeln!(out, "- flags: {}", flags.join(", "));
    }
    if let Some(m) = &s.risk.mitigation {
        let _ = writeln!(out, "- mitigation: {}", inline(m));
    }
    if !s.depends_on.is_empty() {
        let ids: Vec<String> = s.depends_on.iter().map(|d| d.to_string()).collect();
        let _ = writeln!(out, "- after steps {}", ids.join(", "));
    }
    let _ = writeln!(out, "- approval key: {}", code_cell(&s.approval_key()));
    let _ = writeln!(out, "\n</details>\n");
}

/// The step's flags in words.
fn flags(s: &Step) -> Vec<String> {
    let mut f = Vec::new();
    if s.risk.data_loss {
        f.push("**data loss**".to_string());
    }
    if s.risk.rewrites_table {
        f.push("rewrites the table".into());
    }
    if s.risk.scans_table {
        f.push("scans the table".into());
    }
    if !s.transactional {
        f.push("runs outside a transaction".into());
    }
    if s.commit_after {
        f.push("commits right after".into());
    }
    if let Some(p) = s.phase {
        f.push(format!("phase {p}"));
    }
    f
}

fn rollback(out: &mut String, rb: &Rollback) {
    let _ = writeln!(out, "### Rollback\n");
    if rb.plan.is_empty() {
        let _ = writeln!(out, "The rollback has no steps.\n");
    } else {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            html(&super::text::headline(&rb.plan, "Rollback"))
        );
        let mut sql = String::new();
        for s in &rb.plan.steps {
            let _ = writeln!(
                sql,
                "-- {}. [{}] {}",
                s.id,
                s.risk.level,
                one_line(&s.risk.reason)
            );
            let _ = writeln!(sql, "{};", shale_sql::mask_secrets(&s.sql));
        }
        out.push_str(&fenced("sql", &sql));
        let _ = writeln!(out, "\n</details>\n");
    }
    if !rb.unrecoverable.is_empty() {
        let _ = writeln!(
            out,
            "**The rollback cannot restore** ({}); take these backups before applying:\n",
            rb.unrecoverable.len()
        );
        for u in &rb.unrecoverable {
            let step = u.step.map(|s| format!(" (step {s})")).unwrap_or_default();
            let _ = writeln!(out, "- {}{step}", inline(&u.what));
            if let Some(b) = &u.backup {
                let _ = writeln!(out, "  - back up: {}", code_cell(b));
            }
            if let Some(r) = &u.restore {
                let _ = writeln!(out, "  - restore: {}", code_cell(r));
            }
        }
        let _ = writeln!(out);
    }
}

/// The node a step's object is drawn as: a table for what lives on it, the object behind
/// a grant, the object itself otherwise.
fn node_of(o: &ObjectId) -> ObjectId {
    match o {
        ObjectId::Column { table, .. }
        | ObjectId::Constraint { table, .. }
        | ObjectId::Trigger { table, .. }
        | ObjectId::Rule { table, .. }
        | ObjectId::Policy { table, .. } => ObjectId::Table {
            name: table.clone(),
        },
        ObjectId::Privileges { on } => node_of(on),
        other => other.clone(),
    }
}

/// The schema a node is drawn in (`None`: database-wide).
fn schema_of(o: &ObjectId) -> Option<&str> {
    match o {
        ObjectId::Schema { name } => Some(name),
        ObjectId::Type { name }
        | ObjectId::Sequence { name }
        | ObjectId::Table { name }
        | ObjectId::Index { name }
        | ObjectId::View { name }
        | ObjectId::Collation { name }
        | ObjectId::ForeignTable { name }
        | ObjectId::Function { name, .. }
        | ObjectId::Statistics { name }
        | ObjectId::Aggregate { name, .. }
        | ObjectId::Operator { name, .. }
        | ObjectId::OperatorFamily { name, .. }
        | ObjectId::OperatorClass { name, .. }
        | ObjectId::TextSearchParser { name }
        | ObjectId::TextSearchTemplate { name }
        | ObjectId::TextSearchDictionary { name }
        | ObjectId::TextSearchConfiguration { name } => Some(&name.schema),
        ObjectId::Column { table, .. }
        | ObjectId::Constraint { table, .. }
        | ObjectId::Trigger { table, .. }
        | ObjectId::Rule { table, .. }
        | ObjectId::Policy { table, .. } => Some(&table.schema),
        ObjectId::Privileges { on } => schema_of(on),
        ObjectId::DefaultPrivileges { schema, .. } => schema.as_deref(),
        ObjectId::Extension { .. } | ObjectId::EventTrigger { .. } => None,
        ObjectId::Cast { .. }
        | ObjectId::Publication { .. }
        | ObjectId::Subscription { .. }
        | ObjectId::ForeignDataWrapper { .. }
        | ObjectId::ForeignServer { .. }
        | ObjectId::UserMapping { .. } => None,
    }
}

/// A node's label: its kind and name without the schema (the subgraph says it).
fn short_label(o: &ObjectId) -> String {
    let full = o.to_string();
    match schema_of(o) {
        Some(s) if !matches!(o, ObjectId::Schema { .. }) => {
            let prefix = format!("{} ", o.kind());
            let rest = full.strip_prefix(&prefix).unwrap_or(&full);
            let q = format!("{}.", shale_model::quote_ident(s));
            format!("{prefix}{}", rest.strip_prefix(&q).unwrap_or(rest))
        }
        _ => full,
    }
}

/// Text inside a Mermaid `"…"` label.
fn mermaid_text(s: &str) -> String {
    html(&one_line(s)).replace('"', "#quot;")
}

struct Node {
    object: ObjectId,
    steps: Vec<usize>,
    max: RiskLevel,
}

/// The Mermaid flowchart of the objects the plan touches (see the module documentation):
/// an edge `a --> b` when a step on `b` runs after a step on `a` it depends on.
pub fn mermaid(plan: &Plan) -> String {
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: BTreeMap<ObjectId, usize> = BTreeMap::new();
    let mut of_step: BTreeMap<usize, usize> = BTreeMap::new();
    for s in &plan.steps {
        let o = node_of(&s.object);
        let i = *index.entry(o.clone()).or_insert_with(|| {
            nodes.push(Node {
                object: o,
                steps: Vec::new(),
                max: RiskLevel::Low,
            });
            nodes.len() - 1
        });
        nodes[i].steps.push(s.id);
        nodes[i].max = nodes[i].max.max(s.risk.level);
        of_step.insert(s.id, i);
    }
    // Keep the riskiest nodes, then those touched first.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(nodes[i].max), i));
    let shown: BTreeSet<usize> = order.iter().copied().take(MAX_GRAPH_NODES).collect();
    let hidden: Vec<usize> = order.iter().copied().skip(MAX_GRAPH_NODES).collect();

    let mut out = String::from("flowchart LR\n");
    let by_id: BTreeMap<usize, &Step> = plan.steps.iter().map(|s| (s.id, s)).collect();
    let label = |n: &Node| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &n.steps {
            *counts.entry(by_id[id].action.as_str()).or_default() += 1;
        }
        let counts: Vec<String> = counts.iter().map(|(a, c)| format!("{c} {a}")).collect();
        format!(
            "{}<br/>{}",
            mermaid_text(&short_label(&n.object)),
            counts.join(", ")
        )
    };
    // Subgraphs per schema, in order of first appearance; database-wide nodes outside.
    let mut schemas: Vec<Option<String>> = Vec::new();
    for &i in &shown {
        let s = schema_of(&nodes[i].object).map(str::to_string);
        if !schemas.contains(&s) {
            schemas.push(s);
        }
    }
    for (k, schema) in schemas.iter().enumerate() {
        let members: Vec<usize> = shown
            .iter()
            .copied()
            .filter(|&i| schema_of(&nodes[i].object) == schema.as_deref())
            .collect();
        let indent = if let Some(s) = schema {
            let _ = writeln!(out, "  subgraph s{k}[\"schema {}\"]", mermaid_text(s));
            "    "
        } else {
            "  "
        };
        for i in members {
            let _ = writeln!(out, "{indent}n{i}[\"{}\"]", label(&nodes[i]));
        }
        if schema.is_some() {
            let _ = writeln!(out, "  end");
        }
    }
    if !hidden.is_empty() {
        let steps: usize = hidden.iter().map(|&i| nodes[i].steps.len()).sum();
        let _ = writeln!(
            out,
            "  more[\"and {} more object{} ({steps} step{})\"]",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" },
            if steps == 1 { "" } else { "s" }
        );
    }
    // Edges between shown nodes, deduplicated, in step order.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut dropped = 0;
    for s in &plan.steps {
        let to = of_step[&s.id];
        for d in &s.depends_on {
            let Some(&from) = of_step.get(d) else {
                continue;
            };
            if from == to || !shown.contains(&from) || !shown.contains(&to) {
                continue;
            }
            if seen.insert((from, to)) {
                if edges.len() < MAX_GRAPH_EDGES {
                    edges.push((from, to));
                } else {
                    dropped += 1;
                }
            }
        }
    }
    for (a, b) in &edges {
        let _ = writeln!(out, "  n{a} --> n{b}");
    }
    if dropped > 0 {
        let _ = writeln!(out, "  %% and {dropped} more edges");
    }
    let _ = writeln!(out, "  classDef high fill:#fdd,stroke:#c00,color:#000");
    let _ = writeln!(out, "  classDef medium fill:#fec,stroke:#c80,color:#000");
    let _ = writeln!(out, "  classDef low fill:#efe,stroke:#6a6,color:#000");
    for (level, class) in [
        (RiskLevel::High, "high"),
        (RiskLevel::Medium, "medium"),
        (RiskLevel::Low, "low"),
    ] {
        let ids: Vec<String> = shown
            .iter()
            .filter(|&&i| nodes[i].max == level)
            .map(|i| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "  class {} {class}", ids.join(","));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;
    use crate::{plan, PlanOptions};
    use shale_model::{Catalog, Schema};

    /// 50 existing tables in three schemas; each loses a column, gains one and gains an
    /// index on it: 150 steps.
    fn large() -> (Catalog, Catalog) {
        let mut from = base();
        for s in ["app", "billing"] {
            from.schemas.insert(s.into(), Schema { name: s.into() });
        }
        let schemas = ["public", "app", "billing"];
        for i in 0..50 {
            let name = qs(schemas[i % 3], &format!("t{i:02}"));
            add_table(
                &mut from,
                table(
                    name,
                    vec![nn("id", "integer"), col("legacy", "boolean")],
                    vec![pk(&format!("t{i:02}_pkey"), &["id"])],
                ),
            );
        }
        let mut to = from.clone();
        for i in 0..50 {
            let name = qs(schemas[i % 3], &format!("t{i:02}"));
            let t = to.tables.get_mut(&name).unwrap();
            t.columns.pop();
            t.columns.push(col("note", "text"));
            add_index(
                &mut to,
                index(
                    qs(schemas[i % 3], &format!("t{i:02}_note_idx")),
                    name,
                    vec![key("note")],
                ),
            );
        }
        (from, to)
    }

    #[test]
    fn a_large_plan_keeps_the_graph_readable() {
        let (from, to) = large();
        let p = plan(&from, &to, &PlanOptions::default()).unwrap();
        assert_eq!(p.steps.len(), 150);
        let graph = mermaid(&p);
        let nodes = graph
            .lines()
            .filter(|l| l.trim_start().starts_with('n') && l.contains("[\""))
            .count();
        assert_eq!(nodes, MAX_GRAPH_NODES, "{graph}");
        // 50 tables and 50 indexes: the 40 riskiest (tables: they lose a column) are drawn;
        // 10 tables (20 steps) and the 50 indexes are counted.
        assert!(
            graph.contains("more[\"and 60 more objects (70 steps)\"]"),
            "{graph}"
        );
        for s in ["public", "app", "billing"] {
            assert!(graph.contains(&format!("[\"schema {s}\"]")), "{graph}");
        }
        let md = markdown(
            &p,
            &MarkdownOptions {
                allow: RiskLevel::Medium,
                ..MarkdownOptions::default()
            },
        );
        assert_eq!(md.matches("<details>").count(), 150);
        assert_eq!(
            md.matches("--approve drop:").count(),
            50 + 50,
            "each key on its own line, then all of them in one command"
        );
        insta::assert_snapshot!(md);
    }

    #[test]
    fn code_blocks_and_cells_cannot_be_broken_out_of() {
        assert_eq!(
            fenced("sql", "SELECT '```'"),
            "````sql\nSELECT '```'\n````\n"
        );
        assert_eq!(inline("a | b <script>\nc"), "a \\| b &lt;script&gt; c");
        assert_eq!(mermaid_text("\"x\" <y>"), "#quot;x#quot; &lt;y&gt;");
        assert_eq!(shell_word("drop:public.\"A b\""), "'drop:public.\"A b\"'");
    }

    #[test]
    fn an_empty_plan_says_so() {
        let p = plan(&base(), &base(), &PlanOptions::default()).unwrap();
        let md = markdown(&p, &MarkdownOptions::default());
        assert!(md.contains("**No changes.**"), "{md}");
        assert!(!md.contains("mermaid"));
    }
}
