//! Order independence. Desired-state files are declarative: a table may reference one that
//! a later file (or a later line) creates, as the alphabetical order of a directory often
//! has it. Before anything is applied, every statement of every file is read and its
//! references are collected: relations and types (one namespace in PostgreSQL), functions
//! and schemas, named anywhere in its parse tree, and what it creates. The statements then
//! run in file order, except that one naming an object a *later* statement creates waits
//! until that statement has run (a stable topological order: the earliest ready statement
//! first, so a set of files already in order runs exactly as written and implicit names
//! come out as PostgreSQL would give them). A true cycle is an error naming every member
//! with file:line:column; an object no statement creates is left to the statement that
//! needs it, which reports it as before.

use pg_query::protobuf::{self, ObjectType};
use pg_query::NodeEnum;
use std::collections::{BTreeMap, BTreeSet};

#[path = "tree_names.rs"]
mod tree_names;

use super::text_search::Kind as TsKind;

/// A name a statement creates or references.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    /// A relation or a type (they share `pg_type`'s namespace), schema-qualified.
    Rel(String, String),
    Func(String, String),
    Schema(String),
    /// A text search parser, template, dictionary or configuration.
    Ts(TsKind, String, String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use shale_model::quote_ident as q;
        match self {
            Key::Rel(s, n) => write!(f, "{}.{}", q(s), q(n)),
            Key::Func(s, n) => write!(f, "function {}.{}", q(s), q(n)),
            Key::Schema(s) => write!(f, "schema {}", q(s)),
            Key::Ts(k, s, n) => write!(f, "{} {}.{}", k.name(), q(s), q(n)),
        }
    }
}

/// A name as written: schema (if any) and name.
type Written = (Option<String>, String);

/// What one statement creates and names.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    creates_rel: Vec<Written>,
    creates_func: Vec<Written>,
    creates_schema: Vec<String>,
    creates_extension: bool,
    rels: Vec<Written>,
    funcs: Vec<Written>,
    schemas: Vec<String>,
    /// Types named that may come from an extension (not qualified with `pg_catalog`).
    types: Vec<Written>,
    /// Relations a `CREATE TABLE … (LIKE source)` copies: it waits for every statement
    /// that changes them (`likes`), so it copies the source as the desired state has it.
    likes: Vec<Written>,
    /// The relation this statement changes (`ALTER TABLE`, `CREATE INDEX`, `COMMENT ON`
    /// a column, constraint or index of it).
    changes: Vec<Written>,
    /// The text search object a `CREATE TEXT SEARCH …` creates.
    creates_ts: Vec<(TsKind, Written)>,
    /// Text search objects named: by text search DDL, and configurations in a
    /// `'cfg'::regconfig` constant or the first argument of `to_tsvector('cfg', …)` & co.
    ts: Vec<(TsKind, Written)>,
    /// The configuration an `ALTER TEXT SEARCH CONFIGURATION` changes (its mappings).
    maps_ts: Vec<Written>,
    /// The configuration a `CREATE TEXT SEARCH CONFIGURATION … (COPY = …)` copies: it
    /// waits for every statement mapping it, so it copies it as the desired state has it.
    copies_ts: Vec<Written>,
}

fn written(names: &[String]) -> Option<Written> {
    match names {
        [n] => Some((None, n.clone())),
        [.., s, n] => Some((Some(s.clone()), n.clone())),
        [] => None,
    }
}

fn rv_written(rv: Option<&protobuf::RangeVar>) -> Option<Written> {
    let rv = rv?;
    Some((
        (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone()),
        rv.relname.clone(),
    ))
}

fn node_strings(nodes: &[protobuf::Node]) -> Vec<String> {
    super::strings(nodes)
}

