//! Text search objects in the SQL front end: `CREATE TEXT SEARCH PARSER | TEMPLATE |
//! DICTIONARY | CONFIGURATION`, `ALTER TEXT SEARCH DICTIONARY … (options)`, `ALTER TEXT
//! SEARCH CONFIGURATION … ADD | ALTER | DROP MAPPING`, `RENAME`, `COMMENT ON` and `DROP`
//! of each (`OWNER TO` is read by `--include owners` only, as for every kind).
//!
//! This module is a child of `parse` (it extends its `Builder`). It follows what
//! PostgreSQL keeps (shale-model's `text_search.rs`): names qualified (built-ins in
//! `pg_catalog`), dictionary options serialized as `dictinitoption` holds them, mappings
//! by token type. A name the files do not define is taken as a built-in one; whether it
//! exists is left to the server, except token types of the built-in parser, which are
//! known. `COPY =` a configuration of the files copies it; of a built-in one, copies the
//! mappings PostgreSQL gives the built-in configurations (`simple`, and one per
//! snowball language).

use super::*;
use shale_model::{TsConfiguration, TsDictionary, TsMapping, TsOption, TsParser, TsTemplate};

/// The token types of the built-in parser (`ts_token_type('default')`).
const DEFAULT_TOKENS: &[&str] = &[
    "asciiword",
    "word",
    "numword",
    "email",
    "url",
    "host",
    "sfloat",
    "version",
    "hword_numpart",
    "hword_part",
    "hword_asciipart",
    "blank",
    "tag",
    "protocol",
    "numhword",
    "asciihword",
    "hword",
    "url_path",
    "file",
    "float",
    "int",
    "uint",
    "entity",
];

/// The token types the built-in configurations map to `simple` whatever their language.
const SIMPLE_TOKENS: &[&str] = &[
    "email",
    "file",
    "float",
    "host",
    "hword_numpart",
    "int",
    "numhword",
    "numword",
    "sfloat",
    "uint",
    "url",
    "url_path",
    "version",
];

/// Words in latin letters (mapped to `english_stem` by the languages written otherwise).
const ASCII_TOKENS: &[&str] = &["asciihword", "asciiword", "hword_asciipart"];
const WORD_TOKENS: &[&str] = &["hword", "hword_part", "word"];

fn catalog(n: &str) -> QualName {
    QualName::new("pg_catalog", n)
}

/// The mappings of a built-in configuration (as `initdb` makes them).
fn builtin_mappings(name: &str) -> Vec<TsMapping> {
    let (ascii, word) = match name {
        "simple" => ("simple".to_string(), "simple".to_string()),
        "russian" | "hindi" => ("english_stem".to_string(), format!("{name}_stem")),
        l => (format!("{l}_stem"), format!("{l}_stem")),
    };
    let mut out: Vec<TsMapping> = SIMPLE_TOKENS
        .iter()
        .map(|t| (t, "simple"))
        .chain(ASCII_TOKENS.iter().map(|t| (t, ascii.as_str())))
        .chain(WORD_TOKENS.iter().map(|t| (t, word.as_str())))
        .map(|(t, d)| TsMapping {
            token: t.to_string(),
            dictionaries: vec![catalog(d)],
        })
        .collect();
    out.sort();
    out
}

/// The names of an option's value (`public.f`, `default`).
pub(super) fn def_names(d: &protobuf::DefElem) -> Option<Vec<String>> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref())? {
        NodeEnum::TypeName(t) => Some(types::type_names(t)),
        NodeEnum::String(s) => Some(vec![s.sval.clone()]),
        NodeEnum::List(l) => Some(strings(&l.items)),
        _ => None,
    }
}

