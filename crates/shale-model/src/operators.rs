//! Operators (`CREATE OPERATOR`), operator families and operator classes.
//!
//! Canonical conventions (both front ends follow them):
//! - An operator is keyed by its schema-qualified name and its argument types, `NONE` for
//!   a missing left one (a prefix operator): `public.~<<(text, text)`. Its name is printed
//!   as written (operator names are never quoted): [`op_name`].
//! - Shell operators (made by PostgreSQL for a `COMMUTATOR`/`NEGATOR` naming an operator
//!   that does not exist yet, `oprcode = 0`) are not objects: as in `pg_dump`, the
//!   operator naming them makes them again.
//! - `COMMUTATOR`/`NEGATOR` are what `pg_operator` keeps, which is symmetric: creating
//!   `a` with `COMMUTATOR = b` also makes `b`'s commutator `a` (and filling `b`'s shell
//!   keeps that link), dropping `a` clears it. The SQL front end does the same.
//! - An operator family holds *every* member (`pg_amop`, `pg_amproc` rows) whether
//!   `CREATE OPERATOR CLASS` or `ALTER OPERATOR FAMILY … ADD` put it there (which of the two
//!   owns a member is PostgreSQL's business: `amadjustmembers`); an operator class is its
//!   header: input type, `DEFAULT`, family and storage type. A class created without
//!   `FAMILY` is in the family of its own name (created with it when missing).
//! - Members are sorted by strategy (support number) and types; member types are always
//!   explicit, as `pg_amop`/`pg_amproc` keep them.

use crate::ident::{quote_ident, QualName};
use crate::{Catalog, ObjectId, TypeRef};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// `schema.name` of an operator, its name unquoted (`public.~<<`).
pub fn op_name(q: &QualName) -> String {
    format!("{}.{}", quote_ident(&q.schema), q.name)
}

/// `OPERATOR(schema.name)`, the form every place that names an operator accepts.
pub fn op_ref(q: &QualName) -> String {
    format!("OPERATOR({})", op_name(q))
}

