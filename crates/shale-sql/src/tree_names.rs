//! The names a parse tree mentions, for statement ordering (`ordering.rs`).
//!
//! The tree is serialized (pg_query's nodes derive `serde::Serialize`) into a walker that
//! visits every node and keeps only the four kinds that name something: `RangeVar`
//! (relations), `TypeName` (types), `FuncCall` (functions; `nextval('seq')` also names a
//! sequence) and `ObjectWithArgs` (functions named in DDL). Only their name fields are
//! materialized, so the cost is one pass over the tree with no allocation per node (a
//! JSON value of every statement made this a fifth of the time to read a schema).
//! A text search configuration is named by a string constant: the one a `TypeCast` to
//! `regconfig` casts, or the first argument of `to_tsvector('cfg', …)` & co.; the walker
//! keeps the string of a constant that is exactly such an argument (counting the structs
//! serialized: a direct argument's `AConst` is the second struct after the field starts,
//! inside its `Node`).

use super::{written, Refs};
use serde::ser::{self, Serialize};

/// Add the names `n` mentions to `r`.
pub(super) fn collect(n: &pg_query::NodeEnum, r: &mut Refs) {
    let _ = n.serialize(&mut Walker {
        r,
        structs: 0,
        watch: 0,
        watched: None,
        want_len: false,
        seq_len: 0,
        regconfig_type: false,
    });
}

struct Walker<'r> {
    r: &'r mut Refs,
    /// Structs serialized so far (each one's ordinal identifies it).
    structs: usize,
    /// The ordinal of the `AConst` whose string is wanted (see the module comment).
    watch: usize,
    /// Its string, once serialized.
    watched: Option<String>,
    /// The next sequence's length is wanted (a call's argument count).
    want_len: bool,
    seq_len: usize,
    /// The last `TypeName` serialized names `regconfig`.
    regconfig_type: bool,
}

impl Walker<'_> {
    /// Serialize `v` (a field), keeping the string of the constant that is its direct
    /// argument node, if any.
    fn direct_constant<T: ?Sized + Serialize>(&mut self, v: &T) -> (R, Option<String>) {
        let saved = (self.watch, self.watched.take());
        self.watch = self.structs + 2;
        let r = v.serialize(&mut *self);
        let got = self.watched.take();
        (self.watch, self.watched) = saved;
        (r, got)
    }
}

#[derive(Debug)]
pub(super) struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tree walk")
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Never
    }
}

type R = Result<(), Never>;

/// The node kinds whose names are kept.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    RangeVar,
    TypeName,
    FuncCall,
    ObjectWithArgs,
    TypeCast,
    AConst,
    Other,
}

/// A struct being serialized, with the name fields of a kept kind.
struct Fields<'w, 'r> {
    w: &'w mut Walker<'r>,
    kind: Kind,
    schema: String,
    name: String,
    names: Vec<String>,
    /// `nextval('seq')`-style calls: the literal naming the sequence.
    seq_literal: Option<String>,
    /// This struct's ordinal.
    ordinal: usize,
    /// A cast's string constant, or a call's first argument's.
    literal: Option<String>,
    /// A cast to `regconfig`.
    to_regconfig: bool,
    /// A call's argument count.
    nargs: usize,
}

