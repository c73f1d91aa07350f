//! Aggregates (`CREATE AGGREGATE`): `pg_aggregate` rows with their `pg_proc` entry.
//!
//! Canonical conventions (both front ends follow them):
//! - An aggregate is keyed like a function: schema-qualified name and identity argument
//!   types (`public.my_sum(integer)`); for an ordered-set aggregate the direct arguments
//!   come first, then the aggregated ones ([`Aggregate::direct_args`] says how many are
//!   direct). Argument names are not kept (the catalog keeps them, nothing uses them).
//! - Support functions (`SFUNC`, `FINALFUNC`, …) are schema-qualified names; a name the
//!   files leave unqualified that no function of the files has is a built-in one
//!   (`pg_catalog`). PostgreSQL finds the overload from the argument and state types.
//! - `FINALFUNC_MODIFY`/`MFINALFUNC_MODIFY` are always explicit (PostgreSQL's default is
//!   `READ_ONLY`, `READ_WRITE` for ordered-set aggregates).
//! - `INITCOND` is the text PostgreSQL stores (`agginitval`), verbatim.
//! - `PARALLEL` defaults to `UNSAFE`, as for functions.

use crate::ident::{quote_ident, quote_literal, QualName};
use crate::routines::Parallel;
use crate::{Catalog, ObjectId, TypeRef};
use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

fn is_unsafe(p: &Parallel) -> bool {
    *p == Parallel::Unsafe
}

fn is_normal(k: &AggregateKind) -> bool {
    *k == AggregateKind::Normal
}

/// `pg_aggregate.aggkind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateKind {
    #[default]
    Normal,
    /// `CREATE AGGREGATE f (direct ORDER BY aggregated)`.
    OrderedSet,
    /// An ordered-set aggregate with `HYPOTHETICAL`.
    Hypothetical,
}

/// `FINALFUNC_MODIFY` (`aggfinalmodify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalModify {
    ReadOnly,
    Shareable,
    ReadWrite,
}

impl FinalModify {
    pub fn sql(self) -> &'static str {
        match self {
            FinalModify::ReadOnly => "READ_ONLY",
            FinalModify::Shareable => "SHAREABLE",
            FinalModify::ReadWrite => "READ_WRITE",
        }
    }

    /// From `aggfinalmodify` (`r`, `s`, `w`).
    pub fn from_code(c: &str) -> Option<FinalModify> {
        match c {
            "r" => Some(FinalModify::ReadOnly),
            "s" => Some(FinalModify::Shareable),
            "w" => Some(FinalModify::ReadWrite),
            _ => None,
        }
    }

    /// PostgreSQL's default for an aggregate of `kind`.
    pub fn default_for(kind: AggregateKind) -> FinalModify {
        match kind {
            AggregateKind::Normal => FinalModify::ReadOnly,
            _ => FinalModify::ReadWrite,
        }
    }
}

/// An aggregate function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub name: QualName,
    /// Identity argument types (direct ones first); empty for `*` (`count(*)`-like).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<TypeRef>,
    #[serde(default, skip_serializing_if = "is_normal")]
    pub kind: AggregateKind,
    /// How many of `args` are direct arguments (ordered-set aggregates only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub direct_args: i32,
    pub sfunc: QualName,
    pub stype: TypeRef,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sspace: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub finalfunc_extra: bool,
    pub finalfunc_modify: FinalModify,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combinefunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serialfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deserialfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initcond: Option<String>,
    /// Moving-aggregate mode (`MSFUNC`, `MINVFUNC`, `MSTYPE`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minvfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mstype: Option<TypeRef>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub msspace: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfinalfunc: Option<QualName>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: FinalModify,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minitcond: Option<String>,
    /// `SORTOP`: the operator (schema and name; built-ins in `pg_catalog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sortop: Option<QualName>,
    #[serde(default = "unsafe_parallel", skip_serializing_if = "is_unsafe")]
    pub parallel: Parallel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn unsafe_parallel() -> Parallel {
    Parallel::Unsafe
}

impl Aggregate {
    /// An aggregate with PostgreSQL's defaults for everything but its name, arguments,
    /// state function and state type.
    pub fn new(name: QualName, args: Vec<TypeRef>, sfunc: QualName, stype: TypeRef) -> Self {
        Aggregate {
            name,
            args,
            kind: AggregateKind::Normal,
            direct_args: 0,
            sfunc,
            stype,
            sspace: 0,
            finalfunc: None,
            finalfunc_extra: false,
            finalfunc_modify: FinalModify::ReadOnly,
            combinefunc: None,
            serialfunc: None,
            deserialfunc: None,
            initcond: None,
            msfunc: None,
            minvfunc: None,
            mstype: None,
            msspace: 0,
            mfinalfunc: None,
            mfinalfunc_extra: false,
            mfinalfunc_modify: FinalModify::ReadOnly,
            minitcond: None,
            sortop: None,
            parallel: Parallel::Unsafe,
            comment: None,
        }
    }

