//! Plan files: the plan that was reviewed, written by `shale plan --out FILE` and run by
//! `shale apply --plan FILE`, so the plan that runs is exactly the one that was read.
//!
//! A plan file is JSON holding the fingerprint of the state it was planned from (one hash
//! for the whole model, one per object, see [`crate::fingerprint`]), the fingerprint of the
//! desired state, the shale version, the options, every step (SQL, risk, lock, approval
//! key), the rollback, a `digest` of all of that, and the approvals.
//!
//! Integrity: `digest` is the SHA-256 of the file's canonical content without `digest` and
//! `approvals`. Reading a file recomputes it: a file edited by hand since shale wrote it is
//! refused. Each approval (`shale approve FILE KEY…`) records the digest it was given for:
//! an approval of other content is refused. This catches edits after review; it is not a
//! signature (whoever can write the file can also recompute the digest), so the file's
//! history in version control remains the record of who approved what.

use crate::fingerprint::{sha256, Fingerprint};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shale_plan::{Phase, Plan, Rollback, Step, Strategy};
use std::path::Path;

/// The plan file format's version; a file of another version is refused.
pub const PLAN_FILE_VERSION: u32 = 1;

/// The options the plan was made with, so `apply` reads the database the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FileOptions {
    pub online: bool,
    /// `lock_timeout` of each step.
    pub lock_timeout: Option<String>,
    pub strategy: Strategy,
    /// The one phase of an expand/contract plan this file holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// `--schema` filters (empty: every non-system schema).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// `--exclude` globs.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `--include owners`.
    #[serde(default)]
    pub include_owners: bool,
}

/// A step as written in the file: the plan's step and its approval key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStep {
    #[serde(flatten)]
    pub step: Step,
    pub approval_key: String,
}

/// An approval recorded in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub key: String,
    /// The file's `digest` when it was approved.
    pub digest: String,
}

/// A plan file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFile {
    /// [`PLAN_FILE_VERSION`].
    pub shale_plan_file: u32,
    /// The shale version that wrote it.
    pub shale_version: String,
    /// Where the current state was read (passwords redacted).
    pub from: String,
    /// Whether the current state was read from a database (else from files: the database
    /// must then match the files exactly, as shale compares them).
    pub from_database: bool,
    pub options: FileOptions,
    /// The state the plan starts from.
    pub current: Fingerprint,
    /// The state the plan reaches.
    pub desired: Fingerprint,
    /// `Plan::format_version` of the steps.
    pub plan_format_version: u32,
    pub steps: Vec<FileStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmodeled: Vec<shale_model::Unmodeled>,
    /// The plan back, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback>,
    /// Why there is no rollback, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_note: Option<String>,
    /// SHA-256 of the content (everything but `digest` and `approvals`).
    #[serde(default)]
    pub digest: String,
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

/// Why a plan file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanFileError {
    Io(String),
    /// Not a plan file, or not JSON.
    Format(String),
    /// Content changed since shale wrote the file.
    Tampered {
        file: String,
        detail: String,
    },
}

impl std::fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanFileError::Io(m) | PlanFileError::Format(m) => f.write_str(m),
            PlanFileError::Tampered { file, detail } => write!(
                f,
                "{file}: refusing the plan file: {detail}; nothing was changed. Make a new plan with `shale plan … --out {file}` and have it reviewed again"
            ),
        }
    }
}

impl std::error::Error for PlanFileError {}

