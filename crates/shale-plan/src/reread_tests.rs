//! `create_script` output is read back by the SQL front end as the same catalog, for every
//! schema of the fixture suite.

use crate::create_script;
use shale_sql::{parse_sources, SourceFile};
use std::path::Path;

fn parse(path: &str, text: &str) -> shale_model::Catalog {
    parse_sources(&[SourceFile {
        path: path.to_string(),
        text: text.to_string(),
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn create_script_is_read_back_as_the_same_catalog() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut checked = 0;
    for case in cases {
        for file in ["current.sql", "desired.sql"] {
            let path = case.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path.display().to_string();
            let mut cat = parse(&name, &text);
            // Statements that are not schema (pg_dump's data lines) are listed, not
            // modelled: a create script has none of them.
            cat.ignored_statements.clear();
            let script = create_script(&cat).unwrap_or_else(|e| panic!("{name}: {e}"));
            let again = parse(&format!("create_script({name})"), &script);
            if again != cat {
                let a = serde_json::to_string_pretty(&cat).unwrap();
                let b = serde_json::to_string_pretty(&again).unwrap();
                let diff: Vec<String> = a
                    .lines()
                    .zip(b.lines())
                    .filter(|(x, y)| x != y)
                    .take(8)
                    .map(|(x, y)| format!("- {x}\n+ {y}"))
                    .collect();
                panic!(
                    "{name}: script read back differs:\n{}\n--- script ---\n{script}",
                    diff.join("\n")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} schemas checked");
}

/// A schema dump with each `CREATE TABLE`'s column lines sorted.
pub fn columns_sorted(dump: &str) -> String {
    let mut out = Vec::new();
    let mut block: Option<Vec<String>> = None;
    for line in dump.lines() {
        match &mut block {
            Some(cols) if line.trim() == ");" => {
                cols.sort();
                out.append(cols);
                out.push(line.to_string());
                block = None;
            }
            Some(cols) => cols.push(line.trim_end_matches(',').to_string()),
            None => {
                out.push(line.to_string());
                if line.starts_with("CREATE TABLE") && line.ends_with('(') {
                    block = Some(Vec::new());
                }
            }
        }
    }
    out.join("\n")
}

#[test]
fn column_order_is_ignored_by_the_dump_comparison() {
    let a = "CREATE TABLE t (\n    a int,\n    b int\n);\nX";
    let b = "CREATE TABLE t (\n    b int,\n    a int\n);\nX";
    assert_eq!(columns_sorted(a), columns_sorted(b));
    assert_ne!(columns_sorted(a), columns_sorted(&b.replace('X', "Y")));
}

/// Every fixture pair planned backwards (desired → current) on a real server: the plan
/// runs, and the result dumps like `current` loaded fresh.
#[test]
fn fixtures_planned_backwards_converge() {
    use shale_testkit::TestDb;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("current.sql").is_file() && p.join("desired.sql").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 100, "only {} fixtures", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let read = |f: &str| {
            let p = case.join(f);
            parse(
                &p.display().to_string(),
                &std::fs::read_to_string(&p).unwrap(),
            )
        };
        let (current, desired) = (read("current.sql"), read("desired.sql"));
        let p = match crate::plan(&desired, &current, &crate::PlanOptions::default()) {
            Ok(p) => p,
            Err(crate::PlanError::Unsupported { .. }) => continue,
            Err(e) => {
                failures.push(format!("{}: {e}", case.display()));
                continue;
            }
        };
        let db = TestDb::new("backwards");
        if let Err(e) = db.try_execute(&create_script(&desired).unwrap()) {
            failures.push(format!(
                "{}: create_script(desired) does not load: {e}",
                case.display()
            ));
            continue;
        }
        let script = crate::render::sql(&p);
        if let Err(e) = crate::pg_tests::try_psql(&db, &script) {
            failures.push(format!("{}: {e}\n{script}", case.display()));
            continue;
        }
        let want = TestDb::new("backwards");
        if let Err(e) = want.try_execute(&create_script(&current).unwrap()) {
            failures.push(format!(
                "{}: create_script(current) does not load: {e}",
                case.display()
            ));
            continue;
        }
        // Column order is not part of the model: a column dropped and added back comes
        // last, so compare the column lists of CREATE TABLE sorted.
        if columns_sorted(&db.pg_dump_schema()) != columns_sorted(&want.pg_dump_schema()) {
            failures.push(format!(
                "{}: differs from fresh current\n{script}",
                case.display()
            ));
        }
    }
    let failures = without_known_gaps(failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Known gaps: fixtures whose backward plan still fails. Each sweep requires each to still
/// fail, so a fix is noticed. (185_serial_to_identity was one: DROP IDENTITY now frees the
/// sequence name the serial going back creates.)
///
/// - 268_subscription_create: going back drops a subscription whose replication slot is
///   named; `DROP SUBSCRIPTION` then connects to the publisher to drop the slot, and the
///   fixture's publisher does not exist. A real plan needs the publisher reachable (or
///   the slot disassociated first, which leaves it on the publisher): this is what the
///   step's mitigation says, not a planner bug; kept here so the sweep stays honest.
/// - 283_statistics_column_dropped: going back (a column added again, statistics on it
///   re-created, a type widened) does not reach the current state yet.
/// - 362_subscriptions_yaml: as 268 (a subscription with a named slot dropped going back).
pub(crate) const KNOWN_BACKWARD_GAPS: [&str; 3] = [
    "268_subscription_create",
    "283_statistics_column_dropped",
    "362_subscriptions_yaml",
];

/// `failures` without the known gaps; panics when a known gap no longer fails.
pub(crate) fn without_known_gaps(failures: Vec<String>) -> Vec<String> {
    let (known, rest): (Vec<_>, Vec<_>) = failures
        .into_iter()
        .partition(|f| KNOWN_BACKWARD_GAPS.iter().any(|g| f.contains(g)));
    for g in KNOWN_BACKWARD_GAPS {
        assert!(
            known.iter().any(|f| f.contains(g)),
            "{g} plans backwards now: remove it from KNOWN_BACKWARD_GAPS"
        );
    }
    rest
}
