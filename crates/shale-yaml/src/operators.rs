//! Operators, operator families and operator classes in YAML: the documents' keys
//! (`operators:`, `operator_families:`, `operator_classes:`) and the DDL they render to
//! (docs/YAML.md):
//!
//! ```yaml
//! operators:
//!   - name: "#<"                     # name (schema public) or schema.name
//!     left: integer                  # none: a prefix operator
//!     right: integer
//!     function: abs_lt               # a reference, like the other families' functions
//!     commutator: "#>"               # an operator: name (public) or schema.name
//!     restrict: pg_catalog.scalarltsel
//! operator_families:
//!   - name: abs_ops
//!     using: btree
//!     operators: [{strategy: 1, operator: "#<", types: [integer, bigint]}]
//!     functions: [{number: 1, function: abs_cmp_big, args: [integer, bigint]}]
//! operator_classes:
//!   - name: abs_ops
//!     using: btree
//!     type: integer
//!     operators: [{strategy: 1, operator: "#<"}]   # types: the class's type
//!     functions: [{number: 1, function: abs_cmp, args: [integer, integer]}]
//! ```
//!
//! Operator names are never quoted in SQL: they are checked to be made of operator
//! characters only. Names of families, classes and functions are references (`name` in
//! `public`, `schema.name`; built-ins are `pg_catalog.…`); types are SQL type names as in
//! columns.

use crate::doc::NameRef;
use crate::{sqlcheck, YamlError};
use serde::Deserialize;
use shale_model::operators::op_name;
use shale_model::{quote_ident, QualName};

/// One operator (`CREATE OPERATOR`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorDoc {
    pub name: String,
    /// The left argument type; none for a prefix operator.
    #[serde(default)]
    pub left: Option<String>,
    pub right: String,
    pub function: NameRef,
    #[serde(default)]
    pub commutator: Option<String>,
    #[serde(default)]
    pub negator: Option<String>,
    /// Restriction selectivity estimator.
    #[serde(default)]
    pub restrict: Option<NameRef>,
    /// Join selectivity estimator.
    #[serde(default)]
    pub join: Option<NameRef>,
    #[serde(default)]
    pub hashes: bool,
    #[serde(default)]
    pub merges: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// An operator member of a family or class (`OPERATOR n op (left, right)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberOperatorDoc {
    pub strategy: i32,
    pub operator: String,
    /// `[left, right]`; in a class, the class's type by default.
    #[serde(default)]
    pub types: Option<Vec<String>>,
    /// `FOR ORDER BY` this btree family (else `FOR SEARCH`).
    #[serde(default)]
    pub order_by: Option<NameRef>,
}

/// A support function of a family or class (`FUNCTION n (left, right) f(args)`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberFunctionDoc {
    pub number: i32,
    pub function: NameRef,
    /// The function's argument types.
    #[serde(default)]
    pub args: Vec<String>,
    /// `[left, right]` (or one type for both) when other than what PostgreSQL derives.
    #[serde(default)]
    pub types: Option<Vec<String>>,
}

/// An operator family (`CREATE OPERATOR FAMILY`, its members added with `ALTER OPERATOR
/// FAMILY … ADD`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyDoc {
    pub name: NameRef,
    /// The index access method.
    pub using: String,
    #[serde(default)]
    pub operators: Vec<MemberOperatorDoc>,
    #[serde(default)]
    pub functions: Vec<MemberFunctionDoc>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// An operator class (`CREATE OPERATOR CLASS`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassDoc {
    pub name: NameRef,
    pub using: String,
    /// The input type (`FOR TYPE`).
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub default: bool,
    /// The family; default: the one named like the class (made when missing).
    #[serde(default)]
    pub family: Option<NameRef>,
    /// `STORAGE`, when other than the input type.
    #[serde(default)]
    pub storage: Option<String>,
    #[serde(default)]
    pub operators: Vec<MemberOperatorDoc>,
    #[serde(default)]
    pub functions: Vec<MemberFunctionDoc>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// An operator's name: `op` (schema `public`) or `schema.op` (split at the last dot: an
/// operator name has none), made of operator characters only.
pub(crate) fn operator_name(s: &str) -> Result<QualName, String> {
    let (schema, name) = match s.rsplit_once('.') {
        Some((sc, n)) => (sc, n),
        None => ("public", s),
    };
    const CHARS: &str = "+-*/<>=~!@#%^&|`?";
    if name.is_empty() || name.len() > 63 || !name.chars().all(|c| CHARS.contains(c)) {
        return Err(format!(
            "`{s}` is not an operator name (1 to 63 of {CHARS}, maybe after `schema.`)"
        ));
    }
    if schema.is_empty() || schema.len() > 63 || schema.contains('\0') {
        return Err(format!("`{s}`: invalid schema name"));
    }
    Ok(QualName::new(schema, name))
}

fn method_sql(file: &str, obj: &str, m: &str) -> Result<String, YamlError> {
    let m = m.trim();
    if m.is_empty() {
        return Err(YamlError::object(
            file,
            obj,
            "`using` names no access method",
        ));
    }
    Ok(quote_ident(m))
}

fn type_text(file: &str, obj: &str, ty: &str) -> Result<String, YamlError> {
    sqlcheck::check_type(ty).map_err(|m| YamlError::object(file, obj, m))?;
    Ok(ty.trim().to_string())
}