impl PlanFile {
    /// A plan file for `plan` (its steps, unmodeled objects) between two fingerprints.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        plan: &Plan,
        rollback: Result<Rollback, String>,
        from: String,
        from_database: bool,
        options: FileOptions,
        current: Fingerprint,
        desired: Fingerprint,
        shale_version: &str,
    ) -> PlanFile {
        let (rollback, rollback_note) = match rollback {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        let mut f = PlanFile {
            shale_plan_file: PLAN_FILE_VERSION,
            shale_version: shale_version.to_string(),
            from,
            from_database,
            options,
            current,
            desired,
            plan_format_version: plan.format_version,
            steps: plan
                .steps
                .iter()
                .map(|s| FileStep {
                    approval_key: s.approval_key(),
                    step: s.clone(),
                })
                .collect(),
            unmodeled: plan.unmodeled.clone(),
            rollback,
            rollback_note,
            digest: String::new(),
            approvals: Vec::new(),
        };
        f.digest = f.content_digest();
        f
    }

    /// The plan the file holds.
    pub fn plan(&self) -> Plan {
        Plan {
            format_version: self.plan_format_version,
            steps: self.steps.iter().map(|s| s.step.clone()).collect(),
            unmodeled: self.unmodeled.clone(),
        }
    }

    /// SHA-256 of the canonical content: the file without `digest` and `approvals`, keys
    /// sorted, no whitespace.
    pub fn content_digest(&self) -> String {
        let value = serde_json::to_value(self).expect("a plan file always serializes");
        digest_of(value)
    }

    /// The file as pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a plan file always serializes");
        s.push('\n');
        s
    }

    /// Reads and checks a plan file: its version, its digest, its approvals' digests, and
    /// that each step's approval key is the one its action and object give.
    pub fn parse(text: &str, file: &str) -> Result<PlanFile, PlanFileError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| PlanFileError::Format(format!("{file}: not a shale plan file: {e}")))?;
        let version = value.get("shale_plan_file").and_then(Value::as_u64);
        match version {
            Some(v) if v == PLAN_FILE_VERSION as u64 => {}
            Some(v) => {
                return Err(PlanFileError::Format(format!(
                    "{file}: plan file format {v}, but this shale reads format {PLAN_FILE_VERSION}; make the plan again with this shale"
                )))
            }
            None => {
                return Err(PlanFileError::Format(format!(
                    "{file}: not a shale plan file (no `shale_plan_file` member; write one with `shale plan … --out FILE`)"
                )))
            }
        }
        let digest = digest_of(value.clone());
        let pf: PlanFile = serde_json::from_value(value)
            .map_err(|e| PlanFileError::Format(format!("{file}: not a shale plan file: {e}")))?;
        let tampered = |detail: String| PlanFileError::Tampered {
            file: file.to_string(),
            detail,
        };
        if pf.digest != digest {
            return Err(tampered(format!(
                "its content was edited after shale wrote it (recorded digest {}, content now {digest})",
                if pf.digest.is_empty() { "missing" } else { &pf.digest }
            )));
        }
        for a in &pf.approvals {
            if a.digest != digest {
                return Err(tampered(format!(
                    "approval of `{}` was given for other content (digest {}), not for this file ({digest})",
                    a.key, a.digest
                )));
            }
        }
        for s in &pf.steps {
            if s.approval_key != s.step.approval_key() {
                return Err(tampered(format!(
                    "step {} has approval key `{}`, but its action and object give `{}`",
                    s.step.id,
                    s.approval_key,
                    s.step.approval_key()
                )));
            }
        }
        Ok(pf)
    }

    /// Reads and checks the plan file at `path` ([`PlanFile::parse`]).
    pub fn read(path: &Path) -> Result<PlanFile, PlanFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PlanFileError::Io(format!("{}: cannot read: {e}", path.display())))?;
        PlanFile::parse(&text, &path.display().to_string())
    }

    /// Writes the file to `path` (through a temporary file and a rename, so a reader never
    /// sees half a file).
    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let io =
            |e: std::io::Error| PlanFileError::Io(format!("{}: cannot write: {e}", path.display()));
        std::fs::write(&tmp, self.to_json()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    /// Records approvals of `keys`. Every key must be the approval key of a step of the
    /// plan (typo protection); approving a key twice records it once.
    pub fn approve(&mut self, keys: &[String]) -> Result<Vec<String>, String> {
        let valid: Vec<&str> = self.steps.iter().map(|s| s.approval_key.as_str()).collect();
        let unknown: Vec<&String> = keys
            .iter()
            .filter(|k| !valid.contains(&k.as_str()))
            .collect();
        if !unknown.is_empty() {
            let mut m = format!(
                "no step of this plan has the approval key{} {}; nothing was recorded",
                if unknown.len() == 1 { "" } else { "s" },
                unknown
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            m.push_str("\n  keys of this plan:");
            for s in &self.steps {
                m.push_str(&format!(
                    "\n    {}  [{}] step {}",
                    s.approval_key, s.step.risk.level, s.step.id
                ));
            }
            return Err(m);
        }
        let digest = self.content_digest();
        let mut added = Vec::new();
        for k in keys {
            if !self.approvals.iter().any(|a| &a.key == k) {
                self.approvals.push(Approval {
                    key: k.clone(),
                    digest: digest.clone(),
                });
                added.push(k.clone());
            }
        }
        Ok(added)
    }

    /// The approved keys.
    pub fn approved_keys(&self) -> Vec<String> {
        self.approvals.iter().map(|a| a.key.clone()).collect()
    }
}

fn digest_of(mut value: Value) -> String {
    if let Value::Object(m) = &mut value {
        m.remove("digest");
        m.remove("approvals");
    }
    // serde_json's maps keep their keys sorted: this text is canonical.
    sha256(
        serde_json::to_string(&value)
            .expect("JSON values always serialize")
            .as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_model::{Catalog, ObjectId, QualName};
    use shale_plan::{Action, Risk, RiskLevel};

    fn step(id: usize, level: RiskLevel, sql: &str) -> Step {
        Step {
            id,
            object: ObjectId::Column {
                table: QualName::new("public", "t"),
                column: format!("c{id}"),
            },
            action: Action::Drop,
            sql: sql.into(),
            risk: Risk {
                level,
                code: "SH003".into(),
                reason: "drops a column".into(),
                mitigation: None,
                lock: Some("ACCESS EXCLUSIVE on public.t".into()),
                rewrites_table: false,
                scans_table: false,
                data_loss: true,
            },
            transactional: true,
            commit_after: false,
            depends_on: vec![],
            phase: None,
        }
    }

    fn file() -> PlanFile {
        let plan = Plan {
            format_version: 1,
            steps: vec![
                step(1, RiskLevel::High, "ALTER TABLE public.t DROP COLUMN c1"),
                step(2, RiskLevel::Low, "ALTER TABLE public.t DROP COLUMN c2"),
            ],
            unmodeled: vec![],
        };
        let fp = crate::fingerprint::fingerprint(&Catalog::default());
        PlanFile::new(
            &plan,
            Err("none".into()),
            "files".into(),
            false,
            FileOptions::default(),
            fp.clone(),
            fp,
            "0.1.0",
        )
    }

    #[test]
    fn round_trips_and_approvals_bind_to_the_content() {
        let mut f = file();
        let text = f.to_json();
        let back = PlanFile::parse(&text, "p.json").unwrap();
        assert_eq!(back, f);
        assert_eq!(back.plan().steps.len(), 2);

        assert_eq!(
            f.approve(&["drop:public.t.c1".into()]).unwrap(),
            vec!["drop:public.t.c1"]
        );
        let approved = f.to_json();
        let back = PlanFile::parse(&approved, "p.json").unwrap();
        assert_eq!(back.approved_keys(), vec!["drop:public.t.c1"]);

        // An edited statement: the digest no longer matches.
        let edited = approved.replace("DROP COLUMN c2", "DROP COLUMN c3");
        assert_ne!(edited, approved);
        let e = PlanFile::parse(&edited, "p.json").unwrap_err();
        assert!(
            matches!(&e, PlanFileError::Tampered { detail, .. } if detail.contains("edited after shale wrote it")),
            "{e}"
        );

        // Edited and the digest recomputed by hand: the approval still names the old one.
        let mut v: Value = serde_json::from_str(&edited).unwrap();
        let d = digest_of(v.clone());
        v["digest"] = Value::String(d);
        let e = PlanFile::parse(&serde_json::to_string(&v).unwrap(), "p.json").unwrap_err();
        assert!(
            e.to_string()
                .contains("approval of `drop:public.t.c1` was given for other content"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_are_not_recorded() {
        let mut f = file();
        let e = f.approve(&["drop:public.t.nope".into()]).unwrap_err();
        assert!(
            e.contains("`drop:public.t.nope`") && e.contains("drop:public.t.c1"),
            "{e}"
        );
        assert!(f.approvals.is_empty());
    }

    #[test]
    fn other_versions_and_other_json_are_refused() {
        let text = file()
            .to_json()
            .replace("\"shale_plan_file\": 1", "\"shale_plan_file\": 9");
        let e = PlanFile::parse(&text, "p.json").unwrap_err();
        assert!(e.to_string().contains("format 9"), "{e}");
        let e = PlanFile::parse("{\"steps\": []}", "p.json").unwrap_err();
        assert!(e.to_string().contains("not a shale plan file"), "{e}");
        let e = PlanFile::parse("nope", "p.json").unwrap_err();
        assert!(
            e.to_string().contains("p.json: not a shale plan file"),
            "{e}"
        );
    }
}
