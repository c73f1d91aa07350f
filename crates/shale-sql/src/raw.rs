//! libpg_query's parser without the summary `pg_query::parse` computes on every call.
//!
//! `pg_query::parse` decodes the protobuf tree and then walks every node of it to list
//! the tables, functions, aliases and filter columns it names (`ParseResult::new`): a
//! vector with an entry per node and four hash sets, which shale never reads. On a
//! 10,000-table file that walk is a large share of the parse and of the peak memory
//! (docs/PERFORMANCE.md). [`parse`] calls the same C function and decodes the same tree,
//! and stops there; [`Statements`] goes further for whole files: it keeps the encoded
//! tree and decodes one statement at a time, so a file's statements need not all be
//! decoded (a prost tree is many times larger than its encoding) at once.

use pg_query::protobuf;
use prost::Message;
use std::ffi::{c_char, c_int, CStr, CString};

// The C API of libpg_query (pg_query.h), which the pg_query crate links statically and
// does not re-export. The layouts are those of pg_query.h of the pinned pg_query (18.1).
#[repr(C)]
struct PgQueryProtobuf {
    len: usize,
    data: *mut c_char,
}

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobufParseResult {
    parse_tree: PgQueryProtobuf,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse_protobuf_opts(
        input: *const c_char,
        parser_options: c_int,
    ) -> PgQueryProtobufParseResult;
    fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
}

/// Run `f` on the encoded parse tree of `sql` (a `pg_query.ParseResult` message), or
/// return the parser's error: the same errors as `pg_query::parse`.
fn with_encoded<T>(sql: &str, f: impl FnOnce(&[u8]) -> T) -> Result<T, pg_query::Error> {
    let input = CString::new(sql)?;
    // SAFETY: `input` is a NUL-terminated string that outlives the call. The result is
    // read only as pg_query.h documents it (an error with a message, or a buffer of
    // `len` bytes, borrowed only for `f`), and freed once with the library's function.
    unsafe {
        let result = pg_query_parse_protobuf_opts(input.as_ptr(), 0);
        let out = if !result.error.is_null() {
            let message = CStr::from_ptr((*result.error).message)
                .to_string_lossy()
                .into_owned();
            Err(pg_query::Error::Parse(message))
        } else if result.parse_tree.len == 0 || result.parse_tree.data.is_null() {
            Ok(f(&[]))
        } else {
            Ok(f(std::slice::from_raw_parts(
                result.parse_tree.data as *const u8,
                result.parse_tree.len,
            )))
        };
        pg_query_free_protobuf_parse_result(result);
        out
    }
}

/// `pg_query::parse(sql, 0)?.protobuf`, without the summary walk.
pub(crate) fn parse(sql: &str) -> Result<protobuf::ParseResult, pg_query::Error> {
    with_encoded(sql, |b| protobuf::ParseResult::decode(b))?.map_err(pg_query::Error::Decode)
}

/// The statements of an encoded parse tree, each still encoded: decode one with
/// [`Statements::decode`] when it is needed.
pub(crate) struct Statements {
    bytes: Vec<u8>,
    /// Byte range of each `RawStmt` message in `bytes`.
    spans: Vec<(usize, usize)>,
}

impl Statements {
    /// Split `sql`'s parse tree into its statements (decoding none of them).
    pub(crate) fn parse(sql: &str) -> Result<Statements, pg_query::Error> {
        let bytes = with_encoded(sql, |b| b.to_vec())?;
        let spans = stmt_spans(&bytes).map_err(pg_query::Error::Decode)?;
        Ok(Statements { bytes, spans })
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Statement `i`, decoded.
    pub(crate) fn decode(&self, i: usize) -> Result<protobuf::RawStmt, pg_query::Error> {
        let (a, b) = self.spans[i];
        protobuf::RawStmt::decode(&self.bytes[a..b]).map_err(pg_query::Error::Decode)
    }
}

/// The byte ranges of the `stmts` (field 2) of an encoded `ParseResult`; other fields
/// (`version`) are skipped.
fn stmt_spans(mut buf: &[u8]) -> Result<Vec<(usize, usize)>, prost::DecodeError> {
    use prost::encoding::{decode_key, decode_varint, skip_field, DecodeContext, WireType};
    let total = buf.len();
    let mut spans = Vec::new();
    while !buf.is_empty() {
        let (tag, wire) = decode_key(&mut buf)?;
        if tag == 2 && wire == WireType::LengthDelimited {
            let len = decode_varint(&mut buf)? as usize;
            if len > buf.len() {
                return Err(prost::DecodeError::new("buffer underflow"));
            }
            let start = total - buf.len();
            spans.push((start, start + len));
            buf = &buf[len..];
        } else {
            skip_field(wire, tag, &mut buf, DecodeContext::default())?;
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_tree_as_pg_query() {
        let sql = "CREATE TABLE a (id int PRIMARY KEY, b text DEFAULT 'x');\n\
                   CREATE VIEW v AS SELECT id FROM a WHERE b <> 'y';\n\
                   SELECT 1";
        let want = pg_query::parse(sql, 0).unwrap().protobuf;
        assert_eq!(parse(sql).unwrap(), want);
        let s = Statements::parse(sql).unwrap();
        assert_eq!(s.len(), 3);
        for i in 0..s.len() {
            assert_eq!(s.decode(i).unwrap(), want.stmts[i]);
        }
    }

    #[test]
    fn errors_are_pg_query_errors() {
        match parse("CREATE TABLE (") {
            Err(pg_query::Error::Parse(m)) => assert!(m.contains("syntax error"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("a\0b"), Err(pg_query::Error::Conversion(_))));
        assert_eq!(Statements::parse("").unwrap().len(), 0);
        assert_eq!(Statements::parse("-- nothing\n").unwrap().len(), 0);
    }
}