/// An operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: QualName,
    /// `None` for a prefix operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<TypeRef>,
    pub right: TypeRef,
    /// The function implementing it (`FUNCTION`/`PROCEDURE`), found by the argument types.
    pub function: QualName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commutator: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negator: Option<QualName>,
    /// Restriction selectivity estimator (`RESTRICT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<QualName>,
    /// Join selectivity estimator (`JOIN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<QualName>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub hashes: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub merges: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Operator {
    pub fn new(name: QualName, left: Option<TypeRef>, right: TypeRef, function: QualName) -> Self {
        Operator {
            name,
            left,
            right,
            function,
            commutator: None,
            negator: None,
            restrict: None,
            join: None,
            hashes: false,
            merges: false,
            comment: None,
        }
    }

    /// `text, text` or `NONE, integer`.
    pub fn identity_args(&self) -> String {
        format!(
            "{}, {}",
            self.left
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_else(|| "NONE".into()),
            self.right
        )
    }

    /// `public.~<<(text, text)`: the key in [`Catalog::operators`].
    pub fn signature(&self) -> String {
        format!("{}({})", op_name(&self.name), self.identity_args())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::Operator {
            name: self.name.clone(),
            args: self.identity_args(),
        }
    }

    /// `public.~<< (text, text)`, as `DROP`/`ALTER`/`COMMENT ON OPERATOR` name it.
    pub fn target(&self) -> String {
        format!("{} ({})", op_name(&self.name), self.identity_args())
    }

    /// The argument types of the function it calls.
    pub fn function_args(&self) -> Vec<TypeRef> {
        self.left
            .iter()
            .cloned()
            .chain([self.right.clone()])
            .collect()
    }

    /// The function as an object id (`public.f(text, text)`).
    pub fn function_id(&self) -> ObjectId {
        ObjectId::Function {
            name: self.function.clone(),
            args: self
                .function_args()
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `CREATE OPERATOR …` (without the comment), on one line.
    pub fn create_sql(&self) -> String {
        let mut o = vec![format!("FUNCTION = {}", self.function)];
        if let Some(l) = &self.left {
            o.push(format!("LEFTARG = {l}"));
        }
        o.push(format!("RIGHTARG = {}", self.right));
        if let Some(c) = &self.commutator {
            o.push(format!("COMMUTATOR = {}", op_ref(c)));
        }
        if let Some(n) = &self.negator {
            o.push(format!("NEGATOR = {}", op_ref(n)));
        }
        if let Some(r) = &self.restrict {
            o.push(format!("RESTRICT = {r}"));
        }
        if let Some(j) = &self.join {
            o.push(format!("JOIN = {j}"));
        }
        if self.hashes {
            o.push("HASHES".into());
        }
        if self.merges {
            o.push("MERGES".into());
        }
        format!("CREATE OPERATOR {} ({})", op_name(&self.name), o.join(", "))
    }

    /// `ALTER OPERATOR … SET (RESTRICT = …, JOIN = …)`: what can change in place.
    pub fn alter_estimators_sql(&self) -> String {
        let show = |f: &Option<QualName>| f.as_ref().map_or("NONE".to_string(), |q| q.to_string());
        format!(
            "ALTER OPERATOR {} SET (RESTRICT = {}, JOIN = {})",
            self.target(),
            show(&self.restrict),
            show(&self.join)
        )
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP OPERATOR {}", self.target())
    }

    /// The operator's commutator's key (its argument types swapped), if it has one.
    pub fn commutator_key(&self) -> Option<String> {
        let c = self.commutator.as_ref()?;
        let l = self.left.as_ref()?;
        Some(format!("{}({}, {l})", op_name(c), self.right))
    }

    /// The operator's negator's key (same argument types), if it has one.
    pub fn negator_key(&self) -> Option<String> {
        let n = self.negator.as_ref()?;
        Some(format!("{}({})", op_name(n), self.identity_args()))
    }
}

/// An operator of an operator family (`pg_amop`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FamilyOperator {
    pub strategy: i32,
    pub left: TypeRef,
    pub right: TypeRef,
    pub operator: QualName,
    /// `FOR ORDER BY` this btree family (else `FOR SEARCH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<QualName>,
}

impl FamilyOperator {
    /// `OPERATOR 1 public.~<< (text, text)` as `ALTER OPERATOR FAMILY … ADD` writes it.
    pub fn add_sql(&self) -> String {
        let mut s = format!(
            "OPERATOR {} {} ({}, {})",
            self.strategy,
            op_name(&self.operator),
            self.left,
            self.right
        );
        if let Some(f) = &self.order_by {
            s.push_str(&format!(" FOR ORDER BY {f}"));
        }
        s
    }

    /// `OPERATOR 1 (text, text)` as `ALTER OPERATOR FAMILY … DROP` writes it.
    pub fn drop_sql(&self) -> String {
        format!("OPERATOR {} ({}, {})", self.strategy, self.left, self.right)
    }

    /// The key of the operator in [`Catalog::operators`].
    pub fn operator_key(&self) -> String {
        format!("{}({}, {})", op_name(&self.operator), self.left, self.right)
    }
}

/// A support function of an operator family (`pg_amproc`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FamilyFunction {
    pub number: i32,
    pub left: TypeRef,
    pub right: TypeRef,
    pub function: QualName,
    pub args: Vec<TypeRef>,
}

