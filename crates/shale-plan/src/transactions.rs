//! Re-created objects stay in one transaction.
//!
//! An object that the plan drops and creates again (a view whose columns change, a function
//! whose return type changes, what depends on them) is missing between the two steps.
//! `apply` runs consecutive transactional steps in one transaction, so other sessions never
//! see it missing — unless a step between the drop and the re-create ends the transaction:
//! a step that runs outside a transaction (`CREATE INDEX CONCURRENTLY`) or one that commits
//! right after (`ALTER TYPE … ADD VALUE`). If such a step then failed, the object would
//! stay dropped.
//!
//! [`keep_recreates_together`] takes the dependency order and moves every such step out of
//! the span from the drop to the re-create: after the span when nothing in it needs the
//! step, else before it when the step needs nothing in it; else the span shrinks (the
//! re-create moves before the step, or the drop after it) where dependencies allow. A
//! step that stays inside anyway, and the drop step's reason says so instead of promising
//! "never".

use crate::build::Draft;
use crate::model::Action;
use std::collections::HashMap;

/// A step that ends the transaction it is in (or runs in none).
fn breaks_transaction(d: &Draft) -> bool {
    !d.transactional || d.commit_after
}

/// Positions (in `sequence`) of the drop→re-create spans, merged where they overlap. Both
/// ends must be transactional steps of the same phase (an index dropped and built again
/// `CONCURRENTLY` is missing in between whatever the order).
fn spans(sequence: &[usize], drafts: &[Draft]) -> Vec<(usize, usize)> {
    let mut dropped_at: HashMap<&shale_model::ObjectId, usize> = HashMap::new();
    // A table renamed aside and dropped later (a plain ↔ partitioned conversion, see
    // conversions.rs): the new table is created and filled in between.
    let mut aside_at: HashMap<&shale_model::QualName, usize> = HashMap::new();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (p, &i) in sequence.iter().enumerate() {
        let d = &drafts[i];
        match (&d.action, &d.object) {
            (Action::Rename, shale_model::ObjectId::Table { .. }) if d.transactional => {
                for q in &d.names_created {
                    aside_at.entry(q).or_insert(p);
                }
            }
            (Action::Drop, shale_model::ObjectId::Table { name }) if d.transactional => {
                if let Some(s) = aside_at.remove(name) {
                    if drafts[sequence[s]].phase == d.phase {
                        out.push((s, p));
                    }
                }
            }
            _ => {}
        }
        match d.action {
            Action::Drop if d.transactional => {
                dropped_at.entry(&d.object).or_insert(p);
            }
            Action::Create if d.transactional => {
                if let Some(s) = dropped_at.remove(&d.object) {
                    if drafts[sequence[s]].phase == d.phase {
                        out.push((s, p));
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in out {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Reorder `sequence` (draft indexes in a dependency order) so that no drop→re-create span
/// holds a step that ends the transaction, where the dependencies (`preds`/`succs`, by
/// draft index) allow it. Returns the spans that still hold one, as (drop, breaking step,
/// re-create) draft indexes.
pub(crate) fn keep_recreates_together(
    sequence: &mut Vec<usize>,
    drafts: &[Draft],
    preds: &dyn Fn(usize) -> Vec<usize>,
    succs: &dyn Fn(usize) -> Vec<usize>,
) -> Vec<(usize, usize, usize)> {
    if !drafts.iter().any(breaks_transaction) {
        return Vec::new();
    }
    let mut stuck: Vec<usize> = Vec::new();
    // Each move keeps the dependency order, but moves on overlapping spans can undo each
    // other: a budget of moves bounds the search (what is left is reported as stuck).
    let mut budget = 4 * sequence.len() + 16;
    loop {
        if budget == 0 {
            break;
        }
        budget -= 1;
        let position: HashMap<usize, usize> =
            sequence.iter().enumerate().map(|(p, &i)| (i, p)).collect();
        let mut moved = false;
        'spans: for (s, e) in spans(sequence, drafts) {
            // The re-create at the end may commit after itself: the span is complete.
            for p in s + 1..e {
                let x = sequence[p];
                if !breaks_transaction(&drafts[x]) || stuck.contains(&x) {
                    continue;
                }
                let after_ok = succs(x).iter().all(|j| position[j] > e);
                let before_ok = preds(x).iter().all(|j| position[j] < s);
                if after_ok {
                    sequence.remove(p);
                    sequence.insert(e, x);
                } else if before_ok {
                    sequence.remove(p);
                    sequence.insert(s, x);
                } else if preds(sequence[e]).iter().all(|j| position[j] < p) {
                    // The re-create needs nothing from `x` on: it moves before `x`.
                    let create = sequence.remove(e);
                    sequence.insert(p, create);
                } else if succs(sequence[s]).iter().all(|j| position[j] > p) {
                    // Nothing up to `x` needs the drop: it moves after `x`.
                    let drop = sequence.remove(s);
                    sequence.insert(p, drop);
                } else {
                    stuck.push(x);
                    continue;
                }
                moved = true;
                break 'spans;
            }
        }
        if !moved {
            break;
        }
    }
    // What could not be moved, with the span it breaks.
    let mut out = Vec::new();
    for (s, e) in spans(sequence, drafts) {
        for &x in &sequence[s + 1..e] {
            if breaks_transaction(&drafts[x]) {
                out.push((sequence[s], x, sequence[e]));
            }
        }
    }
    out
}

/// The promise the drop step of a re-create makes (rules SH132, SH139).
pub(crate) const CLAIM: &str =
    "(for other sessions: never: the drop, the re-create and every step between run in one transaction)";

/// What replaces [`CLAIM`] when step `between` (a plan id) must stay in the span.
pub(crate) fn split_claim(between: usize, create: usize) -> String {
    format!(
        "(for other sessions: until the transaction of step {create} commits, because step {between} between them must end its transaction and its dependencies keep it there)"
    )
}

#[cfg(test)]
mod tests {
    use crate::build::Draft;
    use crate::model::Action;
    use crate::{plan, PlanOptions, Risk, RiskLevel};
    use shale_model::{ObjectId, QualName};

    fn cat(sql: &str) -> shale_model::Catalog {
        shale_sql::parse_sources(&[shale_sql::SourceFile {
            path: "t.sql".into(),
            text: sql.into(),
        }])
        .unwrap()
    }

    /// The plan's steps as (first words of the SQL, transactional).
    fn steps(from: &str, to: &str) -> Vec<(String, bool)> {
        let p = plan(&cat(from), &cat(to), &PlanOptions::default()).unwrap();
        p.steps
            .iter()
            .map(|s| {
                let words: Vec<&str> = s.sql.split_whitespace().take(4).collect();
                (words.join(" "), s.transactional)
            })
            .collect()
    }

    /// No step between a drop and its re-create ends the transaction.
    fn together(steps: &[(String, bool)], drop: &str, create: &str) {
        let d = steps.iter().position(|(s, _)| s.starts_with(drop)).unwrap();
        let c = steps
            .iter()
            .position(|(s, _)| s.starts_with(create))
            .unwrap();
        assert!(d < c, "{steps:?}");
        assert!(steps[d..=c].iter().all(|(_, tx)| *tx), "{steps:?}");
    }

    #[test]
    fn a_concurrent_index_leaves_the_view_recreate_span() {
        let cur = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);
                   CREATE VIEW v AS SELECT id, a, b FROM t;
                   CREATE VIEW w AS SELECT id, a FROM v;";
        let des = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);
                   CREATE INDEX t_b_idx ON t (b);
                   CREATE INDEX t_a_idx ON t (a);
                   CREATE VIEW v AS SELECT id, a FROM t;
                   CREATE VIEW w AS SELECT id, a FROM v;";
        let s = steps(cur, des);
        assert!(
            s.iter()
                .any(|(sql, tx)| sql.starts_with("CREATE INDEX CONCURRENTLY") && !tx),
            "{s:?}"
        );
        together(&s, "DROP VIEW public.w", "CREATE VIEW public.w");
        together(&s, "DROP VIEW public.v", "CREATE VIEW public.v");
    }

    fn draft(sql: &str, action: Action, tx: bool) -> Draft {
        let object = ObjectId::View {
            name: QualName::new("public", sql),
        };
        let risk = Risk {
            level: RiskLevel::Low,
            code: "SH000".into(),
            reason: format!("r {}", super::CLAIM),
            mitigation: None,
            lock: None,
            rewrites_table: false,
            scans_table: false,
            data_loss: false,
        };
        let mut d = Draft::new(object, action, sql.into(), risk, 0);
        d.transactional = tx;
        d
    }

    /// drop v, x, create v; x ends its transaction; `edges` (a, b): a before b.
    fn arrange(x: Draft, edges: &[(usize, usize)]) -> (Vec<usize>, usize) {
        let mut drafts = vec![
            draft("v", Action::Drop, true),
            x,
            draft("v", Action::Create, true),
        ];
        drafts[0].object = drafts[2].object.clone();
        let mut seq = vec![0, 1, 2];
        let preds = |i: usize| edges.iter().filter(|e| e.1 == i).map(|e| e.0).collect();
        let succs = |i: usize| edges.iter().filter(|e| e.0 == i).map(|e| e.1).collect();
        let stuck = super::keep_recreates_together(&mut seq, &drafts, &preds, &succs);
        (seq, stuck.len())
    }

    #[test]
    fn a_step_ending_the_transaction_moves_out_where_dependencies_allow() {
        let conc = || draft("idx", Action::Create, false);
        let mut commit = draft("enum", Action::Alter, true);
        commit.commit_after = true;
        // Free: after the span.
        assert_eq!(arrange(conc(), &[]), (vec![0, 2, 1], 0));
        // Needed by the re-create: before the span.
        assert_eq!(arrange(commit.clone(), &[(1, 2)]), (vec![1, 0, 2], 0));
        // Needs the drop and is needed by the re-create: stays, reported.
        assert_eq!(arrange(conc(), &[(0, 1), (1, 2)]), (vec![0, 1, 2], 1));
    }

    #[test]
    fn a_pinned_step_replaces_the_claim_in_the_drop_reason() {
        let s = super::split_claim(2, 3);
        assert!(!s.contains("never") && s.contains("step 2") && s.contains("step 3"));
    }
}
