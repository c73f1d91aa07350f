//! The GitHub Actions workflow in docs/ci/shale.yml, run locally: its `run:` scripts are
//! read from the YAML and run as GitHub runs them (`bash -eo pipefail`), in order, in a
//! temporary git repository with an `origin/main`, with the `shale` binary under test on
//! PATH. Only the GitHub API is stubbed (a `gh` script that records its calls).

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Step {
    name: String,
    id: Option<String>,
    run: String,
    env: BTreeMap<String, String>,
}

struct Workflow {
    env: BTreeMap<String, String>,
    jobs: BTreeMap<String, Vec<Step>>,
}

fn strings(v: &serde_yaml::Value) -> BTreeMap<String, String> {
    v.as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_yaml::Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other).unwrap().trim().to_string(),
                    };
                    (k.as_str().unwrap().to_string(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn workflow() -> Workflow {
    let text = std::fs::read_to_string(root().join("docs/ci/shale.yml")).unwrap();
    let y: serde_yaml::Value = serde_yaml::from_str(&text).expect("the workflow is YAML");
    let mut jobs = BTreeMap::new();
    for (name, job) in y["jobs"].as_mapping().unwrap() {
        let steps = job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| {
                Some(Step {
                    name: s["name"].as_str().unwrap_or("").to_string(),
                    id: s["id"].as_str().map(str::to_string),
                    run: s["run"].as_str()?.to_string(),
                    env: strings(&s["env"]),
                })
            })
            .collect();
        jobs.insert(name.as_str().unwrap().to_string(), steps);
    }
    Workflow {
        env: strings(&y["env"]),
        jobs,
    }
}

/// A scratch directory with an `origin` repository (main: v1) and a clone of it where
/// the pull request's branch is checked out.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", both(&o));
}

const V1: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy boolean);\n";

fn scratch(tag: &str, branch_schema: &str) -> (Scratch, PathBuf) {
    let dir = std::env::temp_dir().join(format!("shale-ci-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let origin = dir.join("origin");
    std::fs::create_dir_all(origin.join("db/schema")).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    std::fs::write(origin.join("db/schema/schema.sql"), V1).unwrap();
    git(&origin, &["add", "-A"]);
    git(&origin, &["commit", "-q", "-m", "v1"]);
    let work = dir.join("work");
    let o = Command::new("git")
        .args(["clone", "-q"])
        .arg(&origin)
        .arg(&work)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", both(&o));
    git(&work, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(work.join("db/schema/schema.sql"), branch_schema).unwrap();
    git(&work, &["commit", "-q", "--allow-empty", "-am", "change"]);
    // The stub GitHub CLI: records each call (and the body file it sends), and answers
    // the comment search with $GH_EXISTING (the id of an earlier comment, or nothing).
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        r#"#!/bin/sh
echo "gh $*" >> "$GH_LOG"
for a in "$@"; do
  case "$a" in body=@*) cat "${a#body=@}" > "$GH_LOG.body" ;; esac
done
case "$*" in *--paginate*) [ -n "$GH_EXISTING" ] && echo "$GH_EXISTING" ;; esac
exit 0
"#,
    )
    .unwrap();
    let o = Command::new("chmod").arg("+x").arg(&gh).output().unwrap();
    assert!(o.status.success());
    (Scratch(dir), work)
}

/// `${{ … }}` in a step's env, as GitHub would fill it for a pull request into main.
fn expand(value: &str, outputs: &BTreeMap<String, String>) -> String {
    let Some(expr) = value
        .trim()
        .strip_prefix("${{")
        .and_then(|v| v.strip_suffix("}}"))
    else {
        return value.to_string();
    };
    match expr.trim() {
        "github.base_ref" => "main".into(),
        "github.token" => "stub-token".into(),
        "github.event.pull_request.number" => "7".into(),
        "secrets.DATABASE_URL" => "postgres://unused@127.0.0.1:1/none".into(),
        e => match e
            .strip_prefix("steps.")
            .and_then(|e| e.split_once(".outputs."))
        {
            Some((_, key)) => outputs.get(key).cloned().unwrap_or_default(),
            None => panic!("the test does not know the expression {e}"),
        },
    }
}

/// Runs the job's steps in order (stopping at the first failure, as GitHub does) and
/// returns (step name, exit code) for each step run.
fn run_job(
    wf: &Workflow,
    job: &str,
    work: &Path,
    extra_env: &[(&str, &str)],
) -> Vec<(String, i32)> {
    let shale_dir = Path::new(env!("CARGO_BIN_EXE_shale")).parent().unwrap();
    let stub_dir = work.parent().unwrap().join("bin");
    let path = format!(
        "{}:{}:{}",
        stub_dir.display(),
        shale_dir.display(),
        std::env::var("PATH").unwrap()
    );
    let output_file = work.parent().unwrap().join("github_output");
    let _ = std::fs::remove_file(&output_file);
    let mut outputs = BTreeMap::new();
    let mut ran = Vec::new();
    for step in &wf.jobs[job] {
        if step.name.starts_with("Install shale") {
            continue; // the binary under test is on PATH instead
        }
        let mut c = Command::new("bash");
        c.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &step.run])
            .current_dir(work)
            .env("PATH", &path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_REPOSITORY", "acme/app")
            .env("GH_LOG", work.parent().unwrap().join("gh.log"))
            .env_remove("DATABASE_URL")
            .env_remove("NO_COLOR");
        for (k, v) in &wf.env {
            c.env(k, v);
        }
        for (k, v) in &step.env {
            c.env(k, expand(v, &outputs));
        }
        for (k, v) in extra_env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        let code = o.status.code().unwrap_or(-1);
        eprintln!("step {}: exit {code}\n{}", step.name, both(&o));
        if let Some(id) = &step.id {
            if let Ok(text) = std::fs::read_to_string(&output_file) {
                for line in text.lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        outputs.insert(k.to_string(), v.to_string());
                    }
                }
            }
            let _ = id;
        }
        ran.push((step.name.clone(), code));
        if code != 0 {
            break;
        }
    }
    ran
}

