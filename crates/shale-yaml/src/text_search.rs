//! YAML keys of text search objects (`text_search_parsers:`, `text_search_templates:`,
//! `text_search_dictionaries:`, `text_search_configurations:`), rendered to the DDL the
//! SQL front end reads (docs/YAML.md):
//!
//! ```yaml
//! text_search_parsers:
//!   app.words:
//!     start: prsd_start
//!     gettoken: prsd_nexttoken
//!     end: prsd_end
//!     lextypes: prsd_lextype
//!     headline: prsd_headline          # optional
//! text_search_templates:
//!   plain: {init: dsimple_init, lexize: dsimple_lexize}
//! text_search_dictionaries:
//!   english_plain:
//!     template: plain
//!     options: {stopwords: english, maxlen: 10}   # in order; numbers stay numbers
//!     comment: stop words removed
//!     owner: app_owner                 # dictionaries and configurations have owners
//! text_search_configurations:
//!   docs_cfg:
//!     parser: app.words                # or `copy: english`
//!     mappings:
//!       asciiword: [english_plain, english_snow]
//!       int: simple
//! ```
//!
//! A name an object refers to (function, template, parser, dictionary, configuration) is
//! written `name` or `schema.name`; unqualified, it is the files' object on the search
//! path, else the built-in one (`simple`, `english_stem`, `prsd_start`), as in SQL.

use crate::doc::OrderedMap;
use crate::YamlError;
use serde::de::{self, SeqAccess};
use serde::{Deserialize, Deserializer};
use shale_model::{quote_ident, quote_literal, QualName};
use std::fmt;

/// A name as written: `name` or `schema.name`.
#[derive(Debug, Clone)]
pub struct TsName(pub String);

impl<'de> Deserialize<'de> for TsName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(TsName)
    }
}

