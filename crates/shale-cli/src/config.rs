//! The project file, `shale.toml`: defaults for `plan` and `apply`, and the policy levels.
//!
//! ```toml
//! [plan]
//! online = true          # online-safe rewrites (CONCURRENTLY, NOT VALID + VALIDATE)
//! lock_timeout = "5s"
//!
//! [apply]
//! allow = "medium"       # low | medium | high
//!
//! [policies]             # each off | warn | error
//! uuid_primary_keys = "warn"
//! foreign_key_indexes = "warn"
//! timestamptz = "warn"
//! no_serial = "warn"
//! ```
//!
//! Every key is optional; an unknown key or a bad value is an error naming
//! `file:line:column`. Command-line flags override the file. See `docs/CONFIG.md`.

use serde::{Deserialize, Deserializer};
use shale_lint::Policies;
use shale_plan::RiskLevel;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "shale.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub plan: PlanSection,
    #[serde(default)]
    pub apply: ApplySection,
    #[serde(default)]
    pub policies: Policies,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    pub online: Option<bool>,
    #[serde(default, deserialize_with = "lock_timeout")]
    pub lock_timeout: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplySection {
    #[serde(default, deserialize_with = "risk_level")]
    pub allow: Option<RiskLevel>,
}

fn lock_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    shale_plan::check_lock_timeout(&s).map_err(serde::de::Error::custom)?;
    Ok(Some(s))
}

fn risk_level<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RiskLevel>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

/// A bad project file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the error has no position (the file cannot be read).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Parse the text of a project file; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
    toml::from_str::<Config>(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        ConfigError {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// Read the project file: `explicit` (which must exist) when given, else `shale.toml` in
/// `dir` when there is one, else the defaults. Returns the file used, if any.
pub fn load(explicit: Option<&Path>, dir: &Path) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let p = dir.join(DEFAULT_FILE);
            if !p.is_file() {
                return Ok((Config::default(), None));
            }
            p
        }
    };
    let shown = match explicit {
        Some(p) => p.display().to_string(),
        None => DEFAULT_FILE.to_string(),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        file: shown.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the project file: {e}"),
    })?;
    Ok((parse(&shown, &text)?, Some(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_lint::Level;

    #[test]
    fn full_file() {
        let c = parse(
            "shale.toml",
            "[plan]\nonline = false\nlock_timeout = \"2s\"\n\n[apply]\nallow = \"high\"\n\n[policies]\nno_serial = \"error\"\ntimestamptz = \"off\"\n",
        )
        .unwrap();
        assert_eq!(c.plan.online, Some(false));
        assert_eq!(c.plan.lock_timeout.as_deref(), Some("2s"));
        assert_eq!(c.apply.allow, Some(RiskLevel::High));
        assert_eq!(c.policies.no_serial, Level::Error);
        assert_eq!(c.policies.timestamptz, Level::Off);
        assert_eq!(c.policies.uuid_primary_keys, Level::Warn);
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("shale.toml", "").unwrap(), Config::default());
        assert_eq!(
            parse("shale.toml", "[policies]\n").unwrap().policies,
            Policies::default()
        );
    }

    #[test]
    fn unknown_keys_are_located() {
        let e = parse("p/shale.toml", "[plan]\nonline = true\nonlne = false\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert!(e.to_string().starts_with("p/shale.toml:3:1: "), "{e}");
        assert!(e.message.contains("onlne"), "{e}");

        let e = parse("shale.toml", "[policy]\nno_serial = \"error\"\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        assert!(e.message.contains("policy"), "{e}");

        let e = parse("shale.toml", "[policies]\n  no_serials = \"error\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        assert!(e.message.contains("no_serials"), "{e}");
    }

    #[test]
    fn bad_values_are_located() {
        let e = parse("shale.toml", "[policies]\nno_serial = \"fatal\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("fatal"), "{e}");

        let e = parse("shale.toml", "[apply]\nallow = \"sometimes\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("low, medium or high"), "{e}");

        let e = parse("shale.toml", "[plan]\nlock_timeout = \"5 parsecs\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("unit"), "{e}");

        let e = parse("shale.toml", "[plan]\nonline = \"yes\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");

        let e = parse("shale.toml", "[plan\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
