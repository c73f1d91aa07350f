//! Limits checked on a document's text before serde_yaml sees it.
//!
//! serde_yaml (libyaml underneath) reads a whole document into events before deserializing
//! anything, and libyaml's scanner does work per token in proportion to the flow nesting
//! depth: a document nested 100,000 levels deep costs time quadratic in its size before
//! serde_yaml's own recursion limit (128) can report it. Aliases are expanded by
//! deserialization, so a small document of aliases (a "billion laughs") stands for a huge
//! one. This module is one linear pass over the text that measures both and stops at the
//! first place over a limit, so such documents fail at once with `file:line:column`.
//!
//! The pass is a lexer for the parts of YAML that matter here (quotes, comments, block
//! scalars, flow brackets, indentation, anchors and aliases), not a parser: it may count
//! less than the real depth (serde_yaml's limit then still applies, and cheaply), never
//! more for the documents shale writes and reads.

/// Deepest nesting (block levels by indentation plus flow brackets) shale reads. shale's
/// own format needs fewer than 10.
pub(crate) const MAX_DEPTH: usize = 64;

/// The expansion aliases may add to a document: its text may grow to this many bytes...
pub(crate) const MAX_EXPANDED_FLOOR: usize = 1 << 20;
/// ...or to this many times its own size, whichever is more.
pub(crate) const MAX_EXPANSION_FACTOR: usize = 4;

/// A limit exceeded at a 1-based line and column.
pub(crate) struct Exceeded {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

struct Anchor {
    name: String,
    start: usize,
    /// Indentation of the line the anchor is on (block nodes end at a line indented no
    /// deeper), or the flow depth it was opened at (flow nodes end when it is left).
    indent: usize,
    flow: Option<usize>,
    /// Bytes aliases inside it add.
    extra: usize,
}

/// Check `text` against [`MAX_DEPTH`] and the alias expansion limit.
pub(crate) fn check(text: &str) -> Result<(), Exceeded> {
    let limit = MAX_EXPANDED_FLOOR.max(MAX_EXPANSION_FACTOR.saturating_mul(text.len()));
    let mut sizes: std::collections::HashMap<String, usize> = Default::default();
    let mut open: Vec<Anchor> = Vec::new();
    let mut expanded = text.len();
    let mut flow = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut block_scalar: Option<usize> = None;
    let mut quote: Option<u8> = None;
    let mut offset = 0usize;

    for (lineno, line) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += line.len();
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = bytes[indent..]
            .iter()
            .all(|b| matches!(b, b'\n' | b'\r' | b' ' | b'\t'));
        if let Some(bi) = block_scalar {
            if blank || indent > bi {
                continue;
            }
            block_scalar = None;
        }
        let comment_line = bytes.get(indent) == Some(&b'#');
        if quote.is_none() && flow == 0 && !blank && !comment_line {
            // Close anchored block nodes this line is not inside.
            while let Some(a) = open.last() {
                if a.flow.is_none() && indent <= a.indent {
                    close(&mut open, &mut sizes, line_start);
                } else {
                    break;
                }
            }
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
            if indents.len() > MAX_DEPTH {
                return Err(too_deep(lineno + 1, line[..indent].chars().count() + 1));
            }
        }
        let mut at_value = quote.is_none();
        let mut i = if quote.is_none() { indent } else { 0 };
        while i < bytes.len() {
            let b = bytes[i];
            // Counted only for an error, so that long lines stay linear.
            let column = || String::from_utf8_lossy(&bytes[..i]).chars().count() + 1;
            let here = |message: String| Exceeded {
                line: lineno + 1,
                column: column(),
                message,
            };
            if let Some(q) = quote {
                if b == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if b == q {
                    if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                    at_value = false;
                }
                i += 1;
                continue;
            }
            let prev_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t');
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                b'#' if prev_space => break,
                b'\'' | b'"' if at_value => quote = Some(b),
                b'[' | b'{' if at_value || flow > 0 => {
                    flow += 1;
                    let depth = indents.len() + flow;
                    if depth > MAX_DEPTH {
                        return Err(too_deep(lineno + 1, column()));
                    }
                    at_value = true;
                }
                b']' | b'}' if flow > 0 => {
                    while open.last().is_some_and(|a| a.flow == Some(flow)) {
                        close(&mut open, &mut sizes, line_start + i + 1);
                    }
                    flow -= 1;
                    at_value = false;
                }
                b',' if flow > 0 => at_value = true,
                b'-' | b'?' | b':'
                    if bytes
                        .get(i + 1)
                        .is_none_or(|n| matches!(n, b' ' | b'\t' | b'\r' | b'\n'))
                        || (flow > 0 && b == b':') =>
                {
                    at_value = true
                }
                b'|' | b'>' if at_value && flow == 0 => {
                    block_scalar = Some(indent);
                    break;
                }
                b'&' | b'*' if at_value => {
                    let end = bytes[i + 1..]
                        .iter()
                        .position(|c| {
                            matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']')
                                || matches!(c, b'{' | b'}')
                        })
                        .map_or(bytes.len(), |p| i + 1 + p);
                    let name = line[i + 1..end].to_string();
                    if b == b'&' {
                        // The node follows on this line (flow or scalar) or on the next
                        // lines (block).
                        let rest = line[end..].trim_start();
                        let flow_node = rest.starts_with(['[', '{']);
                        let node_on_line = !rest.is_empty() && !rest.starts_with('#') && !flow_node;
                        if !node_on_line {
                            open.push(Anchor {
                                name,
                                start: line_start + i,
                                indent,
                                flow: flow_node.then_some(flow + 1),
                                extra: 0,
                            });
                        } else {
                            let len = rest.split(['\n', '#']).next().unwrap_or("").len();
                            sizes.insert(name, len);
                        }
                    } else {
                        let size = sizes.get(&name).copied().unwrap_or(0);
                        let added = size.saturating_sub(end - i);
                        if let Some(a) = open.last_mut() {
                            a.extra = a.extra.saturating_add(added);
                        }
                        expanded = expanded.saturating_add(added);
                        if expanded > limit {
                            return Err(here(format!(
                                "aliases expand the document past {} KiB (shale expands \
                                 aliases to at most {MAX_EXPANSION_FACTOR} times a \
                                 document's size, or 1 MiB)",
                                limit / 1024
                            )));
                        }
                        at_value = false;
                    }
                    i = end;
                    continue;
                }
                b'!' if at_value => {
                    // A tag: skip it, the node follows.
                    while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'\n') {
                        i += 1;
                    }
                    continue;
                }
                _ => at_value = false,
            }
            i += 1;
        }
    }
    while !open.is_empty() {
        close(&mut open, &mut sizes, text.len());
    }
    Ok(())
}

fn too_deep(line: usize, column: usize) -> Exceeded {
    Exceeded {
        line,
        column,
        message: format!("nested deeper than {MAX_DEPTH} levels (shale reads at most {MAX_DEPTH})"),
    }
}

/// End the innermost open anchor at byte `end`: record its expanded size and pass the
/// expansion of the aliases inside it on to the anchor around it.
fn close(open: &mut Vec<Anchor>, sizes: &mut std::collections::HashMap<String, usize>, end: usize) {
    if let Some(a) = open.pop() {
        let size = end.saturating_sub(a.start).saturating_add(a.extra);
        if let Some(parent) = open.last_mut() {
            parent.extra = parent.extra.saturating_add(a.extra);
        }
        sizes.insert(a.name, size);
    }
}
