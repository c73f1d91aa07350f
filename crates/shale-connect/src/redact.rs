//! The one redaction every message uses: a connection string in any form with each secret
//! (`user:password@` of a URI, `password`, `sslpassword` and the other secret keywords,
//! as URI query parameters or `keyword=value` pairs) replaced by `***`. The rest of the
//! string is kept as written, so the user recognizes it. Malformed strings are redacted
//! too: after a secret keyword whose value cannot be delimited, everything is hidden.

use crate::params::{is_uri, SECRET_KEYWORDS};

const MASK: &str = "***";

/// `conninfo` with every secret replaced by `***`, safe to print.
pub fn redact(conninfo: &str) -> String {
    if is_uri(conninfo) {
        redact_uri(conninfo)
    } else if conninfo.contains('=') {
        redact_keyword_value(conninfo)
    } else {
        conninfo.to_string()
    }
}

fn is_secret(keyword: &str) -> bool {
    let k = keyword.trim();
    SECRET_KEYWORDS.iter().any(|s| s.eq_ignore_ascii_case(k))
        || k.to_ascii_lowercase().contains("password")
        || k.to_ascii_lowercase().contains("secret")
}

fn redact_uri(url: &str) -> String {
    let start = url.find("://").map(|i| i + 3).unwrap_or(0);
    let (scheme, rest) = url.split_at(start);
    let (before_query, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    let mut out = String::from(scheme);
    // The user info ends at the last '@' before the query. A password holding a raw '/'
    // would make libpq see a path; hiding up to the last '@' hides it either way.
    match before_query.rfind('@') {
        Some(at) => {
            let userinfo = &before_query[..at];
            match userinfo.find(':') {
                Some(c) => {
                    out.push_str(&userinfo[..c]);
                    out.push(':');
                    out.push_str(MASK);
                }
                None => out.push_str(userinfo),
            }
            out.push_str(&before_query[at..]);
        }
        None => out.push_str(before_query),
    }
    if let Some(query) = query {
        out.push('?');
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.find('=') {
                Some(e) if is_secret(&percent_decode_lossy(&pair[..e])) => {
                    format!("{}={MASK}", &pair[..e])
                }
                _ => pair.to_string(),
            })
            .collect();
        out.push_str(&parts.join("&"));
    }
    out
}

fn percent_decode_lossy(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn redact_keyword_value(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let n = c.len();
    let mut out = String::new();
    let mut i = 0;
    while i < n {
        // Copy whitespace.
        if c[i].is_whitespace() {
            out.push(c[i]);
            i += 1;
            continue;
        }
        // A keyword up to '=' or whitespace.
        let start = i;
        while i < n && !c[i].is_whitespace() && c[i] != '=' {
            i += 1;
        }
        let key: String = c[start..i].iter().collect();
        out.push_str(&key);
        // Spaces and '='.
        let mut j = i;
        while j < n && c[j].is_whitespace() {
            j += 1;
        }
        if j >= n || c[j] != '=' {
            // Not a key=value pair (malformed): keep scanning as if it were a word.
            continue;
        }
        let eq_end = {
            let mut k = j + 1;
            while k < n && c[k].is_whitespace() {
                k += 1;
            }
            k
        };
        out.extend(&c[i..eq_end]);
        i = eq_end;
        // The value: quoted or a word, with backslash escapes.
        let vstart = i;
        let mut closed = true;
        if i < n && c[i] == '\'' {
            i += 1;
            closed = false;
            while i < n {
                if c[i] == '\\' && i + 1 < n {
                    i += 2;
                } else if c[i] == '\'' {
                    i += 1;
                    closed = true;
                    break;
                } else {
                    i += 1;
                }
            }
        } else {
            while i < n && !c[i].is_whitespace() {
                if c[i] == '\\' && i + 1 < n {
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
        if is_secret(&key) {
            if !closed {
                // An unterminated quote: the secret may run to the end.
                out.push_str(MASK);
                return out;
            }
            out.push_str(MASK);
        } else if key.trim() == "dbname" {
            // A dbname may itself be a connection string.
            let v: String = c[vstart..i].iter().collect();
            let inner = v.trim_matches('\'');
            if is_uri(inner) || inner.contains('=') {
                let quoted = v.starts_with('\'');
                let r = redact(&inner.replace("\\'", "'").replace("\\\\", "\\"));
                if quoted {
                    out.push('\'');
                    out.push_str(&r.replace('\\', "\\\\").replace('\'', "\\'"));
                    out.push('\'');
                } else {
                    out.push_str(&r);
                }
            } else {
                out.push_str(&v);
            }
        } else {
            out.extend(&c[vstart..i]);
        }
    }
    out
}

/// `text` with every occurrence of `secret` replaced by `***` (a last line of defence
/// for messages that may echo what they were given; secrets shorter than 4 characters
/// are left, as replacing them would garble the message and hide nothing).
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.chars().count() < 4 {
        return text.to_string();
    }
    text.replace(secret, MASK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            redact("postgres://app:s3cret@db.example:5432/app"),
            "postgres://app:***@db.example:5432/app"
        );
        assert_eq!(
            redact("postgresql://app@localhost/app?sslmode=require&password=x"),
            "postgresql://app@localhost/app?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgresql://h/app?sslpassword=x&PassWord=y&pass%77ord=z"),
            "postgresql://h/app?sslpassword=***&PassWord=***&pass%77ord=***"
        );
        assert_eq!(
            redact("postgres://localhost/app"),
            "postgres://localhost/app"
        );
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u:p/ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgresql://"), "postgresql://");
    }

    #[test]
    fn keyword_value() {
        assert_eq!(
            redact("host=db password=hunter2 dbname=prod"),
            "host=db password=*** dbname=prod"
        );
        assert_eq!(
            redact("host=db password = 'hunter 2' dbname=prod"),
            "host=db password = *** dbname=prod"
        );
        assert_eq!(
            redact(r"password='it\'s secret' user=u"),
            "password=*** user=u"
        );
        assert_eq!(redact("password='unterminated secret"), "password=***");
        assert_eq!(redact("sslpassword=k3y host=h"), "sslpassword=*** host=h");
        assert_eq!(
            redact("dbname='postgresql://u:hunter2@h/db' host=x"),
            "dbname='postgresql://u:***@h/db' host=x"
        );
        assert_eq!(
            redact("dbname='host=h password=hunter2'"),
            "dbname='host=h password=***'"
        );
    }

    #[test]
    fn no_secret_survives_any_form() {
        for s in [
            "postgresql://u:hunter22@h/db",
            "postgresql://u@h/db?password=hunter22",
            "postgresql://u@h/db?a=b&password=hunter22&c=d",
            "host=h password=hunter22",
            "host=h password='hunter22'",
            "host=h password = hunter22",
            "password=hunter22",
            "host=h\tpassword=hunter22\nuser=u",
            "dbname='password=hunter22'",
        ] {
            let r = redact(s);
            assert!(!r.contains("hunter22"), "{s} -> {r}");
        }
    }

    #[test]
    fn scrubs() {
        assert_eq!(scrub("a hunter2 b", "hunter2"), "a *** b");
        assert_eq!(scrub("a b", "a"), "a b");
    }
}