    /// The identity argument types: `integer, text` (empty for `*`).
    pub fn identity_args(&self) -> String {
        self.args
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `public.my_sum(integer)`: the key in [`Catalog::aggregates`].
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.identity_args())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId::Aggregate {
            name: self.name.clone(),
            args: self.identity_args(),
        }
    }

    /// The argument list as `DROP AGGREGATE`/`COMMENT ON AGGREGATE` and `CREATE` write it:
    /// `(integer)`, `(*)`, `(float8 ORDER BY integer)`.
    pub fn args_sql(&self) -> String {
        let show = |a: &[TypeRef]| {
            a.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.kind != AggregateKind::Normal {
            let n = (self.direct_args.max(0) as usize).min(self.args.len());
            let (direct, aggregated) = self.args.split_at(n);
            let mut s = String::from("(");
            if !direct.is_empty() {
                s.push_str(&show(direct));
                s.push(' ');
            }
            s.push_str("ORDER BY ");
            s.push_str(&show(aggregated));
            s.push(')');
            return s;
        }
        if self.args.is_empty() {
            "(*)".into()
        } else {
            format!("({})", show(&self.args))
        }
    }

    /// `public.my_sum(integer)` as DDL names it.
    pub fn target(&self) -> String {
        format!("{}{}", self.name, self.args_sql())
    }

    /// The support functions it names (state, final, combine, …), in a fixed order.
    pub fn functions(&self) -> Vec<&QualName> {
        let mut out = vec![&self.sfunc];
        for f in [
            &self.finalfunc,
            &self.combinefunc,
            &self.serialfunc,
            &self.deserialfunc,
            &self.msfunc,
            &self.minvfunc,
            &self.mfinalfunc,
        ]
        .into_iter()
        .flatten()
        {
            out.push(f);
        }
        out
    }

    /// `CREATE [OR REPLACE] AGGREGATE … (SFUNC = …, …)` (without the comment), on one
    /// line, options in the order of the documentation.
    pub fn create_sql(&self, or_replace: bool) -> String {
        let mut o: Vec<String> = vec![
            format!("SFUNC = {}", self.sfunc),
            format!("STYPE = {}", self.stype),
        ];
        if self.sspace != 0 {
            o.push(format!("SSPACE = {}", self.sspace));
        }
        if let Some(f) = &self.finalfunc {
            o.push(format!("FINALFUNC = {f}"));
        }
        if self.finalfunc_extra {
            o.push("FINALFUNC_EXTRA".into());
        }
        if self.finalfunc_modify != FinalModify::default_for(self.kind) {
            o.push(format!(
                "FINALFUNC_MODIFY = {}",
                self.finalfunc_modify.sql()
            ));
        }
        for (k, v) in [
            ("COMBINEFUNC", &self.combinefunc),
            ("SERIALFUNC", &self.serialfunc),
            ("DESERIALFUNC", &self.deserialfunc),
        ] {
            if let Some(f) = v {
                o.push(format!("{k} = {f}"));
            }
        }
        if let Some(i) = &self.initcond {
            o.push(format!("INITCOND = {}", quote_literal(i)));
        }
        if let Some(f) = &self.msfunc {
            o.push(format!("MSFUNC = {f}"));
        }
        if let Some(f) = &self.minvfunc {
            o.push(format!("MINVFUNC = {f}"));
        }
        if let Some(t) = &self.mstype {
            o.push(format!("MSTYPE = {t}"));
        }
        if self.msspace != 0 {
            o.push(format!("MSSPACE = {}", self.msspace));
        }
        if let Some(f) = &self.mfinalfunc {
            o.push(format!("MFINALFUNC = {f}"));
        }
        if self.mfinalfunc_extra {
            o.push("MFINALFUNC_EXTRA".into());
        }
        if self.mstype.is_some() && self.mfinalfunc_modify != FinalModify::default_for(self.kind) {
            o.push(format!(
                "MFINALFUNC_MODIFY = {}",
                self.mfinalfunc_modify.sql()
            ));
        }
        if let Some(i) = &self.minitcond {
            o.push(format!("MINITCOND = {}", quote_literal(i)));
        }
        if let Some(op) = &self.sortop {
            o.push(format!("SORTOP = {}", operator_sql(op)));
        }
        match self.parallel {
            Parallel::Unsafe => {}
            Parallel::Restricted => o.push("PARALLEL = RESTRICTED".into()),
            Parallel::Safe => o.push("PARALLEL = SAFE".into()),
        }
        if self.kind == AggregateKind::Hypothetical {
            o.push("HYPOTHETICAL".into());
        }
        format!(
            "CREATE {}AGGREGATE {} ({})",
            if or_replace { "OR REPLACE " } else { "" },
            self.target(),
            o.join(", ")
        )
    }

    /// `DROP AGGREGATE …`.
    pub fn drop_sql(&self) -> String {
        format!("DROP AGGREGATE {}", self.target())
    }
}