impl Refs {
    /// What `n` creates and names.
    pub(crate) fn of(n: &NodeEnum) -> Refs {
        let mut r = Refs::default();
        match n {
            NodeEnum::CreateStmt(s) => {
                r.creates_rel.extend(rv_written(s.relation.as_ref()));
                for e in &s.table_elts {
                    if let Some(NodeEnum::TableLikeClause(l)) = e.node.as_ref() {
                        r.likes.extend(rv_written(l.relation.as_ref()));
                    }
                }
            }
            NodeEnum::AlterTableStmt(s) => r.changes.extend(rv_written(s.relation.as_ref())),
            NodeEnum::ViewStmt(s) => r.creates_rel.extend(rv_written(s.view.as_ref())),
            NodeEnum::CreateTableAsStmt(s) => r
                .creates_rel
                .extend(rv_written(s.into.as_ref().and_then(|i| i.rel.as_ref()))),
            NodeEnum::CreateSeqStmt(s) => r.creates_rel.extend(rv_written(s.sequence.as_ref())),
            NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
                r.changes.extend(rv_written(s.relation.as_ref()));
                let schema = s
                    .relation
                    .as_ref()
                    .map(|rv| rv.schemaname.clone())
                    .filter(|s| !s.is_empty());
                r.creates_rel.push((schema, s.idxname.clone()));
            }
            NodeEnum::IndexStmt(s) => r.changes.extend(rv_written(s.relation.as_ref())),
            NodeEnum::CreateEnumStmt(s) => {
                r.creates_rel.extend(written(&node_strings(&s.type_name)))
            }
            NodeEnum::CreateDomainStmt(s) => {
                r.creates_rel.extend(written(&node_strings(&s.domainname)))
            }
            NodeEnum::CompositeTypeStmt(s) => r.creates_rel.extend(rv_written(s.typevar.as_ref())),
            NodeEnum::CreateRangeStmt(s) => {
                r.creates_rel.extend(written(&node_strings(&s.type_name)))
            }
            NodeEnum::CreateFunctionStmt(s) => {
                r.creates_func.extend(written(&node_strings(&s.funcname)))
            }
            NodeEnum::CreateSchemaStmt(s) if !s.schemaname.is_empty() => {
                r.creates_schema.push(s.schemaname.clone())
            }
            NodeEnum::CreateExtensionStmt(_) => r.creates_extension = true,
            NodeEnum::DefineStmt(s) => {
                if let Some(k) = TsKind::of(s.kind) {
                    r.creates_ts
                        .extend(written(&node_strings(&s.defnames)).map(|w| (k, w)));
                    r.ts_options(&s.definition);
                }
            }
            NodeEnum::AlterTsdictionaryStmt(s) => {
                let names = node_strings(&s.dictname);
                r.ts.extend(written(&names).map(|w| (TsKind::Dictionary, w)));
                r.ts_options(&s.options);
            }
            NodeEnum::AlterTsconfigurationStmt(s) => {
                let names = node_strings(&s.cfgname);
                r.ts.extend(written(&names).map(|w| (TsKind::Configuration, w)));
                r.maps_ts.extend(written(&names));
                for d in &s.dicts {
                    let names = super::text_search::object_names(Some(d));
                    r.ts.extend(written(&names).map(|w| (TsKind::Dictionary, w)));
                }
            }
            NodeEnum::CommentStmt(s) if TsKind::of(s.objtype).is_some() => {
                let names = super::text_search::object_names(s.object.as_deref());
                let k = TsKind::of(s.objtype).expect("a text search kind");
                r.ts.extend(written(&names).map(|w| (k, w)));
            }
            NodeEnum::CreateTrigStmt(s) => r.funcs.extend(written(&node_strings(&s.funcname))),
            NodeEnum::CommentStmt(s) => {
                let kind = ObjectType::try_from(s.objtype).unwrap_or(ObjectType::Undefined);
                if let Some(NodeEnum::List(l)) = s.object.as_ref().and_then(|o| o.node.as_ref()) {
                    let names = node_strings(&l.items);
                    let rel = match kind {
                        ObjectType::ObjectTable
                        | ObjectType::ObjectView
                        | ObjectType::ObjectMatview
                        | ObjectType::ObjectSequence
                        | ObjectType::ObjectIndex
                        | ObjectType::ObjectForeignTable => written(&names),
                        ObjectType::ObjectColumn
                        | ObjectType::ObjectTabconstraint
                        | ObjectType::ObjectTrigger
                        | ObjectType::ObjectPolicy
                        | ObjectType::ObjectRule => {
                            written(&names[..names.len().saturating_sub(1)])
                        }
                        _ => None,
                    };
                    if matches!(
                        kind,
                        ObjectType::ObjectColumn
                            | ObjectType::ObjectTabconstraint
                            | ObjectType::ObjectIndex
                    ) {
                        r.changes.extend(rel.clone());
                    }
                    r.rels.extend(rel);
                }
            }
            _ => {}
        }
        // Every name in the tree, found by serializing it into a walker that keeps only
        // the nodes that name something (`tree_names.rs`: no JSON tree of the statement).
        tree_names::collect(n, &mut r);
        // What a statement creates is not something it waits for.
        let own: BTreeSet<&Written> = r.creates_rel.iter().collect();
        r.rels.retain(|w| !own.contains(w));
        r.types.retain(|w| !own.contains(w));
        let own_ts: BTreeSet<&(TsKind, Written)> = r.creates_ts.iter().collect();
        r.ts.retain(|w| !own_ts.contains(w));
        for (s, _) in r
            .rels
            .iter()
            .chain(&r.funcs)
            .chain(&r.types)
            .chain(&r.creates_rel)
            .chain(&r.creates_func)
            .chain(r.ts.iter().chain(&r.creates_ts).map(|(_, w)| w))
        {
            if let Some(s) = s {
                r.schemas.push(s.clone());
            }
        }
        r
    }
}

