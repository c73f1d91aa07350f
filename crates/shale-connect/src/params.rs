//! Connection strings as libpq reads them: `postgres://` and `postgresql://` URIs and
//! `keyword=value` strings, into one ordered set of libpq keywords.
//!
//! The rules follow the PostgreSQL manual ("Connection Strings", libpq): in a
//! `keyword=value` string, spaces around `=` are allowed, a value is single-quoted to hold
//! spaces or be empty, and a backslash escapes the next character (inside or outside
//! quotes). In a URI, `user:password@`, hosts (`[v6]` brackets, comma-separated
//! `host:port` lists), the database and the query parameters are percent-decoded; a host
//! that decodes to an absolute path is a Unix-domain socket directory; `ssl=true` is
//! accepted as `sslmode=require`. A keyword libpq does not know is an error, as in libpq.

use std::collections::BTreeMap;
use std::fmt;

/// Every keyword libpq accepts (PostgreSQL 18), with the environment variable that
/// supplies its default when the string leaves it out.
pub const KEYWORDS: &[(&str, Option<&str>)] = &[
    ("host", Some("PGHOST")),
    ("hostaddr", Some("PGHOSTADDR")),
    ("port", Some("PGPORT")),
    ("dbname", Some("PGDATABASE")),
    ("user", Some("PGUSER")),
    ("password", Some("PGPASSWORD")),
    ("passfile", Some("PGPASSFILE")),
    ("require_auth", Some("PGREQUIREAUTH")),
    ("channel_binding", Some("PGCHANNELBINDING")),
    ("connect_timeout", Some("PGCONNECT_TIMEOUT")),
    ("client_encoding", Some("PGCLIENTENCODING")),
    ("options", Some("PGOPTIONS")),
    ("application_name", Some("PGAPPNAME")),
    ("fallback_application_name", None),
    ("keepalives", None),
    ("keepalives_idle", None),
    ("keepalives_interval", None),
    ("keepalives_count", None),
    ("tcp_user_timeout", None),
    ("replication", None),
    ("gssencmode", Some("PGGSSENCMODE")),
    ("sslmode", Some("PGSSLMODE")),
    ("sslnegotiation", Some("PGSSLNEGOTIATION")),
    ("sslcompression", Some("PGSSLCOMPRESSION")),
    ("sslcert", Some("PGSSLCERT")),
    ("sslkey", Some("PGSSLKEY")),
    ("sslpassword", None),
    ("sslcertmode", Some("PGSSLCERTMODE")),
    ("sslrootcert", Some("PGSSLROOTCERT")),
    ("sslcrl", Some("PGSSLCRL")),
    ("sslcrldir", Some("PGSSLCRLDIR")),
    ("sslsni", Some("PGSSLSNI")),
    ("requirepeer", Some("PGREQUIREPEER")),
    ("ssl_min_protocol_version", Some("PGSSLMINPROTOCOLVERSION")),
    ("ssl_max_protocol_version", Some("PGSSLMAXPROTOCOLVERSION")),
    ("krbsrvname", Some("PGKRBSRVNAME")),
    ("gsslib", Some("PGGSSLIB")),
    ("gssdelegation", Some("PGGSSDELEGATION")),
    ("service", Some("PGSERVICE")),
    ("target_session_attrs", Some("PGTARGETSESSIONATTRS")),
    ("load_balance_hosts", Some("PGLOADBALANCEHOSTS")),
    ("scram_client_key", None),
    ("scram_server_key", None),
    ("oauth_issuer", None),
    ("oauth_client_id", None),
    ("oauth_client_secret", None),
    ("oauth_scope", None),
];

/// Keywords whose values are secrets: never printed.
pub const SECRET_KEYWORDS: &[&str] = &[
    "password",
    "sslpassword",
    "scram_client_key",
    "scram_server_key",
    "oauth_client_secret",
];

/// Whether `k` is a libpq connection keyword.
pub fn is_keyword(k: &str) -> bool {
    KEYWORDS.iter().any(|(kw, _)| *kw == k)
}

/// A malformed connection string. The message never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ParseError {}

fn err<T>(m: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError(m.into()))
}

/// The keywords a connection string sets, as libpq would store them (a later setting of a
/// keyword replaces an earlier one).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output must not leak secrets either.
        let mut m = f.debug_map();
        for (k, v) in &self.values {
            if SECRET_KEYWORDS.contains(&k.as_str()) {
                m.entry(k, &"***");
            } else {
                m.entry(k, v);
            }
        }
        m.finish()
    }
}

