//! Type names → the canonical [`TypeRef`] (built-ins spelled as `format_type` prints them).
//!
//! The grammar (pg_query is PostgreSQL's own parser) already maps SQL-standard spellings
//! to internal names with their modifiers (`int` → `pg_catalog.int4`, `char` →
//! `pg_catalog.bpchar(1)`, `float(24)` → `pg_catalog.float4`, `bit` → `bit(1)`); this module
//! maps an internal name plus modifiers to the `format_type` spelling.

use pg_query::protobuf::{self, a_const};
use pg_query::NodeEnum;
use shale_model::{QualName, TypeRef};

/// Parse a type name (as written in DDL, or as `format_type` prints it) to a [`TypeRef`].
///
/// Unknown unqualified names are taken to be user types (enums, extension types) in the
/// first schema of `search_path` (`public` when the path is empty).
pub fn parse_type(sql: &str, search_path: &[String]) -> Result<TypeRef, String> {
    let tn = parse_type_name(sql)?;
    let first = search_path
        .iter()
        .find(|s| !s.starts_with('$') && s.as_str() != "pg_catalog")
        .cloned()
        .unwrap_or_else(|| "public".to_string());
    let mut user = |schema: Option<&str>, name: &str| -> Result<QualName, String> {
        Ok(QualName::new(schema.unwrap_or(&first).to_string(), name))
    };
    type_from_typename(&tn, &mut user)
}

/// Parse the text of a type name into pg_query's `TypeName` node.
pub(crate) fn parse_type_name(sql: &str) -> Result<protobuf::TypeName, String> {
    let text = format!("SELECT NULL::{sql}");
    let parsed =
        crate::raw::parse(&text).map_err(|e| format!("invalid type name `{sql}`: {}", e))?;
    let err = || format!("invalid type name `{sql}`");
    let [stmt] = parsed.stmts.as_slice() else {
        return Err(err());
    };
    let Some(NodeEnum::SelectStmt(sel)) = stmt.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
        return Err(err());
    };
    if !sel.from_clause.is_empty() || sel.where_clause.is_some() || sel.target_list.len() != 1 {
        return Err(err());
    }
    let Some(NodeEnum::ResTarget(rt)) = sel.target_list[0].node.as_ref() else {
        return Err(err());
    };
    let Some(NodeEnum::TypeCast(tc)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) else {
        return Err(err());
    };
    match tc.arg.as_ref().and_then(|a| a.node.as_ref()) {
        Some(NodeEnum::AConst(c)) if c.isnull => {}
        _ => return Err(err()),
    }
    tc.type_name.clone().ok_or_else(err)
}

/// The names of a `TypeName` as plain strings.
pub(crate) fn type_names(tn: &protobuf::TypeName) -> Vec<String> {
    tn.names
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// `serial`, `bigserial`, `smallserial` (and `serial2/4/8`) → the integer type they expand to.
/// PostgreSQL recognizes them only unqualified and not as arrays.
pub(crate) fn serial_type(tn: &protobuf::TypeName) -> Option<&'static str> {
    let names = type_names(tn);
    if names.len() != 1 || tn.pct_type {
        return None;
    }
    match names[0].as_str() {
        "smallserial" | "serial2" => Some("smallint"),
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        _ => None,
    }
}

use crate::typmods::Modifier;

fn modifiers(tn: &protobuf::TypeName) -> Result<Vec<Modifier>, String> {
    let simple = || "type modifiers must be simple constants or names".to_string();
    tn.typmods
        .iter()
        .map(|m| match m.node.as_ref() {
            Some(NodeEnum::AConst(c)) => match &c.val {
                Some(a_const::Val::Ival(i)) => Ok(Modifier::Int(i.ival as i64)),
                Some(a_const::Val::Fval(f)) => Ok(match f.fval.parse::<i64>() {
                    Ok(i) => Modifier::Int(i),
                    Err(_) => Modifier::Word(f.fval.clone()),
                }),
                Some(a_const::Val::Sval(s)) => Ok(Modifier::Word(s.sval.clone())),
                _ => Err(simple()),
            },
            // PostgreSQL passes a bare name (`geometry(Polygon, 4326)`) to typmodin as text.
            Some(NodeEnum::ColumnRef(cr)) => match cr.fields.as_slice() {
                [f] => match f.node.as_ref() {
                    Some(NodeEnum::String(s)) => Ok(Modifier::Word(s.sval.clone())),
                    _ => Err(simple()),
                },
                _ => Err(simple()),
            },
            _ => Err(simple()),
        })
        .collect()
}

