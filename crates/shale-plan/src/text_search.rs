//! Steps for text search parsers, templates, dictionaries and configurations (rules
//! `SH320`–`SH326`).
//!
//! Order comes from the model's dependencies: a parser or template after its functions,
//! a dictionary after its template, a configuration after its parser, its mappings
//! after their dictionaries; each is dropped before what it needs. The steps mapping a
//! configuration count as creating it, so an index or column naming it (`to_tsvector
//! ('cfg', …)`) is built once its mappings exist, and the steps unmapping a dictionary run
//! before that dictionary is dropped. None of these statements locks a table.

use crate::build::{deps, Builder, Draft};
use crate::model::Action;
use crate::rules::RuleId;
use shale_diff::text_search::TextSearchChange;
use shale_model::{Catalog, IndexKeyExpr, ObjectId, QualName};

/// Ranks (tie-breaks of the topological order; see `build::rank`).
mod rank {
    pub const DROP: u8 = 6;
    pub const CREATE: u8 = 14;
}

/// `a, b with d1, d2`.
fn mapping_detail(tokens: &[String], dicts: &[QualName]) -> String {
    let d: Vec<String> = dicts.iter().map(|d| d.to_string()).collect();
    format!("{} to {}", tokens.join(", "), d.join(", "))
}

/// What in `cat` names the configuration `q`: `index public.i`, `column public.t.c`.
fn users_of(cat: &Catalog, q: &QualName) -> Vec<String> {
    let mut out = Vec::new();
    for ix in cat.indexes.values() {
        let names = ix.keys.iter().any(|k| match &k.key {
            IndexKeyExpr::Expr(e) => e.refs.contains(q),
            IndexKeyExpr::Column(_) => false,
        }) || ix.predicate.as_ref().is_some_and(|p| p.refs.contains(q));
        if names {
            out.push(format!("index {}", ix.name));
        }
    }
    for t in cat.tables.values() {
        for c in &t.columns {
            if c.default
                .iter()
                .chain(c.generated.iter())
                .any(|e| e.refs.contains(q))
            {
                out.push(format!(
                    "column {}.{}",
                    t.name,
                    shale_model::quote_ident(&c.name)
                ));
            }
        }
    }
    out
}