impl Params {
    /// The value of `keyword`, if set.
    pub fn get(&self, keyword: &str) -> Option<&str> {
        self.values.get(keyword).map(String::as_str)
    }

    /// Set `keyword` (which must be a libpq keyword).
    pub fn set(&mut self, keyword: &str, value: &str) -> Result<(), ParseError> {
        if !is_keyword(keyword) {
            return err(format!("invalid connection option \"{keyword}\""));
        }
        self.values.insert(keyword.to_string(), value.to_string());
        Ok(())
    }

    /// Remove `keyword`.
    pub fn unset(&mut self, keyword: &str) {
        self.values.remove(keyword);
    }

    /// Every keyword set, in keyword order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Parse a connection string: a `postgres://`/`postgresql://` URI or a
    /// `keyword=value` string (the empty string sets nothing). A `dbname` that is itself a
    /// connection string is expanded in place, as libpq does.
    pub fn parse(s: &str) -> Result<Params, ParseError> {
        let mut p = if is_uri(s) {
            parse_uri(s)?
        } else {
            parse_keyword_value(s)?
        };
        // libpq: the first dbname that holds a connection string is expanded; its
        // settings override the others.
        if let Some(db) = p.values.get("dbname").cloned() {
            if is_uri(&db) || db.contains('=') {
                p.values.remove("dbname");
                let inner = if is_uri(&db) {
                    parse_uri(&db)?
                } else {
                    parse_keyword_value(&db)?
                };
                for (k, v) in inner.values {
                    p.values.insert(k, v);
                }
            }
        }
        Ok(p)
    }
}

/// Whether `s` is written as a connection URI.
pub fn is_uri(s: &str) -> bool {
    s.starts_with("postgresql://") || s.starts_with("postgres://")
}

/// Whether `s` is a libpq connection string rather than anything else (a file path): a
/// URI, or a `keyword=value` string whose first keyword is a libpq one.
pub fn looks_like_conninfo(s: &str) -> bool {
    if is_uri(s) {
        return true;
    }
    match s.find('=') {
        Some(eq) => is_keyword(s[..eq].trim()),
        None => false,
    }
}

