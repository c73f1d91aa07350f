//! Operators, operator families and operator classes, read from `pg_operator`,
//! `pg_opfamily` (with `pg_amop` and `pg_amproc`, their members) and `pg_opclass`.
//! Each is written back as the statement the files would hold (`CREATE OPERATOR`,
//! `CREATE OPERATOR FAMILY`, `ALTER OPERATOR FAMILY … ADD` with every member's types
//! explicit, `CREATE OPERATOR CLASS … FAMILY … AS STORAGE`) and replayed through the SQL
//! front end, so that names and types come out as the files' do. Shell operators (no
//! function), extension members and objects of system schemas are skipped.

use crate::queries::{comment, get, not_extension_member, query, user_schema};
use crate::IntrospectError;
use postgres::Transaction;
use shale_model::operators::op_name;
use shale_model::{Catalog, QualName, Unmodeled};
use shale_sql::Replay;

pub(crate) struct OperatorRows {
    operators: Vec<Row>,
    families: Vec<Row>,
    operator_members: Vec<Row>,
    function_members: Vec<Row>,
    classes: Vec<Row>,
}

/// One catalog row: what it is about (for errors), its statement, its key for the
/// comment, and the comment.
struct Row {
    kind: &'static str,
    object: String,
    sql: String,
    key: Key,
    comment: Option<String>,
}

enum Key {
    Operator(String),
    Family(QualName, String),
    Class(QualName, String),
    None,
}

const WHAT: &str = "operators";

/// `quote_ident(schema) || '.' || quote_ident(name)` of a `pg_proc` oid.
fn proc_name(oid: &str) -> String {
    format!(
        "(SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.proname) \
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace \
          WHERE p.oid = {oid})"
    )
}

/// `OPERATOR(schema.name)` of a `pg_operator` oid.
fn operator_ref(oid: &str) -> String {
    format!(
        "(SELECT 'OPERATOR(' || pg_catalog.quote_ident(x.nspname) || '.' || o2.oprname || ')' \
           FROM pg_catalog.pg_operator o2 JOIN pg_catalog.pg_namespace x ON x.oid = o2.oprnamespace \
          WHERE o2.oid = {oid})"
    )
}

fn family_filter(f: &str, n: &str) -> String {
    format!(
        "{} AND {}",
        user_schema(n),
        not_extension_member("pg_opfamily", &format!("{f}.oid"))
    )
}