impl Refs {
    /// The objects the options of a `CREATE TEXT SEARCH …` or `ALTER TEXT SEARCH
    /// DICTIONARY` name: a dictionary's template, a configuration's parser or the
    /// configuration it copies.
    fn ts_options(&mut self, options: &[protobuf::Node]) {
        for o in options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else {
                continue;
            };
            let kind = match d.defname.to_ascii_lowercase().as_str() {
                "template" => TsKind::Template,
                "parser" => TsKind::Parser,
                "copy" => TsKind::Configuration,
                _ => continue,
            };
            let names = super::text_search::def_names(d).unwrap_or_default();
            if kind == TsKind::Configuration {
                self.copies_ts.extend(written(&names));
            }
            self.ts.extend(written(&names).map(|w| (kind, w)));
        }
    }
}

/// One statement to order: its references and the search path in force at it.
pub(crate) struct Entry {
    pub refs: Refs,
    pub path: Vec<String>,
}

/// The schema an unqualified name is created in: the first of the path (`public` when
/// the path names none but `$user`).
fn creation_schema(path: &[String]) -> String {
    path.iter()
        .find(|s| s.as_str() != "$user")
        .cloned()
        .unwrap_or_else(|| "public".into())
}

/// A statement that has to wait: its index and the names it waits for.
pub(crate) struct Waiting {
    pub index: usize,
    pub needs: Vec<Key>,
}

