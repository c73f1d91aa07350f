//! Where a file may be cut into chunks of whole statements, so that libpg_query parses
//! it a chunk at a time (`raw::Statements`) and its own memory (raw tree, message tree,
//! protobuf encoding, all alive inside one call) stays bounded whatever the file's size.
//!
//! A cut goes right after a `;` that ends a statement: outside string constants (`'…'`,
//! `E'…'` with its backslash escapes and continuations), quoted identifiers, comments
//! (`--`, nested `/* */`), dollar quotes, parentheses (a rule's `DO (…; …)`), and
//! `BEGIN ATOMIC … END` bodies. The scan is a lexer of PostgreSQL's lexical rules, not its
//! grammar; where it could be wrong it does not cut. A cut in the wrong place always
//! leaves a chunk that does not parse (an unterminated constant, comment, body or
//! parenthesis), and then the caller parses the whole file instead, so a misjudged cut
//! costs memory, never a different tree.

/// The byte offsets where the chunks of `text` end, in order; the last is `text.len()`.
/// A chunk ends at the first statement end at or past `target` bytes from its start.
pub(crate) fn chunk_ends(text: &str, target: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let n = b.len();
    let mut ends = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut parens = 0usize;
    // Open `BEGIN ATOMIC` bodies and `CASE`s inside them.
    let mut atomic = 0usize;
    // The previous word was `BEGIN`.
    let mut after_begin = false;
    while i < n {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = comment_end(b, i);
                continue;
            }
            b'\'' => {
                i = string_end(b, i, false);
                after_begin = false;
                continue;
            }
            b'"' => {
                i = crate::secrets::quoted_end(b, i, b'"');
                after_begin = false;
                continue;
            }
            b'$' => {
                if let Some(tag) = dollar_tag(b, i) {
                    i = dollar_end(b, i + tag, &b[i..i + tag]);
                    after_begin = false;
                    continue;
                }
                i += 1;
                after_begin = false;
                continue;
            }
            b'(' => parens += 1,
            b')' => parens = parens.saturating_sub(1),
            b';' => {
                after_begin = false;
                if parens == 0 && atomic == 0 && i + 1 - start >= target {
                    ends.push(i + 1);
                    start = i + 1;
                }
            }
            _ if is_ident_start(c) => {
                let s = i;
                i += 1;
                while i < n && is_ident_cont(b[i]) {
                    i += 1;
                }
                let word = &b[s..i];
                // `E'…'`: the constant right after the letter has backslash escapes.
                if (word == b"e" || word == b"E") && b.get(i) == Some(&b'\'') {
                    i = string_end(b, i, true);
                    after_begin = false;
                    continue;
                }
                let opens = (after_begin && word.eq_ignore_ascii_case(b"atomic"))
                    || (atomic > 0 && word.eq_ignore_ascii_case(b"case"));
                if opens {
                    atomic += 1;
                } else if atomic > 0 && word.eq_ignore_ascii_case(b"end") {
                    atomic -= 1;
                }
                after_begin = word.eq_ignore_ascii_case(b"begin");
                continue;
            }
            _ if c.is_ascii_digit() => {
                // A number (and any letters stuck to it): never the start of a word or of
                // a dollar quote.
                while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    i += 1;
                }
                after_begin = false;
                continue;
            }
            _ if c.is_ascii_whitespace() => {}
            _ => after_begin = false,
        }
        i += 1;
    }
    if start < n || ends.is_empty() {
        ends.push(n);
    }
    ends
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// The end of a `--` comment starting at `i`: its newline (or the end).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The end of a (nested) `/* */` comment starting at `i`.
fn comment_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The end of a string constant whose opening quote is at `i`, with its continuations
/// (another constant after whitespace holding a newline continues it, in the same mode).
/// `escapes`: an `E'…'` constant, where a backslash escapes the next byte.
fn string_end(b: &[u8], mut i: usize, escapes: bool) -> usize {
    loop {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' if escapes => i += 2,
                b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
                b'\'' => break,
                _ => i += 1,
            }
        }
        if i >= b.len() {
            return b.len();
        }
        i += 1;
        match continuation(b, i) {
            Some(q) => i = q,
            None => return i,
        }
    }
}

/// After a string constant ending before `i`: the quote of a continuing constant
/// (whitespace with a newline in it; `--` comments count as whitespace, as in
/// PostgreSQL's `whitespace_with_newline`).
fn continuation(b: &[u8], mut i: usize) -> Option<usize> {
    let mut newline = false;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\x0c' | b'\x0b' => i += 1,
            b'\n' | b'\r' => {
                newline = true;
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => i = line_end(b, i),
            _ => break,
        }
    }
    (newline && b.get(i) == Some(&b'\'')).then_some(i)
}

/// The length of the dollar-quote delimiter (`$$`, `$tag$`) starting at `i`, if one does.
fn dollar_tag(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if b.get(j).is_some_and(|&c| is_ident_start(c)) {
        j += 1;
        while j < b.len() && (is_ident_start(b[j]) || b[j].is_ascii_digit()) {
            j += 1;
        }
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1 - i)
}

