//! The members `shale plan --format json` adds to the plan's JSON (`shale_plan::render::json`)
//! from what only the CLI knows: the policy violations, the roles the target must have,
//! and the statements of the desired files that were skipped. The whole document is the
//! contract in docs/JSON.md and docs/plan.schema.json.

use crate::Planned;
use shale_lint::Violation;

/// One policy violation as JSON.
#[derive(serde::Serialize)]
struct JsonViolation<'a> {
    code: &'a str,
    policy: &'a str,
    /// `warning` or `error`.
    level: &'static str,
    object: &'a shale_model::ObjectId,
    /// The object as the text output names it.
    object_name: String,
    message: &'a str,
    fix: &'a str,
}

/// Statements of the source files that shale read but skipped (data statements such as
/// `INSERT`, role statements, `DO` blocks), as JSON: file, line, column and kind.
fn ignored_statements(planned: &Planned) -> Vec<serde_json::Value> {
    crate::ignored_statements(&planned.current, &planned.desired)
        .into_iter()
        .map(|st| serde_json::to_value(st).expect("ignored statements serialize"))
        .collect()
}

/// `rendered` (the plan's JSON, with or without its rollback) with `policy_violations`,
/// `ignored_statements` and, when the target needs roles, `roles_needed`.
pub fn with_extras(rendered: &str, planned: &Planned, violations: &[Violation]) -> String {
    let Ok(serde_json::Value::Object(mut m)) = serde_json::from_str(rendered) else {
        return rendered.to_string();
    };
    let vs: Vec<JsonViolation> = violations
        .iter()
        .map(|v| JsonViolation {
            code: v.code,
            policy: v.policy,
            level: if v.is_error() { "error" } else { "warning" },
            object: &v.object,
            object_name: v.object.to_string(),
            message: &v.message,
            fix: &v.fix,
        })
        .collect();
    m.insert(
        "policy_violations".into(),
        serde_json::to_value(vs).expect("violations serialize"),
    );
    m.insert(
        "ignored_statements".into(),
        serde_json::Value::Array(ignored_statements(planned)),
    );
    if !planned.roles_needed.is_empty() {
        m.insert(
            "roles_needed".into(),
            serde_json::json!(planned.roles_needed),
        );
    }
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(m))
        .expect("a JSON value always serializes");
    out.push('\n');
    out
}