fn gh_log(work: &Path) -> (String, String) {
    let log = work.parent().unwrap().join("gh.log");
    (
        std::fs::read_to_string(&log).unwrap_or_default(),
        std::fs::read_to_string(log.with_extension("log.body")).unwrap_or_default(),
    )
}

#[test]
fn a_risky_pull_request_gets_a_comment_and_a_failing_check() {
    let wf = workflow();
    // The branch drops a column: High, at FAIL_ON=high.
    let (_s, work) = scratch(
        "risky",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    let ran = run_job(&wf, "plan", &work, &[]);
    let names: Vec<(&str, i32)> = ran.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    assert_eq!(names, [("Plan", 0), ("Comment", 0), ("Gate", 1)]);
    let (log, body) = gh_log(&work);
    assert!(
        log.contains("gh api --method POST repos/acme/app/issues/7/comments"),
        "{log}"
    );
    assert!(body.starts_with("## shale plan"), "{body}");
    assert!(body.contains("drop column public.users.legacy"), "{body}");
    assert!(body.contains("```mermaid"), "{body}");
    assert!(body.contains("<!-- shale-plan-comment -->"), "{body}");

    // The next push updates the comment posted before instead of adding one.
    let ran = run_job(&wf, "plan", &work, &[("GH_EXISTING", "4242")]);
    assert_eq!(ran.len(), 3);
    let (log, _) = gh_log(&work);
    assert!(
        log.contains("gh api --method PATCH repos/acme/app/issues/comments/4242"),
        "{log}"
    );
}

#[test]
fn a_safe_pull_request_passes_and_a_broken_one_fails() {
    let wf = workflow();
    let (_s, work) = scratch(
        "safe",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy boolean, name text);\n",
    );
    let ran = run_job(&wf, "plan", &work, &[]);
    let codes: Vec<i32> = ran.iter().map(|(_, c)| *c).collect();
    assert_eq!(codes, [0, 0, 0], "{ran:?}");
    let (_, body) = gh_log(&work);
    assert!(body.contains("ADD COLUMN name text"), "{body}");

    let (_s2, work) = scratch("broken", "CREATE TABLE users (id bigint PRIMARY KEY,);\n");
    let ran = run_job(&wf, "plan", &work, &[]);
    let codes: Vec<i32> = ran.iter().map(|(_, c)| *c).collect();
    assert_eq!(codes, [0, 0, 1], "{ran:?}");
    let (_, body) = gh_log(&work);
    assert!(body.contains("shale could not plan this change"), "{body}");
    assert!(
        body.contains("schema.sql:1:"),
        "the error names the file: {body}"
    );
}

/// The merge job applies the plan file committed with the change, with the approvals a
/// reviewer recorded in it (`shale approve`); with no plan file it applies nothing.
#[test]
fn the_apply_job_applies_the_approved_plan_file() {
    let wf = workflow();
    let apply = &wf.jobs["apply"];
    let script = &apply
        .iter()
        .find(|s| s.id.as_deref() == Some("apply"))
        .unwrap()
        .run;
    assert!(
        script.contains("shale apply --plan \"$PLAN_FILE\""),
        "{script}"
    );
    let branch = "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n";
    let (_s, work) = scratch("apply", branch);
    let db = shale_testkit::TestDb::new("ciapply");
    db.execute(V1);
    db.execute("INSERT INTO users VALUES (1, 'a@example.com', true)");
    let url = db.url().to_string();

    // No plan file in the merge: nothing to apply.
    let ran = run_job(&wf, "apply", &work, &[("DATABASE_URL", &url)]);
    assert_eq!(ran, [("Apply the approved plan".to_string(), 0)]);

    // The author writes the plan file; without the reviewer's approval of the drop, the
    // apply job refuses it and changes nothing.
    let o = shale_in(
        &work,
        &[
            "plan",
            "--from",
            &url,
            "--to",
            "db/schema",
            "--out",
            "db/shale.plan.json",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let ran = run_job(&wf, "apply", &work, &[("DATABASE_URL", &url)]);
    assert_eq!(ran, [("Apply the approved plan".to_string(), 1)]);
    let o = shale_in(&work, &["plan", "--from", &url, "--to", "db/schema"]);
    assert_eq!(code(&o), Some(2), "nothing was applied: {}", both(&o));

    // The reviewer approves the drop in the file; the merge applies it.
    let o = shale_in(
        &work,
        &["approve", "db/shale.plan.json", "drop:public.users.legacy"],
    );
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    let ran = run_job(&wf, "apply", &work, &[("DATABASE_URL", &url)]);
    assert_eq!(ran, [("Apply the approved plan".to_string(), 0)]);
    let o = shale_in(&work, &["plan", "--from", &url, "--to", "db/schema"]);
    assert_eq!(
        code(&o),
        Some(0),
        "the database is the branch's schema: {}",
        both(&o)
    );
    let kept: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM users WHERE email = 'a@example.com'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "rows kept");
}