/// The end of a dollar-quoted constant whose body starts at `i`, closed by `tag`.
fn dollar_end(b: &[u8], i: usize, tag: &[u8]) -> usize {
    b[i..]
        .windows(tag.len())
        .position(|w| w == tag)
        .map_or(b.len(), |p| i + p + tag.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks of `text` cut as small as possible.
    fn pieces(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        for e in chunk_ends(text, 1) {
            out.push(&text[start..e]);
            start = e;
        }
        out
    }

    #[test]
    fn cuts_after_each_statement_when_small() {
        assert_eq!(pieces("a; b;c"), ["a;", " b;", "c"]);
        assert_eq!(pieces("a; b;"), ["a;", " b;"]);
        assert_eq!(pieces(""), [""]);
        assert_eq!(chunk_ends("a; b; c;", 4), [5, 8]);
        assert_eq!(chunk_ends("a; b; c;", 100), [8]);
    }

    #[test]
    fn never_cuts_inside_a_token_or_a_body() {
        let one = [
            "select 'a;b'';c';",
            "select E'a\\';b';",
            "select e'\\\\';",
            "select E'a'\n  'b\\';c';",
            "select 'a'\n-- note\n'b'';c';",
            "select \"a;\"\"b\";",
            "select 1 -- a;b\n;",
            "select /* a; /* b; */ c; */ 1;",
            "select $$a;b$$;",
            "select $f$ $$; $g$; $f$;",
            "select a$b, $1;",
            "create rule r as on insert to t do also (insert into u values (1); delete from u);",
            "create function f() returns int begin atomic select 1; select case when true then 2 end; end;",
            "create procedure p() BEGIN\n ATOMIC insert into t values (1); END;",
        ];
        for s in one {
            assert_eq!(pieces(s), [s], "{s}");
        }
        // `E` inside a word is no string prefix; `$` inside a word no dollar quote.
        assert_eq!(pieces("select xe'a';b;"), ["select xe'a';", "b;"]);
        assert_eq!(pieces("select a$x$;b$x$;"), ["select a$x$;", "b$x$;"]);
        // A plain constant: the backslash escapes nothing.
        assert_eq!(pieces("select '\\';b;"), ["select '\\';", "b;"]);
        // No continuation without a newline.
        assert_eq!(pieces("select E'a' ';';"), ["select E'a' ';';"]);
        // `begin` alone (a transaction) opens no body.
        assert_eq!(pieces("begin; commit;"), ["begin;", " commit;"]);
    }

    fn file(text: &str) -> Vec<crate::SourceFile> {
        vec![crate::SourceFile {
            path: "f.sql".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn a_file_read_in_tiny_chunks_gives_the_model_and_directives_read_whole() {
        let text = include_str!("../tests/inputs/chunk_boundaries.sql");
        let whole = crate::parse::parse_files_in_chunks(&file(text), usize::MAX).unwrap();
        let chunked = crate::parse::parse_files_in_chunks(&file(text), 1).unwrap();
        assert_eq!(chunked.0, whole.0);
        assert_eq!(chunked.1, whole.1);
        // The file's objects and its directives (anchored by location) are all there.
        assert!(
            whole.0.functions.len() >= 2,
            "{:?}",
            whole.0.functions.keys()
        );
        assert_eq!(whole.0.tables.len(), 4);
        let dbg = format!("{:?}", whole.1);
        for old in [
            "clients",
            "old_semi",
            "odd_old_check",
            "extra_old",
            "log_msg_old",
            "log_idx",
        ] {
            assert!(dbg.contains(old), "{old} missing from {dbg}");
        }
    }

    /// The error of `text` read in chunks of `bytes`: `line:column: message`.
    fn error(text: &str, bytes: usize) -> String {
        let e = crate::parse::parse_files_in_chunks(&file(text), bytes).unwrap_err();
        format!("{}:{}: {}", e.line, e.column, e.message)
    }

    #[test]
    fn errors_in_a_late_chunk_name_their_place_in_the_file() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!(
                "CREATE TABLE t{i} (a int, b text DEFAULT 'x;y');\n"
            ));
        }
        // A statement the builder rejects, at a location inside it (line 52, column 28).
        let late = format!("{text}\nCREATE TABLE bad (a int, b  text REFERENCES nowhere (id));\n");
        let e = error(&late, 64);
        assert_eq!(e, error(&late, usize::MAX));
        assert!(e.starts_with("52:"), "{e}");
        // A syntax error (the whole file is parsed again, as before chunks).
        let syntax = format!("{text}CREATE TABLE t99 (a int,, b int);\n");
        let e = error(&syntax, 64);
        assert_eq!(e, error(&syntax, usize::MAX));
        assert!(e.starts_with("51:25: "), "{e}");
        // An SQL function body checked after every file is read: located at its statement.
        let body = format!(
            "{text}\n\n  CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT nope FROM t1';\n"
        );
        let e = error(&body, 64);
        assert_eq!(e, error(&body, usize::MAX));
        assert!(e.starts_with("53:3: "), "{e}");
    }
}