impl<'w, 'r> ser::Serializer for &'w mut Walker<'r> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Fields<'w, 'r>;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, _: bool) -> R {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> R {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> R {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> R {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> R {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> R {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> R {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> R {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> R {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> R {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> R {
        Ok(())
    }
    fn serialize_char(self, _: char) -> R {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> R {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Ok(())
    }
    fn serialize_none(self) -> R {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> R {
        v.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        if self.want_len {
            self.want_len = false;
            self.seq_len = len.unwrap_or(0);
        }
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'w, 'r>, Never> {
        let kind = match name {
            "RangeVar" => Kind::RangeVar,
            "TypeName" => Kind::TypeName,
            "FuncCall" => Kind::FuncCall,
            "ObjectWithArgs" => Kind::ObjectWithArgs,
            "TypeCast" => Kind::TypeCast,
            "AConst" => Kind::AConst,
            _ => Kind::Other,
        };
        self.structs += 1;
        let ordinal = self.structs;
        Ok(Fields {
            w: self,
            kind,
            schema: String::new(),
            name: String::new(),
            names: Vec::new(),
            seq_literal: None,
            ordinal,
            literal: None,
            to_regconfig: false,
            nargs: 0,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
}

/// The sequence-like parts of a value: each element or field is walked, nothing kept.
macro_rules! walk_elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Walker<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
                v.serialize(&mut **self)
            }
            fn end(self) -> R {
                Ok(())
            }
        }
    )*};
}

walk_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Walker<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> R {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Walker<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, _: &'static str, v: &T) -> R {
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

/// A string field's value.
fn text<T: ?Sized + Serialize>(v: &T) -> String {
    let mut c = Strings {
        depth: 0,
        top: true,
        any_depth: false,
        keep: false,
        out: Vec::new(),
    };
    let _ = v.serialize(&mut c);
    c.out.pop().unwrap_or_default()
}

/// The `sval`s of the `String` nodes of a list of nodes (a qualified name), as
/// `[{"node": {"String": {"sval": …}}}, …]` in JSON: those at struct depth 2 (`Node`,
/// then `String`). Collected directly; a JSON value of each name (and a pointer lookup per
/// item) was a third of finding a statement's names.
fn string_nodes<T: ?Sized + Serialize>(v: &T) -> Vec<String> {
    let mut c = Strings {
        depth: 0,
        top: false,
        any_depth: false,
        keep: false,
        out: Vec::new(),
    };
    let _ = v.serialize(&mut c);
    c.out
}

/// The string of an `AConst`'s `val` (`{"Sval": {"sval": …}}` in JSON), if it is one.
fn const_string<T: ?Sized + Serialize>(v: &T) -> Option<String> {
    let mut c = Strings {
        depth: 0,
        top: false,
        any_depth: true,
        keep: false,
        out: Vec::new(),
    };
    let _ = v.serialize(&mut c);
    c.out.pop()
}

/// Collects strings: a top-level one (`top`), or the `sval` of a `String` struct at struct
/// depth 2.
struct Strings {
    depth: usize,
    top: bool,
    /// The `sval` of a `String` struct at any depth.
    any_depth: bool,
    /// Inside the `sval` field of a `String` struct at depth 2.
    keep: bool,
    out: Vec<String>,
}

/// A struct being serialized into [`Strings`].
struct StringsStruct<'c> {
    c: &'c mut Strings,
    is_string: bool,
}

impl<'c> ser::Serializer for &'c mut Strings {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = StringsStruct<'c>;
    type SerializeStructVariant = StringsStruct<'c>;

