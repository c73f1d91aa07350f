//! Exit codes of `shale plan` through the binary, as a CI gate reads them: 0 no changes,
//! 2 changes planned, 3 a step at or above `--fail-on`, 1 every error — usage errors
//! included, so that a typo never reads as "changes planned".

mod common;
use common::*;

fn fx(name: &str, file: &str) -> String {
    fixture(name).join(file).display().to_string()
}

#[test]
fn no_changes_exit_0() {
    let d = fx("04_drop_column", "desired.sql");
    let o = shale(&["plan", "--from", &d, "--to", &d]);
    assert_eq!(code(&o), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("No changes."), "{}", both(&o));
}

#[test]
fn changes_exit_2() {
    let o = shale(&[
        "plan",
        "--from",
        &fx("04_drop_column", "current.sql"),
        "--to",
        &fx("04_drop_column", "desired.sql"),
    ]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
}

#[test]
fn fail_on_exits_3_and_below_the_level_exits_2() {
    let args = |level: &'static str| {
        shale(&[
            "plan",
            "--from",
            &fx("02_add_nullable_column", "current.sql"),
            "--to",
            &fx("02_add_nullable_column", "desired.sql"),
            "--fail-on",
            level,
        ])
    };
    let o = args("low");
    assert_eq!(code(&o), Some(3), "{}", both(&o));
    assert!(stderr(&o).contains("--fail-on"), "{}", both(&o));
    let o = args("high");
    assert_eq!(code(&o), Some(2), "{}", both(&o));
}

#[test]
fn usage_errors_exit_1() {
    let d = fx("04_drop_column", "desired.sql");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "unknown flag",
            vec!["plan", "--from", &d, "--to", &d, "--frobnicate"],
        ),
        ("missing --from", vec!["plan", "--to", &d]),
        ("missing --to", vec!["plan", "--from", &d]),
        (
            "bad --fail-on level",
            vec!["plan", "--from", &d, "--to", &d, "--fail-on", "critical"],
        ),
        (
            "bad --format",
            vec!["plan", "--from", &d, "--to", &d, "--format", "xml"],
        ),
        ("unknown subcommand", vec!["plna"]),
        ("no subcommand", vec![]),
    ];
    for (what, args) in cases {
        let o = shale(&args);
        assert_eq!(code(&o), Some(1), "{what}: {}", both(&o));
        assert!(!stderr(&o).is_empty(), "{what}: says why on stderr");
        assert!(!stderr(&o).contains("panicked"), "{what}: {}", both(&o));
    }
}

#[test]
fn input_errors_exit_1() {
    let o = shale(&["plan", "--from", "empty", "--to", "/nonexistent/schema.sql"]);
    expect_error(&o, &["/nonexistent/schema.sql"]);
}

#[test]
fn help_and_version_exit_0() {
    for args in [vec!["--help"], vec!["plan", "--help"], vec!["--version"]] {
        let o = shale(&args);
        assert_eq!(code(&o), Some(0), "{args:?}: {}", both(&o));
        assert!(!stdout(&o).is_empty());
    }
}
