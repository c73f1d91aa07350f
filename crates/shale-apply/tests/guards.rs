//! The guards around an apply, against a real PostgreSQL server: the apply lock and the
//! proof on a copy.

use shale_apply::lock::{ApplyLock, LockError};
use shale_apply::prove::{prove, ProveError};
use shale_apply::ApplyOptions;
use shale_model::{ObjectId, QualName};
use shale_plan::{Action, Plan, Risk, RiskLevel, Step, PLAN_FORMAT_VERSION};
use shale_testkit::TestDb;
use std::time::Duration;

fn plan(sql: &[&str]) -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        steps: sql
            .iter()
            .enumerate()
            .map(|(i, s)| Step {
                id: i + 1,
                object: ObjectId::Table {
                    name: QualName::new("public", "t"),
                },
                action: Action::Alter,
                sql: s.to_string(),
                risk: Risk {
                    level: RiskLevel::High,
                    code: "SH000".into(),
                    reason: "test".into(),
                    mitigation: None,
                    lock: None,
                    rewrites_table: false,
                    scans_table: false,
                    data_loss: false,
                },
                transactional: true,
                commit_after: false,
                depends_on: vec![],
                phase: None,
            })
            .collect(),
        unmodeled: vec![],
    }
}

fn database_exists(db: &TestDb, name: &str) -> bool {
    db.client()
        .query_one(
            "SELECT count(*) > 0 FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0)
}

#[test]
fn one_apply_lock_per_database_naming_its_holder() {
    let db = TestDb::new("guard_lock");
    let other = TestDb::new("guard_lock_other");
    let first = ApplyLock::acquire(db.client(), Duration::ZERO).unwrap();
    let first_pid: i32 = db
        .client()
        .query_one(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'shale apply'",
            &[],
        )
        .unwrap()
        .get(0);
    match ApplyLock::acquire(db.client(), Duration::from_millis(300)) {
        Err(LockError::Busy { waited, holder }) => {
            assert!(waited >= Duration::from_millis(300), "{waited:?}");
            let h = holder.expect("the holder is named");
            assert_eq!(h.pid, first_pid);
            assert_eq!(h.application_name, "shale apply");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("two apply locks on one database"),
    }
    // Another database of the same server is not blocked.
    let elsewhere = ApplyLock::acquire(other.client(), Duration::ZERO).unwrap();
    elsewhere.release();
    first.release();
    ApplyLock::acquire(db.client(), Duration::ZERO).expect("released");
}

#[test]
fn a_proof_runs_the_plan_on_a_copy_and_drops_it() {
    let db = TestDb::new("guard_prove");
    let url = db.url().to_string();
    let mut admin = db.client();
    let mut connect = |name: &str| {
        let mut cfg: postgres::Config = url.parse().unwrap();
        cfg.dbname(name);
        cfg.connect(postgres::NoTls).map_err(|e| e.to_string())
    };
    let mut seen = String::new();
    let mut verify = |name: &str| {
        seen = name.to_string();
        let mut cfg: postgres::Config = url.parse().unwrap();
        cfg.dbname(name);
        let mut c = cfg.connect(postgres::NoTls).map_err(|e| e.to_string())?;
        let cols: i64 = c
            .query_one(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 't'",
                &[],
            )
            .map_err(|e| e.to_string())?
            .get(0);
        if cols == 2 {
            Ok(())
        } else {
            Err(format!("t has {cols} columns"))
        }
    };
    let proof = prove(
        &mut admin,
        &shale_apply::prove::scratch_name(),
        &mut connect,
        "CREATE TABLE t (a int);",
        &plan(&["ALTER TABLE t ADD COLUMN b int"]),
        &ApplyOptions::default(),
        &mut verify,
    )
    .unwrap();
    assert_eq!(proof.database, seen);
    assert_eq!(proof.steps, 1);
    assert!(!database_exists(&db, &proof.database));
    // Nothing ran on the real database.
    let n: i64 = db
        .client()
        .query_one("SELECT count(*) FROM pg_class WHERE relname = 't'", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);

    // A step that fails on the copy, and a copy that does not converge.
    let e = prove(
        &mut admin,
        &shale_apply::prove::scratch_name(),
        &mut connect,
        "CREATE TABLE t (a int);",
        &plan(&["ALTER TABLE missing ADD COLUMN b int"]),
        &ApplyOptions::default(),
        &mut |_| Ok(()),
    )
    .unwrap_err();
    assert!(
        matches!(&e, ProveError::Failed(m) if m.contains("\"missing\" does not exist")),
        "{e}"
    );
    let e = prove(
        &mut admin,
        &shale_apply::prove::scratch_name(),
        &mut connect,
        "CREATE TABLE t (a int);",
        &plan(&["ALTER TABLE t ADD COLUMN c int"]),
        &ApplyOptions::default(),
        &mut |_| Err("t still differs".into()),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("did not reach the desired state"),
        "{e}"
    );
    assert!(
        e.to_string().contains("real database was not touched"),
        "{e}"
    );
    let left: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE $1",
            &[&format!("shale_prove_{}_%", std::process::id())],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "every temporary database is dropped");
}
