//! Text search parsers, templates, dictionaries and configurations.
//!
//! Rules, beyond those of the crate:
//! - A dictionary's options change in place (`ALTER TEXT SEARCH DICTIONARY … (…)`), and
//!   a configuration's mappings (`ALTER TEXT SEARCH CONFIGURATION … ADD | ALTER | DROP
//!   MAPPING`), one change per statement (token types with the same dictionaries share
//!   one).
//! - Anything else that changes drops the object and creates it again: a parser's or
//!   template's functions, a dictionary's template, a configuration's parser; and so
//!   does an object whose parser, template, dictionary or function is dropped or
//!   re-created (PostgreSQL refuses to drop what another object uses). A renamed object
//!   is one dropped and another created.
//! - What names a configuration that goes (`to_tsvector('cfg', …)`, `'cfg'::regconfig`)
//!   and stays keeps PostgreSQL from dropping it: the other families' diffs drop it
//!   before and create it again after ([`going_configurations`]): a column default is
//!   dropped and set again, a generated column dropped and added again, checks, indexes,
//!   views, SQL-standard function bodies and policies re-created.
//! - Comments are plain [`Change::SetComment`]s.

use crate::routines::RoutineChange;
use crate::Change;
use serde::Serialize;
use shale_model::text_search::group_mappings;
use shale_model::{
    Catalog, ObjectId, QualName, TsConfiguration, TsDictionary, TsOption, TsParser, TsTemplate,
};
use std::collections::BTreeMap;

