//! Connecting to PostgreSQL as psql does, in one place for every crate that connects.
//!
//! ```no_run
//! let mut client = shale_connect::connect("host=db.example dbname=app sslmode=verify-full")?;
//! # Ok::<(), shale_connect::ConnectError>(())
//! ```
//!
//! - Connection strings exactly as libpq takes them ([`params`]): `postgres://` and
//!   `postgresql://` URIs with their parameters, `keyword=value` strings.
//! - The `PG*` environment fills in what the string leaves out, then libpq's defaults
//!   (user: the operating-system user; database: the user name; port 5432; host: the
//!   local Unix-domain socket if there is one, else `localhost`).
//! - The password: from the string, `PGPASSWORD`, or the password file ([`pgpass`]).
//! - TLS with `sslmode` semantics ([`tls`]): disable, allow, prefer (the default),
//!   require, verify-ca, verify-full; `sslrootcert` (a file or `system`), `sslcert`,
//!   `sslkey`.
//! - `connect_timeout` (default 10 s, 0 waits forever) bounds each host's whole attempt:
//!   the TCP connection, TLS and authentication.
//! - Errors say why ([`ConnectError`], [`describe`]): the server's message, SQLSTATE,
//!   detail and hint, or the operating system's cause, for every host tried.
//! - Every message redacts secrets with [`redact()`].

pub mod params;
pub mod pgpass;
pub mod redact;
pub mod tls;

pub use params::{looks_like_conninfo, ParseError};
pub use redact::redact;

use params::Params;
use postgres::Client;
use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tls::{TlsSettings, Verify};

/// The `connect_timeout` used when neither the string nor `PGCONNECT_TIMEOUT` sets one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a connection was not made.
#[derive(Debug)]
pub enum ConnectError {
    /// The connection string or a setting in it is wrong; nothing was tried.
    Invalid {
        /// The connection string, redacted.
        conninfo: String,
        message: String,
    },
    /// Every host (and address) was tried and failed.
    Failed {
        /// `user@host:port/dbname` (no password).
        target: String,
        /// One line per attempt: where, and why it failed.
        attempts: Vec<String>,
    },
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Invalid { conninfo, message } => {
                if conninfo.is_empty() {
                    write!(f, "invalid connection settings: {message}")
                } else {
                    write!(f, "invalid connection string \"{conninfo}\": {message}")
                }
            }
            ConnectError::Failed { target, attempts } => {
                if let [one] = attempts.as_slice() {
                    write!(f, "cannot connect to {target}: {one}")
                } else {
                    write!(f, "cannot connect to {target}:")?;
                    for a in attempts {
                        write!(f, "\n  {}", a.replace('\n', "\n  "))?;
                    }
                    Ok(())
                }
            }
        }
    }
}
impl std::error::Error for ConnectError {}

/// How `sslmode` asks for TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return Err(format!("invalid sslmode value: \"{s}\"")),
        })
    }
    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the password came from, for the message when it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PasswordSource {
    Given,
    File(PathBuf),
}

/// A connection string with the environment and libpq's defaults applied: everything a
/// connection needs, checked.
#[derive(Clone)]
pub struct ConnInfo {
    params: Params,
    /// The string as given, redacted (for messages).
    shown: String,
    home: Option<PathBuf>,
    /// Whether `sslmode` came from `PGSSLMODE` (messages say so).
    env_sslmode: bool,
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnInfo")
            .field("params", &self.params)
            .field("shown", &self.shown)
            .finish()
    }
}

/// Connect to what `conninfo` (a URI, a `keyword=value` string, or empty) and the `PG*`
/// environment describe.
pub fn connect(conninfo: &str) -> Result<Client, ConnectError> {
    ConnInfo::parse(conninfo)?.connect()
}