fn typmod_values(mods: &[Modifier]) -> Result<Vec<i64>, String> {
    mods.iter()
        .map(|m| match m {
            Modifier::Int(i) => Ok(*i),
            Modifier::Word(w) => Err(format!("invalid type modifier {w}")),
        })
        .collect()
}

/// Resolves a user type name (schema as written, if any; name).
pub(crate) type UserTypeFn<'a> = &'a mut dyn FnMut(Option<&str>, &str) -> Result<QualName, String>;

/// Convert a parsed `TypeName`. `user` resolves a non-built-in name (schema as written, if
/// any) to the user type's qualified name, or fails with a message.
pub(crate) fn type_from_typename(
    tn: &protobuf::TypeName,
    user: UserTypeFn,
) -> Result<TypeRef, String> {
    if tn.setof {
        return Err("SETOF is not allowed here".into());
    }
    if tn.pct_type {
        return Err("%TYPE references are not supported".into());
    }
    let names = type_names(tn);
    let raw_mods = modifiers(tn)?;
    let array = !tn.array_bounds.is_empty();
    let (schema, name) = match names.as_slice() {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        [_db, s, n] => (Some(s.as_str()), n.as_str()),
        _ => return Err(format!("improper type name `{}`", names.join("."))),
    };
    if schema.is_none() || schema == Some("pg_catalog") {
        let mods = typmod_values(&raw_mods);
        if let Some(r) = builtin(name, mods.as_deref().unwrap_or(&[])) {
            mods?;
            let mut t = TypeRef::builtin(r?);
            if array || name.starts_with('_') {
                t.array = true;
            }
            return Ok(t);
        }
        if schema == Some("pg_catalog") {
            return Err(format!("type \"pg_catalog.{name}\" does not exist"));
        }
    }
    let q = user(schema, name)?;
    let typmod = crate::typmods::canonical(&q.name, &raw_mods)?;
    let mut t = TypeRef::user(q).with_typmod(typmod);
    t.array = array;
    Ok(t)
}

const PLAIN_BUILTINS: &[&str] = &[
    "aclitem",
    "box",
    "bytea",
    "cid",
    "cidr",
    "circle",
    "date",
    "datemultirange",
    "daterange",
    "gtsvector",
    "inet",
    "int2vector",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "json",
    "jsonb",
    "jsonpath",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "text",
    "tid",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "uuid",
    "xid",
    "xid8",
    "xml",
];

// Interval field bits (datetime.h).
const MONTH: i64 = 1 << 1;
const YEAR: i64 = 1 << 2;
const DAY: i64 = 1 << 3;
const HOUR: i64 = 1 << 10;
const MINUTE: i64 = 1 << 11;
const SECOND: i64 = 1 << 12;
const INTERVAL_FULL_RANGE: i64 = 0x7FFF;
const INTERVAL_FULL_PRECISION: i64 = 0xFFFF;

