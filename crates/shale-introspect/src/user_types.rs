//! Domains, composite types and range types of a live database (canonical forms in
//! `shale_model::user_types`). One query per kind; expressions go through the same
//! normalizer as the files, with `VALUE` typed as the domain's base type.

use crate::queries::{comment, get, not_extension_member, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::{
    Attribute, Catalog, CompositeType, Domain, DomainCheck, QualName, RangeType, TypeRef,
};
use shale_sql::ExprContext;
use std::collections::HashMap;

/// Columns (`{p}formatted`, `{p}is_array`, `{p}elem_schema`, `{p}elem_name`, `{p}typmod`) describing
/// the type `{t}.oid` with modifier `typmod`, and the joins they need (aliases `{p}et`,
/// `{p}e`, `{p}en`).
fn type_columns(p: &str, t: &str, typmod: &str) -> (String, String) {
    (
        format!(
            "pg_catalog.format_type({t}.oid, {typmod}) AS {p}formatted, \
             ({p}et.oid IS NOT NULL) AS {p}is_array, {p}en.nspname::text AS {p}elem_schema, \
             {p}e.typname::text AS {p}elem_name, {} AS {p}typmod",
            crate::queries::typmod_text(&format!("{p}en"), &format!("{p}e"), typmod)
        ),
        format!(
            "LEFT JOIN pg_catalog.pg_type {p}et ON {p}et.oid = {t}.typelem AND {p}et.typarray = {t}.oid \
             JOIN pg_catalog.pg_type {p}e ON {p}e.oid = COALESCE({p}et.oid, {t}.oid) \
             JOIN pg_catalog.pg_namespace {p}en ON {p}en.oid = {p}e.typnamespace"
        ),
    )
}

/// The model's spelling of a type read with [`type_columns`].
fn type_ref(r: &postgres::Row, what: &'static str, p: &str) -> Result<TypeRef, IntrospectError> {
    let formatted: String = get(r, what, format!("{p}formatted").as_str())?;
    let is_array: bool = get(r, what, format!("{p}is_array").as_str())?;
    let elem_schema: String = get(r, what, format!("{p}elem_schema").as_str())?;
    let elem_name: String = get(r, what, format!("{p}elem_name").as_str())?;
    let base = if elem_schema == "pg_catalog" {
        let mut name = formatted.as_str();
        while let Some(s) = name.strip_suffix("[]") {
            name = s;
        }
        TypeRef::builtin(name)
    } else {
        let typmod: Option<String> = get(r, what, format!("{p}typmod").as_str())?;
        TypeRef::user(QualName::new(elem_schema, elem_name)).with_typmod(typmod)
    };
    Ok(if is_array { base.array_of() } else { base })
}

fn qual(
    r: &postgres::Row,
    what: &'static str,
    schema: &str,
    name: &str,
) -> Result<Option<QualName>, IntrospectError> {
    let s: Option<String> = get(r, what, schema)?;
    let n: Option<String> = get(r, what, name)?;
    Ok(s.zip(n).map(|(s, n)| QualName::new(s, n)))
}

fn normalize(
    sql: &str,
    base: &TypeRef,
    target: Option<&TypeRef>,
    object: &QualName,
    what: &'static str,
) -> Result<shale_model::Expr, IntrospectError> {
    let lookup = |name: &str| (name == "value").then(|| base.clone());
    let ctx = ExprContext {
        column_type: &lookup,
        target_type: target,
        search_path: &[],
    };
    shale_sql::normalize_expr(sql, &ctx).map_err(|message| IntrospectError::Expr {
        object: format!("domain {object}"),
        what,
        sql: sql.to_string(),
        message,
    })
}

/// The domains, composite and range types of the database.
pub(crate) struct Types {
    domains: Vec<Domain>,
    composites: Vec<CompositeType>,
    ranges: Vec<RangeType>,
}

pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<Types, IntrospectError> {
    Ok(Types {
        domains: domains(tx)?,
        composites: composites(tx)?,
        ranges: ranges(tx)?,
    })
}

fn domains(tx: &mut Transaction<'_>) -> Result<Vec<Domain>, IntrospectError> {
    const WHAT: &str = "domains";
    let (cols, joins) = type_columns("b_", "bt", "t.typtypmod");
    let sql = format!(
        "SELECT t.oid, n.nspname::text AS schema, t.typname::text AS name, {cols}, \
                t.typnotnull AS not_null, \
                pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS default_expr, \
                CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation \
                     THEN cn.nspname::text END AS coll_schema, \
                CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation \
                     THEN co.collname::text END AS coll_name, \
                {} AS comment \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype \
         {joins} \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         WHERE t.typtype = 'd' AND {} AND {} ORDER BY 2, 3",
        comment("pg_type", "t.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_type", "t.oid"),
    );
    let checks_sql = "SELECT c.contypid AS oid, c.conname::text AS name, \
                pg_catalog.pg_get_expr(c.conbin, 0) AS expr, c.convalidated AS validated \
         FROM pg_catalog.pg_constraint c WHERE c.contypid <> 0 AND c.contype = 'c' \
         ORDER BY 1, 2";
    let mut checks: HashMap<u32, Vec<(String, String, bool)>> = HashMap::new();
    for r in query(tx, WHAT, checks_sql)? {
        let oid: u32 = get(&r, WHAT, "oid")?;
        checks.entry(oid).or_default().push((
            get(&r, WHAT, "name")?,
            get(&r, WHAT, "expr")?,
            get(&r, WHAT, "validated")?,
        ));
    }
    let rows = query(tx, WHAT, &sql)?;
    // Base types by domain, to type `VALUE` as the innermost base type.
    let mut bases: HashMap<QualName, TypeRef> = HashMap::new();
    for r in &rows {
        let name = QualName::new(
            get::<String>(r, WHAT, "schema")?,
            get::<String>(r, WHAT, "name")?,
        );
        bases.insert(name, type_ref(r, WHAT, "b_")?);
    }
    let innermost = |t: &TypeRef| {
        let mut ty = t.clone();
        let mut hops = 0;
        while let Some(b) = ty.user_type().and_then(|q| bases.get(&q)) {
            if ty.array || hops > 32 {
                break;
            }
            ty = b.clone();
            hops += 1;
        }
        ty
    };
    let mut out = Vec::new();
    for r in rows {
        let oid: u32 = get(&r, WHAT, "oid")?;
        let name = QualName::new(
            get::<String>(&r, WHAT, "schema")?,
            get::<String>(&r, WHAT, "name")?,
        );
        let base = type_ref(&r, WHAT, "b_")?;
        let mut d = Domain::new(name.clone(), base.clone());
        d.not_null = get(&r, WHAT, "not_null")?;
        d.collation = qual(&r, WHAT, "coll_schema", "coll_name")?;
        d.comment = get(&r, WHAT, "comment")?;
        let value = innermost(&base);
        if let Some(sql) = get::<Option<String>>(&r, WHAT, "default_expr")? {
            d.default = Some(normalize(&sql, &value, Some(&base), &name, "default")?);
        }
        for (cname, sql, validated) in checks.remove(&oid).unwrap_or_default() {
            let expr = normalize(&sql, &value, None, &name, "check expression")?;
            d.checks.insert(
                cname.clone(),
                DomainCheck {
                    name: cname,
                    expr,
                    validated,
                },
            );
        }
        out.push(d);
    }
    Ok(out)
}

fn composites(tx: &mut Transaction<'_>) -> Result<Vec<CompositeType>, IntrospectError> {
    const WHAT: &str = "composite types";
    let (cols, joins) = type_columns("a_", "at", "a.atttypmod");
    let sql = format!(
        "SELECT t.oid, n.nspname::text AS schema, t.typname::text AS name, \
                {} AS comment, a.attname::text AS attname, {cols}, \
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation \
                     THEN cn.nspname::text END AS coll_schema, \
                CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation \
                     THEN co.collname::text END AS coll_name \
         FROM pg_catalog.pg_type t \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_class r ON r.oid = t.typrelid AND r.relkind = 'c' \
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 \
              AND NOT a.attisdropped \
         LEFT JOIN pg_catalog.pg_type at ON at.oid = a.atttypid \
         {} \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         WHERE t.typtype = 'c' AND {} AND {} ORDER BY 2, 3, a.attnum",
        comment("pg_type", "t.oid", "0"),
        // Attribute-less composite types have no type row to join.
        joins
            .replace("JOIN pg_catalog", "LEFT JOIN pg_catalog")
            .replace("LEFT LEFT", "LEFT"),
        user_schema("n"),
        not_extension_member("pg_type", "t.oid"),
    );
    let mut out: Vec<CompositeType> = Vec::new();
    for r in query(tx, WHAT, &sql)? {
        let name = QualName::new(
            get::<String>(&r, WHAT, "schema")?,
            get::<String>(&r, WHAT, "name")?,
        );
        if out.last().is_none_or(|c| c.name != name) {
            out.push(CompositeType {
                name: name.clone(),
                attributes: Vec::new(),
                comment: get(&r, WHAT, "comment")?,
            });
        }
        let Some(attname) = get::<Option<String>>(&r, WHAT, "attname")? else {
            continue;
        };
        let attr = Attribute {
            name: attname,
            ty: type_ref(&r, WHAT, "a_")?,
            collation: qual(&r, WHAT, "coll_schema", "coll_name")?,
        };
        if let Some(c) = out.last_mut() {
            c.attributes.push(attr);
        }
    }
    Ok(out)
}

fn ranges(tx: &mut Transaction<'_>) -> Result<Vec<RangeType>, IntrospectError> {
    const WHAT: &str = "range types";
    let version: i32 = get(
        &query(
            tx,
            WHAT,
            "SELECT pg_catalog.current_setting('server_version_num')::int AS v",
        )?[0],
        WHAT,
        "v",
    )?;
    let multirange = if version >= 140000 {
        "(SELECT m.typname::text FROM pg_catalog.pg_type m WHERE m.oid = rg.rngmultitypid)"
    } else {
        "NULL::text"
    };
    let (cols, joins) = type_columns("s_", "st", "-1");
    let sql = format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name, {cols}, \
                CASE WHEN NOT opc.opcdefault THEN opn.nspname::text END AS opc_schema, \
                CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END AS opc_name, \
                CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> st.typcollation \
                     THEN cn.nspname::text END AS coll_schema, \
                CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> st.typcollation \
                     THEN co.collname::text END AS coll_name, \
                cpn.nspname::text AS canon_schema, cp.proname::text AS canon_name, \
                dpn.nspname::text AS diff_schema, dp.proname::text AS diff_name, \
                {multirange} AS multirange, {} AS comment \
         FROM pg_catalog.pg_range rg \
         JOIN pg_catalog.pg_type t ON t.oid = rg.rngtypid \
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_catalog.pg_type st ON st.oid = rg.rngsubtype \
         {joins} \
         JOIN pg_catalog.pg_opclass opc ON opc.oid = rg.rngsubopc \
         JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace \
         LEFT JOIN pg_catalog.pg_collation co ON co.oid = rg.rngcollation \
         LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
         LEFT JOIN pg_catalog.pg_proc cp ON cp.oid = rg.rngcanonical \
         LEFT JOIN pg_catalog.pg_namespace cpn ON cpn.oid = cp.pronamespace \
         LEFT JOIN pg_catalog.pg_proc dp ON dp.oid = rg.rngsubdiff \
         LEFT JOIN pg_catalog.pg_namespace dpn ON dpn.oid = dp.pronamespace \
         WHERE {} AND {} ORDER BY 1, 2",
        comment("pg_type", "t.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_type", "t.oid"),
    );
    let mut out = Vec::new();
    for r in query(tx, WHAT, &sql)? {
        let name = QualName::new(
            get::<String>(&r, WHAT, "schema")?,
            get::<String>(&r, WHAT, "name")?,
        );
        let multirange: Option<String> = get(&r, WHAT, "multirange")?;
        out.push(RangeType {
            subtype: type_ref(&r, WHAT, "s_")?,
            subtype_opclass: qual(&r, WHAT, "opc_schema", "opc_name")?,
            collation: qual(&r, WHAT, "coll_schema", "coll_name")?,
            canonical: qual(&r, WHAT, "canon_schema", "canon_name")?,
            subtype_diff: qual(&r, WHAT, "diff_schema", "diff_name")?,
            multirange: multirange.filter(|m| *m != RangeType::default_multirange(&name.name)),
            comment: get(&r, WHAT, "comment")?,
            name,
        });
    }
    Ok(out)
}