/// The process environment, as [`ConnInfo::parse_with_env`] reads it.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl ConnInfo {
    /// Parse `conninfo` and fill in what it leaves out from the process environment.
    pub fn parse(conninfo: &str) -> Result<ConnInfo, ConnectError> {
        Self::parse_with_env(conninfo, &process_env)
    }

    /// [`ConnInfo::parse`] with the environment read through `env` (tests pass their own).
    pub fn parse_with_env(
        conninfo: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ConnInfo, ConnectError> {
        let shown = redact(conninfo);
        let shown_for_errors = shown.clone();
        let invalid = |message: String| ConnectError::Invalid {
            conninfo: shown_for_errors.clone(),
            message,
        };
        let mut params = Params::parse(conninfo).map_err(|e| invalid(e.0))?;
        let mut env_sslmode = false;
        for (kw, var) in params::KEYWORDS {
            let Some(var) = var else { continue };
            if params.get(kw).is_none() {
                if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                    params.set(kw, &v).map_err(|e| invalid(e.0))?;
                    if *kw == "sslmode" {
                        env_sslmode = true;
                    }
                }
            }
        }
        // The deprecated PGREQUIRESSL=1 means sslmode=require.
        if params.get("sslmode").is_none() && env("PGREQUIRESSL").as_deref() == Some("1") {
            params.set("sslmode", "require").map_err(|e| invalid(e.0))?;
            env_sslmode = true;
        }
        let home = env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let info = ConnInfo {
            params,
            shown,
            home,
            env_sslmode,
        };
        info.check().map_err(invalid)?;
        Ok(info)
    }

    /// The value of a libpq keyword after the environment was applied.
    pub fn get(&self, keyword: &str) -> Option<&str> {
        self.params.get(keyword)
    }

    /// Set a libpq keyword (e.g. `dbname` for a temporary database on the same server).
    pub fn set(&mut self, keyword: &str, value: &str) -> Result<(), ConnectError> {
        self.params
            .set(keyword, value)
            .map_err(|e| ConnectError::Invalid {
                conninfo: self.shown.clone(),
                message: e.0,
            })?;
        self.check().map_err(|message| ConnectError::Invalid {
            conninfo: self.shown.clone(),
            message,
        })
    }

    /// The connection string as given, with its secrets redacted.
    pub fn redacted(&self) -> &str {
        &self.shown
    }

    /// Settings libpq knows that shale cannot honour are refused rather than ignored, so
    /// that nothing is silently weaker than asked.
    fn check(&self) -> Result<(), String> {
        let p = &self.params;
        self.sslmode()?;
        self.connect_timeout()?;
        self.targets_unresolved()?;
        let unsupported = |kw: &str, why: &str| -> Result<(), String> {
            match p.get(kw) {
                Some(v) if !v.is_empty() => Err(format!(
                    "connection option \"{kw}\" is not supported by shale ({why})"
                )),
                _ => Ok(()),
            }
        };
        unsupported(
            "service",
            "write the settings in the connection string or PG* variables",
        )?;
        unsupported("sslcrl", "certificate revocation lists are not checked")?;
        unsupported("sslcrldir", "certificate revocation lists are not checked")?;
        unsupported(
            "sslpassword",
            "decrypt the client key, keeping it at mode 0600",
        )?;
        unsupported("requirepeer", "Unix-socket peer checks are not made")?;
        unsupported(
            "require_auth",
            "the authentication method cannot be restricted",
        )?;
        for kw in [
            "scram_client_key",
            "scram_server_key",
            "oauth_issuer",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_scope",
        ] {
            unsupported(kw, "this authentication method is not available")?;
        }
        match p.get("gssencmode") {
            None | Some("disable") | Some("prefer") | Some("") => {}
            Some(v) => {
                return Err(format!(
                    "gssencmode={v}: GSSAPI encryption is not supported by shale (use TLS, sslmode=verify-full)"
                ))
            }
        }
        match p.get("replication") {
            None | Some("") | Some("0") | Some("false") | Some("off") | Some("no") => {}
            Some(v) => {
                return Err(format!(
                    "replication={v}: replication connections are not supported"
                ))
            }
        }
        match p.get("client_encoding") {
            None | Some("") => {}
            Some(v)
                if v.eq_ignore_ascii_case("utf8")
                    || v.eq_ignore_ascii_case("utf-8")
                    || v == "auto" => {}
            Some(v) => {
                return Err(format!(
                    "client_encoding={v}: shale always talks UTF8 to the server"
                ))
            }
        }
        match p.get("sslcertmode") {
            None | Some("") | Some("allow") | Some("disable") => {}
            Some("require") => {
                return Err("sslcertmode=require is not supported by shale".into());
            }
            Some(v) => return Err(format!("invalid sslcertmode value: \"{v}\"")),
        }
        match p.get("sslnegotiation") {
            None | Some("") | Some("postgres") | Some("direct") => {}
            Some(v) => return Err(format!("invalid sslnegotiation value: \"{v}\"")),
        }
        if p.get("sslnegotiation") == Some("direct")
            && matches!(
                self.sslmode()?,
                SslMode::Disable | SslMode::Allow | SslMode::Prefer
            )
        {
            return Err(
                "weak sslmode may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")".into(),
            );
        }
        match p.get("channel_binding") {
            None | Some("") | Some("disable") | Some("prefer") | Some("require") => {}
            Some(v) => return Err(format!("invalid channel_binding value: \"{v}\"")),
        }
        match p.get("target_session_attrs") {
            None | Some("") | Some("any") | Some("read-write") | Some("read-only") => {}
            Some(v @ ("primary" | "standby" | "prefer-standby")) => {
                return Err(format!(
                    "target_session_attrs={v} is not supported by shale (use any, read-write or read-only)"
                ))
            }
            Some(v) => return Err(format!("invalid target_session_attrs value: \"{v}\"")),
        }
        match p.get("load_balance_hosts") {
            None | Some("") | Some("disable") | Some("random") => {}
            Some(v) => return Err(format!("invalid load_balance_hosts value: \"{v}\"")),
        }
        for kw in ["ssl_min_protocol_version", "ssl_max_protocol_version"] {
            match p.get(kw) {
                None | Some("") | Some("TLSv1.2") | Some("TLSv1.3") => {}
                Some(v @ ("TLSv1" | "TLSv1.1")) => {
                    return Err(format!(
                        "{kw}={v}: shale's TLS speaks TLSv1.2 and TLSv1.3 only"
                    ))
                }
                Some(v) => return Err(format!("invalid {kw} value: \"{v}\"")),
            }
        }
        for kw in [
            "keepalives",
            "keepalives_idle",
            "keepalives_interval",
            "keepalives_count",
            "tcp_user_timeout",
            "sslsni",
        ] {
            if let Some(v) = p.get(kw).filter(|v| !v.is_empty()) {
                parse_int(kw, v)?;
            }
        }
        if p.get("sslrootcert") == Some("system") && self.sslmode()? != SslMode::VerifyFull {
            return Err(format!(
                "weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")",
                self.sslmode()?.name()
            ));
        }
        Ok(())
    }

    /// `sslmode`: libpq's default is `prefer`, and `verify-full` with
    /// `sslrootcert=system`.
    pub fn sslmode(&self) -> Result<SslMode, String> {
        match self.params.get("sslmode").filter(|v| !v.is_empty()) {
            Some(v) => SslMode::parse(v),
            None if self.params.get("sslrootcert") == Some("system") => Ok(SslMode::VerifyFull),
            None => Ok(SslMode::Prefer),
        }
    }

    /// `connect_timeout` (seconds; 0 or less waits forever; libpq rounds 1 up to 2).
    pub fn connect_timeout(&self) -> Result<Option<Duration>, String> {
        match self.params.get("connect_timeout").filter(|v| !v.is_empty()) {
            None => Ok(Some(DEFAULT_CONNECT_TIMEOUT)),
            Some(v) => {
                let n = parse_int("connect_timeout", v)?;
                Ok(match n {
                    n if n <= 0 => None,
                    1 => Some(Duration::from_secs(2)),
                    n => Some(Duration::from_secs(n as u64)),
                })
            }
        }
    }

    fn user(&self) -> String {
        match self.params.get("user").filter(|v| !v.is_empty()) {
            Some(u) => u.to_string(),
            None => whoami::account()
                .or_else(|_| whoami::username())
                .unwrap_or_else(|_| "postgres".into()),
        }
    }

    fn dbname(&self) -> String {
        match self.params.get("dbname").filter(|v| !v.is_empty()) {
            Some(d) => d.to_string(),
            None => self.user(),
        }
    }

    /// The hosts to try, in order, before name resolution.
    fn targets_unresolved(&self) -> Result<Vec<Target>, String> {
        let split = |kw: &str| -> Vec<String> {
            match self.params.get(kw).filter(|v| !v.is_empty()) {
                Some(v) => v.split(',').map(|s| s.trim().to_string()).collect(),
                None => Vec::new(),
            }
        };
        let hosts = split("host");
        let addrs = split("hostaddr");
        let ports = split("port");
        let n = hosts.len().max(addrs.len()).max(1);
        if !hosts.is_empty() && !addrs.is_empty() && hosts.len() != addrs.len() {
            return Err(format!(
                "could not match {} host names to {} hostaddr values",
                hosts.len(),
                addrs.len()
            ));
        }
        if ports.len() > 1 && ports.len() != n {
            return Err(format!(
                "could not match {} port numbers to {} hosts",
                ports.len(),
                n
            ));
        }
        let mut out = Vec::new();
        for i in 0..n {
            let port_text = ports
                .get(i)
                .or(if ports.len() == 1 {
                    ports.first()
                } else {
                    None
                })
                .filter(|p| !p.is_empty())
                .cloned()
                .unwrap_or_else(|| "5432".into());
            let port: u16 = match port_text.parse() {
                Ok(p) if p > 0 => p,
                _ => return Err(format!("invalid port number: \"{port_text}\"")),
            };
            let hostaddr = match addrs.get(i).filter(|a| !a.is_empty()) {
                Some(a) => Some(
                    a.parse::<IpAddr>()
                        .map_err(|_| format!("could not parse network address \"{a}\""))?,
                ),
                None => None,
            };
            let host = hosts.get(i).filter(|h| !h.is_empty()).cloned();
            let host = match (host, hostaddr) {
                (Some(h), _) => h,
                (None, Some(a)) => a.to_string(),
                (None, None) => default_host(port),
            };
            out.push(Target {
                host,
                hostaddr,
                port,
            });
        }
        Ok(out)
    }

    /// `user@host:port/dbname` for messages (no password).
    pub fn target(&self) -> String {
        let hosts = match self.targets_unresolved() {
            Ok(t) => t
                .iter()
                .map(|t| format!("{}:{}", t.host, t.port))
                .collect::<Vec<_>>()
                .join(","),
            Err(_) => "?".into(),
        };
        format!("{}@{}/{}", self.user(), hosts, self.dbname())
    }

    fn password_for(
        &self,
        t: &Target,
        user: &str,
        dbname: &str,
    ) -> (Option<(String, PasswordSource)>, Option<String>) {
        if let Some(p) = self.params.get("password").filter(|p| !p.is_empty()) {
            return (Some((p.to_string(), PasswordSource::Given)), None);
        }
        let path = match self.params.get("passfile").filter(|p| !p.is_empty()) {
            Some(p) => Some(PathBuf::from(p)),
            None => pgpass::default_path(self.home.as_deref()),
        };
        let Some(path) = path else {
            return (None, None);
        };
        // libpq matches Unix-socket connections as "localhost".
        let host = if t.host.starts_with('/') {
            "localhost"
        } else {
            &t.host
        };
        let port = t.port.to_string();
        let (pw, warning) = pgpass::lookup(
            &path,
            &pgpass::Lookup {
                host,
                port: &port,
                dbname,
                user,
            },
        );
        (pw.map(|p| (p, PasswordSource::File(path))), warning)
    }

    fn home_file(&self, name: &str) -> Option<PathBuf> {
        self.home.as_ref().map(|h| h.join(".postgresql").join(name))
    }

    /// The TLS client settings for `mode` (`None` when TLS is never used).
    fn tls_settings(&self, mode: SslMode) -> Result<Option<TlsSettings>, String> {
        if mode == SslMode::Disable {
            return Ok(None);
        }
        let p = &self.params;
        let explicit_root = p.get("sslrootcert").filter(|v| !v.is_empty());
        let (root_cert, root_exists) = match explicit_root {
            Some("system") => (None, true),
            Some(path) => (Some(PathBuf::from(path)), Path::new(path).exists()),
            None => {
                let d = self.home_file("root.crt");
                let exists = d.as_ref().is_some_and(|d| d.exists());
                (d, exists)
            }
        };
        let verify = match mode {
            SslMode::VerifyFull => Verify::Full,
            SslMode::VerifyCa => Verify::Ca,
            // libpq verifies the chain in the weaker modes too when a root file exists.
            _ if root_exists => Verify::Ca,
            _ => Verify::None,
        };
        if verify != Verify::None && !root_exists {
            let path = root_cert
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "~/.postgresql/root.crt".into());
            return Err(format!(
                "root certificate file \"{path}\" does not exist\nEither provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification."
            ));
        }
        let client_cert = if p.get("sslcertmode") == Some("disable") {
            None
        } else {
            let cert = p
                .get("sslcert")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| self.home_file("postgresql.crt"));
            let key = p
                .get("sslkey")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| self.home_file("postgresql.key"));
            match (cert, key) {
                // libpq sends a certificate only when the file exists.
                (Some(c), Some(k)) if c.exists() => Some((c, k)),
                _ => None,
            }
        };
        Ok(Some(TlsSettings {
            verify,
            root_cert,
            client_cert,
            tls13_only: p.get("ssl_min_protocol_version") == Some("TLSv1.3"),
            tls12_only: p.get("ssl_max_protocol_version") == Some("TLSv1.2"),
            sni: p.get("sslsni") != Some("0"),
        }))
    }

    /// Connect: each host in turn (and each of its addresses), each attempt bounded by
    /// `connect_timeout`, TLS as `sslmode` says. The first success wins.
    pub fn connect(&self) -> Result<Client, ConnectError> {
        let invalid = |message: String| ConnectError::Invalid {
            conninfo: self.shown.clone(),
            message,
        };
        let mode = self.sslmode().map_err(invalid)?;
        let timeout = self.connect_timeout().map_err(invalid)?;
        let mut targets = self.targets_unresolved().map_err(invalid)?;
        if self.params.get("load_balance_hosts") == Some("random") {
            shuffle(&mut targets);
        }
        let user = self.user();
        let dbname = self.dbname();
        let mut attempts = Vec::new();
        for t in &targets {
            let where_ = t.describe();
            let addrs: Vec<Addr> = if let Some(ip) = t.hostaddr {
                vec![Addr::Tcp(SocketAddr::new(ip, t.port))]
            } else if t.host.starts_with('/') {
                vec![Addr::Unix(PathBuf::from(&t.host))]
            } else {
                match (t.host.as_str(), t.port).to_socket_addrs() {
                    Ok(a) => a.map(Addr::Tcp).collect(),
                    Err(e) => {
                        attempts.push(format!(
                            "could not translate host name \"{}\" to address: {}",
                            t.host,
                            io_cause(&e)
                        ));
                        continue;
                    }
                }
            };
            let (password, warning) = self.password_for(t, &user, &dbname);
            if let Some(w) = warning {
                eprintln!("{w}");
            }
            for addr in addrs {
                match self.attempt(t, &addr, mode, timeout, &user, &dbname, password.as_ref()) {
                    Ok(c) => return Ok(c),
                    Err(cause) => {
                        let cause = match &password {
                            Some((pw, _)) => redact::scrub(&cause, pw),
                            None => cause,
                        };
                        attempts.push(format!("{where_}{}: {cause}", addr.describe(t)));
                    }
                }
            }
        }
        Err(ConnectError::Failed {
            target: self.target(),
            attempts,
        })
    }

    /// One address, with the sslmode's fallback (allow: plain, then TLS; prefer: TLS if
    /// the server offers it, then plain if the server refused the TLS session).
    #[allow(clippy::too_many_arguments)]
    fn attempt(
        &self,
        t: &Target,
        addr: &Addr,
        mode: SslMode,
        timeout: Option<Duration>,
        user: &str,
        dbname: &str,
        password: Option<&(String, PasswordSource)>,
    ) -> Result<Client, String> {
        // libpq never uses TLS on Unix-domain sockets.
        let mode = if matches!(addr, Addr::Unix(_)) {
            match mode {
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                    return Err(format!(
                        "sslmode={} needs TCP: TLS is not used on Unix-domain sockets",
                        mode.name()
                    ))
                }
                _ => SslMode::Disable,
            }
        } else {
            mode
        };
        let plan: &[(postgres::config::SslMode, bool)] = {
            use postgres::config::SslMode as M;
            match mode {
                SslMode::Disable => &[(M::Disable, false)],
                SslMode::Allow => &[(M::Disable, false), (M::Require, true)],
                SslMode::Prefer => &[(M::Prefer, true), (M::Disable, false)],
                _ => &[(M::Require, true)],
            }
        };
        let tls_settings = self.tls_settings(mode)?;
        let mut last = String::new();
        for (i, (tokio_mode, _)) in plan.iter().enumerate() {
            let config = self.config(t, addr, *tokio_mode, timeout, user, dbname, password);
            let tls = match &tls_settings {
                Some(s) => tls::client_config(s)?,
                None => tls::client_config(&TlsSettings {
                    verify: Verify::None,
                    root_cert: None,
                    client_cert: None,
                    tls13_only: false,
                    tls12_only: false,
                    sni: true,
                })?,
            };
            let connector = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            match connect_within(config, connector, timeout) {
                Ok(c) => return Ok(c),
                Err(Failure::Timeout(d)) => {
                    return Err(format!(
                        "timeout expired after {} s (connect_timeout): the server accepted the connection but did not complete the startup",
                        d.as_secs()
                    ))
                }
                Err(Failure::Error(e)) => {
                    last = self.cause(&e, mode, password, t);
                    let retry = i + 1 < plan.len() && fallback_worthy(&e);
                    if !retry {
                        return Err(last);
                    }
                }
            }
        }
        Err(last)
    }

    #[allow(clippy::too_many_arguments)]
    fn config(
        &self,
        t: &Target,
        addr: &Addr,
        ssl: postgres::config::SslMode,
        timeout: Option<Duration>,
        user: &str,
        dbname: &str,
        password: Option<&(String, PasswordSource)>,
    ) -> postgres::Config {
        let p = &self.params;
        let mut c = postgres::Config::new();
        match addr {
            Addr::Tcp(sa) => {
                c.host(&t.host).hostaddr(sa.ip()).port(sa.port());
            }
            Addr::Unix(dir) => {
                c.host_path(dir).port(t.port);
            }
        }
        c.user(user).dbname(dbname).ssl_mode(ssl);
        if let Some((pw, _)) = password {
            c.password(pw.as_bytes());
        }
        if let Some(o) = p.get("options").filter(|v| !v.is_empty()) {
            c.options(o);
        }
        let app = p
            .get("application_name")
            .filter(|v| !v.is_empty())
            .or(p.get("fallback_application_name").filter(|v| !v.is_empty()))
            .unwrap_or("shale");
        c.application_name(app);
        if let Some(d) = timeout {
            c.connect_timeout(d);
        }
        let int = |kw: &str| {
            p.get(kw)
                .filter(|v| !v.is_empty())
                .and_then(|v| v.parse::<i64>().ok())
        };
        if int("keepalives") == Some(0) {
            c.keepalives(false);
        }
        if let Some(s) = int("keepalives_idle").filter(|s| *s > 0) {
            c.keepalives_idle(Duration::from_secs(s as u64));
        }
        if let Some(s) = int("keepalives_interval").filter(|s| *s > 0) {
            c.keepalives_interval(Duration::from_secs(s as u64));
        }
        if let Some(n) = int("keepalives_count").filter(|s| *s > 0) {
            c.keepalives_retries(n as u32);
        }
        if let Some(ms) = int("tcp_user_timeout").filter(|s| *s > 0) {
            c.tcp_user_timeout(Duration::from_millis(ms as u64));
        }
        use postgres::config::{ChannelBinding, SslNegotiation, TargetSessionAttrs};
        match p.get("channel_binding") {
            Some("disable") => {
                c.channel_binding(ChannelBinding::Disable);
            }
            Some("require") => {
                c.channel_binding(ChannelBinding::Require);
            }
            _ => {}
        }
        match p.get("target_session_attrs") {
            Some("read-write") => {
                c.target_session_attrs(TargetSessionAttrs::ReadWrite);
            }
            Some("read-only") => {
                c.target_session_attrs(TargetSessionAttrs::ReadOnly);
            }
            _ => {}
        }
        if p.get("sslnegotiation") == Some("direct") {
            c.ssl_negotiation(SslNegotiation::Direct);
        }
        c
    }

    /// Why one attempt failed, in words.
    fn cause(
        &self,
        e: &postgres::Error,
        mode: SslMode,
        password: Option<&(String, PasswordSource)>,
        t: &Target,
    ) -> String {
        if let Some(db) = e.as_db_error() {
            let mut m = describe_db(db);
            if db.code().code() == "28P01" {
                match password {
                    Some((_, PasswordSource::File(path))) => {
                        m.push_str(&format!(
                            "\nNOTE: the password came from the password file \"{}\"",
                            path.display()
                        ));
                    }
                    Some((_, PasswordSource::Given)) => {}
                    None => {}
                }
            }
            if db.code().code() == "28000"
                && db.message().contains("no encryption")
                && mode == SslMode::Disable
            {
                m.push_str("\nHINT: the server only accepts TLS connections from here: use sslmode=require or stronger");
            }
            return m;
        }
        let text = e.to_string();
        if describe(e).contains("server does not support TLS") {
            let how = if self.env_sslmode {
                " (from PGSSLMODE)"
            } else {
                ""
            };
            return format!(
                "the server does not accept TLS connections (ssl = off on it), and sslmode={}{how} requires TLS",
                mode.name()
            );
        }
        if let Some(tls) = find_rustls(e) {
            return tls_cause(tls, mode, &t.host);
        }
        if let Some(io) = find_io(e) {
            let c = io_cause(io);
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return format!(
                    "{c}\n\tIs the server running on that host and accepting TCP/IP connections?"
                );
            }
            return c;
        }
        match std::error::Error::source(e) {
            Some(s) => format!("{text}: {s}"),
            None if text == "connection closed" => {
                "the server closed the connection unexpectedly during startup".into()
            }
            None => text,
        }
    }
}