/// The label errors use, the `COMMENT ON` target and the statement of an operator.
pub(crate) fn operator_stmt(
    file: &str,
    o: &OperatorDoc,
) -> Result<(String, String, String), YamlError> {
    let name = operator_name(&o.name)
        .map_err(|m| YamlError::object(file, format!("operator {}", o.name), m))?;
    let left = o.left.as_deref().map(str::trim);
    let args = format!("{}, {}", left.unwrap_or("NONE"), o.right.trim());
    let obj = format!("operator {}({args})", op_name(&name));
    let err = |m: String| YamlError::object(file, obj.clone(), m);
    let mut opts = vec![format!("FUNCTION = {}", o.function.0)];
    if let Some(l) = left {
        opts.push(format!("LEFTARG = {}", type_text(file, &obj, l)?));
    }
    opts.push(format!("RIGHTARG = {}", type_text(file, &obj, &o.right)?));
    for (k, v) in [("COMMUTATOR", &o.commutator), ("NEGATOR", &o.negator)] {
        if let Some(v) = v {
            let q = operator_name(v).map_err(|m| err(format!("{}: {m}", k.to_lowercase())))?;
            opts.push(format!("{k} = OPERATOR({})", op_name(&q)));
        }
    }
    for (k, v) in [("RESTRICT", &o.restrict), ("JOIN", &o.join)] {
        if let Some(f) = v {
            opts.push(format!("{k} = {}", f.0));
        }
    }
    if o.hashes {
        opts.push("HASHES".into());
    }
    if o.merges {
        opts.push("MERGES".into());
    }
    let sql = format!("CREATE OPERATOR {} ({});", op_name(&name), opts.join(", "));
    let target = format!("OPERATOR {} ({args})", op_name(&name));
    Ok((obj, target, sql))
}

/// `OPERATOR …` and `FUNCTION …` items of `CREATE OPERATOR CLASS … AS` or `ALTER OPERATOR
/// FAMILY … ADD` (`in_class`: types may be left to the class's).
fn member_items(
    file: &str,
    obj: &str,
    operators: &[MemberOperatorDoc],
    functions: &[MemberFunctionDoc],
    in_class: bool,
) -> Result<Vec<String>, YamlError> {
    let err = |m: String| YamlError::object(file, obj, m);
    let types_sql = |types: &[String]| -> Result<String, YamlError> {
        let ts: Vec<String> = types
            .iter()
            .map(|t| type_text(file, obj, t))
            .collect::<Result<_, _>>()?;
        Ok(ts.join(", "))
    };
    let mut items = Vec::new();
    for m in operators {
        let q =
            operator_name(&m.operator).map_err(|e| err(format!("operator {}: {e}", m.strategy)))?;
        let mut s = format!("OPERATOR {} {}", m.strategy, op_name(&q));
        match m.types.as_deref() {
            Some(ts @ [_, _]) => s.push_str(&format!(" ({})", types_sql(ts)?)),
            None if in_class => {}
            _ => {
                return Err(err(format!(
                    "operator {} ({}): `types` gives its two argument types",
                    m.strategy, m.operator
                )))
            }
        }
        if let Some(f) = &m.order_by {
            s.push_str(&format!(" FOR ORDER BY {}", f.0));
        }
        items.push(s);
    }
    for f in functions {
        let mut s = format!("FUNCTION {}", f.number);
        match f.types.as_deref() {
            None => {}
            Some(ts @ ([_] | [_, _])) => s.push_str(&format!(" ({})", types_sql(ts)?)),
            Some(_) => {
                return Err(err(format!(
                    "function {} ({}): `types` gives one or two types",
                    f.number, f.function.0
                )))
            }
        }
        s.push_str(&format!(" {}({})", f.function.0, types_sql(&f.args)?));
        items.push(s);
    }
    Ok(items)
}

/// `schema.name USING method` of a family or class.
fn target(file: &str, obj: &str, name: &QualName, using: &str) -> Result<String, YamlError> {
    Ok(format!("{name} USING {}", method_sql(file, obj, using)?))
}

/// `CREATE OPERATOR FAMILY`, and the `ALTER OPERATOR FAMILY … ADD` of its members (run
/// after the classes, so PostgreSQL binds members to the class they serve).
pub(crate) fn family_stmts(
    file: &str,
    obj: &str,
    f: &FamilyDoc,
) -> Result<(String, Option<String>), YamlError> {
    let t = target(file, obj, &f.name.0, &f.using)?;
    let items = member_items(file, obj, &f.operators, &f.functions, false)?;
    let add =
        (!items.is_empty()).then(|| format!("ALTER OPERATOR FAMILY {t} ADD {};", items.join(", ")));
    Ok((format!("CREATE OPERATOR FAMILY {t};"), add))
}

/// `CREATE OPERATOR CLASS … AS` with its members and storage.
pub(crate) fn class_stmt(file: &str, obj: &str, c: &ClassDoc) -> Result<String, YamlError> {
    let ty = type_text(file, obj, &c.ty)?;
    let mut sql = format!(
        "CREATE OPERATOR CLASS {}{} FOR TYPE {ty} USING {}",
        c.name.0,
        if c.default { " DEFAULT" } else { "" },
        method_sql(file, obj, &c.using)?
    );
    if let Some(f) = &c.family {
        sql.push_str(&format!(" FAMILY {}", f.0));
    }
    let mut items = member_items(file, obj, &c.operators, &c.functions, true)?;
    match &c.storage {
        Some(s) => items.push(format!("STORAGE {}", type_text(file, obj, s)?)),
        // `AS` needs an item: the input type is every method's "no storage type".
        None if items.is_empty() => items.push(format!("STORAGE {ty}")),
        None => {}
    }
    sql.push_str(&format!(" AS {};", items.join(", ")));
    Ok(sql)
}

/// The `COMMENT ON` target of a family or class.
pub(crate) fn comment_target(kind: &str, name: &QualName, using: &str) -> String {
    format!("OPERATOR {kind} {name} USING {}", quote_ident(using.trim()))
}
