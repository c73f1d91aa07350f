//! A memo of normalized expressions, so that an expression written many times (`DEFAULT
//! now()`, `CHECK (amount >= 0)` on every table) goes through libpg_query's parser and
//! its two deparses once (docs/PERFORMANCE.md).
//!
//! Exact by construction: an entry is keyed by the expression (its text, or its parse tree
//! without locations) and the target type, and records every question the normalizer
//! asked its context (a column's type, which sequence or type a name resolves to) with the
//! answer it got. The normalizer is a function of the tree, the target type and those
//! answers, so an entry is reused only when asking the current context the same questions
//! gives the same answers: then the normalization would run exactly as it did.
//!
//! The memo lives in a thread-local of the thread that normalizes: the large-stack thread
//! of one entry point of this crate (`deep.rs`), so it ends with that call. Large
//! expressions are not memoized (their key would cost memory for little reuse), and the
//! memo is emptied when it holds [`MAX_ENTRIES`].

use crate::normalize::NormCx;
use pg_query::protobuf::Node;
use serde::ser::{self, Serialize};
use shale_model::{Expr, QualName, TypeRef};
use std::cell::RefCell;
use std::collections::HashMap;

/// Keys longer than this (bytes) are not memoized.
const MAX_KEY: usize = 16 << 10;
/// The memo is emptied when it holds this many entries.
const MAX_ENTRIES: usize = 50_000;

/// What an expression is memoized under.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    /// `T` + the text, or `N` + the tree's encoding (`TreeKey`).
    expr: Vec<u8>,
    target: Option<TypeRef>,
}

impl Key {
    /// An expression given as text.
    pub(crate) fn text(sql: &str, target: Option<&TypeRef>) -> Option<Key> {
        if sql.len() > MAX_KEY {
            return None;
        }
        let mut expr = Vec::with_capacity(sql.len() + 1);
        expr.push(b'T');
        expr.extend_from_slice(sql.as_bytes());
        Some(Key {
            expr,
            target: target.cloned(),
        })
    }

    /// A parsed expression: the same tree at another place in a file has the same key.
    pub(crate) fn tree(n: &Node, target: Option<&TypeRef>) -> Option<Key> {
        let mut w = TreeKey { buf: vec![b'N'] };
        n.serialize(&mut w).ok()?;
        Some(Key {
            expr: w.buf,
            target: target.cloned(),
        })
    }
}

/// A question the normalizer asked its context, with the answer it got.
#[derive(Clone, PartialEq)]
enum Asked {
    Column(String, Option<TypeRef>),
    Sequence(Option<String>, String, QualName),
    Type(Option<String>, String, Result<QualName, String>),
    TsConfig(Option<String>, String, Option<QualName>),
}

impl Asked {
    /// Whether `cx` gives the same answer.
    fn holds(&self, cx: &NormCx) -> bool {
        match self {
            Asked::Column(c, a) => (cx.column_type)(c) == *a,
            Asked::Sequence(s, n, a) => (cx.resolve_seq)(s.as_deref(), n) == *a,
            Asked::Type(s, n, a) => (cx.resolve_type)(s.as_deref(), n) == *a,
            Asked::TsConfig(s, n, a) => (cx.resolve_ts_config)(s.as_deref(), n) == *a,
        }
    }
}

struct Entry {
    asked: Vec<Asked>,
    expr: Expr,
}

thread_local! {
    static MEMO: RefCell<HashMap<Key, Vec<Entry>>> = RefCell::new(HashMap::new());
}