/// The order to run `entries` in (indexes), or the statements of a cycle (each with what it
/// waits for from the others).
pub(crate) fn order(entries: &[Entry]) -> Result<Vec<usize>, Vec<Waiting>> {
    // Who creates what.
    let mut creators: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    let mut extensions = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let schema = creation_schema(&e.path);
        for (s, n) in &e.refs.creates_rel {
            let k = Key::Rel(s.clone().unwrap_or_else(|| schema.clone()), n.clone());
            creators.entry(k).or_default().push(i);
        }
        for (s, n) in &e.refs.creates_func {
            let k = Key::Func(s.clone().unwrap_or_else(|| schema.clone()), n.clone());
            creators.entry(k).or_default().push(i);
        }
        for s in &e.refs.creates_schema {
            creators.entry(Key::Schema(s.clone())).or_default().push(i);
        }
        for (k, (s, n)) in &e.refs.creates_ts {
            let key = Key::Ts(*k, s.clone().unwrap_or_else(|| schema.clone()), n.clone());
            creators.entry(key).or_default().push(i);
        }
        if e.refs.creates_extension {
            extensions.push(i);
        }
    }
    // What each statement waits for: the creators of a name it uses, when none comes
    // before it.
    let mut deps: Vec<BTreeMap<usize, Key>> = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let mut d: BTreeMap<usize, Key> = BTreeMap::new();
        let mut need = |candidates: Vec<Key>| -> bool {
            for k in candidates {
                if let Some(cs) = creators.get(&k) {
                    // The creators before it, when there are any (one of them may be
                    // waiting itself); else those after it.
                    let before: Vec<usize> = cs.iter().copied().filter(|&c| c < i).collect();
                    let chosen = if before.is_empty() {
                        cs.iter().copied().filter(|&c| c > i).collect()
                    } else {
                        before
                    };
                    for c in chosen {
                        d.entry(c).or_insert_with(|| k.clone());
                    }
                    return true;
                }
            }
            false
        };
        let resolve = |w: &Written, make: &dyn Fn(String, String) -> Key| -> Vec<Key> {
            match &w.0 {
                Some(s) => vec![make(s.clone(), w.1.clone())],
                None => e
                    .path
                    .iter()
                    .filter(|s| s.as_str() != "$user")
                    .chain(std::iter::once(&"public".to_string()))
                    .map(|s| make(s.clone(), w.1.clone()))
                    .collect(),
            }
        };
        for w in &e.refs.rels {
            need(resolve(w, &Key::Rel));
        }
        for w in &e.refs.funcs {
            need(resolve(w, &Key::Func));
        }
        for s in &e.refs.schemas {
            need(vec![Key::Schema(s.clone())]);
        }
        for (k, w) in &e.refs.ts {
            need(resolve(w, &|s, n| Key::Ts(*k, s, n)));
        }
        let mut from_extension = false;
        for w in &e.refs.types {
            if !need(resolve(w, &Key::Rel)) {
                from_extension = true;
            }
        }
        // A type no file creates may come from an extension a later file creates.
        if from_extension {
            for &x in extensions.iter().filter(|&&x| x > i) {
                d.entry(x)
                    .or_insert_with(|| Key::Schema("(an extension's types)".into()));
            }
        }
        deps.push(d);
    }
    like_waits(entries, &creators, &mut deps);
    copy_waits(entries, &creators, &mut deps);
    // Stable topological order: the earliest statement whose creators have all run.
    let mut waiting_on: Vec<usize> = deps.iter().map(BTreeMap::len).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for (i, d) in deps.iter().enumerate() {
        for &c in d.keys() {
            dependents[c].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..entries.len()).filter(|&i| waiting_on[i] == 0).collect();
    let mut out = Vec::with_capacity(entries.len());
    while let Some(i) = ready.pop_first() {
        out.push(i);
        for &j in &dependents[i] {
            waiting_on[j] -= 1;
            if waiting_on[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if out.len() == entries.len() {
        return Ok(out);
    }
    // A cycle: follow waits among the statements left until one repeats.
    let left: BTreeSet<usize> = (0..entries.len()).filter(|&i| waiting_on[i] > 0).collect();
    let mut path: Vec<usize> = Vec::new();
    let mut at = *left.first().expect("some statement is left");
    while !path.contains(&at) {
        path.push(at);
        at = *deps[at]
            .keys()
            .find(|c| left.contains(c))
            .expect("a statement left waits for another one left");
    }
    let start = path.iter().position(|&p| p == at).unwrap_or(0);
    let mut cycle: Vec<usize> = path[start..].to_vec();
    cycle.sort_unstable();
    Err(cycle
        .into_iter()
        .map(|i| Waiting {
            index: i,
            needs: deps[i]
                .iter()
                .filter(|(c, _)| left.contains(c))
                .map(|(_, k)| k.clone())
                .collect(),
        })
        .collect())
}

/// A configuration created `COPY = source` before the source is created copies the
/// source's mappings as the desired state has them: it waits for every `ALTER TEXT
/// SEARCH CONFIGURATION` of the source (after its creation, it copies them as they are
/// then, as PostgreSQL does).
fn copy_waits(
    entries: &[Entry],
    creators: &BTreeMap<Key, Vec<usize>>,
    deps: &mut [BTreeMap<usize, Key>],
) {
    if entries.iter().all(|e| e.refs.copies_ts.is_empty()) {
        return;
    }
    let resolve = |e: &Entry, (s, n): &Written| -> Option<Key> {
        let key = |s: &String| Key::Ts(TsKind::Configuration, s.clone(), n.clone());
        match s {
            Some(s) => Some(key(s)),
            None => e
                .path
                .iter()
                .filter(|s| s.as_str() != "$user")
                .chain(std::iter::once(&"public".to_string()))
                .map(key)
                .find(|k| creators.contains_key(k)),
        }
    };
    let mapped: Vec<Vec<Key>> = entries
        .iter()
        .map(|e| {
            e.refs
                .maps_ts
                .iter()
                .filter_map(|w| resolve(e, w))
                .collect()
        })
        .collect();
    for (i, e) in entries.iter().enumerate() {
        for w in &e.refs.copies_ts {
            let Some(source) = resolve(e, w) else {
                continue;
            };
            // Created before it: a working order, run as written.
            if creators
                .get(&source)
                .is_some_and(|cs| cs.iter().any(|&c| c < i))
            {
                continue;
            }
            for (j, keys) in mapped.iter().enumerate() {
                if j != i && keys.contains(&source) {
                    deps[i].entry(j).or_insert_with(|| source.clone());
                }
            }
        }
    }
}

/// A `CREATE TABLE … (LIKE source)` copies the source as the desired state has it: it
/// waits for every statement that changes the source (`ALTER TABLE`, `CREATE INDEX`,
/// `COMMENT ON` its columns and constraints) and for the comments on indexes built on it.
fn like_waits(
    entries: &[Entry],
    creators: &BTreeMap<Key, Vec<usize>>,
    deps: &mut [BTreeMap<usize, Key>],
) {
    if entries.iter().all(|e| e.refs.likes.is_empty()) {
        return;
    }
    let resolve = |e: &Entry, w: &Written| -> Option<Key> {
        match &w.0 {
            Some(s) => Some(Key::Rel(s.clone(), w.1.clone())),
            None => e
                .path
                .iter()
                .filter(|s| s.as_str() != "$user")
                .chain(std::iter::once(&"public".to_string()))
                .map(|s| Key::Rel(s.clone(), w.1.clone()))
                .find(|k| creators.contains_key(k)),
        }
    };
    let changed: Vec<Vec<Key>> = entries
        .iter()
        .map(|e| {
            e.refs
                .changes
                .iter()
                .filter_map(|w| resolve(e, w))
                .collect()
        })
        .collect();
    // The table of each index a `CREATE INDEX` creates.
    let mut index_table: BTreeMap<Key, Key> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let (Some(t), false) = (changed[i].first(), e.refs.creates_rel.is_empty()) {
            let schema = creation_schema(&e.path);
            for (s, n) in &e.refs.creates_rel {
                let k = Key::Rel(s.clone().unwrap_or_else(|| schema.clone()), n.clone());
                index_table.insert(k, t.clone());
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        for w in &e.refs.likes {
            let Some(source) = resolve(e, w) else {
                continue;
            };
            for (j, keys) in changed.iter().enumerate() {
                let on_source = keys
                    .iter()
                    .any(|k| *k == source || index_table.get(k) == Some(&source));
                if j != i && on_source {
                    deps[i].entry(j).or_insert_with(|| source.clone());
                }
            }
        }
    }
}
