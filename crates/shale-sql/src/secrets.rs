//! Secrets in SQL text, masked for display: error snippets, review output, failed
//! statements. The SQL that runs is never changed by this.
//!
//! What is masked (case-insensitive, outside comments and quoted identifiers):
//! - the string literal after a word that names a secret (`PASSWORD 'x'` of
//!   `CREATE/ALTER ROLE|USER`, `password 'x'` in the `OPTIONS (…)` of user mappings and
//!   foreign servers, any option whose name holds `password` or `secret`);
//! - inside every other string literal, the secrets of a libpq connection string
//!   (`password=…` of `CREATE SUBSCRIPTION … CONNECTION '…'`, `user:password@` of a URI).
//!
//! Works on fragments too (one line of a statement): a literal left open at the end is
//! taken to run to the end.

use std::borrow::Cow;

const MASK: &str = "***";

/// `sql` with its secrets replaced by `***` (borrowed when there is nothing to mask).
pub fn mask_secrets(sql: &str) -> Cow<'_, str> {
    let lower = sql.to_ascii_lowercase();
    if !(lower.contains("password") || lower.contains("secret") || lower.contains('@')) {
        return Cow::Borrowed(sql);
    }
    let b = sql.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(n);
    let mut i = 0;
    // Whether the last word read names a secret (its literal is masked whole).
    let mut secret_word = false;
    while i < n {
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            let end = sql[i..].find('\n').map(|e| i + e).unwrap_or(n);
            out.push_str(&sql[i..end]);
            i = end;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = sql[i + 2..].find("*/").map(|e| i + 2 + e + 2).unwrap_or(n);
            out.push_str(&sql[i..end]);
            i = end;
        } else if c == b'"' {
            let end = quoted_end(b, i, b'"');
            out.push_str(&sql[i..end]);
            i = end;
            secret_word = false;
        } else if c == b'\'' || ((c == b'e' || c == b'E') && b.get(i + 1) == Some(&b'\'')) {
            let open = if c == b'\'' { i } else { i + 1 };
            let end = quoted_end(b, open, b'\'');
            out.push_str(&sql[i..=open]);
            let closed = end > open + 1 && b[end - 1] == b'\'' && end - 1 > open;
            let body_end = if closed { end - 1 } else { end };
            let body = &sql[open + 1..body_end];
            if secret_word {
                out.push_str(MASK);
            } else {
                out.push_str(&mask_conninfo(body));
            }
            out.push_str(&sql[body_end..end]);
            i = end;
            secret_word = false;
        } else if c == b'$' {
            // A dollar-quoted string: $tag$ … $tag$.
            let tag_end = sql[i + 1..]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .map(|e| i + 1 + e);
            match tag_end {
                Some(t) if b[t] == b'$' => {
                    let tag = &sql[i..=t];
                    let body_start = t + 1;
                    let (body_end, end) = match sql[body_start..].find(tag) {
                        Some(e) => (body_start + e, body_start + e + tag.len()),
                        None => (n, n),
                    };
                    out.push_str(tag);
                    if secret_word {
                        out.push_str(MASK);
                    } else {
                        out.push_str(&mask_conninfo(&sql[body_start..body_end]));
                    }
                    out.push_str(&sql[body_end..end]);
                    i = end;
                    secret_word = false;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            let word = lower[start..i].to_string();
            out.push_str(&sql[start..i]);
            secret_word = word.contains("password") || word.contains("secret");
        } else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            if !ch.is_whitespace() {
                secret_word = false;
            }
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    Cow::Owned(out)
}

/// The index just past the quoted run opening at `open` (doubled quotes stay inside); the
/// end of the text when it is left open. Also the chunk lexer's (chunks.rs) for quoted
/// identifiers.
pub(crate) fn quoted_end(b: &[u8], open: usize, q: u8) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        if q == b'\'' && b[i] == b'\\' && i + 1 < b.len() {
            // E'…' escapes; harmless for standard strings (a backslash then a quote only
            // keeps a standard literal open one character longer in this display).
            i += 1;
        }
        i += 1;
    }
    b.len()
}