impl TsName {
    /// `"schema"."name"` or `"name"` (each part quoted as needed).
    fn sql(&self, file: &str, obj: &str) -> Result<String, YamlError> {
        let parts: Vec<&str> = match self.0.split_once('.') {
            Some((s, n)) => vec![s, n],
            None => vec![self.0.as_str()],
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(YamlError::object(
                file,
                obj,
                format!("improper name `{}`", self.0),
            ));
        }
        Ok(parts
            .iter()
            .map(|p| quote_ident(p))
            .collect::<Vec<_>>()
            .join("."))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParserDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub start: TsName,
    pub gettoken: TsName,
    pub end: TsName,
    pub lextypes: TsName,
    #[serde(default)]
    pub headline: Option<TsName>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDoc {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub init: Option<TsName>,
    pub lexize: TsName,
    #[serde(default)]
    pub comment: Option<String>,
}

/// A dictionary option's value: a number stays a number (`maxlen = 10`), anything else
/// is a string (`stopwords = 'english'`), as PostgreSQL keeps them apart.
#[derive(Debug, Clone)]
pub enum OptionValue {
    Number(String),
    Text(String),
}

impl<'de> Deserialize<'de> for OptionValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = OptionValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OptionValue, E> {
                Ok(OptionValue::Text(s.to_string()))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<OptionValue, E> {
                Ok(OptionValue::Text(b.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<OptionValue, E> {
                Ok(OptionValue::Number(n.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<OptionValue, E> {
                Ok(OptionValue::Number(n.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<OptionValue, E> {
                Ok(OptionValue::Number(n.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DictionaryDoc {
    #[serde(default)]
    pub schema: Option<String>,
    pub template: TsName,
    #[serde(default)]
    pub options: OrderedMap<OptionValue>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

/// `int: simple` or `asciiword: [english_plain, simple]`.
#[derive(Debug)]
pub struct Dictionaries(pub Vec<TsName>);

impl<'de> Deserialize<'de> for Dictionaries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Dictionaries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a dictionary name or a list of them")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Dictionaries, E> {
                Ok(Dictionaries(vec![TsName(s.to_string())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Dictionaries, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = a.next_element::<String>()? {
                    v.push(TsName(s));
                }
                Ok(Dictionaries(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationDoc {
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub parser: Option<TsName>,
    #[serde(default)]
    pub copy: Option<TsName>,
    #[serde(default)]
    pub mappings: OrderedMap<Dictionaries>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The owning role (`ALTER … OWNER TO`); compared with `--include owners`.
    #[serde(default)]
    pub owner: Option<String>,
}

/// `CREATE TEXT SEARCH PARSER …;`.
pub(crate) fn parser_stmt(
    file: &str,
    obj: &str,
    name: &QualName,
    p: &ParserDoc,
) -> Result<String, YamlError> {
    let mut o = vec![
        format!("START = {}", p.start.sql(file, obj)?),
        format!("GETTOKEN = {}", p.gettoken.sql(file, obj)?),
        format!("END = {}", p.end.sql(file, obj)?),
        format!("LEXTYPES = {}", p.lextypes.sql(file, obj)?),
    ];
    if let Some(h) = &p.headline {
        o.push(format!("HEADLINE = {}", h.sql(file, obj)?));
    }
    Ok(format!(
        "CREATE TEXT SEARCH PARSER {name} ({});",
        o.join(", ")
    ))
}

/// `CREATE TEXT SEARCH TEMPLATE …;`.
pub(crate) fn template_stmt(
    file: &str,
    obj: &str,
    name: &QualName,
    t: &TemplateDoc,
) -> Result<String, YamlError> {
    let mut o = Vec::new();
    if let Some(i) = &t.init {
        o.push(format!("INIT = {}", i.sql(file, obj)?));
    }
    o.push(format!("LEXIZE = {}", t.lexize.sql(file, obj)?));
    Ok(format!(
        "CREATE TEXT SEARCH TEMPLATE {name} ({});",
        o.join(", ")
    ))
}

/// `CREATE TEXT SEARCH DICTIONARY …;`.
pub(crate) fn dictionary_stmt(
    file: &str,
    obj: &str,
    name: &QualName,
    d: &DictionaryDoc,
) -> Result<String, YamlError> {
    let mut o = vec![format!("TEMPLATE = {}", d.template.sql(file, obj)?)];
    for (k, v) in &d.options.0 {
        if k.is_empty() {
            return Err(YamlError::object(file, obj, "empty option name"));
        }
        let value = match v {
            OptionValue::Number(n) => n.clone(),
            OptionValue::Text(t) => quote_literal(t),
        };
        o.push(format!("{} = {value}", quote_ident(k)));
    }
    Ok(format!(
        "CREATE TEXT SEARCH DICTIONARY {name} ({});",
        o.join(", ")
    ))
}

/// `CREATE TEXT SEARCH CONFIGURATION …;` and an `ALTER … ADD MAPPING …;` per token type.
pub(crate) fn configuration_stmts(
    file: &str,
    obj: &str,
    name: &QualName,
    c: &ConfigurationDoc,
) -> Result<Vec<String>, YamlError> {
    let head = match (&c.parser, &c.copy) {
        (Some(p), None) => format!("PARSER = {}", p.sql(file, obj)?),
        (None, Some(f)) => format!("COPY = {}", f.sql(file, obj)?),
        _ => {
            return Err(YamlError::object(
                file,
                obj,
                "a text search configuration has `parser:` or `copy:` (one of them)",
            ))
        }
    };
    let mut out = vec![format!("CREATE TEXT SEARCH CONFIGURATION {name} ({head});")];
    for (token, dicts) in &c.mappings.0 {
        if token.is_empty() || dicts.0.is_empty() {
            return Err(YamlError::object(
                file,
                obj,
                format!("mapping `{token}`: a token type and at least one dictionary"),
            ));
        }
        let d: Vec<String> = dicts
            .0
            .iter()
            .map(|x| x.sql(file, obj))
            .collect::<Result<_, _>>()?;
        // `ALTER MAPPING` replaces what a `copy:` gave the token type.
        out.push(format!(
            "ALTER TEXT SEARCH CONFIGURATION {name} {} MAPPING FOR {} WITH {};",
            if c.copy.is_some() { "ALTER" } else { "ADD" },
            quote_ident(token),
            d.join(", ")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_options_render_as_sql_reads_them() {
        assert_eq!(
            TsName("pg_catalog.simple".into()).sql("f", "o").unwrap(),
            "pg_catalog.simple"
        );
        assert_eq!(
            TsName("My Dict".into()).sql("f", "o").unwrap(),
            "\"My Dict\""
        );
        assert!(TsName("a.".into()).sql("f", "o").is_err());
        let d: DictionaryDoc = serde_yaml::from_str(
            "template: simple\noptions: {stopwords: english, maxlen: 10, accept: false, n: '7'}",
        )
        .unwrap();
        assert_eq!(
            dictionary_stmt("f", "o", &QualName::new("public", "d"), &d).unwrap(),
            "CREATE TEXT SEARCH DICTIONARY public.d (TEMPLATE = simple, stopwords = 'english', maxlen = 10, accept = 'false', n = '7');"
        );
        let c: ConfigurationDoc =
            serde_yaml::from_str("parser: default\nmappings: {int: simple, word: [d, simple]}")
                .unwrap();
        let s = configuration_stmts("f", "o", &QualName::new("public", "c"), &c).unwrap();
        assert_eq!(
            s,
            [
                "CREATE TEXT SEARCH CONFIGURATION public.c (PARSER = \"default\");",
                "ALTER TEXT SEARCH CONFIGURATION public.c ADD MAPPING FOR \"int\" WITH simple;",
                "ALTER TEXT SEARCH CONFIGURATION public.c ADD MAPPING FOR word WITH d, simple;",
            ]
        );
        let both: ConfigurationDoc =
            serde_yaml::from_str("parser: default\ncopy: english").unwrap();
        assert!(configuration_stmts("f", "o", &QualName::new("public", "c"), &both).is_err());
    }
}