/// `format_type` spelling of a `pg_catalog` type given its internal name and modifiers;
/// `None` when `name` is not a known built-in.
fn builtin(name: &str, mods: &[i64]) -> Option<Result<String, String>> {
    let name = name.strip_prefix('_').unwrap_or(name);
    let no_mods = |display: &str| -> Result<String, String> {
        if mods.is_empty() {
            Ok(display.to_string())
        } else {
            Err(format!("type modifier is not allowed for type \"{name}\""))
        }
    };
    let one_mod = |display: &str, min: i64, max: i64| -> Result<String, String> {
        match mods {
            [] => Ok(display.to_string()),
            [n] if *n >= min && *n <= max => Ok(format!("{display}({n})")),
            [n] => Err(format!(
                "length for type {display} must be between {min} and {max}, not {n}"
            )),
            _ => Err(format!("invalid type modifier for type {display}")),
        }
    };
    // timestamp(p) with the precision placed before the zone words, reduced to 6 as
    // PostgreSQL does (with a warning).
    let dt = |base: &str, zone: &str| -> Result<String, String> {
        match mods {
            [] => Ok(format!("{base} {zone}")),
            [p] if *p >= 0 => Ok(format!("{base}({}) {zone}", (*p).min(6))),
            _ => Err(format!("invalid precision for type {base} {zone}")),
        }
    };
    let r = match name {
        "int2" => no_mods("smallint"),
        "int4" => no_mods("integer"),
        "int8" => no_mods("bigint"),
        "float4" => no_mods("real"),
        "float8" => no_mods("double precision"),
        "bool" => no_mods("boolean"),
        "char" => no_mods("\"char\""),
        "varchar" => one_mod("character varying", 1, 10_485_760),
        "bpchar" => match mods {
            [] => Ok("bpchar".to_string()),
            _ => one_mod("character", 1, 10_485_760),
        },
        "bit" => one_mod("bit", 1, 83_886_080),
        "varbit" => one_mod("bit varying", 1, 83_886_080),
        "numeric" => match mods {
            [] => Ok("numeric".into()),
            [p] if (1..=1000).contains(p) => Ok(format!("numeric({p},0)")),
            [p, s] if (1..=1000).contains(p) && (-1000..=1000).contains(s) => {
                Ok(format!("numeric({p},{s})"))
            }
            _ => Err("NUMERIC precision must be between 1 and 1000".into()),
        },
        "timestamp" => dt("timestamp", "without time zone"),
        "timestamptz" => dt("timestamp", "with time zone"),
        "time" => dt("time", "without time zone"),
        "timetz" => dt("time", "with time zone"),
        "interval" => interval(mods),
        n if PLAIN_BUILTINS.binary_search(&n).is_ok() => no_mods(n),
        _ => return None,
    };
    Some(r)
}

fn interval(mods: &[i64]) -> Result<String, String> {
    let (range, prec) = match mods {
        [] => (INTERVAL_FULL_RANGE, INTERVAL_FULL_PRECISION),
        [r] => (*r, INTERVAL_FULL_PRECISION),
        [r, p] => (*r, *p),
        _ => return Err("invalid INTERVAL type modifier".into()),
    };
    let fields = match range {
        INTERVAL_FULL_RANGE => "",
        r if r == YEAR => " year",
        r if r == MONTH => " month",
        r if r == DAY => " day",
        r if r == HOUR => " hour",
        r if r == MINUTE => " minute",
        r if r == SECOND => " second",
        r if r == YEAR | MONTH => " year to month",
        r if r == DAY | HOUR => " day to hour",
        r if r == DAY | HOUR | MINUTE => " day to minute",
        r if r == DAY | HOUR | MINUTE | SECOND => " day to second",
        r if r == HOUR | MINUTE => " hour to minute",
        r if r == HOUR | MINUTE | SECOND => " hour to second",
        r if r == MINUTE | SECOND => " minute to second",
        _ => return Err("invalid INTERVAL type modifier".into()),
    };
    if prec == INTERVAL_FULL_PRECISION {
        Ok(format!("interval{fields}"))
    } else if prec < 0 {
        Err(format!("INTERVAL({prec}) precision must not be negative"))
    } else {
        Ok(format!("interval{fields}({})", prec.min(6)))
    }
}

/// The type name without its modifiers: `character varying(20)` → `character varying`,
/// `timestamp(3) with time zone` → `timestamp with time zone`.
pub(crate) fn base_name(name: &str) -> String {
    match (name.find('('), name.find(')')) {
        (Some(a), Some(b)) if b > a => {
            let rest = &name[b + 1..];
            format!("{}{}", &name[..a], rest).trim_end().to_string()
        }
        _ => name.to_string(),
    }
}

