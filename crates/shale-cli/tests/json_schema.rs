//! The JSON output is a contract (docs/JSON.md): every fixture's plan, as
//! `shale plan --format json` prints it (rollback, policy violations and roles included),
//! validates against docs/plan.schema.json.

mod common;
use common::*;
use shale_cli::{Format, Source};
use shale_plan::PlanOptions;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/plan.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

#[test]
fn every_fixture_plan_validates_against_the_schema() {
    let validator = schema();
    let opts = PlanOptions {
        lock_timeout: Some("5s".into()),
        ..PlanOptions::default()
    };
    let mut cases: Vec<_> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("desired.sql").is_file())
        .collect();
    cases.sort();
    let (mut checked, mut with_violations, mut with_rollback, mut with_roles) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let current = case.join("current.sql");
        let from = if current.is_file() {
            Source::Path(current)
        } else {
            Source::Empty
        };
        let planned =
            match shale_cli::plan_sources(&from, &Source::Path(case.join("desired.sql")), &opts) {
                Ok(p) => p,
                // A fixture whose plan is an error is checked by the fixture suite.
                Err(_) => continue,
            };
        let violations = shale_cli::lint(&planned, &shale_lint::Policies::default());
        let json = shale_cli::json::with_extras(
            &planned.render_with_rollback(Format::Json, &opts),
            &planned,
            &violations,
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{}:\n  {}", case.display(), errors.join("\n  ")));
        }
        checked += 1;
        with_violations += usize::from(!violations.is_empty());
        with_rollback += usize::from(v.get("rollback").is_some());
        with_roles += usize::from(v.get("roles_needed").is_some());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} fixtures planned");
    // The optional parts are exercised too.
    assert!(with_violations > 0 && with_rollback > 0 && with_roles > 0);
}

/// The schema is strict: a member it does not document fails validation, so a change to
/// the JSON cannot slip past it.
#[test]
fn the_schema_refuses_undocumented_members() {
    let validator = schema();
    let ok = serde_json::json!({
        "format_version": 1, "steps": [], "policy_violations": [], "ignored_statements": []
    });
    assert!(validator.is_valid(&ok));
    let mut extra = ok.clone();
    extra["surprise"] = serde_json::json!(true);
    assert!(!validator.is_valid(&extra));
    let mut other_version = ok.clone();
    other_version["format_version"] = serde_json::json!(2);
    assert!(!validator.is_valid(&other_version));
}

/// Through the binary: stdout is one JSON document that validates; notes go to stderr.
#[test]
fn the_binary_prints_valid_json_only_on_stdout() {
    let o = shale(&[
        "plan",
        "--from",
        &fixture("04_drop_column")
            .join("current.sql")
            .display()
            .to_string(),
        "--to",
        &fixture("04_drop_column")
            .join("desired.sql")
            .display()
            .to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    assert!(schema().is_valid(&v), "{v:#}");
    assert_eq!(
        v["steps"][1]["approval_key"],
        "drop:public.profiles.legacy_flag"
    );
}
