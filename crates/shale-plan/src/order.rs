//! Orders draft steps with a dependency graph (petgraph): one node per step, an edge
//! `a → b` when `a` must run before `b`. Kahn's algorithm with a priority (the step's rank,
//! then its position in the diff) gives a stable order; what cannot be ordered is a true
//! cycle, reported with the objects on it.

use crate::build::Draft;
use crate::model::{Action, Step};
use crate::Phase;
use crate::PlanError;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use shale_model::{ObjectId, QualName};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

pub fn order(drafts: Vec<Draft>) -> Result<Vec<Step>, PlanError> {
    let n = drafts.len();
    // Sized up front: growing a map re-hashes every key (a large share of the time on
    // 10,000-table plans).
    let total = |f: fn(&Draft) -> usize| drafts.iter().map(f).sum::<usize>();
    let mut creators: HashMap<&ObjectId, Vec<usize>> =
        HashMap::with_capacity(total(|d| d.creates.len()));
    let mut removers: HashMap<&ObjectId, Vec<usize>> =
        HashMap::with_capacity(total(|d| d.removes.len()));
    let mut releasers: HashMap<&ObjectId, Vec<usize>> =
        HashMap::with_capacity(total(|d| d.releases.len()));
    let mut name_creators: HashMap<&QualName, Vec<usize>> =
        HashMap::with_capacity(total(|d| d.names_created.len()));
    let mut by_object: HashMap<&ObjectId, Vec<usize>> = HashMap::with_capacity(n);
    for (i, d) in drafts.iter().enumerate() {
        if d.action != Action::Drop {
            for o in &d.creates {
                creators.entry(o).or_default().push(i);
            }
        }
        for o in &d.removes {
            removers.entry(o).or_default().push(i);
        }
        for o in &d.releases {
            releasers.entry(o).or_default().push(i);
        }
        for q in &d.names_created {
            name_creators.entry(q).or_default().push(i);
        }
        by_object.entry(&d.object).or_default().push(i);
    }

    // Collected, then sorted and deduplicated: the same edges in the same order as a
    // set, without a tree insert per edge.
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut edge = |a: usize, b: usize| {
        if a != b {
            edges.push((a, b));
        }
    };
    for (s, d) in drafts.iter().enumerate() {
        // Creates and alters run after whatever creates or alters what they need.
        for need in &d.needs {
            for &t in creators.get(need).into_iter().flatten() {
                edge(t, s);
            }
        }
        // A drop runs after the steps that stop depending on what it removes.
        for r in &d.removes {
            for &t in releasers.get(r).into_iter().flatten() {
                edge(t, s);
            }
        }
        // A drop of a name runs before a create of the same name; except a rename that
        // moves away what an earlier rename named so (a hinted rename, then the rename
        // aside of a conversion): renames run in the order they were planned.
        for q in &d.names_removed {
            for &t in name_creators.get(q).into_iter().flatten() {
                let earlier_rename =
                    t < s && d.action == Action::Rename && drafts[t].action == Action::Rename;
                if !earlier_rename {
                    edge(s, t);
                }
            }
        }
        for o in &d.after_drops_of {
            for &t in removers.get(o).into_iter().flatten() {
                edge(t, s);
            }
        }
        // Explicit chains (a rename after the one before, the steps of an online SET NOT
        // NULL).
        for &t in &d.after {
            edge(t, s);
        }
    }
    // Steps on the same object keep the order the diff gave them (drop before re-create,
    // type change before the default that needs it, comment last).
    for steps in by_object.values() {
        for w in steps.windows(2) {
            edge(w[0], w[1]);
        }
    }

    edges.sort_unstable();
    edges.dedup();
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(n, edges.len());
    let nodes: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
    for &(a, b) in &edges {
        g.add_edge(nodes[a], nodes[b], ());
    }

    // Kahn's algorithm, smallest (phase, rank, diff position) first: every step of the
    // expand phase runs before the contract phase.
    let phase = |i: usize| u8::from(drafts[i].phase == Some(Phase::Contract));
    let mut expand_left = (0..n).filter(|&i| phase(i) == 0).count();
    let mut indegree: Vec<usize> = (0..n)
        .map(|i| g.neighbors_directed(nodes[i], Direction::Incoming).count())
        .collect();
    let mut ready: BinaryHeap<Reverse<(u8, u8, usize)>> = (0..n)
        .filter(|&i| indegree[i] == 0)
        .map(|i| Reverse((phase(i), drafts[i].rank, i)))
        .collect();
    let mut sequence = Vec::with_capacity(n);
    while let Some(Reverse((p, _, i))) = ready.pop() {
        if p == 1 && expand_left > 0 {
            // An expand step waits for a contract step.
            break;
        }
        if p == 0 {
            expand_left -= 1;
        }
        sequence.push(i);
        for e in g.edges_directed(nodes[i], Direction::Outgoing) {
            let j = g[e.target()];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((phase(j), drafts[j].rank, j)));
            }
        }
    }
    if sequence.len() < n {
        return Err(cycle_error(&g, &drafts, &sequence));
    }
    let neighbours = |i: usize, dir: Direction| -> Vec<usize> {
        g.neighbors_directed(nodes[i], dir).map(|x| g[x]).collect()
    };
    let split = crate::transactions::keep_recreates_together(
        &mut sequence,
        &drafts,
        &|i| neighbours(i, Direction::Incoming),
        &|i| neighbours(i, Direction::Outgoing),
    );

    let mut position = vec![0usize; n];
    for (pos, &i) in sequence.iter().enumerate() {
        position[i] = pos + 1;
    }
    let mut drafts = drafts;
    for (drop, between, create) in split {
        let claim = crate::transactions::split_claim(position[between], position[create]);
        let reason = &mut drafts[drop].risk.reason;
        *reason = reason.replace(crate::transactions::CLAIM, &claim);
    }
    let mut drafts: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let mut steps = Vec::with_capacity(n);
    for &i in &sequence {
        let mut depends_on: Vec<usize> = g
            .neighbors_directed(nodes[i], Direction::Incoming)
            .map(|p| position[g[p]])
            .collect();
        depends_on.sort_unstable();
        depends_on.dedup();
        let d = drafts[i].take().expect("each step is placed once");
        steps.push(Step {
            id: position[i],
            object: d.object,
            action: d.action,
            sql: d.sql,
            risk: d.risk,
            transactional: d.transactional,
            commit_after: d.commit_after,
            depends_on,
            phase: d.phase,
        });
    }
    Ok(steps)
}

/// The objects of a strongly connected component among the steps Kahn could not place.
fn cycle_error(g: &DiGraph<usize, ()>, drafts: &[Draft], placed: &[usize]) -> PlanError {
    let placed: BTreeSet<usize> = placed.iter().copied().collect();
    let mut rest = g.clone();
    rest.retain_nodes(|gr, ix| !placed.contains(&gr[ix]));
    let mut objects: BTreeSet<ObjectId> = BTreeSet::new();
    for scc in tarjan_scc(&rest) {
        let cyclic = scc.len() > 1 || rest.contains_edge(scc[0], scc[0]);
        if cyclic {
            objects.extend(scc.iter().map(|&ix| drafts[rest[ix]].object.clone()));
            break;
        }
    }
    if objects.is_empty() {
        // Unreachable in practice: a stall always has a cycle. Name what is left.
        objects.extend(
            rest.node_indices()
                .map(|ix| drafts[rest[ix]].object.clone()),
        );
    }
    PlanError::Cycle {
        objects: objects.into_iter().collect(),
    }
}