/// Run the queries (inside the introspection transaction).
pub(crate) fn read(tx: &mut Transaction<'_>) -> Result<OperatorRows, IntrospectError> {
    let operators = format!(
        "SELECT pg_catalog.quote_ident(n.nspname) AS schema, n.nspname::text AS raw_schema, \
                o.oprname::text AS name, \
                CASE WHEN o.oprleft = 0 THEN NULL ELSE pg_catalog.format_type(o.oprleft, NULL) END AS lt, \
                pg_catalog.format_type(o.oprright, NULL) AS rt, \
                {} AS function, \
                CASE WHEN o.oprcom = 0 THEN NULL ELSE {} END AS commutator, \
                CASE WHEN o.oprnegate = 0 THEN NULL ELSE {} END AS negator, \
                CASE WHEN o.oprrest = 0 THEN NULL ELSE {} END AS restrict, \
                CASE WHEN o.oprjoin = 0 THEN NULL ELSE {} END AS join_fn, \
                o.oprcanhash AS hashes, o.oprcanmerge AS merges, {} AS comment \
         FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace \
         WHERE o.oprcode <> 0 AND {} AND {} ORDER BY 1, 3, 4, 5",
        proc_name("o.oprcode"),
        operator_ref("o.oprcom"),
        operator_ref("o.oprnegate"),
        proc_name("o.oprrest"),
        proc_name("o.oprjoin"),
        comment("pg_operator", "o.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_operator", "o.oid"),
    );
    let operators = query(tx, WHAT, &operators)?
        .iter()
        .map(|r| {
            let name: String = get(r, WHAT, "name")?;
            let schema: String = get(r, WHAT, "raw_schema")?;
            let qs: String = get(r, WHAT, "schema")?;
            let left: Option<String> = get(r, WHAT, "lt")?;
            let right: String = get(r, WHAT, "rt")?;
            let mut o = vec![format!(
                "FUNCTION = {}",
                get::<String>(r, WHAT, "function")?
            )];
            if let Some(l) = &left {
                o.push(format!("LEFTARG = {l}"));
            }
            o.push(format!("RIGHTARG = {right}"));
            for (k, col) in [
                ("COMMUTATOR", "commutator"),
                ("NEGATOR", "negator"),
                ("RESTRICT", "restrict"),
                ("JOIN", "join_fn"),
            ] {
                if let Some(v) = get::<Option<String>>(r, WHAT, col)? {
                    o.push(format!("{k} = {v}"));
                }
            }
            if get::<bool>(r, WHAT, "hashes")? {
                o.push("HASHES".into());
            }
            if get::<bool>(r, WHAT, "merges")? {
                o.push("MERGES".into());
            }
            let args = format!("{}, {right}", left.as_deref().unwrap_or("NONE"));
            Ok(Row {
                kind: "operator",
                object: format!("operator {qs}.{name}({args})"),
                sql: format!("CREATE OPERATOR {qs}.{name} ({})", o.join(", ")),
                key: Key::Operator(format!("{}({args})", op_name(&QualName::new(schema, name)))),
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect::<Result<Vec<_>, IntrospectError>>()?;

    let families = format!(
        "SELECT n.nspname::text AS schema, f.opfname::text AS name, a.amname::text AS method, \
                {} AS comment \
         FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace \
         JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod \
         WHERE {} ORDER BY 1, 2, 3",
        comment("pg_opfamily", "f.oid", "0"),
        family_filter("f", "n"),
    );
    let families = query(tx, WHAT, &families)?
        .iter()
        .map(|r| {
            let q = QualName::new(
                get::<String>(r, WHAT, "schema")?,
                get::<String>(r, WHAT, "name")?,
            );
            let method: String = get(r, WHAT, "method")?;
            let target = format!("{q} USING {}", shale_model::quote_ident(&method));
            Ok(Row {
                kind: "operator family",
                object: format!("operator family {target}"),
                sql: format!("CREATE OPERATOR FAMILY {target}"),
                key: Key::Family(q, method),
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect::<Result<Vec<_>, IntrospectError>>()?;

    let family_of = |alias: &str| {
        format!(
            "pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(f.opfname) \
             || ' USING ' || pg_catalog.quote_ident(a.amname) AS family \
             FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace \
             JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod JOIN {alias}"
        )
    };
    let operator_members = format!(
        "SELECT 'OPERATOR ' || m.amopstrategy || ' ' || pg_catalog.quote_ident(xn.nspname) || '.' \
                || x.oprname || ' (' || pg_catalog.format_type(m.amoplefttype, NULL) || ', ' \
                || pg_catalog.format_type(m.amoprighttype, NULL) || ')' \
                || CASE WHEN m.amoppurpose = 'o' THEN ' FOR ORDER BY ' \
                   || (SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname) \
                         FROM pg_catalog.pg_opfamily sf JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace \
                        WHERE sf.oid = m.amopsortfamily) ELSE '' END AS member, \
                {} \
           ON m.amopfamily = f.oid \
         JOIN pg_catalog.pg_operator x ON x.oid = m.amopopr \
         JOIN pg_catalog.pg_namespace xn ON xn.oid = x.oprnamespace \
         WHERE {} ORDER BY n.nspname, f.opfname, a.amname, m.amopstrategy, 1",
        family_of("pg_catalog.pg_amop m"),
        family_filter("f", "n"),
    );
    let function_members = format!(
        "SELECT 'FUNCTION ' || m.amprocnum || ' (' || pg_catalog.format_type(m.amproclefttype, NULL) \
                || ', ' || pg_catalog.format_type(m.amprocrighttype, NULL) || ') ' \
                || {} || '(' || pg_catalog.array_to_string(ARRAY(\
                     SELECT pg_catalog.format_type(t, NULL) \
                       FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY u(t, i) \
                      ORDER BY i), ', ') || ')' AS member, \
                {} \
           ON m.amprocfamily = f.oid \
         JOIN pg_catalog.pg_proc p ON p.oid = m.amproc \
         WHERE {} ORDER BY n.nspname, f.opfname, a.amname, m.amprocnum, 1",
        proc_name("m.amproc"),
        family_of("pg_catalog.pg_amproc m"),
        family_filter("f", "n"),
    );
    let members = |tx: &mut Transaction<'_>, sql: &str| -> Result<Vec<Row>, IntrospectError> {
        query(tx, WHAT, sql)?
            .iter()
            .map(|r| {
                let family: String = get(r, WHAT, "family")?;
                let member: String = get(r, WHAT, "member")?;
                Ok(Row {
                    kind: "operator family",
                    object: format!("operator family {family}"),
                    sql: format!("ALTER OPERATOR FAMILY {family} ADD {member}"),
                    key: Key::None,
                    comment: None,
                })
            })
            .collect()
    };
    let operator_members = members(tx, &operator_members)?;
    let function_members = members(tx, &function_members)?;

    let classes = format!(
        "SELECT n.nspname::text AS schema, c.opcname::text AS name, a.amname::text AS method, \
                pg_catalog.format_type(c.opcintype, NULL) AS ty, c.opcdefault AS is_default, \
                pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname) AS family, \
                CASE WHEN c.opckeytype = 0 THEN pg_catalog.format_type(c.opcintype, NULL) \
                     ELSE pg_catalog.format_type(c.opckeytype, NULL) END AS storage, \
                {} AS comment \
         FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace \
         JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod \
         JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily \
         JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace \
         WHERE {} AND {} ORDER BY 1, 2, 3",
        comment("pg_opclass", "c.oid", "0"),
        user_schema("n"),
        not_extension_member("pg_opclass", "c.oid"),
    );
    let classes = query(tx, WHAT, &classes)?
        .iter()
        .map(|r| {
            let q = QualName::new(
                get::<String>(r, WHAT, "schema")?,
                get::<String>(r, WHAT, "name")?,
            );
            let method: String = get(r, WHAT, "method")?;
            let target = format!("{q} USING {}", shale_model::quote_ident(&method));
            Ok(Row {
                kind: "operator class",
                object: format!("operator class {target}"),
                sql: format!(
                    "CREATE OPERATOR CLASS {q}{} FOR TYPE {} USING {} FAMILY {} AS STORAGE {}",
                    if get::<bool>(r, WHAT, "is_default")? {
                        " DEFAULT"
                    } else {
                        ""
                    },
                    get::<String>(r, WHAT, "ty")?,
                    shale_model::quote_ident(&method),
                    get::<String>(r, WHAT, "family")?,
                    get::<String>(r, WHAT, "storage")?,
                ),
                key: Key::Class(q, method),
                comment: get(r, WHAT, "comment")?,
            })
        })
        .collect::<Result<Vec<_>, IntrospectError>>()?;
    Ok(OperatorRows {
        operators,
        families,
        operator_members,
        function_members,
        classes,
    })
}

/// Replay the rows on top of `cat` (types and functions read already); one the front
/// end cannot read is reported as unmodelled with the reason.
pub(crate) fn assemble(cat: Catalog, rows: OperatorRows) -> Catalog {
    let OperatorRows {
        operators,
        families,
        operator_members,
        function_members,
        classes,
    } = rows;
    if operators.is_empty() && families.is_empty() && classes.is_empty() {
        return cat;
    }
    let mut r = Replay::new(cat);
    let mut failed = Vec::new();
    let all: Vec<Row> = operators
        .into_iter()
        .chain(families)
        .chain(operator_members)
        .chain(function_members)
        .chain(classes)
        .collect();
    for row in &all {
        if let Err(e) = r.definition(&row.object, &row.sql) {
            failed.push(Unmodeled {
                kind: format!("{} (not understood: {})", row.kind, e.message),
                name: row.object[row.kind.len() + 1..].to_string(),
                location: None,
            });
        }
    }
    let mut cat = r.finish();
    for row in all {
        let Some(c) = row.comment else { continue };
        match row.key {
            Key::Operator(k) => {
                if let Some(o) = cat.operators.get_mut(&k) {
                    o.comment = Some(c);
                }
            }
            Key::Family(q, m) => {
                if let Some(f) = cat.operator_families.get_mut(&(q, m)) {
                    f.comment = Some(c);
                }
            }
            Key::Class(q, m) => {
                if let Some(o) = cat.operator_classes.get_mut(&(q, m)) {
                    o.comment = Some(c);
                }
            }
            Key::None => {}
        }
    }
    for f in cat.operator_families.values_mut() {
        f.sort();
    }
    cat.unmodeled.extend(failed);
    cat.unmodeled.sort();
    cat.unmodeled.dedup();
    cat
}