/// One difference in text search objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "text_search_change", rename_all = "snake_case")]
pub enum TextSearchChange {
    CreateParser {
        parser: TsParser,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropParser {
        parser: TsParser,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateTemplate {
        template: TsTemplate,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropTemplate {
        template: TsTemplate,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    CreateDictionary {
        dictionary: TsDictionary,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropDictionary {
        dictionary: TsDictionary,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER TEXT SEARCH DICTIONARY … (…)`: `dictionary` holds the new options.
    AlterDictionary {
        dictionary: TsDictionary,
        from: Vec<TsOption>,
    },
    /// `CREATE TEXT SEARCH CONFIGURATION` (its mappings follow as
    /// [`TextSearchChange::AddMappings`]).
    CreateConfiguration {
        configuration: TsConfiguration,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    DropConfiguration {
        configuration: TsConfiguration,
        #[serde(skip_serializing_if = "Option::is_none")]
        recreate: Option<String>,
    },
    /// `ALTER … ADD MAPPING FOR tokens WITH dictionaries`; `created`: the configuration
    /// is created by the same plan.
    AddMappings {
        configuration: TsConfiguration,
        tokens: Vec<String>,
        dictionaries: Vec<QualName>,
        created: bool,
    },
    /// `ALTER … ALTER MAPPING FOR tokens WITH dictionaries`.
    AlterMappings {
        configuration: TsConfiguration,
        tokens: Vec<String>,
        dictionaries: Vec<QualName>,
    },
    /// `ALTER … DROP MAPPING FOR tokens`.
    DropMappings {
        configuration: TsConfiguration,
        tokens: Vec<String>,
    },
}

impl TextSearchChange {
    pub fn object(&self) -> ObjectId {
        use TextSearchChange as C;
        match self {
            C::CreateParser { parser, .. } | C::DropParser { parser, .. } => parser.id(),
            C::CreateTemplate { template, .. } | C::DropTemplate { template, .. } => template.id(),
            C::CreateDictionary { dictionary, .. }
            | C::DropDictionary { dictionary, .. }
            | C::AlterDictionary { dictionary, .. } => dictionary.id(),
            C::CreateConfiguration { configuration, .. }
            | C::DropConfiguration { configuration, .. }
            | C::AddMappings { configuration, .. }
            | C::AlterMappings { configuration, .. }
            | C::DropMappings { configuration, .. } => configuration.id(),
        }
    }
}

/// Function names the changes in `out` drop, with why.
fn dropped_functions(out: &[Change]) -> BTreeMap<QualName, String> {
    let mut m = BTreeMap::new();
    for c in out {
        if let Change::Routine {
            routine: RoutineChange::DropFunction { function, recreate },
        } = c
        {
            m.entry(function.name.clone()).or_insert_with(|| {
                recreate.as_ref().map_or_else(
                    || format!("function {} is dropped", function.signature()),
                    |why| format!("function {} is re-created ({why})", function.signature()),
                )
            });
        }
    }
    m
}

/// What goes, by name, with why: the objects of one kind dropped (for good or to be
/// created again).
type Gone = BTreeMap<QualName, String>;

/// For each object of `from` (by name): gone when not in `to`; re-created (`Some(why)`)
/// when `why` finds a reason; else kept (`None`, and changed in place by the caller).
fn classify<T>(
    from: &BTreeMap<QualName, T>,
    to: &BTreeMap<QualName, T>,
    kind: &str,
    why: impl Fn(&T, &T) -> Option<String>,
    gone: &mut Gone,
) -> Vec<(QualName, Option<String>)> {
    let mut out = Vec::new();
    for (q, o0) in from {
        match to.get(q) {
            None => {
                gone.insert(q.clone(), format!("{kind} {q} is dropped"));
            }
            Some(o1) => match why(o0, o1) {
                Some(w) => {
                    gone.insert(q.clone(), format!("{kind} {q} is re-created ({w})"));
                    out.push((q.clone(), Some(w)));
                }
                None => out.push((q.clone(), None)),
            },
        }
    }
    out
}

/// A text search kind made of functions only (parsers and templates).
trait FunctionObject: Clone + PartialEq {
    const KIND: &'static str;
    fn without_comment(&self) -> Self;
    fn comment(&self) -> &Option<String>;
    fn id(&self) -> ObjectId;
    fn create_sql(&self) -> String;
    fn functions(&self) -> Vec<&QualName>;
    fn drop_change(self, recreate: Option<String>) -> TextSearchChange;
    fn create_change(self, recreate: Option<String>) -> TextSearchChange;
}

macro_rules! function_object {
    ($t:ty, $kind:literal, $field:ident, $drop:ident, $create:ident) => {
        impl FunctionObject for $t {
            const KIND: &'static str = $kind;
            fn without_comment(&self) -> Self {
                Self {
                    comment: None,
                    ..self.clone()
                }
            }
            fn comment(&self) -> &Option<String> {
                &self.comment
            }
            fn id(&self) -> ObjectId {
                <$t>::id(self)
            }
            fn create_sql(&self) -> String {
                <$t>::create_sql(self)
            }
            fn functions(&self) -> Vec<&QualName> {
                <$t>::functions(self)
            }
            fn drop_change(self, recreate: Option<String>) -> TextSearchChange {
                TextSearchChange::$drop {
                    $field: self,
                    recreate,
                }
            }
            fn create_change(self, recreate: Option<String>) -> TextSearchChange {
                TextSearchChange::$create {
                    $field: self,
                    recreate,
                }
            }
        }
    };
}
function_object!(
    TsParser,
    "text search parser",
    parser,
    DropParser,
    CreateParser
);
function_object!(
    TsTemplate,
    "text search template",
    template,
    DropTemplate,
    CreateTemplate
);

/// Parsers or templates from `from` to `to`: dropped, created, re-created when their
/// functions change or a function they name is re-created (`functions`), else their
/// comment changed; what goes is recorded in `gone`.
fn function_objects<T: FunctionObject>(
    from: &BTreeMap<QualName, T>,
    to: &BTreeMap<QualName, T>,
    functions: &BTreeMap<QualName, String>,
    gone: &mut Gone,
    (drops, creates): (&mut Vec<Change>, &mut Vec<Change>),
) {
    let push = |v: &mut Vec<Change>, c: TextSearchChange| {
        v.push(Change::TextSearch {
            text_search_change: c,
        })
    };
    let kept = classify(
        from,
        to,
        T::KIND,
        |o0, o1| function_object_why(o0, o1, functions),
        gone,
    );
    for (q, o0) in from {
        if !to.contains_key(q) {
            push(drops, o0.clone().drop_change(None));
        }
    }
    for (q, o1) in to {
        let old = kept.iter().find(|(k, _)| k == q);
        match old {
            Some((_, None)) => {
                let c0 = from[q].comment();
                if c0 != o1.comment() {
                    creates.push(Change::SetComment {
                        object: o1.id(),
                        from: c0.clone(),
                        to: o1.comment().clone(),
                    });
                }
            }
            _ => {
                let recreate = old.and_then(|(_, w)| w.clone());
                if recreate.is_some() {
                    push(drops, from[q].clone().drop_change(recreate.clone()));
                }
                push(creates, o1.without_comment().create_change(recreate));
                if o1.comment().is_some() {
                    creates.push(Change::SetComment {
                        object: o1.id(),
                        from: None,
                        to: o1.comment().clone(),
                    });
                }
            }
        }
    }
}

/// Why a parser or template that stays is dropped and created again: its functions
/// change, or one of them is re-created (`functions`, by name, with why).
fn function_object_why<T: FunctionObject>(
    o0: &T,
    o1: &T,
    functions: &BTreeMap<QualName, String>,
) -> Option<String> {
    let (a, b) = (o0.without_comment(), o1.without_comment());
    if a != b {
        Some(format!(
            "its functions change ({} to {})",
            a.create_sql(),
            b.create_sql()
        ))
    } else {
        o0.functions()
            .iter()
            .find_map(|f| functions.get(*f).cloned())
    }
}

/// Why a dictionary that stays is dropped and created again: a new template, or its
/// template goes (`templates`).
fn dictionary_why(d0: &TsDictionary, d1: &TsDictionary, templates: &Gone) -> Option<String> {
    if d0.template != d1.template {
        Some(format!(
            "its template changes ({} to {})",
            d0.template, d1.template
        ))
    } else {
        templates.get(&d0.template).cloned()
    }
}

/// Why a configuration that stays is dropped and created again: a new parser, its parser
/// goes (`parsers`), or a dictionary it keeps goes (`dictionaries`; one it stops using is
/// unmapped first).
fn configuration_why(
    c0: &TsConfiguration,
    c1: &TsConfiguration,
    parsers: &Gone,
    dictionaries: &Gone,
) -> Option<String> {
    if c0.parser != c1.parser {
        return Some(format!(
            "its parser changes ({} to {})",
            c0.parser, c1.parser
        ));
    }
    let keeps = c1.dictionaries();
    parsers.get(&c0.parser).cloned().or_else(|| {
        c0.dictionaries()
            .into_iter()
            .filter(|d| keeps.contains(d))
            .find_map(|d| dictionaries.get(d).cloned())
    })
}

/// The text search configurations of `from` that `to` drops, or drops and creates again,
/// with why ("text search configuration public.cfg is re-created (…)"), decided as
/// [`diff`] decides, before any change is made: what names one (defaults, generated
/// columns, checks, indexes, views, SQL-standard bodies, policies) must go before it and
/// come back after, which the other families' diffs arrange (`crate::going_by_name`).
pub(crate) fn going_configurations(from: &Catalog, to: &Catalog) -> Gone {
    let mut configurations = Gone::new();
    if from.ts_configurations.is_empty() {
        return configurations;
    }
    // Functions by name, as `dropped_functions` finds them in the routines' changes.
    let mut functions = BTreeMap::new();
    for (id, why) in crate::routines::going_functions(from, to) {
        if let ObjectId::Function { name, .. } = id {
            functions.entry(name).or_insert(why);
        }
    }
    let (mut parsers, mut templates, mut dictionaries) = (Gone::new(), Gone::new(), Gone::new());
    let kind = "text search parser";
    classify(
        &from.ts_parsers,
        &to.ts_parsers,
        kind,
        |a, b| function_object_why(a, b, &functions),
        &mut parsers,
    );
    let kind = "text search template";
    classify(
        &from.ts_templates,
        &to.ts_templates,
        kind,
        |a, b| function_object_why(a, b, &functions),
        &mut templates,
    );
    let kind = "text search dictionary";
    classify(
        &from.ts_dictionaries,
        &to.ts_dictionaries,
        kind,
        |a, b| dictionary_why(a, b, &templates),
        &mut dictionaries,
    );
    classify(
        &from.ts_configurations,
        &to.ts_configurations,
        "text search configuration",
        |a, b| configuration_why(a, b, &parsers, &dictionaries),
        &mut configurations,
    );
    configurations
}

/// The changes in text search objects that turn `from` into `to`, appended to `out`
/// (after the routines' and the indexes' diffs).
pub fn diff(from: &Catalog, to: &Catalog, out: &mut Vec<Change>) {
    use TextSearchChange as C;
    let functions = dropped_functions(out);
    let mut drops = Vec::new();
    let mut creates = Vec::new();
    let push = |v: &mut Vec<Change>, c: TextSearchChange| {
        v.push(Change::TextSearch {
            text_search_change: c,
        })
    };
    let comment =
        |v: &mut Vec<Change>, object: ObjectId, c0: Option<&String>, c1: &Option<String>| {
            if c0 != c1.as_ref() {
                v.push(Change::SetComment {
                    object,
                    from: c0.cloned(),
                    to: c1.clone(),
                });
            }
        };

    // Parsers and templates: re-created when their functions change or one is re-created.
    let mut parsers = Gone::new();
    function_objects(
        &from.ts_parsers,
        &to.ts_parsers,
        &functions,
        &mut parsers,
        (&mut drops, &mut creates),
    );
    let mut templates = Gone::new();
    function_objects(
        &from.ts_templates,
        &to.ts_templates,
        &functions,
        &mut templates,
        (&mut drops, &mut creates),
    );

    // Dictionaries: options in place; re-created with a new or re-created template.
    let mut dictionaries = Gone::new();
    let kept = classify(
        &from.ts_dictionaries,
        &to.ts_dictionaries,
        "text search dictionary",
        |d0, d1| dictionary_why(d0, d1, &templates),
        &mut dictionaries,
    );
    for (q, d0) in &from.ts_dictionaries {
        if !to.ts_dictionaries.contains_key(q) {
            push(
                &mut drops,
                C::DropDictionary {
                    dictionary: d0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (q, d1) in &to.ts_dictionaries {
        let old = kept.iter().find(|(k, _)| k == q);
        match old {
            Some((_, None)) => {
                let d0 = &from.ts_dictionaries[q];
                if d0.options != d1.options {
                    push(
                        &mut creates,
                        C::AlterDictionary {
                            dictionary: d1.clone(),
                            from: d0.options.clone(),
                        },
                    );
                }
                comment(&mut creates, d1.id(), d0.comment.as_ref(), &d1.comment);
            }
            _ => {
                let recreate = old.and_then(|(_, w)| w.clone());
                if recreate.is_some() {
                    push(
                        &mut drops,
                        C::DropDictionary {
                            dictionary: from.ts_dictionaries[q].clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                push(
                    &mut creates,
                    C::CreateDictionary {
                        dictionary: TsDictionary {
                            comment: None,
                            ..d1.clone()
                        },
                        recreate,
                    },
                );
                comment(&mut creates, d1.id(), None, &d1.comment);
            }
        }
    }

    // Configurations: mappings in place; re-created with a new or re-created parser, or
    // when a dictionary of theirs is dropped or re-created.
    let mut configurations = Gone::new();
    let kept = classify(
        &from.ts_configurations,
        &to.ts_configurations,
        "text search configuration",
        |c0, c1| configuration_why(c0, c1, &parsers, &dictionaries),
        &mut configurations,
    );
    for (q, c0) in &from.ts_configurations {
        if !to.ts_configurations.contains_key(q) {
            push(
                &mut drops,
                C::DropConfiguration {
                    configuration: c0.clone(),
                    recreate: None,
                },
            );
        }
    }
    for (q, c1) in &to.ts_configurations {
        let old = kept.iter().find(|(k, _)| k == q);
        match old {
            Some((_, None)) => {
                let c0 = &from.ts_configurations[q];
                let gone: Vec<String> = c0
                    .mappings
                    .iter()
                    .filter(|m| c1.mapping(&m.token).is_none())
                    .map(|m| m.token.clone())
                    .collect();
                if !gone.is_empty() {
                    push(
                        &mut creates,
                        C::DropMappings {
                            configuration: c1.clone(),
                            tokens: gone,
                        },
                    );
                }
                let changed: Vec<_> = c1
                    .mappings
                    .iter()
                    .filter(|m| c0.mapping(&m.token).is_some_and(|m0| m0 != *m))
                    .cloned()
                    .collect();
                for (tokens, dictionaries) in group_mappings(&changed) {
                    push(
                        &mut creates,
                        C::AlterMappings {
                            configuration: c1.clone(),
                            tokens,
                            dictionaries,
                        },
                    );
                }
                let added: Vec<_> = c1
                    .mappings
                    .iter()
                    .filter(|m| c0.mapping(&m.token).is_none())
                    .cloned()
                    .collect();
                for (tokens, dictionaries) in group_mappings(&added) {
                    push(
                        &mut creates,
                        C::AddMappings {
                            configuration: c1.clone(),
                            tokens,
                            dictionaries,
                            created: false,
                        },
                    );
                }
                comment(&mut creates, c1.id(), c0.comment.as_ref(), &c1.comment);
            }
            _ => {
                let recreate = old.and_then(|(_, w)| w.clone());
                if recreate.is_some() {
                    push(
                        &mut drops,
                        C::DropConfiguration {
                            configuration: from.ts_configurations[q].clone(),
                            recreate: recreate.clone(),
                        },
                    );
                }
                let bare = TsConfiguration {
                    comment: None,
                    ..c1.clone()
                };
                push(
                    &mut creates,
                    C::CreateConfiguration {
                        configuration: bare.clone(),
                        recreate,
                    },
                );
                for (tokens, dictionaries) in group_mappings(&c1.mappings) {
                    push(
                        &mut creates,
                        C::AddMappings {
                            configuration: bare.clone(),
                            tokens,
                            dictionaries,
                            created: true,
                        },
                    );
                }
                comment(&mut creates, c1.id(), None, &c1.comment);
            }
        }
    }

    // A dictionary or configuration created again is owned by the role running the
    // plan: its owner (`--include owners`) is set again, unless the security diff
    // changes it anyway.
    let again: Vec<ObjectId> = dictionaries
        .keys()
        .map(|q| ObjectId::TextSearchDictionary { name: q.clone() })
        .chain(
            configurations
                .keys()
                .map(|q| ObjectId::TextSearchConfiguration { name: q.clone() }),
        )
        .collect();
    for id in again {
        if let Some(owner) = to.owners.get(&id) {
            if to.acl_object_exists(&id) && from.owners.get(&id) == Some(owner) {
                creates.push(Change::Security(
                    crate::security::SecurityChange::SetOwner {
                        object: id,
                        from: None,
                        to: owner.clone(),
                    },
                ));
            }
        }
    }

    out.extend(drops);
    out.extend(creates);
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::TsMapping;

    fn q(n: &str) -> QualName {
        QualName::new("public", n)
    }

    fn cat() -> Catalog {
        let mut c = Catalog::default();
        let p = TsParser {
            name: q("prs"),
            start: QualName::new("pg_catalog", "prsd_start"),
            gettoken: QualName::new("pg_catalog", "prsd_nexttoken"),
            end: QualName::new("pg_catalog", "prsd_end"),
            lextypes: QualName::new("pg_catalog", "prsd_lextype"),
            headline: None,
            comment: None,
        };
        c.ts_parsers.insert(p.name.clone(), p);
        let d = TsDictionary {
            name: q("dict"),
            template: QualName::new("pg_catalog", "simple"),
            options: vec![TsOption {
                name: "stopwords".into(),
                value: "'english'".into(),
            }],
            comment: None,
        };
        c.ts_dictionaries.insert(d.name.clone(), d);
        let cfg = TsConfiguration {
            name: q("cfg"),
            parser: q("prs"),
            mappings: vec![
                TsMapping {
                    token: "asciiword".into(),
                    dictionaries: vec![q("dict")],
                },
                TsMapping {
                    token: "int".into(),
                    dictionaries: vec![QualName::new("pg_catalog", "simple")],
                },
            ],
            comment: None,
        };
        c.ts_configurations.insert(cfg.name.clone(), cfg);
        c
    }

    fn changes(from: &Catalog, to: &Catalog) -> Vec<TextSearchChange> {
        let mut out = Vec::new();
        diff(from, to, &mut out);
        out.into_iter()
            .filter_map(|c| match c {
                Change::TextSearch { text_search_change } => Some(text_search_change),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nothing_for_the_same() {
        assert!(changes(&cat(), &cat()).is_empty());
    }

    #[test]
    fn options_and_mappings_change_in_place() {
        let from = cat();
        let mut to = cat();
        to.ts_dictionaries.get_mut(&q("dict")).unwrap().options[0].value = "'french'".into();
        let c = to.ts_configurations.get_mut(&q("cfg")).unwrap();
        c.mappings[0]
            .dictionaries
            .push(QualName::new("pg_catalog", "simple"));
        c.mappings.remove(1);
        c.mappings.push(TsMapping {
            token: "word".into(),
            dictionaries: vec![q("dict")],
        });
        c.sort();
        let got = changes(&from, &to);
        let kinds: Vec<&str> = got
            .iter()
            .map(|c| match c {
                TextSearchChange::AlterDictionary { .. } => "alter dictionary",
                TextSearchChange::DropMappings { tokens, .. } if tokens == &["int"] => "drop int",
                TextSearchChange::AlterMappings { tokens, .. } if tokens == &["asciiword"] => {
                    "alter asciiword"
                }
                TextSearchChange::AddMappings {
                    tokens, created, ..
                } if tokens == &["word"] && !created => "add word",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "alter dictionary",
                "drop int",
                "alter asciiword",
                "add word"
            ]
        );
    }

    #[test]
    fn a_new_parser_re_creates_the_configuration_and_its_indexes() {
        let mut from = cat();
        let mut e = shale_model::Expr::new(
            "to_tsvector('public.cfg', b)",
            "to_tsvector('public.cfg', b)",
        );
        e.refs.push(q("cfg"));
        let ix = shale_model::Index {
            name: q("docs_idx"),
            table: q("docs"),
            unique: false,
            method: "gin".into(),
            keys: vec![shale_model::IndexKey {
                key: shale_model::IndexKeyExpr::Expr(e),
                collation: None,
                opclass: None,
                descending: false,
                nulls_first: false,
            }],
            include: vec![],
            predicate: None,
            nulls_not_distinct: false,
            comment: None,
            invalid: false,
            storage: Default::default(),
            statistics: Default::default(),
        };
        from.indexes.insert(ix.name.clone(), ix);
        let mut to = from.clone();
        to.ts_configurations.get_mut(&q("cfg")).unwrap().parser =
            QualName::new("pg_catalog", "default");
        // The whole diff: the index is the indexes' diff's to re-create.
        let out = crate::diff(&from, &to);
        assert!(out.iter().any(|c| matches!(c,
            Change::TextSearch { text_search_change: TextSearchChange::DropConfiguration { recreate: Some(w), .. } }
            if w.contains("its parser changes"))));
        assert!(out.iter().any(|c| matches!(
            c,
            Change::TextSearch {
                text_search_change: TextSearchChange::AddMappings { created: true, .. }
            }
        )));
        assert!(out.iter().any(|c| matches!(c,
            Change::DropIndex { index, recreate: Some(w) } if index.name == q("docs_idx") && w.contains("public.cfg is re-created"))));
        assert!(out.iter().any(
            |c| matches!(c, Change::CreateIndex { index, .. } if index.name == q("docs_idx"))
        ));
    }

    #[test]
    fn a_dropped_dictionary_re_creates_the_configuration_using_it() {
        let from = cat();
        let mut to = cat();
        to.ts_dictionaries.get_mut(&q("dict")).unwrap().template = q("tmpl");
        let got = changes(&from, &to);
        assert!(got.iter().any(|c| matches!(c,
            TextSearchChange::DropConfiguration { recreate: Some(w), .. }
            if w.contains("text search dictionary public.dict is re-created"))));
        assert!(got.iter().any(|c| matches!(
            c,
            TextSearchChange::CreateDictionary {
                recreate: Some(_),
                ..
            }
        )));
    }

    #[test]
    fn a_re_created_dictionary_gets_its_owner_again() {
        let mut from = cat();
        let id = ObjectId::TextSearchDictionary { name: q("dict") };
        from.owners.insert(id.clone(), "app_owner".into());
        let mut to = from.clone();
        to.ts_dictionaries.get_mut(&q("dict")).unwrap().template = q("tmpl");
        let mut out = Vec::new();
        diff(&from, &to, &mut out);
        assert!(out.iter().any(|c| matches!(c,
            Change::Security(crate::security::SecurityChange::SetOwner { object, to, .. })
            if *object == id && to == "app_owner")));
        // Kept in place: nothing (the security diff compares owners).
        let mut out = Vec::new();
        diff(&from, &from.clone(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn what_names_a_re_created_configuration_is_re_created_around_it() {
        let mut from = cat();
        let named = |sql: &str| {
            let mut e = shale_model::Expr::new(sql, sql);
            e.refs.push(q("cfg"));
            e
        };
        let query = named("SELECT to_tsvector('public.cfg', 'x') AS v");
        let v = shale_model::View::new(q("v"), vec!["v".into()], query);
        from.views.insert(v.name.clone(), v);
        let mut t = shale_model::Table::new(q("docs"));
        let mut c = shale_model::Column::new("body", shale_model::TypeRef::builtin("text"));
        c.default = Some(named("to_tsvector('public.cfg', '')"));
        t.columns.push(c);
        let mut g = shale_model::Column::new("words", shale_model::TypeRef::builtin("tsvector"));
        g.generated = Some(named("to_tsvector('public.cfg', body)"));
        t.columns.push(g);
        from.tables.insert(t.name.clone(), t);
        let mut to = from.clone();
        to.ts_configurations.get_mut(&q("cfg")).unwrap().parser =
            QualName::new("pg_catalog", "default");
        let out = crate::diff(&from, &to);
        assert!(!out.iter().any(|c| matches!(c, Change::Unsupported { .. })));
        let why = |w: &Option<String>| {
            w.as_deref()
                .is_some_and(|w| w.contains("text search configuration public.cfg is re-created"))
        };
        assert!(out.iter().any(|c| matches!(c,
            Change::Routine { routine: RoutineChange::DropView { view, recreate } }
            if view.name == q("v") && why(recreate))));
        assert!(out.iter().any(|c| matches!(c,
            Change::DropDefault { table, column, .. } if *table == q("docs") && column == "body")));
        assert!(out.iter().any(|c| matches!(c,
            Change::SetDefault { table, column, .. } if *table == q("docs") && column == "body")));
        assert!(out.iter().any(|c| matches!(c,
            Change::DropColumn { table, column, .. } if *table == q("docs") && column.name == "words")));
        // Mappings changed in place leave them alone.
        let mut to = from.clone();
        to.ts_configurations
            .get_mut(&q("cfg"))
            .unwrap()
            .mappings
            .pop();
        let out = crate::diff(&from, &to);
        assert!(
            out.iter().all(|c| matches!(c, Change::TextSearch { .. })),
            "{out:?}"
        );
    }
}
