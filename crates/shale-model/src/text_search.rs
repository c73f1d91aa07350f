//! Text search objects: parsers, templates, dictionaries and configurations
//! (`CREATE TEXT SEARCH …`).
//!
//! Canonical conventions (both front ends follow them):
//! - Every name an object holds is schema-qualified, built-in ones in `pg_catalog`
//!   (`pg_catalog.simple`, `pg_catalog.prsd_start`): the catalog keeps oids.
//! - A dictionary's options are what `pg_ts_dict.dictinitoption` keeps, in its order:
//!   each name lower case as the grammar folds it, each value as PostgreSQL serializes it
//!   (`serialize_deflist`: a number bare, anything else a quoted literal, `E''` when it
//!   holds a backslash). `ALTER TEXT SEARCH DICTIONARY … (a = …)` moves `a` to the end.
//! - A configuration's mappings are sorted by token type name, each with its
//!   dictionaries in the order they are consulted.
//! - An expression naming a configuration (`'cfg'::regconfig`, or the first argument
//!   of `to_tsvector('cfg', …)`) has it qualified unless it is in `pg_catalog` (as
//!   `regconfigout` prints it with an empty search path), and lists it among its `refs`.

use crate::ident::{quote_ident, QualName};
use crate::{Catalog, ObjectId};
use serde::{Deserialize, Serialize};

/// A text search parser (`CREATE TEXT SEARCH PARSER`; superuser only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsParser {
    pub name: QualName,
    pub start: QualName,
    pub gettoken: QualName,
    pub end: QualName,
    pub lextypes: QualName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl TsParser {
    pub fn id(&self) -> ObjectId {
        ObjectId::TextSearchParser {
            name: self.name.clone(),
        }
    }

    /// The functions it calls, in the order `CREATE` names them.
    pub fn functions(&self) -> Vec<&QualName> {
        let mut v = vec![&self.start, &self.gettoken, &self.end, &self.lextypes];
        v.extend(self.headline.iter());
        v
    }

    pub fn create_sql(&self) -> String {
        let mut o = vec![
            format!("START = {}", self.start),
            format!("GETTOKEN = {}", self.gettoken),
            format!("END = {}", self.end),
            format!("LEXTYPES = {}", self.lextypes),
        ];
        if let Some(h) = &self.headline {
            o.push(format!("HEADLINE = {h}"));
        }
        format!("CREATE TEXT SEARCH PARSER {} ({})", self.name, o.join(", "))
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP TEXT SEARCH PARSER {}", self.name)
    }
}

/// A text search template (`CREATE TEXT SEARCH TEMPLATE`; superuser only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsTemplate {
    pub name: QualName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<QualName>,
    pub lexize: QualName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl TsTemplate {
    pub fn id(&self) -> ObjectId {
        ObjectId::TextSearchTemplate {
            name: self.name.clone(),
        }
    }

    pub fn functions(&self) -> Vec<&QualName> {
        self.init.iter().chain([&self.lexize]).collect()
    }

    pub fn create_sql(&self) -> String {
        let mut o = Vec::new();
        if let Some(i) = &self.init {
            o.push(format!("INIT = {i}"));
        }
        o.push(format!("LEXIZE = {}", self.lexize));
        format!(
            "CREATE TEXT SEARCH TEMPLATE {} ({})",
            self.name,
            o.join(", ")
        )
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP TEXT SEARCH TEMPLATE {}", self.name)
    }
}

/// One option of a dictionary: its name and its value as `dictinitoption` keeps it
/// (`'english'`, `10`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TsOption {
    pub name: String,
    pub value: String,
}

impl TsOption {
    /// `stopwords = 'english'`.
    pub fn sql(&self) -> String {
        format!("{} = {}", quote_ident(&self.name), self.value)
    }
}

/// A text search dictionary: a template and its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsDictionary {
    pub name: QualName,
    pub template: QualName,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<TsOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl TsDictionary {
    pub fn id(&self) -> ObjectId {
        ObjectId::TextSearchDictionary {
            name: self.name.clone(),
        }
    }

    pub fn create_sql(&self) -> String {
        let mut o = vec![format!("TEMPLATE = {}", self.template)];
        o.extend(self.options.iter().map(|x| x.sql()));
        format!(
            "CREATE TEXT SEARCH DICTIONARY {} ({})",
            self.name,
            o.join(", ")
        )
    }

    /// `ALTER TEXT SEARCH DICTIONARY … (…)` turning `from`'s options into these: the
    /// options gone are named without a value, then every option of this one is given in
    /// order (PostgreSQL removes a named option and appends it again, so the result is
    /// exactly this order). `None` when they are the same.
    pub fn alter_options_sql(&self, from: &[TsOption]) -> Option<String> {
        if from == self.options.as_slice() {
            return None;
        }
        let mut o: Vec<String> = from
            .iter()
            .filter(|x| !self.options.iter().any(|y| y.name == x.name))
            .map(|x| quote_ident(&x.name))
            .collect();
        o.extend(self.options.iter().map(|x| x.sql()));
        Some(format!(
            "ALTER TEXT SEARCH DICTIONARY {} ({})",
            self.name,
            o.join(", ")
        ))
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP TEXT SEARCH DICTIONARY {}", self.name)
    }
}