/// One host to try: its name (or socket directory), optional address, port.
#[derive(Debug, Clone)]
struct Target {
    host: String,
    hostaddr: Option<IpAddr>,
    port: u16,
}

impl Target {
    fn describe(&self) -> String {
        if self.host.starts_with('/') {
            format!(
                "connection to server on socket \"{}/.s.PGSQL.{}\" failed",
                self.host, self.port
            )
        } else {
            format!("connection to server at \"{}\"", self.host)
        }
    }
}

enum Addr {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Addr {
    fn describe(&self, t: &Target) -> String {
        match self {
            Addr::Tcp(sa) if sa.ip().to_string() == t.host => {
                format!(", port {} failed", sa.port())
            }
            Addr::Tcp(sa) => format!(" ({}), port {} failed", sa.ip(), sa.port()),
            Addr::Unix(_) => String::new(),
        }
    }
}

/// libpq's default host: the Unix-domain socket directory if a server socket is there
/// (`/var/run/postgresql`, then `/tmp`), else `localhost`.
fn default_host(port: u16) -> String {
    for dir in ["/var/run/postgresql", "/tmp"] {
        if Path::new(dir).join(format!(".s.PGSQL.{port}")).exists() {
            return dir.to_string();
        }
    }
    "localhost".into()
}

fn parse_int(kw: &str, v: &str) -> Result<i64, String> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| format!("invalid integer value \"{v}\" for connection option \"{kw}\""))
}