fn parse_keyword_value(s: &str) -> Result<Params, ParseError> {
    let mut p = Params::default();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let n = b.len();
    loop {
        while i < n && b[i].is_whitespace() {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        while i < n && !b[i].is_whitespace() && b[i] != '=' {
            i += 1;
        }
        let key: String = b[start..i].iter().collect();
        while i < n && b[i].is_whitespace() {
            i += 1;
        }
        if i >= n || b[i] != '=' {
            return err(format!(
                "missing \"=\" after \"{}\" in connection info string",
                shorten(&key)
            ));
        }
        i += 1;
        while i < n && b[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < n && b[i] == '\'' {
            i += 1;
            loop {
                if i >= n {
                    return err("unterminated quoted string in connection info string");
                }
                match b[i] {
                    '\\' if i + 1 < n => {
                        value.push(b[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < n && !b[i].is_whitespace() {
                if b[i] == '\\' && i + 1 < n {
                    value.push(b[i + 1]);
                    i += 2;
                } else {
                    value.push(b[i]);
                    i += 1;
                }
            }
        }
        if !is_keyword(&key) {
            return err(format!("invalid connection option \"{}\"", shorten(&key)));
        }
        p.values.insert(key, value);
    }
    Ok(p)
}

/// A keyword as echoed in an error: never long, so that a password pasted in the wrong
/// place is not printed whole.
fn shorten(k: &str) -> String {
    if k.chars().count() > 40 {
        let head: String = k.chars().take(20).collect();
        format!("{head}…")
    } else {
        k.to_string()
    }
}

fn decode(s: &str) -> Result<String, ParseError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                    let v = (hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8;
                    if v == 0 {
                        return err("forbidden value %00 in percent-encoded value");
                    }
                    out.push(v);
                    i += 3;
                }
                _ => return err("invalid percent-encoded token in URI"),
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ParseError("percent-encoded value is not UTF-8".into()))
}

fn parse_uri(s: &str) -> Result<Params, ParseError> {
    let mut p = Params::default();
    let rest = &s[s.find("://").map(|i| i + 3).unwrap_or(0)..];
    // The query starts at the first '?'; the path at the first '/' before it.
    let (before_query, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    // userinfo ends at the last '@' before the path (a password may hold '/' only
    // percent-encoded; libpq likewise splits at the first '/').
    let (authority, path) = match before_query.find('/') {
        Some(sl) => (&before_query[..sl], Some(&before_query[sl + 1..])),
        None => (before_query, None),
    };
    let (userinfo, hostlist) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    if let Some(ui) = userinfo {
        let (user, password) = match ui.find(':') {
            Some(c) => (&ui[..c], Some(&ui[c + 1..])),
            None => (ui, None),
        };
        if !user.is_empty() {
            p.values.insert("user".into(), decode(user)?);
        }
        if let Some(pw) = password {
            p.values.insert("password".into(), decode(pw)?);
        }
    }
    if !hostlist.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        let mut any_port = false;
        for spec in hostlist.split(',') {
            let (host, port) = if let Some(stripped) = spec.strip_prefix('[') {
                let close = match stripped.find(']') {
                    Some(c) => c,
                    None => {
                        return err(format!(
                            "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"{}\"",
                            shorten(spec)
                        ))
                    }
                };
                if close == 0 {
                    return err("IPv6 host address may not be empty in URI");
                }
                let after = &stripped[close + 1..];
                let port = match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None if after.is_empty() => None,
                    None => {
                        return err(format!(
                            "unexpected character \"{}\" after IPv6 host address in URI",
                            after.chars().next().unwrap_or(' ')
                        ))
                    }
                };
                (stripped[..close].to_string(), port)
            } else {
                match spec.rfind(':') {
                    Some(c) => (decode(&spec[..c])?, Some(&spec[c + 1..])),
                    None => (decode(spec)?, None),
                }
            };
            hosts.push(host);
            if let Some(port) = port {
                any_port = true;
                ports.push(decode(port)?);
            } else {
                ports.push(String::new());
            }
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            p.values.insert("host".into(), hosts.join(","));
        }
        if any_port {
            p.values.insert("port".into(), ports.join(","));
        }
    }
    if let Some(path) = path {
        if !path.is_empty() {
            p.values.insert("dbname".into(), decode(path)?);
        }
    }
    if let Some(query) = query {
        for pair in query.split('&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = match pair.find('=') {
                Some(e) => (&pair[..e], &pair[e + 1..]),
                None => {
                    return err(format!(
                        "missing key/value separator \"=\" in URI query parameter: \"{}\"",
                        shorten(pair)
                    ))
                }
            };
            let k = decode(k)?;
            let v = decode(v)?;
            // JDBC's ssl=true, which libpq accepts too.
            if k == "ssl" && v == "true" {
                p.values.insert("sslmode".into(), "require".into());
                continue;
            }
            if !is_keyword(&k) {
                return err(format!("invalid URI query parameter: \"{}\"", shorten(&k)));
            }
            p.values.insert(k, v);
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(p: &Params) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }
    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = v
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn keyword_value_strings() {
        let p = Params::parse("host=localhost port=5432 dbname=mydb connect_timeout=10").unwrap();
        assert_eq!(
            kv(&p),
            pairs(&[
                ("host", "localhost"),
                ("port", "5432"),
                ("dbname", "mydb"),
                ("connect_timeout", "10")
            ])
        );
        // Spaces around '=', quoted values, escapes, empty values.
        let p = Params::parse(
            r"user = bob password='it\'s' application_name='a b \\ c' options=a\ b dbname=''",
        )
        .unwrap();
        assert_eq!(p.get("user"), Some("bob"));
        assert_eq!(p.get("password"), Some("it's"));
        assert_eq!(p.get("application_name"), Some(r"a b \ c"));
        assert_eq!(p.get("options"), Some("a b"));
        assert_eq!(p.get("dbname"), Some(""));
        // A later setting wins.
        assert_eq!(
            Params::parse("port=1 port=2").unwrap().get("port"),
            Some("2")
        );
        assert_eq!(Params::parse("").unwrap(), Params::default());
        assert_eq!(Params::parse("   ").unwrap(), Params::default());
    }

    #[test]
    fn keyword_value_errors_are_libpq_s() {
        assert_eq!(
            Params::parse("host=x frobnicate=1").unwrap_err().0,
            "invalid connection option \"frobnicate\""
        );
        assert_eq!(
            Params::parse("host").unwrap_err().0,
            "missing \"=\" after \"host\" in connection info string"
        );
        assert_eq!(
            Params::parse("password='abc").unwrap_err().0,
            "unterminated quoted string in connection info string"
        );
    }

    #[test]
    fn uris() {
        let p = Params::parse("postgresql://app:s%40cret@db.example:6543/my%20db?sslmode=verify-full&application_name=x").unwrap();
        assert_eq!(
            kv(&p),
            pairs(&[
                ("user", "app"),
                ("password", "s@cret"),
                ("host", "db.example"),
                ("port", "6543"),
                ("dbname", "my db"),
                ("sslmode", "verify-full"),
                ("application_name", "x"),
            ])
        );
        assert_eq!(Params::parse("postgresql://").unwrap(), Params::default());
        assert_eq!(Params::parse("postgres://").unwrap(), Params::default());
        let p = Params::parse("postgresql:///mydb").unwrap();
        assert_eq!(kv(&p), pairs(&[("dbname", "mydb")]));
        let p = Params::parse("postgresql://user@").unwrap();
        assert_eq!(kv(&p), pairs(&[("user", "user")]));
        let p = Params::parse("postgresql://:5433").unwrap();
        assert_eq!(kv(&p), pairs(&[("port", "5433")]));
        let p = Params::parse("postgresql://[2001:db8::1234]:5433/db").unwrap();
        assert_eq!(p.get("host"), Some("2001:db8::1234"));
        assert_eq!(p.get("port"), Some("5433"));
        let p = Params::parse("postgresql://%2Fvar%2Flib%2Fpostgresql/dbname").unwrap();
        assert_eq!(p.get("host"), Some("/var/lib/postgresql"));
        let p = Params::parse("postgresql:///dbname?host=/var/lib/postgresql").unwrap();
        assert_eq!(p.get("host"), Some("/var/lib/postgresql"));
        let p = Params::parse("postgresql://host1:123,host2:456/somedb?target_session_attrs=any")
            .unwrap();
        assert_eq!(p.get("host"), Some("host1,host2"));
        assert_eq!(p.get("port"), Some("123,456"));
        let p = Params::parse("postgresql://h1,h2:456/db").unwrap();
        assert_eq!(p.get("port"), Some(",456"));
        let p = Params::parse("postgresql://u@h/db?ssl=true").unwrap();
        assert_eq!(p.get("sslmode"), Some("require"));
        // A password with '@' in it, percent-encoded or not.
        let p = Params::parse("postgres://u:p@ss@h/db").unwrap();
        assert_eq!(p.get("password"), Some("p@ss"));
        assert_eq!(p.get("host"), Some("h"));
    }

    #[test]
    fn uri_errors() {
        assert_eq!(
            Params::parse("postgresql://h/db?frob=1").unwrap_err().0,
            "invalid URI query parameter: \"frob\""
        );
        assert!(Params::parse("postgresql://h/db?sslmode")
            .unwrap_err()
            .0
            .contains("separator"));
        assert!(Params::parse("postgresql://h/d%zz")
            .unwrap_err()
            .0
            .contains("percent"));
        assert!(Params::parse("postgresql://h/d%00")
            .unwrap_err()
            .0
            .contains("%00"));
        assert!(Params::parse("postgresql://[::1/db")
            .unwrap_err()
            .0
            .contains("]"));
    }

    #[test]
    fn dbname_holding_a_connection_string_is_expanded() {
        let p = Params::parse("port=1 dbname='host=h dbname=real port=2'").unwrap();
        assert_eq!(p.get("host"), Some("h"));
        assert_eq!(p.get("dbname"), Some("real"));
        assert_eq!(p.get("port"), Some("2"));
        let p = Params::parse("dbname=postgresql://u@h/real").unwrap();
        assert_eq!(p.get("dbname"), Some("real"));
        assert_eq!(p.get("user"), Some("u"));
    }

    #[test]
    fn recognizes_connection_strings() {
        assert!(looks_like_conninfo("host=db dbname=x"));
        assert!(looks_like_conninfo("dbname = x"));
        assert!(looks_like_conninfo("postgres://x"));
        assert!(!looks_like_conninfo("schema/"));
        assert!(!looks_like_conninfo("dir/a=b.sql"));
        assert!(!looks_like_conninfo("empty"));
    }

    #[test]
    fn debug_hides_secrets() {
        let p = Params::parse("password=hunter2 user=u").unwrap();
        let d = format!("{p:?}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(d.contains("***"));
    }
}