impl Builder<'_> {
    pub(crate) fn text_search(&mut self, c: &TextSearchChange) {
        use TextSearchChange as C;
        let object = c.object();
        let again = |recreate: &Option<String>| match recreate {
            Some(why) => format!(" again, because {why}"),
            None => String::new(),
        };
        match c {
            C::CreateParser { parser, recreate } => {
                let detail = format!(" (tokens by {}){}", parser.gettoken, again(recreate));
                self.ts_create(object, parser.create_sql(), detail);
            }
            C::CreateTemplate { template, recreate } => {
                let detail = format!(" (lexize {}){}", template.lexize, again(recreate));
                self.ts_create(object, template.create_sql(), detail);
            }
            C::CreateDictionary {
                dictionary,
                recreate,
            } => {
                let detail = format!(" (template {}){}", dictionary.template, again(recreate));
                self.ts_create(object, dictionary.create_sql(), detail);
            }
            C::CreateConfiguration {
                configuration,
                recreate,
            } => {
                let detail = format!(" (parser {}){}", configuration.parser, again(recreate));
                self.ts_create(object, configuration.create_sql(), detail);
            }
            C::DropParser { parser, recreate } => {
                self.ts_drop(object, parser.drop_sql(), recreate);
            }
            C::DropTemplate { template, recreate } => {
                self.ts_drop(object, template.drop_sql(), recreate);
            }
            C::DropDictionary {
                dictionary,
                recreate,
            } => {
                self.ts_drop(object, dictionary.drop_sql(), recreate);
            }
            C::DropConfiguration {
                configuration,
                recreate,
            } => {
                self.ts_drop(object, configuration.drop_sql(), recreate);
            }
            C::AlterDictionary { dictionary, from } => {
                let Some(sql) = dictionary.alter_options_sql(from) else {
                    return;
                };
                let show = |o: &[shale_model::TsOption]| {
                    if o.is_empty() {
                        "none".to_string()
                    } else {
                        o.iter().map(|x| x.sql()).collect::<Vec<_>>().join(", ")
                    }
                };
                let risk = self.risk(RuleId::AlterTextSearchDictionary, &object, |v| {
                    v.detail = format!("{} to {}", show(from), show(&dictionary.options))
                });
                let mut d = Draft::new(object.clone(), Action::Alter, sql, risk, rank::CREATE);
                d.needs = deps(self.to, &object);
                d.creates = vec![object];
                self.push(d);
            }
            C::AddMappings {
                configuration,
                tokens,
                dictionaries,
                created,
            } => {
                let (rule, detail) = if *created {
                    (
                        RuleId::MapNewTextSearchConfiguration,
                        mapping_detail(tokens, dictionaries),
                    )
                } else {
                    (
                        RuleId::AlterTextSearchMappings,
                        format!("maps {}", mapping_detail(tokens, dictionaries)),
                    )
                };
                let risk = self.risk(rule, &object, |v| v.detail = detail);
                let sql = configuration.add_mapping_sql(tokens, dictionaries);
                self.ts_mapping(object, sql, risk, dictionaries, !created);
            }
            C::AlterMappings {
                configuration,
                tokens,
                dictionaries,
            } => {
                let risk = self.risk(RuleId::AlterTextSearchMappings, &object, |v| {
                    v.detail = format!("maps {} instead", mapping_detail(tokens, dictionaries))
                });
                let sql = configuration.alter_mapping_sql(tokens, dictionaries);
                self.ts_mapping(object, sql, risk, dictionaries, true);
            }
            C::DropMappings {
                configuration,
                tokens,
            } => {
                let risk = self.risk(RuleId::AlterTextSearchMappings, &object, |v| {
                    v.detail = format!("no longer maps {}", tokens.join(", "))
                });
                let sql = configuration.drop_mapping_sql(tokens);
                self.ts_mapping(object, sql, risk, &[], true);
            }
        }
    }

    fn ts_create(&mut self, object: ObjectId, sql: String, detail: String) {
        let risk = self.risk(RuleId::CreateTextSearchObject, &object, |v| {
            v.object = object.to_string();
            v.detail = detail
        });
        let mut d = Draft::new(object.clone(), Action::Create, sql, risk, rank::CREATE);
        d.needs = deps(self.to, &object);
        // The configuration alone: its mappings come with their own steps.
        if let ObjectId::TextSearchConfiguration { .. } = object {
            d.needs
                .retain(|n| !matches!(n, ObjectId::TextSearchDictionary { .. }));
        }
        d.creates = vec![object];
        self.push(d);
    }

    fn ts_drop(&mut self, object: ObjectId, sql: String, recreate: &Option<String>) {
        let users = match &object {
            ObjectId::TextSearchConfiguration { name } if recreate.is_none() => {
                users_of(self.from, name)
            }
            _ => Vec::new(),
        };
        let risk = match (recreate, users.is_empty()) {
            (Some(why), _) => self.risk(RuleId::RecreateTextSearchObject, &object, |v| {
                v.object = object.to_string();
                v.detail = why.clone()
            }),
            (None, false) => self.risk(RuleId::DropUsedTextSearchConfiguration, &object, |v| {
                v.detail = users.join(", ")
            }),
            (None, true) => self.risk(RuleId::DropTextSearchObject, &object, |v| {
                v.object = object.to_string();
                v.detail = String::new()
            }),
        };
        let d = self.drop(vec![object], sql, risk, rank::DROP);
        self.push(d);
    }

    /// A mapping step: counts as creating the configuration (what names it waits for
    /// it), needs the dictionaries it maps to, and (on a
    /// configuration kept, `in_place`) releases the dictionaries it used before.
    fn ts_mapping(
        &mut self,
        object: ObjectId,
        sql: String,
        risk: crate::model::Risk,
        dictionaries: &[QualName],
        in_place: bool,
    ) {
        let mut d = Draft::new(object.clone(), Action::Alter, sql, risk, rank::CREATE);
        d.needs = dictionaries
            .iter()
            .filter(|q| self.to.ts_dictionaries.contains_key(*q))
            .map(|q| ObjectId::TextSearchDictionary { name: q.clone() })
            .collect();
        // (After the configuration's creation by the diff's order of steps on one object:
        // needing it would make the mapping steps, which all create it, need each other.)
        if in_place {
            d.releases = deps(self.from, &object)
                .into_iter()
                .filter(|o| matches!(o, ObjectId::TextSearchDictionary { .. }))
                .collect();
        }
        d.creates = vec![object];
        self.push(d);
    }
}