/// `compute(cx)`, or the expression a previous `compute` gave for `key` when `cx` answers
/// every question it asked the same way. Errors are not memoized.
pub(crate) fn memoized(
    key: Option<Key>,
    cx: &NormCx,
    compute: impl FnOnce(&NormCx) -> Result<Expr, String>,
) -> Result<Expr, String> {
    let Some(key) = key else {
        return compute(cx);
    };
    let hit = MEMO.with(|m| {
        let m = m.try_borrow().ok()?;
        m.get(&key)?
            .iter()
            .find(|e| e.asked.iter().all(|a| a.holds(cx)))
            .map(|e| e.expr.clone())
    });
    if let Some(e) = hit {
        return Ok(e);
    }
    let asked = RefCell::new(Vec::new());
    let column_type = |c: &str| {
        let a = (cx.column_type)(c);
        asked
            .borrow_mut()
            .push(Asked::Column(c.to_string(), a.clone()));
        a
    };
    let resolve_seq = |s: Option<&str>, n: &str| {
        let a = (cx.resolve_seq)(s, n);
        asked.borrow_mut().push(Asked::Sequence(
            s.map(str::to_string),
            n.to_string(),
            a.clone(),
        ));
        a
    };
    let resolve_type = |s: Option<&str>, n: &str| {
        let a = (cx.resolve_type)(s, n);
        asked
            .borrow_mut()
            .push(Asked::Type(s.map(str::to_string), n.to_string(), a.clone()));
        a
    };
    let resolve_ts_config = |s: Option<&str>, n: &str| {
        let a = (cx.resolve_ts_config)(s, n);
        asked.borrow_mut().push(Asked::TsConfig(
            s.map(str::to_string),
            n.to_string(),
            a.clone(),
        ));
        a
    };
    let recording = NormCx {
        column_type: &column_type,
        target_type: cx.target_type,
        resolve_seq: &resolve_seq,
        resolve_type: &resolve_type,
        resolve_ts_config: &resolve_ts_config,
    };
    let out = compute(&recording)?;
    let mut asked = asked.into_inner();
    asked.dedup();
    MEMO.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.entry(key).or_default().push(Entry {
                asked,
                expr: out.clone(),
            });
        }
    });
    Ok(out)
}

/// The key of a parse tree: its serialization with every location left out (the
/// normalizer's result does not depend on where the expression was written). Every
/// variable-length part is length-prefixed or delimited, so different trees have different
/// keys. Gives up (an error) past [`MAX_KEY`] bytes.
struct TreeKey {
    buf: Vec<u8>,
}

#[derive(Debug)]
struct TooBig;

impl std::fmt::Display for TooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("expression too large to memoize")
    }
}
impl std::error::Error for TooBig {}
impl ser::Error for TooBig {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        TooBig
    }
}

type R = Result<(), TooBig>;

impl TreeKey {
    fn put(&mut self, bytes: &[u8]) -> R {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > MAX_KEY {
            return Err(TooBig);
        }
        Ok(())
    }
    fn put_len(&mut self, n: usize) -> R {
        self.put(&(n as u64).to_le_bytes())
    }
}