impl FamilyFunction {
    fn args_text(&self) -> String {
        self.args
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `FUNCTION 1 (integer, integer) public.cmp(integer, integer)`.
    pub fn add_sql(&self) -> String {
        format!(
            "FUNCTION {} ({}, {}) {}({})",
            self.number,
            self.left,
            self.right,
            self.function,
            self.args_text()
        )
    }

    /// `FUNCTION 1 (integer, integer)`.
    pub fn drop_sql(&self) -> String {
        format!("FUNCTION {} ({}, {})", self.number, self.left, self.right)
    }

    pub fn function_id(&self) -> ObjectId {
        ObjectId::Function {
            name: self.function.clone(),
            args: self.args_text(),
        }
    }
}

/// An operator family (`CREATE OPERATOR FAMILY`, or made by `CREATE OPERATOR CLASS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorFamily {
    pub name: QualName,
    /// Index access method (`btree`, `hash`, `gist`, …).
    pub method: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<FamilyOperator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FamilyFunction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl OperatorFamily {
    pub fn new(name: QualName, method: impl Into<String>) -> Self {
        OperatorFamily {
            name,
            method: method.into(),
            operators: Vec::new(),
            functions: Vec::new(),
            comment: None,
        }
    }

    /// The key in [`Catalog::operator_families`].
    pub fn key(&self) -> (QualName, String) {
        (self.name.clone(), self.method.clone())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::OperatorFamily {
            name: self.name.clone(),
            method: self.method.clone(),
        }
    }

    /// `public.f USING btree`.
    pub fn target(&self) -> String {
        format!("{} USING {}", self.name, quote_ident(&self.method))
    }

    /// Members sorted as the model keeps them.
    pub fn sort(&mut self) {
        self.operators.sort();
        self.operators.dedup();
        self.functions.sort();
        self.functions.dedup();
    }

    pub fn create_sql(&self) -> String {
        format!("CREATE OPERATOR FAMILY {}", self.target())
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP OPERATOR FAMILY {}", self.target())
    }
}

/// An operator class (`pg_opclass`): its header; its members are its family's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorClass {
    pub name: QualName,
    pub method: String,
    /// The input type (`FOR TYPE`).
    #[serde(rename = "type")]
    pub ty: TypeRef,
    #[serde(default, skip_serializing_if = "is_false")]
    pub default: bool,
    pub family: QualName,
    /// `STORAGE`, only when other than the input type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<TypeRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl OperatorClass {
    pub fn key(&self) -> (QualName, String) {
        (self.name.clone(), self.method.clone())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::OperatorClass {
            name: self.name.clone(),
            method: self.method.clone(),
        }
    }

    pub fn family_id(&self) -> ObjectId {
        ObjectId::OperatorFamily {
            name: self.family.clone(),
            method: self.method.clone(),
        }
    }

    pub fn target(&self) -> String {
        format!("{} USING {}", self.name, quote_ident(&self.method))
    }

    /// `CREATE OPERATOR CLASS … FAMILY … AS STORAGE …`: the family (made first) holds the
    /// members; `STORAGE` of the input type is what every method accepts as "none".
    pub fn create_sql(&self) -> String {
        format!(
            "CREATE OPERATOR CLASS {}{} FOR TYPE {} USING {} FAMILY {} AS STORAGE {}",
            self.name,
            if self.default { " DEFAULT" } else { "" },
            self.ty,
            quote_ident(&self.method),
            self.family,
            self.storage.as_ref().unwrap_or(&self.ty)
        )
    }

    pub fn drop_sql(&self) -> String {
        format!("DROP OPERATOR CLASS {}", self.target())
    }
}

/// Whether `c` may be part of an operator's name (PostgreSQL's `op_chars`).
fn is_op_char(c: char) -> bool {
    "+-*/<>=~!@#%^&|`?".contains(c)
}

/// The operator names a normalized expression or query uses: each run of operator
/// characters outside string literals and quoted identifiers (the normalizer prints
/// operators without their schema: `a === b`).
pub fn operator_tokens(canon: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start: Option<usize> = None;
    for (i, c) in canon.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        if is_op_char(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(&canon[s..i]);
        }
        if c == '\'' || c == '"' {
            // A doubled quote inside closes and reopens: the same as staying inside.
            quote = Some(c);
        }
    }
    if let Some(s) = start {
        out.push(&canon[s..]);
    }
    out
}

/// Whether `name` is an operator's name (only operator characters), not a function's.
pub fn is_operator_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_op_char)
}

