//! Aggregates and casts in YAML: the documents' keys (`aggregates:`, `casts:`) and the
//! DDL they render to. Names are references like the other families' (`name`,
//! `schema.name`: schema `public` when not given; built-in support functions are
//! `pg_catalog.…`); types are SQL type names as in columns.

use crate::doc::NameRef;
use crate::YamlError;
use serde::Deserialize;
use shale_model::{quote_literal, QualName};

/// One aggregate (`CREATE AGGREGATE`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateDoc {
    pub name: NameRef,
    /// Argument types (the direct ones of an ordered-set aggregate); none: `(*)`.
    #[serde(default)]
    pub args: Vec<String>,
    /// The aggregated argument types of an ordered-set aggregate (`ORDER BY …`).
    #[serde(default)]
    pub order_by: Option<Vec<String>>,
    #[serde(default)]
    pub hypothetical: bool,
    pub sfunc: NameRef,
    pub stype: String,
    #[serde(default)]
    pub sspace: Option<i32>,
    #[serde(default)]
    pub finalfunc: Option<NameRef>,
    #[serde(default)]
    pub finalfunc_extra: bool,
    /// `read_only`, `shareable` or `read_write`.
    #[serde(default)]
    pub finalfunc_modify: Option<String>,
    #[serde(default)]
    pub combinefunc: Option<NameRef>,
    #[serde(default)]
    pub serialfunc: Option<NameRef>,
    #[serde(default)]
    pub deserialfunc: Option<NameRef>,
    #[serde(default)]
    pub initcond: Option<String>,
    #[serde(default)]
    pub msfunc: Option<NameRef>,
    #[serde(default)]
    pub minvfunc: Option<NameRef>,
    #[serde(default)]
    pub mstype: Option<String>,
    #[serde(default)]
    pub msspace: Option<i32>,
    #[serde(default)]
    pub mfinalfunc: Option<NameRef>,
    #[serde(default)]
    pub mfinalfunc_extra: bool,
    #[serde(default)]
    pub mfinalfunc_modify: Option<String>,
    #[serde(default)]
    pub minitcond: Option<String>,
    /// The sort operator: `>` (built-in) or `schema.op`.
    #[serde(default)]
    pub sortop: Option<String>,
    /// `safe`, `restricted` or `unsafe` (default).
    #[serde(default)]
    pub parallel: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One cast (`CREATE CAST`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CastDoc {
    pub source: String,
    pub target: String,
    /// The function: its name; its argument types in `function_args` (default: the source
    /// type).
    #[serde(default)]
    pub function: Option<NameRef>,
    #[serde(default)]
    pub function_args: Option<Vec<String>>,
    /// Without a function: `inout` (through text) or `binary` (default).
    #[serde(default)]
    pub method: Option<String>,
    /// `explicit` (default), `assignment` or `implicit`.
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn word(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// `CREATE AGGREGATE …;` and its comment, with the object name errors use.
pub(crate) fn aggregate_stmts(
    file: &str,
    a: &AggregateDoc,
) -> Result<(String, Vec<String>), YamlError> {
    let name: &QualName = &a.name.0;
    let args = match &a.order_by {
        Some(agg) => format!("{} ORDER BY {}", a.args.join(", "), agg.join(", ")),
        None if a.args.is_empty() => "*".into(),
        None => a.args.join(", "),
    };
    let obj = format!("aggregate {name}({args})");
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    let mut o = vec![
        format!("SFUNC = {}", a.sfunc.0),
        format!("STYPE = {}", a.stype),
    ];
    let modify = |v: &str| -> Result<&'static str, YamlError> {
        match word(v).as_str() {
            "read_only" => Ok("READ_ONLY"),
            "shareable" => Ok("SHAREABLE"),
            "read_write" => Ok("READ_WRITE"),
            _ => Err(err(format!(
                "finalfunc_modify is read_only, shareable or read_write, not `{v}`"
            ))),
        }
    };
    if let Some(n) = a.sspace {
        o.push(format!("SSPACE = {n}"));
    }
    if let Some(f) = &a.finalfunc {
        o.push(format!("FINALFUNC = {}", f.0));
    }
    if a.finalfunc_extra {
        o.push("FINALFUNC_EXTRA".into());
    }
    if let Some(m) = &a.finalfunc_modify {
        o.push(format!("FINALFUNC_MODIFY = {}", modify(m)?));
    }
    for (k, v) in [
        ("COMBINEFUNC", &a.combinefunc),
        ("SERIALFUNC", &a.serialfunc),
        ("DESERIALFUNC", &a.deserialfunc),
        ("MSFUNC", &a.msfunc),
        ("MINVFUNC", &a.minvfunc),
        ("MFINALFUNC", &a.mfinalfunc),
    ] {
        if let Some(f) = v {
            o.push(format!("{k} = {}", f.0));
        }
    }
    if let Some(i) = &a.initcond {
        o.push(format!("INITCOND = {}", quote_literal(i)));
    }
    if let Some(t) = &a.mstype {
        o.push(format!("MSTYPE = {t}"));
    }
    if let Some(n) = a.msspace {
        o.push(format!("MSSPACE = {n}"));
    }
    if a.mfinalfunc_extra {
        o.push("MFINALFUNC_EXTRA".into());
    }
    if let Some(m) = &a.mfinalfunc_modify {
        o.push(format!("MFINALFUNC_MODIFY = {}", modify(m)?));
    }
    if let Some(i) = &a.minitcond {
        o.push(format!("MINITCOND = {}", quote_literal(i)));
    }
    if let Some(op) = &a.sortop {
        match op.rsplit_once('.') {
            Some((s, op)) => o.push(format!(
                "SORTOP = OPERATOR({}.{op})",
                shale_model::quote_ident(s)
            )),
            None => o.push(format!("SORTOP = OPERATOR(pg_catalog.{op})")),
        }
    }
    if let Some(p) = &a.parallel {
        match word(p).as_str() {
            "safe" => o.push("PARALLEL = SAFE".into()),
            "restricted" => o.push("PARALLEL = RESTRICTED".into()),
            "unsafe" => {}
            _ => {
                return Err(err(format!(
                    "parallel is safe, restricted or unsafe, not `{p}`"
                )))
            }
        }
    }
    if a.hypothetical {
        if a.order_by.is_none() {
            return Err(err(
                "hypothetical is for ordered-set aggregates (with order_by)".into(),
            ));
        }
        o.push("HYPOTHETICAL".into());
    }
    let mut out = vec![format!(
        "CREATE AGGREGATE {name}({args}) ({});",
        o.join(", ")
    )];
    if let Some(c) = &a.comment {
        out.push(format!(
            "COMMENT ON AGGREGATE {name}({args}) IS {};",
            quote_literal(c)
        ));
    }
    Ok((obj, out))
}

/// `CREATE CAST …;` and its comment, with the object name errors use.
pub(crate) fn cast_stmts(file: &str, c: &CastDoc) -> Result<(String, Vec<String>), YamlError> {
    let target = format!("({} AS {})", c.source, c.target);
    let obj = format!("cast {target}");
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    let how = match (&c.function, c.method.as_deref().map(word).as_deref()) {
        (Some(f), None | Some("function")) => {
            let args = c
                .function_args
                .clone()
                .unwrap_or_else(|| vec![c.source.clone()]);
            format!("WITH FUNCTION {}({})", f.0, args.join(", "))
        }
        (None, Some("inout")) => "WITH INOUT".into(),
        (None, None | Some("binary")) => "WITHOUT FUNCTION".into(),
        (_, Some(m)) => {
            return Err(err(format!(
                "method is inout or binary (or give a function), not `{m}`"
            )))
        }
    };
    let ctx = match c.context.as_deref().map(word).as_deref() {
        None | Some("explicit") => "",
        Some("assignment") => " AS ASSIGNMENT",
        Some("implicit") => " AS IMPLICIT",
        Some(x) => {
            return Err(err(format!(
                "context is explicit, assignment or implicit, not `{x}`"
            )))
        }
    };
    let mut out = vec![format!("CREATE CAST {target} {how}{ctx};")];
    if let Some(cm) = &c.comment {
        out.push(format!(
            "COMMENT ON CAST {target} IS {};",
            quote_literal(cm)
        ));
    }
    Ok((obj, out))
}