/// The dictionaries one token type of a configuration is looked up in, in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TsMapping {
    pub token: String,
    pub dictionaries: Vec<QualName>,
}

/// A text search configuration: a parser and its token types' mappings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsConfiguration {
    pub name: QualName,
    pub parser: QualName,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<TsMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// `a, b` of token type names (names of the parser's token types, never quoted by
/// PostgreSQL's own dumps, but quoting is accepted).
fn token_list(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| quote_ident(t))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dict_list(dicts: &[QualName]) -> String {
    dicts
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Token types grouped by their dictionaries (one statement per group), in a stable
/// order: by the first token of each group.
pub fn group_mappings(mappings: &[TsMapping]) -> Vec<(Vec<String>, Vec<QualName>)> {
    let mut groups: Vec<(Vec<String>, Vec<QualName>)> = Vec::new();
    for m in mappings {
        match groups.iter_mut().find(|(_, d)| *d == m.dictionaries) {
            Some((t, _)) => t.push(m.token.clone()),
            None => groups.push((vec![m.token.clone()], m.dictionaries.clone())),
        }
    }
    groups
}

impl TsConfiguration {
    pub fn id(&self) -> ObjectId {
        ObjectId::TextSearchConfiguration {
            name: self.name.clone(),
        }
    }

    /// Mappings sorted as the model keeps them.
    pub fn sort(&mut self) {
        self.mappings.sort_by(|a, b| a.token.cmp(&b.token));
    }

    pub fn mapping(&self, token: &str) -> Option<&TsMapping> {
        self.mappings.iter().find(|m| m.token == token)
    }

    /// `CREATE TEXT SEARCH CONFIGURATION … (PARSER = …)`, without mappings.
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE TEXT SEARCH CONFIGURATION {} (PARSER = {})",
            self.name, self.parser
        )
    }

    /// `ALTER … ADD MAPPING FOR a, b WITH d1, d2`.
    pub fn add_mapping_sql(&self, tokens: &[String], dicts: &[QualName]) -> String {
        format!(
            "ALTER TEXT SEARCH CONFIGURATION {} ADD MAPPING FOR {} WITH {}",
            self.name,
            token_list(tokens),
            dict_list(dicts)
        )
    }

    /// `ALTER … ALTER MAPPING FOR a, b WITH d1, d2` (replaces their dictionaries).
    pub fn alter_mapping_sql(&self, tokens: &[String], dicts: &[QualName]) -> String {
        format!(
            "ALTER TEXT SEARCH CONFIGURATION {} ALTER MAPPING FOR {} WITH {}",
            self.name,
            token_list(tokens),
            dict_list(dicts)
        )
    }

    /// `ALTER … DROP MAPPING FOR a, b`.
    pub fn drop_mapping_sql(&self, tokens: &[String]) -> String {
        format!(
            "ALTER TEXT SEARCH CONFIGURATION {} DROP MAPPING FOR {}",
            self.name,
            token_list(tokens)
        )
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP TEXT SEARCH CONFIGURATION {}", self.name)
    }

    /// The dictionaries its mappings use (each once).
    pub fn dictionaries(&self) -> Vec<&QualName> {
        let mut v: Vec<&QualName> = self
            .mappings
            .iter()
            .flat_map(|m| m.dictionaries.iter())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// `schema.name` as `regconfigout` prints it with an empty search path: bare in
/// `pg_catalog`.
pub fn regconfig_text(q: &QualName) -> String {
    if q.schema == "pg_catalog" {
        quote_ident(&q.name)
    } else {
        q.to_string()
    }
}

impl Catalog {
    /// Dependencies of text search objects (the part of [`Catalog::dependencies`] for
    /// them): a parser or template needs its schema and its functions of the files; a
    /// dictionary its template; a configuration its parser and dictionaries.
    pub(crate) fn text_search_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        let schema = |q: &QualName| ObjectId::Schema {
            name: q.schema.clone(),
        };
        let functions = |out: &mut Vec<ObjectId>, fs: Vec<&QualName>| {
            for q in fs {
                out.extend(self.overloads(q).into_iter().map(|f| f.id()));
            }
        };
        match id {
            ObjectId::TextSearchParser { name } => {
                out.push(schema(name));
                if let Some(p) = self.ts_parsers.get(name) {
                    functions(out, p.functions());
                }
            }
            ObjectId::TextSearchTemplate { name } => {
                out.push(schema(name));
                if let Some(t) = self.ts_templates.get(name) {
                    functions(out, t.functions());
                }
            }
            ObjectId::TextSearchDictionary { name } => {
                out.push(schema(name));
                if let Some(d) = self.ts_dictionaries.get(name) {
                    if self.ts_templates.contains_key(&d.template) {
                        out.push(ObjectId::TextSearchTemplate {
                            name: d.template.clone(),
                        });
                    }
                }
            }
            ObjectId::TextSearchConfiguration { name } => {
                out.push(schema(name));
                if let Some(c) = self.ts_configurations.get(name) {
                    if self.ts_parsers.contains_key(&c.parser) {
                        out.push(ObjectId::TextSearchParser {
                            name: c.parser.clone(),
                        });
                    }
                    for d in c.dictionaries() {
                        if self.ts_dictionaries.contains_key(d) {
                            out.push(ObjectId::TextSearchDictionary { name: d.clone() });
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Expr, Index, IndexKey, IndexKeyExpr};

    fn q(s: &str, n: &str) -> QualName {
        QualName::new(s, n)
    }

    #[test]
    fn sql_and_dependencies() {
        let t = TsTemplate {
            name: q("public", "tmpl"),
            init: Some(q("pg_catalog", "dsimple_init")),
            lexize: q("pg_catalog", "dsimple_lexize"),
            comment: None,
        };
        assert_eq!(
            t.create_sql(),
            "CREATE TEXT SEARCH TEMPLATE public.tmpl (INIT = pg_catalog.dsimple_init, LEXIZE = pg_catalog.dsimple_lexize)"
        );
        let d = TsDictionary {
            name: q("public", "dict"),
            template: t.name.clone(),
            options: vec![
                TsOption {
                    name: "stopwords".into(),
                    value: "'english'".into(),
                },
                TsOption {
                    name: "accept".into(),
                    value: "'false'".into(),
                },
            ],
            comment: None,
        };
        assert_eq!(
            d.create_sql(),
            "CREATE TEXT SEARCH DICTIONARY public.dict (TEMPLATE = public.tmpl, stopwords = 'english', accept = 'false')"
        );
        let mut d2 = d.clone();
        d2.options.remove(0);
        d2.options.push(TsOption {
            name: "maxlen".into(),
            value: "10".into(),
        });
        assert_eq!(d.alter_options_sql(&d.options), None);
        assert_eq!(
            d2.alter_options_sql(&d.options).unwrap(),
            "ALTER TEXT SEARCH DICTIONARY public.dict (stopwords, accept = 'false', maxlen = 10)"
        );
        let p = TsParser {
            name: q("public", "prs"),
            start: q("pg_catalog", "prsd_start"),
            gettoken: q("pg_catalog", "prsd_nexttoken"),
            end: q("pg_catalog", "prsd_end"),
            lextypes: q("pg_catalog", "prsd_lextype"),
            headline: None,
            comment: None,
        };
        let mut c = TsConfiguration {
            name: q("public", "cfg"),
            parser: p.name.clone(),
            mappings: vec![
                TsMapping {
                    token: "word".into(),
                    dictionaries: vec![d.name.clone(), q("pg_catalog", "simple")],
                },
                TsMapping {
                    token: "asciiword".into(),
                    dictionaries: vec![d.name.clone(), q("pg_catalog", "simple")],
                },
                TsMapping {
                    token: "int".into(),
                    dictionaries: vec![q("pg_catalog", "simple")],
                },
            ],
            comment: None,
        };
        c.sort();
        assert_eq!(c.mappings[0].token, "asciiword");
        let groups = group_mappings(&c.mappings);
        assert_eq!(groups.len(), 2);
        assert_eq!(
            c.add_mapping_sql(&groups[0].0, &groups[0].1),
            "ALTER TEXT SEARCH CONFIGURATION public.cfg ADD MAPPING FOR asciiword, word WITH public.dict, pg_catalog.simple"
        );
        assert_eq!(
            c.drop_mapping_sql(&["int".into()]),
            "ALTER TEXT SEARCH CONFIGURATION public.cfg DROP MAPPING FOR \"int\""
        );
        assert_eq!(regconfig_text(&q("pg_catalog", "english")), "english");
        assert_eq!(regconfig_text(&c.name), "public.cfg");

        let mut cat = Catalog::default();
        cat.ts_templates.insert(t.name.clone(), t.clone());
        cat.ts_dictionaries.insert(d.name.clone(), d.clone());
        cat.ts_parsers.insert(p.name.clone(), p.clone());
        cat.ts_configurations.insert(c.name.clone(), c.clone());
        assert!(cat.dependencies(&d.id()).contains(&t.id()));
        let cdeps = cat.dependencies(&c.id());
        assert!(cdeps.contains(&p.id()) && cdeps.contains(&d.id()));
        assert_eq!(c.id().to_string(), "text search configuration public.cfg");

        // An index expression naming the configuration needs it.
        let mut e = Expr::new(
            "to_tsvector('public.cfg'::regconfig, body)",
            "to_tsvector('public.cfg', body)",
        );
        e.refs.push(c.name.clone());
        let ix = Index {
            name: q("public", "docs_idx"),
            table: q("public", "docs"),
            unique: false,
            method: "gin".into(),
            keys: vec![IndexKey {
                key: IndexKeyExpr::Expr(e),
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
        cat.indexes.insert(ix.name.clone(), ix.clone());
        assert!(cat
            .dependencies(&ObjectId::Index {
                name: ix.name.clone()
            })
            .contains(&c.id()));

        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
