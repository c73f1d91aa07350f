//! Every step takes only the lock its risk annotation claims.
//!
//! For each step of several online plans, on a real server: a second session holds the
//! strongest lock mode that does NOT conflict with the claimed mode, and the step must
//! still run (within a short `lock_timeout`); then the second session holds the weakest
//! mode that DOES conflict, and the step must time out cleanly, with the database
//! unchanged; released, the same step completes. So a step that secretly took a stronger
//! lock than it says fails the first half, and one that claims a lock it does not need
//! fails the second.

mod common;

use shale_cli::source::load_files;
use shale_plan::{PlanOptions, Step};
use shale_testkit::TestDb;

/// PostgreSQL's table lock modes, weakest first.
const MODES: [&str; 8] = [
    "ACCESS SHARE",
    "ROW SHARE",
    "ROW EXCLUSIVE",
    "SHARE UPDATE EXCLUSIVE",
    "SHARE",
    "SHARE ROW EXCLUSIVE",
    "EXCLUSIVE",
    "ACCESS EXCLUSIVE",
];

/// The conflict table of the PostgreSQL manual ("Explicit Locking"), by index into MODES.
fn conflicts(a: usize, b: usize) -> bool {
    const C: [[u8; 8]; 8] = [
        [0, 0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1, 1],
        [0, 0, 0, 0, 1, 1, 1, 1],
        [0, 0, 0, 1, 1, 1, 1, 1],
        [0, 0, 1, 1, 0, 1, 1, 1],
        [0, 0, 1, 1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 1, 1],
    ];
    C[a][b] == 1
}

/// `(mode index, table)` from a step's claimed lock such as
/// `SHARE ROW EXCLUSIVE on public.orders and public.customers (brief, no scan)`.
fn claimed(step: &Step) -> Option<(usize, String)> {
    let lock = step.risk.lock.as_deref()?;
    let (mode, rest) = lock.split_once(" on ")?;
    let mode = MODES.iter().position(|m| *m == mode.trim())?;
    let table = rest
        .split(" (")
        .next()?
        .split(" and ")
        .next()?
        .trim()
        .to_string();
    Some((mode, table))
}

fn run(db: &TestDb, step: &Step) -> Result<(), String> {
    let mut c = db.client();
    c.batch_execute("SET lock_timeout = '300ms'")
        .map_err(|e| e.to_string())?;
    c.batch_execute(&step.sql)
        .map_err(|e| match e.as_db_error() {
            Some(d) => d.message().to_string(),
            None => e.to_string(),
        })
}

fn holding<T>(db: &TestDb, mode: usize, table: &str, f: impl FnOnce() -> T) -> T {
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute(&format!("LOCK TABLE {table} IN {} MODE", MODES[mode]))
        .unwrap();
    let out = f();
    tx.rollback().unwrap();
    out
}

/// Returns how many steps were checked.
fn check_case(case: &str) -> usize {
    let dir = common::fixture(case);
    let current_sql = std::fs::read_to_string(dir.join("current.sql")).unwrap();
    let desired = load_files(&[dir.join("desired.sql")]).unwrap();
    let db = TestDb::new("locks");
    db.execute(&current_sql);
    let current = shale_introspect::introspect(&mut db.client()).unwrap();
    let plan = shale_plan::plan(&current, &desired, &PlanOptions::default()).unwrap();
    let mut checked = 0;
    for step in &plan.steps {
        let claim = claimed(step);
        // CREATE/DROP INDEX CONCURRENTLY block no one, but they outlast the transactions
        // already using the table, so "runs while a lock is held" does not apply to them;
        // their claim is checked by the conflicting half.
        let strongest_free = claim
            .as_ref()
            .filter(|_| !step.sql.contains("CONCURRENTLY"))
            .and_then(|(mode, table)| {
                (0..8)
                    .rev()
                    .find(|&m| !conflicts(*mode, m))
                    .map(|h| (*mode, h, table.clone()))
            });
        match strongest_free {
            Some((mode, h, table)) => {
                let r = holding(&db, h, &table, || run(&db, step));
                assert!(
                    r.is_ok(),
                    "{case} step {}: claims {} but is blocked by {} held on {table}: {r:?}\n{}",
                    step.id,
                    MODES[mode],
                    MODES[h],
                    step.sql
                );
                checked += 1;
            }
            None => run(&db, step).unwrap_or_else(|e| panic!("{case} step {}: {e}", step.id)),
        }
    }
    let after = shale_introspect::introspect(&mut db.client()).unwrap();
    let replan = shale_plan::plan(&after, &desired, &PlanOptions::default()).unwrap();
    assert!(
        replan.is_empty(),
        "{case}: {}",
        shale_plan::render::text(&replan)
    );
    checked
}

/// The other half for steps that leave room for others: holding the weakest conflicting
/// mode makes them time out cleanly, and a re-run completes.
fn check_case_conflicts(case: &str) {
    let dir = common::fixture(case);
    let current_sql = std::fs::read_to_string(dir.join("current.sql")).unwrap();
    let desired = load_files(&[dir.join("desired.sql")]).unwrap();
    let db = TestDb::new("lockc");
    db.execute(&current_sql);
    let current = shale_introspect::introspect(&mut db.client()).unwrap();
    let plan = shale_plan::plan(&current, &desired, &PlanOptions::default()).unwrap();
    for step in &plan.steps {
        if let Some((mode, table)) = claimed(step) {
            let weakest = (0..8).find(|&m| conflicts(mode, m)).unwrap();
            let before = shale_introspect::introspect(&mut db.client()).unwrap();
            let r = holding(&db, weakest, &table, || run(&db, step));
            let err = r.expect_err(&format!(
                "{case} step {}: claims {} yet ran while {} was held on {table}\n{}",
                step.id, MODES[mode], MODES[weakest], step.sql
            ));
            assert!(
                err.contains("lock timeout"),
                "{case} step {}: {err}",
                step.id
            );
            let after = shale_introspect::introspect(&mut db.client()).unwrap();
            assert_eq!(
                before, after,
                "{case} step {}: a timed-out step must change nothing",
                step.id
            );
        }
        run(&db, step).unwrap_or_else(|e| panic!("{case} step {}: {e}", step.id));
    }
}

const CASES: [&str; 6] = [
    "34_mixed_changes",
    "17_foreign_keys",
    "20_indexes_basic",
    "14_primary_keys",
    "07_not_null_changes",
    "19_not_valid_constraints",
];

#[test]
fn steps_run_beside_every_lock_they_do_not_claim_to_conflict_with() {
    let checked: usize = CASES.iter().map(|c| check_case(c)).sum();
    assert!(checked >= 10, "only {checked} steps were checked");
}

#[test]
fn steps_time_out_cleanly_behind_a_conflicting_lock_and_rerun() {
    for case in CASES {
        check_case_conflicts(case);
    }
}

#[test]
fn conflict_table_is_symmetric() {
    for (a, ma) in MODES.iter().enumerate() {
        for (b, mb) in MODES.iter().enumerate() {
            assert_eq!(conflicts(a, b), conflicts(b, a), "{ma} / {mb}");
        }
    }
}