/// An operator as an option value names it: `OPERATOR(schema.+)`, or plain for a
/// built-in one.
pub fn operator_sql(op: &QualName) -> String {
    if op.schema == "pg_catalog" {
        op.name.clone()
    } else {
        format!("OPERATOR({}.{})", quote_ident(&op.schema), op.name)
    }
}

impl Catalog {
    /// The aggregates named `name` (any signature).
    pub fn aggregates_named<'a>(
        &'a self,
        name: &'a QualName,
    ) -> impl Iterator<Item = &'a Aggregate> {
        self.aggregates.values().filter(move |a| &a.name == name)
    }

    /// Dependencies of aggregates (the part of [`Catalog::dependencies`] for them), and
    /// the aggregates views call: an aggregate needs its schema, the types of its
    /// arguments and state, and every overload of each support function it names; a view
    /// needs the aggregates its query calls.
    pub(crate) fn aggregate_dependencies(&self, id: &ObjectId, out: &mut Vec<ObjectId>) {
        match id {
            ObjectId::Aggregate { name, args } => {
                out.push(ObjectId::Schema {
                    name: name.schema.clone(),
                });
                let Some(a) = self.aggregates.get(&format!("{name}({args})")) else {
                    return;
                };
                for t in a.args.iter().chain([&a.stype]).chain(a.mstype.iter()) {
                    self.type_dependency(t, out);
                }
                for f in a.functions() {
                    for func in self.overloads(f) {
                        out.push(func.id());
                    }
                }
            }
            ObjectId::View { name } => {
                if self.aggregates.is_empty() {
                    return;
                }
                if let Some(v) = self.views.get(name) {
                    for r in &v.query.refs {
                        for a in self.aggregates_named(r) {
                            out.push(a.id());
                        }
                    }
                }
            }
            ObjectId::Function { name, args } => {
                // A SQL-standard body may call an aggregate.
                if self.aggregates.is_empty() {
                    return;
                }
                if let Some(f) = self.functions.get(&format!("{name}({args})")) {
                    if let crate::FunctionBody::Standard(e) | crate::FunctionBody::Source(e) =
                        &f.body
                    {
                        for r in &e.refs {
                            for a in self.aggregates_named(r) {
                                out.push(a.id());
                            }
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
    use crate::{Expr, Function, FunctionBody, View};

    fn sample() -> Aggregate {
        let mut a = Aggregate::new(
            QualName::new("public", "my_sum"),
            vec![TypeRef::builtin("integer")],
            QualName::new("public", "add"),
            TypeRef::builtin("integer"),
        );
        a.initcond = Some("0".into());
        a
    }

    #[test]
    fn sql_names_and_options() {
        let a = sample();
        assert_eq!(a.signature(), "public.my_sum(integer)");
        assert_eq!(
            a.create_sql(false),
            "CREATE AGGREGATE public.my_sum(integer) (SFUNC = public.add, STYPE = integer, INITCOND = '0')"
        );
        assert_eq!(a.drop_sql(), "DROP AGGREGATE public.my_sum(integer)");
        let mut o = a.clone();
        o.kind = AggregateKind::OrderedSet;
        o.direct_args = 1;
        o.args.insert(0, TypeRef::builtin("double precision"));
        o.finalfunc_modify = FinalModify::ReadWrite;
        assert_eq!(
            o.target(),
            "public.my_sum(double precision ORDER BY integer)"
        );
        assert!(!o.create_sql(true).contains("FINALFUNC_MODIFY"));
        assert!(o
            .create_sql(true)
            .starts_with("CREATE OR REPLACE AGGREGATE"));
        let mut star = a.clone();
        star.args.clear();
        assert_eq!(star.target(), "public.my_sum(*)");
        assert_eq!(
            operator_sql(&QualName::new("public", "<<<")),
            "OPERATOR(public.<<<)"
        );
    }

    #[test]
    fn depends_on_functions_and_views_on_it() {
        let mut cat = Catalog::default();
        let a = sample();
        cat.aggregates.insert(a.signature(), a.clone());
        let f = Function::new(
            QualName::new("public", "add"),
            TypeRef::builtin("integer"),
            "sql",
            FunctionBody::Source(Expr {
                sql: "select 1".into(),
                canon: "select 1".into(),
                refs: vec![],
            }),
        );
        cat.functions.insert(f.signature(), f.clone());
        let deps = cat.dependencies(&a.id());
        assert!(deps.contains(&f.id()), "{deps:?}");
        let v = View::new(
            QualName::new("public", "v"),
            vec!["s".into()],
            Expr {
                sql: "SELECT my_sum(1)".into(),
                canon: "SELECT my_sum(1)".into(),
                refs: vec![QualName::new("public", "my_sum")],
            },
        );
        cat.views.insert(v.name.clone(), v);
        let vdeps = cat.dependencies(&ObjectId::View {
            name: QualName::new("public", "v"),
        });
        assert!(vdeps.contains(&a.id()), "{vdeps:?}");
        assert!(cat.objects().contains(&a.id()));
        let json = serde_json::to_string(&cat).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, cat);
    }
}
