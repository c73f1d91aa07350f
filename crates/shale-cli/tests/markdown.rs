//! `--format markdown` on a few fixtures, as snapshots (crates/shale-cli/tests/snapshots),
//! and through the binary.

mod common;
use common::*;
use shale_cli::Source;
use shale_plan::render::{markdown, MarkdownOptions};
use shale_plan::{PlanOptions, RiskLevel};

fn md(case: &str) -> String {
    let dir = fixture(case);
    let from = if dir.join("current.sql").is_file() {
        Source::Path(dir.join("current.sql"))
    } else {
        Source::Empty
    };
    let opts = PlanOptions {
        lock_timeout: Some("5s".into()),
        ..PlanOptions::default()
    };
    let planned =
        shale_cli::plan_sources(&from, &Source::Path(dir.join("desired.sql")), &opts).unwrap();
    let rb = planned.rollback(&opts).unwrap();
    markdown(
        &planned.plan,
        &MarkdownOptions {
            allow: RiskLevel::Medium,
            rollback: Some(&rb),
            ..MarkdownOptions::default()
        },
    )
}

#[test]
fn fixture_04_drop_column() {
    let out = md("04_drop_column");
    assert!(
        out.contains("--approve drop:public.profiles.legacy_flag"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn fixture_01_create_tables_from_empty() {
    let out = md("01_create_tables_from_empty");
    // The foreign key's step depends on both tables: the graph draws the edges.
    assert!(out.contains(" --> "), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn fixture_99_policy_columns_added_and_dropped() {
    insta::assert_snapshot!(md("99_policy_columns_added_and_dropped"));
}

#[test]
fn the_binary_prints_markdown_on_stdout_and_exits_2() {
    let dir = fixture("04_drop_column");
    let o = shale(&[
        "plan",
        "--from",
        &dir.join("current.sql").display().to_string(),
        "--to",
        &dir.join("desired.sql").display().to_string(),
        "--format",
        "markdown",
        "--color",
        "always",
    ]);
    assert_eq!(code(&o), Some(2), "{}", both(&o));
    let out = stdout(&o);
    assert!(out.starts_with("## shale plan\n"), "{out}");
    assert!(!out.contains('\u{1b}'), "no escapes in markdown: {out}");
    assert!(out.contains("### Rollback"), "{out}");
}

#[test]
fn text_colors_follow_color_and_no_color() {
    let dir = fixture("04_drop_column");
    let (c, d) = (
        dir.join("current.sql").display().to_string(),
        dir.join("desired.sql").display().to_string(),
    );
    let run = |extra: &[&str], no_color: bool| {
        let mut args = vec!["plan", "--from", &c, "--to", &d];
        args.extend_from_slice(extra);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shale"));
        cmd.args(&args)
            .env_remove("DATABASE_URL")
            .env_remove("CLICOLOR_FORCE");
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        cmd.output().unwrap()
    };
    let colored = |o: &std::process::Output| stdout(o).contains("\u{1b}[");
    assert!(colored(&run(&["--color", "always"], false)));
    assert!(
        colored(&run(&["--color", "always"], true)),
        "an explicit flag wins"
    );
    assert!(!colored(&run(&["--color", "never"], false)));
    // Not a terminal (captured output): auto is off.
    assert!(!colored(&run(&[], false)));
    // CLICOLOR_FORCE turns auto on, NO_COLOR turns it off again.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shale"));
    cmd.args(["plan", "--from", &c, "--to", &d])
        .env_remove("DATABASE_URL")
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1");
    assert!(colored(&cmd.output().unwrap()));
    assert!(!colored(&cmd.env("NO_COLOR", "1").output().unwrap()));
    let o = run(&["--color", "sometimes"], false);
    assert_eq!(code(&o), Some(1), "{}", both(&o));
}