fn shuffle<T>(v: &mut [T]) {
    use std::hash::{BuildHasher, Hasher};
    for i in (1..v.len()).rev() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        let j = (h.finish() as usize) % (i + 1);
        v.swap(i, j);
    }
}

enum Failure {
    Timeout(Duration),
    Error(postgres::Error),
}

/// `config.connect`, abandoned after `timeout`: the postgres crate bounds only the TCP
/// connect, so a server that accepts and then says nothing would hang forever. The
/// attempt runs on its own thread; after the timeout it is left to end on its own (when
/// the server closes the socket or the process exits) and its result is dropped.
fn connect_within(
    config: postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    timeout: Option<Duration>,
) -> Result<Client, Failure> {
    let Some(timeout) = timeout else {
        return config.connect(tls).map_err(Failure::Error);
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("shale-connect".into())
        .spawn(move || {
            let _ = tx.send(config.connect(tls));
        });
    if spawned.is_err() {
        return Err(Failure::Timeout(Duration::ZERO));
    }
    match rx.recv_timeout(timeout) {
        Ok(r) => r.map_err(Failure::Error),
        Err(_) => Err(Failure::Timeout(timeout)),
    }
}

/// Whether the next step of an sslmode's fallback is worth trying after `e`: the server
/// refused the session (pg_hba: `hostssl`/`hostnossl`) or TLS failed; not when the
/// network failed or the password was wrong (trying again would fail the same way).
fn fallback_worthy(e: &postgres::Error) -> bool {
    if let Some(db) = e.as_db_error() {
        return db.code().code() == "28000";
    }
    find_rustls(e).is_some() || describe(e).contains("TLS")
}

fn find_io<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = c.source();
    }
    None
}

fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&'a (dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(t) = c.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                    return Some(t);
                }
            }
        }
        cur = c.source();
    }
    None
}

fn tls_cause(e: &rustls::Error, mode: SslMode, host: &str) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => format!(
            "TLS: the server certificate is not valid for host name \"{host}\" ({e}); sslmode={} checks the name: connect with a name the certificate lists, or use sslmode=verify-ca",
            mode.name()
        ),
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => format!(
            "TLS: the server certificate is not signed by a trusted root certificate (sslmode={}; check sslrootcert)",
            mode.name()
        ),
        rustls::Error::InvalidCertificate(C::Expired) | rustls::Error::InvalidCertificate(C::ExpiredContext { .. }) => {
            format!("TLS: the server certificate has expired ({e})")
        }
        _ => format!("TLS handshake failed: {e}"),
    }
}

/// The operating system's cause, in words (`Connection refused (os error 111)`).
fn io_cause(e: &std::io::Error) -> String {
    e.to_string()
}

/// A server error in full: severity, message, SQLSTATE, then DETAIL and HINT lines.
pub fn describe_db(db: &postgres::error::DbError) -> String {
    let mut m = format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    );
    if let Some(d) = db.detail() {
        m.push_str(&format!("\nDETAIL: {d}"));
    }
    if let Some(h) = db.hint() {
        m.push_str(&format!("\nHINT: {h}"));
    }
    m
}