/// The secrets of a libpq connection string inside a literal: `password=value`
/// (a word or a quoted value) and the password of a `scheme://user:password@` URI.
fn mask_conninfo(body: &str) -> Cow<'_, str> {
    let lower = body.to_ascii_lowercase();
    if !(lower.contains("password") || lower.contains("secret") || lower.contains('@')) {
        return Cow::Borrowed(body);
    }
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < b.len() {
        // A URI's user:password@.
        if body[i..].starts_with("://") {
            out.push_str("://");
            i += 3;
            let auth_end = body[i..]
                .find(|c: char| c == '/' || c == '?' || c.is_whitespace() || c == '\'')
                .map(|e| i + e)
                .unwrap_or(b.len());
            let auth = &body[i..auth_end];
            match (auth.rfind('@'), auth.find(':')) {
                (Some(at), Some(colon)) if colon < at => {
                    out.push_str(&auth[..colon + 1]);
                    out.push_str(MASK);
                    out.push_str(&auth[at..]);
                }
                _ => out.push_str(auth),
            }
            i = auth_end;
            continue;
        }
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &lower[start..i];
            out.push_str(&body[start..i]);
            if word.contains("password") || word.contains("secret") {
                // `= value`
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < b.len() && b[j] == b'=' {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    out.push_str(&body[i..j]);
                    // The value: quoted (with '' or \' inside a SQL literal) or a word.
                    let end = if body[j..].starts_with("''") {
                        // A quoted value inside a SQL literal: ''…''.
                        match body[j + 2..].find("''") {
                            Some(e) => j + 2 + e + 2,
                            None => b.len(),
                        }
                    } else if j < b.len() && b[j] == b'\'' {
                        quoted_end(b, j, b'\'')
                    } else {
                        body[j..]
                            .find(|c: char| c.is_whitespace() || c == '&')
                            .map(|e| j + e)
                            .unwrap_or(b.len())
                    };
                    out.push_str(MASK);
                    i = end;
                }
            }
            continue;
        }
        let ch = body[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_passwords() {
        assert_eq!(
            mask_secrets("ALTER ROLE app PASSWORD 'hunter2';"),
            "ALTER ROLE app PASSWORD '***';"
        );
        assert_eq!(
            mask_secrets("CREATE USER app WITH ENCRYPTED PASSWORD 'it''s secret' LOGIN;"),
            "CREATE USER app WITH ENCRYPTED PASSWORD '***' LOGIN;"
        );
        assert_eq!(
            mask_secrets("alter user app password $$hunter2$$"),
            "alter user app password $$***$$"
        );
        assert_eq!(
            mask_secrets("ALTER ROLE app PASSWORD NULL"),
            "ALTER ROLE app PASSWORD NULL"
        );
    }

    #[test]
    fn user_mapping_and_server_options() {
        assert_eq!(
            mask_secrets(
                "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'bob', password 'hunter2');"
            ),
            "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'bob', password '***');"
        );
        assert_eq!(
            mask_secrets("ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password 'x2');"),
            "ALTER USER MAPPING FOR app SERVER s OPTIONS (SET password '***');"
        );
        assert_eq!(
            mask_secrets("  OPTIONS (client_secret 'abc', host 'h')"),
            "  OPTIONS (client_secret '***', host 'h')"
        );
        // Unrelated literals stay.
        assert_eq!(
            mask_secrets("COMMENT ON TABLE t IS 'password policy: none'"),
            "COMMENT ON TABLE t IS 'password policy: none'"
        );
    }

    #[test]
    fn subscription_connections() {
        assert_eq!(
            mask_secrets(
                "CREATE SUBSCRIPTION s CONNECTION 'host=h dbname=d password=hunter2 user=u' PUBLICATION p;"
            ),
            "CREATE SUBSCRIPTION s CONNECTION 'host=h dbname=d password=*** user=u' PUBLICATION p;"
        );
        assert_eq!(
            mask_secrets("CONNECTION 'host=h password=''hunter 2'' user=u'"),
            "CONNECTION 'host=h password=*** user=u'"
        );
        assert_eq!(
            mask_secrets("CONNECTION 'postgresql://u:hunter2@h/db'"),
            "CONNECTION 'postgresql://u:***@h/db'"
        );
        // One line of a statement whose literal opened on the line before.
        assert_eq!(
            mask_secrets("  'host=h password=hunter2"),
            "  'host=h password=***"
        );
    }

    #[test]
    fn nothing_to_mask_borrows() {
        assert!(matches!(
            mask_secrets("CREATE TABLE t (id int)"),
            Cow::Borrowed(_)
        ));
        // Quoted identifiers and comments are left as they are.
        assert_eq!(
            mask_secrets("CREATE TABLE \"password\" (x text DEFAULT 'y') -- password 'z'"),
            "CREATE TABLE \"password\" (x text DEFAULT 'y') -- password 'z'"
        );
    }
}
