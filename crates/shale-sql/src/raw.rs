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

/// How many bytes of SQL libpg_query is given at once when a file is parsed in chunks
/// (`Statements::parse_in_chunks`): enough statements per call that the calls cost little, few
/// enough that libpg_query's memory inside one call stays small.
pub(crate) const CHUNK_BYTES: usize = 64 * 1024;

/// The statements of a file's parse tree, each still encoded: decode one with
/// [`Statements::decode`] when it is needed.
///
/// The file is parsed a chunk of whole statements at a time (`chunks.rs`), so
/// libpg_query's own memory (its raw tree, message tree and encoding are alive together
/// inside a call) does not grow with the file. Locations in a chunk's tree count from the
/// chunk's start: [`Statements::decode`] returns that start with the statement, and the
/// caller adds it to every location it reports.
pub(crate) struct Statements {
    chunks: Vec<Chunk>,
    /// Chunk and byte range of each `RawStmt` message in that chunk's encoding.
    spans: Vec<(usize, usize, usize)>,
}

struct Chunk {
    /// Byte offset of the chunk in the file.
    base: usize,
    /// The chunk's encoded parse tree; emptied by [`Statements::release`].
    bytes: Vec<u8>,
}

impl Statements {
    /// Parse `sql` in chunks of about `target` bytes ([`CHUNK_BYTES`] for files), decoding
    /// no statement. If a chunk does not parse (a syntax
    /// error, or a cut in the wrong place), the whole text is parsed in one call instead,
    /// so errors are exactly those of a whole parse.
    pub(crate) fn parse_in_chunks(sql: &str, target: usize) -> Result<Statements, pg_query::Error> {
        let ends = crate::chunks::chunk_ends(sql, target);
        if ends.len() > 1 {
            let mut out = Statements {
                chunks: Vec::with_capacity(ends.len()),
                spans: Vec::new(),
            };
            let mut start = 0;
            let mut whole = false;
            for end in ends {
                if out.push(&sql[start..end], start).is_err() {
                    whole = true;
                    break;
                }
                start = end;
            }
            if !whole {
                return Ok(out);
            }
        }
        let mut out = Statements {
            chunks: Vec::with_capacity(1),
            spans: Vec::new(),
        };
        out.push(sql, 0)?;
        Ok(out)
    }

    /// Parse one chunk starting at byte `base` of the file.
    fn push(&mut self, sql: &str, base: usize) -> Result<(), pg_query::Error> {
        let bytes = with_encoded(sql, |b| b.to_vec())?;
        let k = self.chunks.len();
        let spans = stmt_spans(&bytes).map_err(pg_query::Error::Decode)?;
        self.spans.extend(spans.into_iter().map(|(a, b)| (k, a, b)));
        self.chunks.push(Chunk { base, bytes });
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Statement `i`, decoded, and the byte offset in the file its locations count from.
    pub(crate) fn decode(&self, i: usize) -> Result<(usize, protobuf::RawStmt), pg_query::Error> {
        let (k, a, b) = self.spans[i];
        let c = &self.chunks[k];
        let Some(bytes) = c.bytes.get(a..b) else {
            return Err(pg_query::Error::Decode(prost::DecodeError::new(
                "statement decoded after its chunk was released",
            )));
        };
        let raw = protobuf::RawStmt::decode(bytes).map_err(pg_query::Error::Decode)?;
        Ok((c.base, raw))
    }

    /// The chunk statement `i` is in (for [`Statements::release`]).
    pub(crate) fn chunk_of(&self, i: usize) -> usize {
        self.spans[i].0
    }

    /// Drop a chunk's encoding once none of its statements will be decoded again.
    pub(crate) fn release(&mut self, chunk: usize) {
        self.chunks[chunk].bytes = Vec::new();
    }

    /// How many chunks the text was parsed in.
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
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
        let s = Statements::parse_in_chunks(sql, CHUNK_BYTES).unwrap();
        assert_eq!(s.len(), 3);
        for i in 0..s.len() {
            assert_eq!(s.decode(i).unwrap(), (0, want.stmts[i].clone()));
        }
    }

    /// `v` with every location (a `*location` field, -1 when unknown) moved by `by`.
    fn shifted(v: serde_json::Value, by: i64) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| match v {
                        Value::Number(n) if k.ends_with("location") && n.as_i64() >= Some(0) => {
                            (k, Value::from(n.as_i64().unwrap() + by))
                        }
                        v => (k, shifted(v, by)),
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.into_iter().map(|v| shifted(v, by)).collect()),
            v => v,
        }
    }

    #[test]
    fn chunks_give_the_whole_trees_with_locations_from_their_start() {
        let sql = include_str!("../tests/inputs/chunk_boundaries.sql");
        let whole = parse(sql).unwrap();
        let chunked = Statements::parse_in_chunks(sql, 1).unwrap();
        // One chunk per statement: no cut was refused (no fallback to the whole file).
        assert_eq!(whole.stmts.len(), 18);
        assert_eq!(chunked.chunk_count(), whole.stmts.len());
        assert_eq!(chunked.len(), whole.stmts.len());
        let mut bases = Vec::new();
        for (i, want) in whole.stmts.iter().enumerate() {
            let (base, got) = chunked.decode(i).unwrap();
            bases.push(base);
            let got = shifted(serde_json::to_value(&got).unwrap(), base as i64);
            assert_eq!(got, serde_json::to_value(want).unwrap(), "statement {i}");
        }
        assert!(bases.windows(2).all(|w| w[0] < w[1]), "{bases:?}");
        // Bigger chunks: fewer calls, the same statements.
        let few = Statements::parse_in_chunks(sql, 400).unwrap();
        assert!(few.chunk_count() > 1 && few.chunk_count() < whole.stmts.len());
        assert_eq!(few.len(), whole.stmts.len());
    }

    #[test]
    fn a_chunk_that_does_not_parse_means_the_whole_file() {
        // A syntax error in the second statement: the whole text is parsed, so the error
        // is the one a whole parse gives.
        let sql = "CREATE TABLE a (x int);\nCREATE TABLE (;\nCREATE TABLE b (y int);";
        let want = match parse(sql) {
            Err(pg_query::Error::Parse(m)) => m,
            other => panic!("{other:?}"),
        };
        match Statements::parse_in_chunks(sql, 1) {
            Err(pg_query::Error::Parse(m)) => assert_eq!(m, want),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("parsed"),
        }
        // A released chunk is an error, not a panic.
        let mut s = Statements::parse_in_chunks("SELECT 1; SELECT 2;", 1).unwrap();
        assert_eq!(s.chunk_count(), 2);
        s.release(s.chunk_of(0));
        assert!(s.decode(0).is_err());
        assert_eq!(s.decode(1).unwrap().0, 9);
    }

    #[test]
    fn errors_are_pg_query_errors() {
        match parse("CREATE TABLE (") {
            Err(pg_query::Error::Parse(m)) => assert!(m.contains("syntax error"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse("a\0b"), Err(pg_query::Error::Conversion(_))));
        assert_eq!(Statements::parse_in_chunks("", 1).unwrap().len(), 0);
        assert_eq!(
            Statements::parse_in_chunks("-- nothing\n", 1)
                .unwrap()
                .len(),
            0
        );
    }
}