/// A dictionary option's value as `serialize_deflist` writes it: numbers bare, anything
/// else quoted (`E''` when it holds a backslash). `None`: no value (`ALTER … (name)`).
fn option_value(d: &protobuf::DefElem) -> R<Option<String>> {
    let text = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        None => return Ok(None),
        Some(NodeEnum::Integer(i)) => return Ok(Some(i.ival.to_string())),
        Some(NodeEnum::Float(f)) => return Ok(Some(f.fval.clone())),
        Some(NodeEnum::String(s)) => s.sval.clone(),
        Some(NodeEnum::Boolean(b)) => b.boolval.to_string(),
        Some(NodeEnum::TypeName(t)) => types::type_names(t).join("."),
        Some(NodeEnum::List(l)) => strings(&l.items).join("."),
        Some(_) => {
            return err(
                d.location,
                format!("unsupported value of option \"{}\"", d.defname),
            )
        }
    };
    let escape = text.contains('\\');
    let mut out = String::from(if escape { "E'" } else { "'" });
    for c in text.chars() {
        if c == '\'' || (escape && c == '\\') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Ok(Some(out))
}

/// The kinds of text search object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Parser,
    Template,
    Dictionary,
    Configuration,
}

impl Kind {
    pub(super) fn of(t: i32) -> Option<Kind> {
        match ObjectType::try_from(t).ok()? {
            ObjectType::ObjectTsparser => Some(Kind::Parser),
            ObjectType::ObjectTstemplate => Some(Kind::Template),
            ObjectType::ObjectTsdictionary => Some(Kind::Dictionary),
            ObjectType::ObjectTsconfiguration => Some(Kind::Configuration),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Parser => "text search parser",
            Kind::Template => "text search template",
            Kind::Dictionary => "text search dictionary",
            Kind::Configuration => "text search configuration",
        }
    }
}

impl Builder {
    fn ts_exists(&self, kind: Kind, q: &QualName) -> bool {
        match kind {
            Kind::Parser => self.cat.ts_parsers.contains_key(q),
            Kind::Template => self.cat.ts_templates.contains_key(q),
            Kind::Dictionary => self.cat.ts_dictionaries.contains_key(q),
            Kind::Configuration => self.cat.ts_configurations.contains_key(q),
        }
    }

    /// The files' object of this kind named `names` (on the search path when
    /// unqualified), if any.
    fn find_ts(&self, kind: Kind, names: &[String]) -> Option<QualName> {
        match names {
            [n] => self
                .path()
                .into_iter()
                .map(|s| QualName::new(s, n.clone()))
                .find(|q| self.ts_exists(kind, q)),
            [s, n] | [_, s, n] => {
                let q = QualName::new(s.clone(), n.clone());
                self.ts_exists(kind, &q).then_some(q)
            }
            _ => None,
        }
    }

    /// An object of the files, or an error as PostgreSQL words it.
    fn ts_named(&self, kind: Kind, names: &[String]) -> R<QualName> {
        self.find_ts(kind, names).ok_or_else(|| {
            at(-1)(format!(
                "{} \"{}\" does not exist",
                kind.name(),
                names.join(".")
            ))
        })
    }

    /// A name an object refers to: the files' object, else a built-in one.
    fn ts_ref(&self, kind: Kind, names: &[String], loc: i32) -> R<QualName> {
        if let Some(q) = self.find_ts(kind, names) {
            return Ok(q);
        }
        // Another schema's object the files do not define (an extension's): as written.
        match names {
            [n] => Ok(catalog(n)),
            [s, n] | [_, s, n] => Ok(QualName::new(s.clone(), n.clone())),
            _ => err(
                loc,
                format!("improper {} name `{}`", kind.name(), names.join(".")),
            ),
        }
    }

    /// A configuration named in an expression (`'cfg'::regconfig`): the files' on the
    /// search path, qualified; `None` for a built-in one.
    pub(super) fn resolve_ts_config(&self, schema: Option<&str>, name: &str) -> Option<QualName> {
        match schema {
            Some("pg_catalog") => None,
            Some(s) => Some(QualName::new(s, name)),
            None => self.find_ts(Kind::Configuration, &[name.to_string()]),
        }
    }

    /// The name of a new object: qualified, in an existing schema, not taken.
    fn new_ts_name(&self, kind: Kind, names: &[String]) -> R<QualName> {
        let (schema, name) = match names {
            [n] => (String::new(), n.clone()),
            [s, n] | [_, s, n] => (s.clone(), n.clone()),
            _ => return err(-1, format!("improper {} name", kind.name())),
        };
        let q = QualName::new(self.create_schema_for(&schema, -1)?, name);
        if self.ts_exists(kind, &q) {
            return err(-1, format!("{} \"{}\" already exists", kind.name(), q.name));
        }
        Ok(q)
    }