/// Whether a normalized expression or query uses an operator named `name` (any schema).
pub fn uses_operator(canon: &str, name: &str) -> bool {
    operator_tokens(canon).contains(&name)
}

impl Catalog {
    /// The operators of this catalog (every overload, any schema) that an expression's
    /// normalized text names.
    fn operators_used(&self, canon: &str, out: &mut Vec<ObjectId>) {
        let tokens = operator_tokens(canon);
        if tokens.is_empty() {
            return;
        }
        // Each token looked up by name (lookup.rs), not each operator searched for.
        let names = self.names();
        for t in tokens {
            if let Some(keys) = names.operators.get(t) {
                out.extend(
                    keys.iter()
                        .filter_map(|k| self.operators.get(k))
                        .map(|o| o.id()),
                );
            }
        }
    }

    /// What uses an operator needs it first (and is dropped before it): checks, defaults
    /// and generated columns, index expressions and predicates, views, SQL-standard
    /// function bodies and policies.
    fn operator_user_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        if self.operators.is_empty() {
            return;
        }
        match id {
            ObjectId::Column { table, column } => {
                if let Some(c) = self.tables.get(table).and_then(|t| t.column(column)) {
                    for e in c.default.iter().chain(c.generated.iter()) {
                        self.operators_used(&e.canon, out);
                    }
                }
            }
            ObjectId::Constraint { table, name } => {
                if let Some(crate::ConstraintKind::Check { expr, .. }) = self
                    .tables
                    .get(table)
                    .and_then(|t| t.constraints.get(name))
                    .map(|c| &c.kind)
                {
                    self.operators_used(&expr.canon, out);
                }
            }
            ObjectId::Index { name } => {
                if let Some(ix) = self.indexes.get(name) {
                    for k in &ix.keys {
                        if let crate::IndexKeyExpr::Expr(e) = &k.key {
                            self.operators_used(&e.canon, out);
                        }
                    }
                    if let Some(p) = &ix.predicate {
                        self.operators_used(&p.canon, out);
                    }
                }
            }
            ObjectId::View { name } => {
                if let Some(v) = self.views.get(name) {
                    self.operators_used(&v.query.canon, out);
                }
            }
            ObjectId::Function { name, args } => {
                if let Some(crate::FunctionBody::Standard(e)) = self
                    .functions
                    .get(&format!("{name}({args})"))
                    .map(|f| &f.body)
                {
                    self.operators_used(&e.canon, out);
                }
            }
            ObjectId::Policy { table, name } => {
                if let Some(p) = self.policies.get(&(table.clone(), name.clone())) {
                    for e in p.using.iter().chain(p.with_check.iter()) {
                        self.operators_used(&e.canon, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Dependencies of operators, families and classes (the part of
    /// [`Catalog::dependencies`] for them), and the classes indexes use: an operator needs
    /// its schema, types and functions; a family its schema, its member operators and
    /// functions; a class its family and types; an index the classes of its keys.
    pub(crate) fn operator_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        self.operator_user_dependencies(id, out);
        let function = |out: &mut Vec<ObjectId>, f: ObjectId| {
            if let ObjectId::Function { name, args } = &f {
                if self.functions.contains_key(&format!("{name}({args})")) {
                    out.push(f);
                }
            }
        };
        let estimator = |out: &mut Vec<ObjectId>, q: &QualName| {
            for f in self.overloads(q) {
                out.push(f.id());
            }
        };
        match id {
            ObjectId::Operator { name, args } => {
                out.push(ObjectId::Schema {
                    name: name.schema.clone(),
                });
                let Some(o) = self.operators.get(&format!("{}({args})", op_name(name))) else {
                    return;
                };
                for t in o.function_args() {
                    self.type_dependency(&t, out);
                }
                function(out, o.function_id());
                for q in o.restrict.iter().chain(o.join.iter()) {
                    estimator(out, q);
                }
            }
            ObjectId::OperatorFamily { name, method } => {
                out.push(ObjectId::Schema {
                    name: name.schema.clone(),
                });
                let Some(f) = self.operator_families.get(&(name.clone(), method.clone())) else {
                    return;
                };
                for m in &f.operators {
                    if let Some(o) = self.operators.get(&m.operator_key()) {
                        out.push(o.id());
                    }
                    if let Some(s) = &m.order_by {
                        if self
                            .operator_families
                            .contains_key(&(s.clone(), "btree".into()))
                        {
                            out.push(ObjectId::OperatorFamily {
                                name: s.clone(),
                                method: "btree".into(),
                            });
                        }
                    }
                }
                for m in &f.functions {
                    function(out, m.function_id());
                    for t in [&m.left, &m.right] {
                        self.type_dependency(t, out);
                    }
                }
            }
            ObjectId::OperatorClass { name, method } => {
                out.push(ObjectId::Schema {
                    name: name.schema.clone(),
                });
                let Some(c) = self.operator_classes.get(&(name.clone(), method.clone())) else {
                    return;
                };
                out.push(c.family_id());
                self.type_dependency(&c.ty, out);
                if let Some(s) = &c.storage {
                    self.type_dependency(s, out);
                }
            }
            ObjectId::Index { name } => {
                if self.operator_classes.is_empty() {
                    return;
                }
                let Some(ix) = self.indexes.get(name) else {
                    return;
                };
                for k in &ix.keys {
                    match (&k.opclass, &k.key) {
                        (Some(c), _) => {
                            let key = (c.clone(), ix.method.clone());
                            if let Some(c) = self.operator_classes.get(&key) {
                                out.push(c.id());
                            }
                        }
                        // The default class of the column's type, when the files make one.
                        (None, crate::IndexKeyExpr::Column(col)) => {
                            let ty = self
                                .tables
                                .get(&ix.table)
                                .and_then(|t| t.columns.iter().find(|x| &x.name == col))
                                .map(|x| &x.ty);
                            if let Some(ty) = ty {
                                out.extend(
                                    self.operator_classes
                                        .values()
                                        .filter(|c| {
                                            c.default && c.method == ix.method && &c.ty == ty
                                        })
                                        .map(|c| c.id()),
                                );
                            }
                        }
                        _ => {}
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
    use crate::{Expr, Function, FunctionArg, FunctionBody};

    #[test]
    fn operator_tokens_skip_literals_and_quoted_names() {
        assert_eq!(
            operator_tokens("NOT a === 'x=y' AND \"b<c\" <> -1"),
            vec!["===", "<>", "-"]
        );
        assert_eq!(operator_tokens("'it''s' === b"), vec!["==="]);
        assert!(uses_operator("a.x === b", "==="));
        assert!(!uses_operator("a ==== b", "==="));
        assert!(!uses_operator("'a === b'", "==="));
    }

    #[test]
    fn users_of_an_operator_need_it() {
        use crate::{Column, Constraint, ConstraintKind, Schema, Table, View};
        let mut cat = Catalog::default();
        cat.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
            },
        );
        let o = Operator::new(
            QualName::new("public", "==="),
            Some(text()),
            text(),
            QualName::new("public", "ci_eq"),
        );
        cat.operators.insert(o.signature(), o.clone());
        let t = QualName::new("public", "t");
        let mut table = Table::new(t.clone());
        table.columns.push(Column::new("a", text()));
        table.columns[0].default = Some(Expr::new("'x' === 'y'", "'x' === 'y'"));
        table.constraints.insert(
            "c".into(),
            Constraint {
                name: "c".into(),
                kind: ConstraintKind::Check {
                    expr: Expr::new("a === 'x'", "a === 'x'"),
                    no_inherit: false,
                },
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
                index_comment: None,
                index_invalid: false,
            },
        );
        table.constraints.insert(
            "d".into(),
            Constraint {
                name: "d".into(),
                kind: ConstraintKind::Check {
                    expr: Expr::new("a = '==='", "a = '==='"),
                    no_inherit: false,
                },
                deferrable: false,
                initially_deferred: false,
                validated: true,
                comment: None,
                index_comment: None,
                index_invalid: false,
            },
        );
        cat.tables.insert(t.clone(), table);
        let v = View::new(
            QualName::new("public", "v"),
            vec!["a".into()],
            Expr::new(
                "SELECT t.a FROM public.t WHERE t.a === 'x'",
                "SELECT t.a AS a FROM public.t WHERE t.a === 'x'",
            ),
        );
        cat.views.insert(v.name.clone(), v);
        let needs = |id: ObjectId| cat.dependencies(&id).contains(&o.id());
        assert!(needs(ObjectId::View {
            name: QualName::new("public", "v")
        }));
        assert!(needs(ObjectId::Constraint {
            table: t.clone(),
            name: "c".into()
        }));
        assert!(!needs(ObjectId::Constraint {
            table: t.clone(),
            name: "d".into()
        }));
        assert!(needs(ObjectId::Column {
            table: t,
            column: "a".into()
        }));
    }

    fn text() -> TypeRef {
        TypeRef::builtin("text")
    }

    #[test]
    fn operator_sql_and_dependencies() {
        let mut o = Operator::new(
            QualName::new("public", "~<<"),
            Some(text()),
            text(),
            QualName::new("public", "rev"),
        );
        o.commutator = Some(QualName::new("public", ">>~"));
        o.restrict = Some(QualName::new("pg_catalog", "eqsel"));
        assert_eq!(o.signature(), "public.~<<(text, text)");
        assert_eq!(
            o.create_sql(),
            "CREATE OPERATOR public.~<< (FUNCTION = public.rev, LEFTARG = text, RIGHTARG = text, COMMUTATOR = OPERATOR(public.>>~), RESTRICT = pg_catalog.eqsel)"
        );
        assert_eq!(o.drop_sql(), "DROP OPERATOR public.~<< (text, text)");
        assert_eq!(
            o.alter_estimators_sql(),
            "ALTER OPERATOR public.~<< (text, text) SET (RESTRICT = pg_catalog.eqsel, JOIN = NONE)"
        );
        assert_eq!(o.commutator_key().unwrap(), "public.>>~(text, text)");
        assert_eq!(o.id().to_string(), "operator public.~<<(text, text)");
        let mut cat = Catalog::default();
        cat.operators.insert(o.signature(), o.clone());
        let mut f = Function::new(
            QualName::new("public", "rev"),
            TypeRef::builtin("boolean"),
            "sql",
            FunctionBody::Source(Expr::new("select true", "select true")),
        );
        for _ in 0..2 {
            f.args.push(FunctionArg {
                name: None,
                mode: crate::ArgMode::In,
                ty: text(),
                default: None,
            });
        }
        cat.functions.insert(f.signature(), f.clone());
        assert!(cat.dependencies(&o.id()).contains(&f.id()));

        let mut fam = OperatorFamily::new(QualName::new("public", "rev_ops"), "btree");
        fam.operators.push(FamilyOperator {
            strategy: 1,
            left: text(),
            right: text(),
            operator: QualName::new("public", "~<<"),
            order_by: None,
        });
        let class = OperatorClass {
            name: QualName::new("public", "rev_ops"),
            method: "btree".into(),
            ty: text(),
            default: false,
            family: QualName::new("public", "rev_ops"),
            storage: None,
            comment: None,
        };
        assert_eq!(
            class.create_sql(),
            "CREATE OPERATOR CLASS public.rev_ops FOR TYPE text USING btree FAMILY public.rev_ops AS STORAGE text"
        );
        assert_eq!(
            fam.operators[0].add_sql(),
            "OPERATOR 1 public.~<< (text, text)"
        );
        cat.operator_families.insert(fam.key(), fam.clone());
        cat.operator_classes.insert(class.key(), class.clone());
        assert!(cat.dependencies(&fam.id()).contains(&o.id()));
        assert!(cat.dependencies(&class.id()).contains(&fam.id()));
        assert_eq!(
            class.id().to_string(),
            "operator class public.rev_ops USING btree"
        );
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