/// Adds the types to the catalog (before functions and views are read: their signatures
/// and columns may use them).
pub(crate) fn assemble(mut cat: Catalog, types: Types) -> Result<Catalog, IntrospectError> {
    for d in types.domains {
        cat.domains.insert(d.name.clone(), d);
    }
    for c in types.composites {
        cat.composites.insert(c.name.clone(), c);
    }
    for r in types.ranges {
        cat.ranges.insert(r.name.clone(), r);
    }
    renormalize_over_domains(&mut cat)?;
    Ok(cat)
}

/// Checks, index key expressions and index predicates of tables with domain columns were
/// normalized before the domains were known, with such a column typed as the domain: the
/// catalog's `(price)::numeric` then stayed a cast. Normalize them again from their text
/// with the columns typed as their base types, as the SQL front end types them.
fn renormalize_over_domains(cat: &mut Catalog) -> Result<(), IntrospectError> {
    let mut typed: HashMap<QualName, HashMap<String, TypeRef>> = HashMap::new();
    for t in cat.tables.values() {
        if !t.columns.iter().any(|c| cat.domain_base(&c.ty) != c.ty) {
            continue;
        }
        typed.insert(
            t.name.clone(),
            t.columns
                .iter()
                .map(|c| (c.name.clone(), cat.domain_base(&c.ty)))
                .collect(),
        );
    }
    let again = |e: &shale_model::Expr,
                 cols: &HashMap<String, TypeRef>,
                 object: &str|
     -> Result<shale_model::Expr, IntrospectError> {
        let lookup = |name: &str| cols.get(name).cloned();
        let ctx = ExprContext {
            column_type: &lookup,
            target_type: None,
            search_path: &[],
        };
        let mut out =
            shale_sql::normalize_expr(&e.sql, &ctx).map_err(|message| IntrospectError::Expr {
                object: object.to_string(),
                what: "expression over a domain column",
                sql: e.sql.clone(),
                message,
            })?;
        // Keep what the first reading found referenced.
        for r in &e.refs {
            if !out.refs.contains(r) {
                out.refs.push(r.clone());
            }
        }
        Ok(out)
    };
    for (table, cols) in &typed {
        if let Some(t) = cat.tables.get_mut(table) {
            for c in t.constraints.values_mut() {
                if let shale_model::ConstraintKind::Check { expr, .. } = &mut c.kind {
                    *expr = again(expr, cols, &format!("constraint {} on {table}", c.name))?;
                }
            }
        }
        for ix in cat.indexes.values_mut().filter(|ix| &ix.table == table) {
            let object = format!("index {}", ix.name);
            for k in &mut ix.keys {
                if let shale_model::IndexKeyExpr::Expr(e) = &mut k.key {
                    *e = again(e, cols, &object)?;
                }
            }
            if let Some(p) = &mut ix.predicate {
                *p = again(p, cols, &object)?;
            }
        }
    }
    Ok(())
}

/// The kinds this module models are not "unmodeled" any more: drops their entries from
/// the report (multirange types come with their range).
pub(crate) fn forget_unmodeled(mut cat: Catalog) -> Catalog {
    cat.unmodeled
        .retain(|u| !matches!(u.kind.as_str(), "domain" | "range type" | "composite type"));
    cat
}