    pub(super) fn is_ts_define(s: &protobuf::DefineStmt) -> bool {
        Kind::of(s.kind).is_some()
    }

    /// `CREATE TEXT SEARCH PARSER | TEMPLATE | DICTIONARY | CONFIGURATION`.
    pub(super) fn create_ts_object(&mut self, s: &protobuf::DefineStmt) -> R<()> {
        let kind = Kind::of(s.kind).expect("checked");
        let q = self.new_ts_name(kind, &strings(&s.defnames))?;
        let mut defs: Vec<&protobuf::DefElem> = Vec::new();
        for item in &s.definition {
            if let Some(NodeEnum::DefElem(d)) = item.node.as_ref() {
                defs.push(d);
            }
        }
        let names = |d: &protobuf::DefElem| {
            def_names(d).ok_or_else(|| E {
                loc: d.location,
                msg: format!("text search option \"{}\" requires a value", d.defname),
            })
        };
        match kind {
            Kind::Parser => {
                let mut f: BTreeMap<String, QualName> = BTreeMap::new();
                for d in &defs {
                    let key = d.defname.to_ascii_lowercase();
                    if !["start", "gettoken", "end", "lextypes", "headline"].contains(&key.as_str())
                    {
                        return err(
                            d.location,
                            format!(
                                "text search parser parameter \"{}\" not recognized",
                                d.defname
                            ),
                        );
                    }
                    f.insert(key, self.support_function(&names(d)?, d.location)?);
                }
                let mut need = |k: &str| {
                    f.remove(k)
                        .ok_or_else(|| at(-1)(format!("text search parser {k} method is required")))
                };
                let p = TsParser {
                    name: q.clone(),
                    start: need("start")?,
                    gettoken: need("gettoken")?,
                    end: need("end")?,
                    lextypes: need("lextypes")?,
                    headline: f.remove("headline"),
                    comment: None,
                };
                self.cat.ts_parsers.insert(q, p);
            }
            Kind::Template => {
                let (mut init, mut lexize) = (None, None);
                for d in &defs {
                    match d.defname.to_ascii_lowercase().as_str() {
                        "init" => init = Some(self.support_function(&names(d)?, d.location)?),
                        "lexize" => lexize = Some(self.support_function(&names(d)?, d.location)?),
                        _ => {
                            return err(
                                d.location,
                                format!(
                                    "text search template parameter \"{}\" not recognized",
                                    d.defname
                                ),
                            )
                        }
                    }
                }
                let lexize = lexize.ok_or_else(|| {
                    at(-1)("text search template lexize method is required".into())
                })?;
                self.cat.ts_templates.insert(
                    q.clone(),
                    TsTemplate {
                        name: q,
                        init,
                        lexize,
                        comment: None,
                    },
                );
            }
            Kind::Dictionary => {
                let mut template = None;
                let mut options = Vec::new();
                for d in &defs {
                    if d.defname == "template" {
                        template = Some(self.ts_ref(Kind::Template, &names(d)?, d.location)?);
                        continue;
                    }
                    let value = option_value(d)?.ok_or_else(|| E {
                        loc: d.location,
                        msg: format!("option \"{}\" requires a value", d.defname),
                    })?;
                    options.push(TsOption {
                        name: d.defname.clone(),
                        value,
                    });
                }
                let template =
                    template.ok_or_else(|| at(-1)("text search template is required".into()))?;
                self.cat.ts_dictionaries.insert(
                    q.clone(),
                    TsDictionary {
                        name: q,
                        template,
                        options,
                        comment: None,
                    },
                );
            }
            Kind::Configuration => {
                let (mut parser, mut copy) = (None, None);
                for d in &defs {
                    match d.defname.to_ascii_lowercase().as_str() {
                        "parser" => {
                            parser = Some(self.ts_ref(Kind::Parser, &names(d)?, d.location)?)
                        }
                        "copy" => {
                            copy = Some(self.ts_ref(Kind::Configuration, &names(d)?, d.location)?)
                        }
                        _ => {
                            return err(
                                d.location,
                                format!(
                                    "text search configuration parameter \"{}\" not recognized",
                                    d.defname
                                ),
                            )
                        }
                    }
                }
                let c = match (parser, copy) {
                    (Some(_), Some(_)) => {
                        return err(-1, "cannot specify both PARSER and COPY options")
                    }
                    (None, None) => return err(-1, "text search parser is required"),
                    (Some(parser), None) => TsConfiguration {
                        name: q.clone(),
                        parser,
                        mappings: Vec::new(),
                        comment: None,
                    },
                    (None, Some(from)) => match self.cat.ts_configurations.get(&from) {
                        Some(c) => TsConfiguration {
                            name: q.clone(),
                            comment: None,
                            ..c.clone()
                        },
                        None => TsConfiguration {
                            name: q.clone(),
                            parser: catalog("default"),
                            mappings: builtin_mappings(&from.name),
                            comment: None,
                        },
                    },
                };
                self.cat.ts_configurations.insert(q, c);
            }
        }
        Ok(())
    }