    fn serialize_bool(self, _: bool) -> R {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> R {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> R {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> R {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> R {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> R {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> R {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> R {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> R {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> R {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> R {
        Ok(())
    }
    fn serialize_char(self, _: char) -> R {
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        if self.keep || (self.top && self.depth == 0) {
            self.out.push(v.to_string());
        }
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Ok(())
    }
    fn serialize_none(self) -> R {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> R {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Never> {
        Ok(self)
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<StringsStruct<'c>, Never> {
        self.depth += 1;
        let is_string = name == "String" && (self.depth == 2 || self.any_depth);
        Ok(StringsStruct { c: self, is_string })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<StringsStruct<'c>, Never> {
        self.depth += 1;
        Ok(StringsStruct {
            c: self,
            is_string: false,
        })
    }
}

macro_rules! strings_elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for &mut Strings {
            type Ok = ();
            type Error = Never;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
                v.serialize(&mut **self)
            }
            fn end(self) -> R {
                Ok(())
            }
        }
    )*};
}

strings_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for &mut Strings {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> R {
        k.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

macro_rules! strings_struct {
    ($($trait:ident),*) => {$(
        impl ser::$trait for StringsStruct<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> R {
                let keep = std::mem::replace(&mut self.c.keep, self.is_string && key == "sval");
                let r = v.serialize(&mut *self.c);
                self.c.keep = keep;
                r
            }
            fn end(self) -> R {
                self.c.depth -= 1;
                Ok(())
            }
        }
    )*};
}

strings_struct!(SerializeStruct, SerializeStructVariant);

/// A small field (the arguments of `nextval`) as a JSON value.
fn value<T: ?Sized + Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl ser::SerializeStruct for Fields<'_, '_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> R {
        match (self.kind, key) {
            (Kind::TypeCast, "arg") => {
                let (r, literal) = self.w.direct_constant(v);
                self.literal = literal;
                return r;
            }
            (Kind::TypeCast, "type_name") => {
                self.w.regconfig_type = false;
                let r = v.serialize(&mut *self.w);
                self.to_regconfig = self.w.regconfig_type;
                return r;
            }
            (Kind::AConst, "val") => {
                if self.ordinal == self.w.watch {
                    self.w.watched = const_string(v);
                }
                return Ok(());
            }
            (Kind::FuncCall, "args") if self.names.last().is_some_and(|n| takes_regconfig(n)) => {
                self.w.want_len = true;
                let (r, literal) = self.w.direct_constant(v);
                self.w.want_len = false;
                self.nargs = self.w.seq_len;
                self.literal = literal;
                return r;
            }
            (Kind::RangeVar, "schemaname") => self.schema = text(v),
            (Kind::RangeVar, "relname") => self.name = text(v),
            (Kind::TypeName, "names")
            | (Kind::FuncCall, "funcname")
            | (Kind::ObjectWithArgs, "objname") => self.names = string_nodes(v),
            // `funcname` comes first: only a sequence function's arguments are kept.
            (Kind::FuncCall, "args")
                if matches!(
                    self.names.last().map(String::as_str),
                    Some("nextval" | "currval" | "setval")
                ) =>
            {
                let args = value(v);
                self.seq_literal = args
                    .pointer("/0/node/AConst/val/Sval/sval")
                    .or_else(|| args.pointer("/0/node/TypeCast/arg/node/AConst/val/Sval/sval"))
                    .and_then(|s| s.as_str())
                    .map(str::to_string);
            }
            _ => {}
        }
        v.serialize(&mut *self.w)
    }
    fn end(self) -> R {
        let r = &mut *self.w.r;
        match self.kind {
            Kind::RangeVar => {
                let schema = (!self.schema.is_empty()).then_some(self.schema);
                r.rels.push((schema, self.name));
            }
            Kind::TypeName => {
                let n = &self.names;
                self.w.regconfig_type = n.last().is_some_and(|l| l == "regconfig")
                    && (n.len() == 1 || (n.len() == 2 && n[0] == "pg_catalog"));
                if self.names.first().map(String::as_str) != Some("pg_catalog") {
                    r.types.extend(written(&self.names));
                }
            }
            Kind::TypeCast => {
                if self.to_regconfig {
                    configuration(r, self.literal.as_deref());
                }
            }
            Kind::FuncCall => {
                let name = self.names.last().map(String::as_str).unwrap_or_default();
                if crate::normalize::regconfig_first_arg(name, self.nargs) {
                    configuration(r, self.literal.as_deref());
                }
                if let Some(w) = written(&self.names) {
                    if let Some(lit) = &self.seq_literal {
                        let parts = crate::normalize::split_qualified_name(lit).unwrap_or_default();
                        r.rels.extend(written(&parts));
                    }
                    r.funcs.push(w);
                }
            }
            Kind::ObjectWithArgs => r.funcs.extend(written(&self.names)),
            Kind::AConst | Kind::Other => {}
        }
        Ok(())
    }
}

/// Whether a function of this name may take a `regconfig` first (`to_tsvector` & co.).
fn takes_regconfig(name: &str) -> bool {
    (2..=4).any(|n| crate::normalize::regconfig_first_arg(name, n))
}

/// The configuration a `regconfig` constant names (`'cfg'`, `'public.cfg'`).
fn configuration(r: &mut Refs, literal: Option<&str>) {
    let parts = literal
        .and_then(crate::normalize::split_qualified_name)
        .unwrap_or_default();
    r.ts.extend(written(&parts).map(|w| (super::TsKind::Configuration, w)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use pg_query::NodeRef;

    /// What the JSON form of a list of nodes gives: each item's `/node/String/sval`.
    fn json_strings(v: &serde_json::Value) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i.pointer("/node/String/sval")?.as_str())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn names_collected_as_their_json_gives_them() {
        let sql = "CREATE TABLE s.t (a public.my_type, b int, c s2.f_t[] DEFAULT s3.f(1, 'x'));\n\
                   SELECT pg_catalog.now(), q.g(), h() FROM \"Sch\".\"Rel\"";
        let parsed = crate::raw::parse(sql).unwrap();
        let mut seen = 0;
        for (n, ..) in parsed.nodes() {
            let (list, want_json) = match n {
                NodeRef::TypeName(t) => (string_nodes(&t.names), value(&t.names)),
                NodeRef::FuncCall(f) => (string_nodes(&f.funcname), value(&f.funcname)),
                NodeRef::RangeVar(r) => {
                    assert_eq!(text(&r.relname), r.relname);
                    assert_eq!(text(&r.schemaname), r.schemaname);
                    continue;
                }
                _ => continue,
            };
            seen += 1;
            assert!(!list.is_empty());
            assert_eq!(list, json_strings(&want_json));
        }
        assert_eq!(seen, 3, "the three function calls");
        // Column types: pg_query's `nodes()` does not visit them.
        let Some(pg_query::NodeEnum::CreateStmt(c)) =
            parsed.stmts[0].stmt.as_ref().and_then(|n| n.node.as_ref())
        else {
            panic!("a CREATE TABLE")
        };
        let mut types = Vec::new();
        for e in &c.table_elts {
            if let Some(pg_query::NodeEnum::ColumnDef(d)) = e.node.as_ref() {
                let t = d.type_name.as_ref().unwrap();
                assert_eq!(string_nodes(&t.names), json_strings(&value(&t.names)));
                types.push(string_nodes(&t.names).join("."));
            }
        }
        assert_eq!(types, ["public.my_type", "pg_catalog.int4", "s2.f_t"]);
    }
}