/// Any `postgres::Error`, in words: the server's message with SQLSTATE, detail and hint,
/// or the client-side cause chain ("db error" alone is never the answer).
pub fn describe(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return describe_db(db);
    }
    let mut m = e.to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(s) = cur {
        let t = s.to_string();
        if !m.contains(&t) {
            m.push_str(": ");
            m.push_str(&t);
        }
        cur = s.source();
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, env: &[(&str, &str)]) -> Result<ConnInfo, ConnectError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ConnInfo::parse_with_env(s, &move |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn invalid(s: &str, env: &[(&str, &str)]) -> String {
        match parse(s, env) {
            Err(ConnectError::Invalid { message, .. }) => message,
            other => panic!("expected an invalid string, got {other:?}"),
        }
    }

    #[test]
    fn the_environment_fills_in_what_the_string_leaves_out() {
        let env = [
            ("PGHOST", "envhost"),
            ("PGPORT", "6000"),
            ("PGUSER", "envuser"),
            ("PGSSLMODE", "require"),
            ("PGCONNECT_TIMEOUT", "7"),
        ];
        let c = parse("host=h dbname=d", &env).unwrap();
        assert_eq!(c.get("host"), Some("h"));
        assert_eq!(c.get("port"), Some("6000"));
        assert_eq!(c.get("user"), Some("envuser"));
        assert_eq!(c.sslmode(), Ok(SslMode::Require));
        assert_eq!(c.connect_timeout(), Ok(Some(Duration::from_secs(7))));
        assert_eq!(c.target(), "envuser@h:6000/d");
        // The string wins over the environment.
        let c = parse("postgresql://u@h/d?sslmode=disable", &env).unwrap();
        assert_eq!(c.sslmode(), Ok(SslMode::Disable));
        assert_eq!(c.get("user"), Some("u"));
        // The deprecated PGREQUIRESSL.
        let c = parse("host=h", &[("PGREQUIRESSL", "1")]).unwrap();
        assert_eq!(c.sslmode(), Ok(SslMode::Require));
        // Defaults: prefer, 10 s, dbname = user.
        let c = parse("host=h user=me", &[]).unwrap();
        assert_eq!(c.sslmode(), Ok(SslMode::Prefer));
        assert_eq!(c.connect_timeout(), Ok(Some(DEFAULT_CONNECT_TIMEOUT)));
        assert_eq!(c.target(), "me@h:5432/me");
    }

    #[test]
    fn connect_timeout_follows_libpq() {
        let t = |v: &str| {
            parse(&format!("host=h connect_timeout={v}"), &[])
                .unwrap()
                .connect_timeout()
        };
        assert_eq!(t("0"), Ok(None));
        assert_eq!(t("-5"), Ok(None));
        assert_eq!(t("1"), Ok(Some(Duration::from_secs(2))));
        assert_eq!(t("30"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(
            invalid("host=h connect_timeout=soon", &[]),
            "invalid integer value \"soon\" for connection option \"connect_timeout\""
        );
    }

    #[test]
    fn settings_are_checked_before_anything_is_tried() {
        assert_eq!(
            invalid("host=h sslmode=maybe", &[]),
            "invalid sslmode value: \"maybe\""
        );
        assert_eq!(
            invalid("host=h", &[("PGSSLMODE", "maybe")]),
            "invalid sslmode value: \"maybe\""
        );
        assert!(invalid("host=a,b port=1,2,3", &[]).contains("3 port numbers to 2 hosts"));
        assert!(invalid("host=a,b hostaddr=127.0.0.1", &[]).contains("2 host names to 1 hostaddr"));
        assert!(invalid("host=h hostaddr=nope", &[]).contains("could not parse network address"));
        assert!(invalid("host=h port=0", &[]).contains("invalid port number"));
        assert!(invalid("host=h sslrootcert=system sslmode=require", &[]).contains("weak sslmode"));
        assert_eq!(
            parse("host=h sslrootcert=system", &[]).unwrap().sslmode(),
            Ok(SslMode::VerifyFull)
        );
        for s in [
            "host=h sslcrl=x.crl",
            "host=h service=prod",
            "host=h sslpassword=k",
            "host=h gssencmode=require",
            "host=h target_session_attrs=standby",
            "host=h replication=database",
            "host=h client_encoding=LATIN1",
        ] {
            let m = invalid(s, &[]);
            assert!(
                m.contains("not supported") || m.contains("UTF8"),
                "{s}: {m}"
            );
        }
        // An error never shows a password.
        let e = parse("host=h password=hunter22 sslmode=maybe", &[])
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter22") && e.contains("password=***"), "{e}");
    }

    #[test]
    fn hosts_ports_and_sockets() {
        let c = parse("host=a,b,/tmp/sock port=1,2,3", &[]).unwrap();
        let t = c.targets_unresolved().unwrap();
        assert_eq!(
            t.iter()
                .map(|t| (t.host.as_str(), t.port))
                .collect::<Vec<_>>(),
            [("a", 1), ("b", 2), ("/tmp/sock", 3)]
        );
        let c = parse("host=a,b port=7", &[]).unwrap();
        let t = c.targets_unresolved().unwrap();
        assert_eq!(t.iter().map(|t| t.port).collect::<Vec<_>>(), [7, 7]);
        let c = parse("hostaddr=127.0.0.1", &[]).unwrap();
        assert_eq!(c.targets_unresolved().unwrap()[0].host, "127.0.0.1");
    }
}