    /// `ALTER TEXT SEARCH DICTIONARY … (options)`: a named option is removed and, given a
    /// value, appended again.
    pub(super) fn alter_ts_dictionary(&mut self, s: &protobuf::AlterTsDictionaryStmt) -> R<()> {
        let q = self.ts_named(Kind::Dictionary, &strings(&s.dictname))?;
        let mut changes = Vec::new();
        for item in &s.options {
            if let Some(NodeEnum::DefElem(d)) = item.node.as_ref() {
                if d.defname == "template" {
                    return err(
                        d.location,
                        "cannot change the template of a text search dictionary",
                    );
                }
                changes.push((d.defname.clone(), option_value(d)?));
            }
        }
        let dict = self.cat.ts_dictionaries.get_mut(&q).expect("found");
        for (name, value) in changes {
            dict.options.retain(|o| o.name != name);
            if let Some(value) = value {
                dict.options.push(TsOption { name, value });
            }
        }
        Ok(())
    }

    /// Token type names checked against the parser's, when it is the built-in one.
    fn ts_tokens(&self, parser: &QualName, nodes: &[Node]) -> R<Vec<String>> {
        let tokens = strings(nodes);
        if *parser == catalog("default") {
            if let Some(t) = tokens
                .iter()
                .find(|t| !DEFAULT_TOKENS.contains(&t.as_str()))
            {
                return err(-1, format!("token type \"{t}\" does not exist"));
            }
        }
        Ok(tokens)
    }