impl ser::Serializer for &mut TreeKey {
    type Ok = ();
    type Error = TooBig;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> R {
        self.put(&[v as u8])
    }
    fn serialize_i8(self, v: i8) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_i16(self, v: i16) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_i32(self, v: i32) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_i64(self, v: i64) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_u8(self, v: u8) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_u16(self, v: u16) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_u32(self, v: u32) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_u64(self, v: u64) -> R {
        self.put(&v.to_le_bytes())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.put(&v.to_bits().to_le_bytes())
    }
    fn serialize_f64(self, v: f64) -> R {
        self.put(&v.to_bits().to_le_bytes())
    }
    fn serialize_char(self, v: char) -> R {
        self.put(&(v as u32).to_le_bytes())
    }
    fn serialize_str(self, v: &str) -> R {
        self.put_len(v.len())?;
        self.put(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        self.put_len(v.len())?;
        self.put(v)
    }
    fn serialize_none(self) -> R {
        self.put(&[0])
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> R {
        self.put(&[1])?;
        v.serialize(self)
    }
    fn serialize_unit(self) -> R {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, i: u32, _: &'static str) -> R {
        self.put(&i.to_le_bytes())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        v: &T,
    ) -> R {
        self.put(&i.to_le_bytes())?;
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, TooBig> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, TooBig> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, TooBig> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, TooBig> {
        self.put(&i.to_le_bytes())?;
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, TooBig> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, TooBig> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        i: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, TooBig> {
        self.put(&i.to_le_bytes())?;
        Ok(self)
    }
}

/// Sequences and maps: each element after a 1, and a 0 at the end, so lengths need not be
/// known in advance. Tuples and structs have a fixed shape: their fields in order.
macro_rules! elements {
    ($($trait:ident :: $method:ident, $marked:expr);*) => {$(
        impl ser::$trait for &mut TreeKey {
            type Ok = ();
            type Error = TooBig;
            fn $method<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
                if $marked {
                    self.put(&[1])?;
                }
                v.serialize(&mut **self)
            }
            fn end(self) -> R {
                if $marked {
                    self.put(&[0])?;
                }
                Ok(())
            }
        }
    )*};
}

elements!(
    SerializeSeq::serialize_element, true;
    SerializeTuple::serialize_element, false;
    SerializeTupleStruct::serialize_field, false;
    SerializeTupleVariant::serialize_field, false
);

impl ser::SerializeMap for &mut TreeKey {
    type Ok = ();
    type Error = TooBig;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> R {
        self.put(&[1])?;
        k.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> R {
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.put(&[0])
    }
}

/// Whether a field holds a location (`location`, `stmt_location`, `name_location`, …).
fn is_location(field: &str) -> bool {
    field.ends_with("location")
}

impl ser::SerializeStruct for &mut TreeKey {
    type Ok = ();
    type Error = TooBig;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> R {
        if is_location(key) {
            return Ok(());
        }
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut TreeKey {
    type Ok = ();
    type Error = TooBig;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> R {
        if is_location(key) {
            return Ok(());
        }
        v.serialize(&mut **self)
    }
    fn end(self) -> R {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize_tree, parse_expr};

    fn key(sql: &str) -> Vec<u8> {
        Key::tree(&parse_expr(sql).unwrap(), None).unwrap().expr
    }

    #[test]
    fn tree_keys_ignore_locations_and_spacing_only() {
        assert_eq!(key("a > 0"), key("  a   >  0"));
        assert_eq!(key("(a > 0)"), key("a > 0"));
        assert_ne!(key("a > 0"), key("a > 1"));
        assert_ne!(key("a > 0"), key("b > 0"));
        assert_ne!(key("a > 0"), key("a >= 0"));
        assert_ne!(key("f(a, b)"), key("f(ab)"));
        assert_ne!(key("'ab'"), key("'a' || 'b'"));
        let long = format!("{}a", "a + ".repeat(2000));
        crate::deep::deep(|| assert!(Key::tree(&parse_expr(&long).unwrap(), None).is_none()));
    }

    /// The same text under contexts that answer differently is normalized anew each time,
    /// and a context that answers the same way reuses the entry.
    #[test]
    fn reused_only_when_the_context_answers_alike() {
        let int = TypeRef::builtin("integer");
        let text = TypeRef::builtin("text");
        let run = |ty: &TypeRef, schema: &str, calls: &std::cell::Cell<u32>| {
            let column_type = |c: &str| (c == "a").then(|| ty.clone());
            let rs = |s: Option<&str>, n: &str| QualName::new(s.unwrap_or(schema), n);
            let rt = |s: Option<&str>, n: &str| Ok(QualName::new(s.unwrap_or(schema), n));
            let rc = |s: Option<&str>, n: &str| s.map(|s| QualName::new(s, n));
            let cx = NormCx {
                column_type: &column_type,
                target_type: None,
                resolve_seq: &rs,
                resolve_type: &rt,
                resolve_ts_config: &rc,
            };
            let sql = "a = '1' AND nextval('s') > 0";
            memoized(Key::text(sql, None), &cx, |cx| {
                calls.set(calls.get() + 1);
                normalize_tree(&parse_expr(sql)?, cx)
            })
            .unwrap()
        };
        let calls = std::cell::Cell::new(0);
        let a = run(&int, "public", &calls);
        let b = run(&int, "public", &calls);
        assert_eq!(calls.get(), 1, "the second is a hit");
        assert_eq!((a.sql, a.canon, a.refs), (b.sql, b.canon, b.refs));
        let c = run(&text, "public", &calls);
        assert_eq!(calls.get(), 2, "another column type is a miss");
        let d = run(&int, "app", &calls);
        assert_eq!(calls.get(), 3, "another sequence schema is a miss");
        assert_ne!(d.refs, c.refs);
        assert_eq!(d.refs, vec![QualName::new("app", "s")]);
        run(&text, "public", &calls);
        run(&int, "app", &calls);
        assert_eq!(calls.get(), 3, "each variant is kept");
    }
}