/// A type split into its base type and its modifier, so that two types can be compared the
/// way the parser's coercions compare them (`character varying(10)` → `character varying`,
/// `(10)`; `interval day` → `interval`, `day`).
fn split_typmod(t: &TypeRef) -> (TypeRef, Option<String>) {
    if t.schema.is_some() {
        return (
            TypeRef {
                typmod: None,
                ..t.clone()
            },
            t.typmod.clone(),
        );
    }
    let (base, m) = match t.name.strip_prefix("interval") {
        Some(rest) => ("interval".to_string(), rest.trim()),
        None => (
            base_name(&t.name),
            if base_name(&t.name) == t.name {
                ""
            } else {
                t.name.as_str()
            },
        ),
    };
    let m = (!m.is_empty()).then(|| m.to_string());
    (
        TypeRef {
            name: base,
            ..t.clone()
        },
        m,
    )
}

/// Whether PostgreSQL stores no default at all for a column default written as `node`.
///
/// PostgreSQL coerces the default to the column's type and skips it (no `pg_attrdef` row)
/// exactly when the result is a bare NULL constant: `DEFAULT NULL` or
/// `DEFAULT NULL::timestamp` on a `timestamp` column. Every coercion that is not a no-op
/// keeps it: a different type (`NULL::text` on `varchar`), a length coercion
/// (`NULL::timestamp` on `timestamp(6)`, `DEFAULT NULL` on `varchar(10)` — but not on
/// `interval day`, whose input function takes the modifier), a domain. Rails'
/// structure.sql writes such defaults, so both sides must agree on them.
/// `resolve` gives a cast's type; `is_domain` says whether a type is a domain.
pub(crate) fn stores_no_default(
    node: &protobuf::Node,
    column: &TypeRef,
    resolve: &mut dyn FnMut(&protobuf::TypeName) -> Option<TypeRef>,
    is_domain: &dyn Fn(&TypeRef) -> bool,
) -> bool {
    /// A NULL constant: untyped, or of a type with the modifier it carries.
    enum Null {
        Untyped,
        Typed(TypeRef, Option<String>),
    }
    // Coerce a NULL constant to `target`; `None` once it is no longer a bare constant.
    let coerce = |c: Null, target: &TypeRef| -> Option<Null> {
        if is_domain(&target.element()) {
            return None;
        }
        let (base, m) = split_typmod(target);
        let carried = match c {
            // The input function gets the modifier only for interval (parse_coerce.c).
            Null::Untyped if base.name == "interval" && base.schema.is_none() => m.clone(),
            Null::Untyped => None,
            Null::Typed(t, carried) if t == base => carried,
            Null::Typed(..) => return None,
        };
        if m.is_some() && m != carried {
            return None;
        }
        Some(Null::Typed(base, carried))
    };
    fn walk(
        node: &protobuf::Node,
        resolve: &mut dyn FnMut(&protobuf::TypeName) -> Option<TypeRef>,
        coerce: &dyn Fn(Null, &TypeRef) -> Option<Null>,
    ) -> Option<Null> {
        match node.node.as_ref()? {
            NodeEnum::AConst(c) if c.isnull => Some(Null::Untyped),
            NodeEnum::TypeCast(tc) => {
                let inner = walk(tc.arg.as_deref()?, resolve, coerce)?;
                let target = resolve(tc.type_name.as_ref()?)?;
                coerce(inner, &target)
            }
            _ => None,
        }
    }
    walk(node, resolve, &coerce)
        .and_then(|c| coerce(c, column))
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(sql: &str) -> String {
        parse_type(sql, &["public".to_string()])
            .unwrap()
            .to_string()
    }

    #[test]
    fn plain_builtins_sorted() {
        let mut v = PLAIN_BUILTINS.to_vec();
        v.sort_unstable();
        assert_eq!(v, PLAIN_BUILTINS);
    }

    #[test]
    fn integer_spellings() {
        for s in ["int", "int4", "integer", "pg_catalog.int4", "INT"] {
            assert_eq!(t(s), "integer", "{s}");
        }
        assert_eq!(t("int8"), "bigint");
        assert_eq!(t("bigint"), "bigint");
        assert_eq!(t("int2"), "smallint");
        assert_eq!(t("smallint"), "smallint");
    }

    #[test]
    fn character_types() {
        assert_eq!(t("varchar(5)"), "character varying(5)");
        assert_eq!(t("character varying(20)"), "character varying(20)");
        assert_eq!(t("varchar"), "character varying");
        assert_eq!(t("char"), "character(1)");
        assert_eq!(t("character(3)"), "character(3)");
        assert_eq!(t("bpchar"), "bpchar");
        assert_eq!(t("\"char\""), "\"char\"");
        assert_eq!(t("text"), "text");
    }

    #[test]
    fn numeric_and_float() {
        assert_eq!(t("decimal(5,2)"), "numeric(5,2)");
        assert_eq!(t("numeric(10)"), "numeric(10,0)");
        assert_eq!(t("numeric"), "numeric");
        assert_eq!(t("float"), "double precision");
        assert_eq!(t("float8"), "double precision");
        assert_eq!(t("float(24)"), "real");
        assert_eq!(t("float(25)"), "double precision");
        assert_eq!(t("float4"), "real");
        assert_eq!(t("real"), "real");
        assert_eq!(t("double precision"), "double precision");
    }

    #[test]
    fn date_time() {
        assert_eq!(t("timestamptz"), "timestamp with time zone");
        assert_eq!(t("timestamp"), "timestamp without time zone");
        assert_eq!(t("timestamp(3)"), "timestamp(3) without time zone");
        assert_eq!(
            t("timestamp(3) with time zone"),
            "timestamp(3) with time zone"
        );
        assert_eq!(t("timestamp(9)"), "timestamp(6) without time zone");
        assert_eq!(t("time"), "time without time zone");
        assert_eq!(t("timetz(2)"), "time(2) with time zone");
        assert_eq!(t("interval"), "interval");
        assert_eq!(t("interval(3)"), "interval(3)");
        assert_eq!(t("interval day to second(3)"), "interval day to second(3)");
        assert_eq!(t("interval year to month"), "interval year to month");
        assert_eq!(t("interval hour"), "interval hour");
        assert_eq!(t("bool"), "boolean");
    }

    #[test]
    fn bits() {
        assert_eq!(t("bit"), "bit(1)");
        assert_eq!(t("bit(8)"), "bit(8)");
        assert_eq!(t("varbit"), "bit varying");
        assert_eq!(t("bit varying(4)"), "bit varying(4)");
    }

    #[test]
    fn arrays_and_user_types() {
        assert_eq!(t("int[]"), "integer[]");
        assert_eq!(t("int ARRAY"), "integer[]");
        assert_eq!(t("int[][]"), "integer[]");
        assert_eq!(t("_int4"), "integer[]");
        assert_eq!(t("varchar(3)[]"), "character varying(3)[]");
        assert_eq!(t("citext"), "public.citext");
        assert_eq!(t("app.mood[]"), "app.mood[]");
        assert_eq!(t("\"My Type\""), "public.\"My Type\"");
        let r = parse_type("mood", &["app".into(), "public".into()]).unwrap();
        assert_eq!(r.schema.as_deref(), Some("app"));
    }

    #[test]
    fn format_type_output_round_trips() {
        for s in [
            "integer",
            "character varying(20)",
            "numeric(10,2)",
            "timestamp(3) without time zone",
            "time with time zone",
            "interval minute to second(2)",
            "bit varying(3)",
            "double precision",
            "character(1)",
        ] {
            assert_eq!(t(s), s);
        }
    }

    #[test]
    fn bad_types() {
        assert!(parse_type("text(5)", &[]).is_err());
        assert!(parse_type("int; drop table x", &[]).is_err());
        assert!(parse_type("varchar(0)", &[]).is_err());
        assert!(parse_type("pg_catalog.nosuch", &[]).is_err());
    }

    #[test]
    fn base_names() {
        assert_eq!(base_name("character varying(20)"), "character varying");
        assert_eq!(
            base_name("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(base_name("integer"), "integer");
    }
}