    /// `ALTER TEXT SEARCH CONFIGURATION … ADD | ALTER | DROP MAPPING …`.
    pub(super) fn alter_ts_configuration(
        &mut self,
        s: &protobuf::AlterTsConfigurationStmt,
    ) -> R<()> {
        use protobuf::AlterTsConfigType as T;
        let q = self.ts_named(Kind::Configuration, &strings(&s.cfgname))?;
        let parser = self.cat.ts_configurations[&q].parser.clone();
        let tokens = self.ts_tokens(&parser, &s.tokentype)?;
        let mut dicts = Vec::new();
        for d in &s.dicts {
            let names = match d.node.as_ref() {
                Some(NodeEnum::List(l)) => strings(&l.items),
                Some(NodeEnum::String(x)) => vec![x.sval.clone()],
                _ => return err(-1, "improper dictionary name"),
            };
            dicts.push(self.ts_ref(Kind::Dictionary, &names, -1)?);
        }
        let cfg = self.cat.ts_configurations.get_mut(&q).expect("found");
        match T::try_from(s.kind).unwrap_or(T::AlterTsconfigTypeUndefined) {
            T::AlterTsconfigAddMapping | T::AlterTsconfigAlterMappingForToken => {
                for t in &tokens {
                    if !s.r#override && cfg.mapping(t).is_some() {
                        return err(
                            -1,
                            format!(
                                "mapping for token type \"{t}\" already exists in text search configuration \"{}\"",
                                q.name
                            ),
                        );
                    }
                    cfg.mappings.retain(|m| &m.token != t);
                    cfg.mappings.push(TsMapping {
                        token: t.clone(),
                        dictionaries: dicts.clone(),
                    });
                }
            }
            T::AlterTsconfigReplaceDict | T::AlterTsconfigReplaceDictForToken => {
                let [old, new] = dicts.as_slice() else {
                    return err(-1, "REPLACE names the old and the new dictionary");
                };
                for m in cfg.mappings.iter_mut() {
                    if !tokens.is_empty() && !tokens.contains(&m.token) {
                        continue;
                    }
                    for d in m.dictionaries.iter_mut() {
                        if d == old {
                            *d = new.clone();
                        }
                    }
                }
            }
            T::AlterTsconfigDropMapping => {
                for t in &tokens {
                    if cfg.mapping(t).is_none() && !s.missing_ok {
                        return err(
                            -1,
                            format!(
                                "mapping for token type \"{t}\" does not exist in text search configuration \"{}\"",
                                q.name
                            ),
                        );
                    }
                    cfg.mappings.retain(|m| &m.token != t);
                }
            }
            T::AlterTsconfigTypeUndefined => {
                return err(-1, "improper ALTER TEXT SEARCH CONFIGURATION")
            }
        }
        cfg.sort();
        Ok(())
    }

    pub(super) fn is_ts_rename(s: &protobuf::RenameStmt) -> bool {
        Kind::of(s.rename_type).is_some()
    }

    /// `ALTER TEXT SEARCH … RENAME TO …`: what names it follows (PostgreSQL keeps oids).
    pub(super) fn rename_ts(&mut self, s: &protobuf::RenameStmt) -> R<()> {
        let kind = Kind::of(s.rename_type).expect("checked");
        let names = object_names(s.object.as_deref());
        let q = self.ts_named(kind, &names)?;
        let new = QualName::new(q.schema.clone(), s.newname.clone());
        if self.ts_exists(kind, &new) {
            return err(
                -1,
                format!("{} \"{}\" already exists", kind.name(), s.newname),
            );
        }
        let cat = &mut self.cat;
        match kind {
            Kind::Parser => {
                let mut o = cat.ts_parsers.remove(&q).expect("found");
                o.name = new.clone();
                cat.ts_parsers.insert(new.clone(), o);
                for c in cat.ts_configurations.values_mut() {
                    if c.parser == q {
                        c.parser = new.clone();
                    }
                }
            }
            Kind::Template => {
                let mut o = cat.ts_templates.remove(&q).expect("found");
                o.name = new.clone();
                cat.ts_templates.insert(new.clone(), o);
                for d in cat.ts_dictionaries.values_mut() {
                    if d.template == q {
                        d.template = new.clone();
                    }
                }
            }
            Kind::Dictionary => {
                let mut o = cat.ts_dictionaries.remove(&q).expect("found");
                o.name = new.clone();
                cat.ts_dictionaries.insert(new.clone(), o);
                for c in cat.ts_configurations.values_mut() {
                    for m in c.mappings.iter_mut() {
                        for d in m.dictionaries.iter_mut() {
                            if *d == q {
                                *d = new.clone();
                            }
                        }
                    }
                }
            }
            Kind::Configuration => {
                let mut o = cat.ts_configurations.remove(&q).expect("found");
                o.name = new.clone();
                cat.ts_configurations.insert(new, o);
            }
        }
        Ok(())
    }

    pub(super) fn is_ts_comment(s: &protobuf::CommentStmt) -> bool {
        Kind::of(s.objtype).is_some()
    }

    pub(super) fn ts_comment(&mut self, s: &protobuf::CommentStmt) -> R<()> {
        let kind = Kind::of(s.objtype).expect("checked");
        let q = self.ts_named(kind, &object_names(s.object.as_deref()))?;
        let c = (!s.comment.is_empty()).then(|| s.comment.clone());
        let cat = &mut self.cat;
        let slot = match kind {
            Kind::Parser => &mut cat.ts_parsers.get_mut(&q).expect("found").comment,
            Kind::Template => &mut cat.ts_templates.get_mut(&q).expect("found").comment,
            Kind::Dictionary => &mut cat.ts_dictionaries.get_mut(&q).expect("found").comment,
            Kind::Configuration => &mut cat.ts_configurations.get_mut(&q).expect("found").comment,
        };
        *slot = c;
        Ok(())
    }

    pub(super) fn is_ts_drop(s: &protobuf::DropStmt) -> bool {
        Kind::of(s.remove_type).is_some()
    }

    /// `DROP TEXT SEARCH …`: refused while another object of the files uses it, unless
    /// `CASCADE` (which drops those too).
    pub(super) fn drop_ts(&mut self, s: &protobuf::DropStmt) -> R<()> {
        let kind = Kind::of(s.remove_type).expect("checked");
        let cascade = s.behavior == protobuf::DropBehavior::DropCascade as i32;
        for o in &s.objects {
            let names = object_names(Some(o));
            let Some(q) = self.find_ts(kind, &names) else {
                if s.missing_ok {
                    continue;
                }
                return self.ts_named(kind, &names).map(|_| ());
            };
            let cat = &mut self.cat;
            let users: Vec<QualName> = match kind {
                Kind::Parser => cat
                    .ts_configurations
                    .values()
                    .filter(|c| c.parser == q)
                    .map(|c| c.name.clone())
                    .collect(),
                Kind::Template => cat
                    .ts_dictionaries
                    .values()
                    .filter(|d| d.template == q)
                    .map(|d| d.name.clone())
                    .collect(),
                Kind::Dictionary => cat
                    .ts_configurations
                    .values()
                    .filter(|c| c.dictionaries().contains(&&q))
                    .map(|c| c.name.clone())
                    .collect(),
                Kind::Configuration => Vec::new(),
            };
            if !users.is_empty() && !cascade {
                return err(
                    -1,
                    format!(
                        "cannot drop {} {q} because other objects depend on it",
                        kind.name()
                    ),
                );
            }
            match kind {
                Kind::Parser => {
                    cat.ts_parsers.remove(&q);
                    cat.ts_configurations.retain(|k, _| !users.contains(k));
                }
                Kind::Template => {
                    cat.ts_templates.remove(&q);
                    cat.ts_dictionaries.retain(|k, _| !users.contains(k));
                    let gone = users.clone();
                    cat.ts_configurations
                        .retain(|_, c| !c.dictionaries().iter().any(|d| gone.contains(d)));
                }
                Kind::Dictionary => {
                    cat.ts_dictionaries.remove(&q);
                    cat.ts_configurations.retain(|k, _| !users.contains(k));
                }
                Kind::Configuration => {
                    cat.ts_configurations.remove(&q);
                }
            }
        }
        Ok(())
    }

    /// After a statement: text search objects whose schema is gone went with it.
    pub(super) fn prune_text_search(&mut self) {
        let schemas = &self.cat.schemas;
        self.cat
            .ts_parsers
            .retain(|q, _| schemas.contains_key(&q.schema));
        self.cat
            .ts_templates
            .retain(|q, _| schemas.contains_key(&q.schema));
        self.cat
            .ts_dictionaries
            .retain(|q, _| schemas.contains_key(&q.schema));
        self.cat
            .ts_configurations
            .retain(|q, _| schemas.contains_key(&q.schema));
    }
}

/// `[schema, name]` of a `COMMENT`/`DROP`/`RENAME` object.
pub(super) fn object_names(n: Option<&Node>) -> Vec<String> {
    match n.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::List(l)) => strings(&l.items),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::builtin_mappings;

    #[test]
    fn builtin_configurations_map_nineteen_token_types() {
        let en = builtin_mappings("english");
        assert_eq!(en.len(), 19);
        let word = en.iter().find(|m| m.token == "asciiword").unwrap();
        assert_eq!(word.dictionaries[0].name, "english_stem");
        let ru = builtin_mappings("russian");
        let ascii = ru.iter().find(|m| m.token == "asciiword").unwrap();
        assert_eq!(ascii.dictionaries[0].name, "english_stem");
        let w = ru.iter().find(|m| m.token == "word").unwrap();
        assert_eq!(w.dictionaries[0].name, "russian_stem");
        assert!(builtin_mappings("simple")
            .iter()
            .all(|m| m.dictionaries[0].name == "simple"));
    }
}
