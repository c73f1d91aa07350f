//! apply against a real PostgreSQL server.

use shale_apply::{apply, batches, ApplyError, ApplyOptions};
use shale_model::{ObjectId, QualName};
use shale_plan::{Action, Plan, Risk, RiskLevel, Step, PLAN_FORMAT_VERSION};
use shale_testkit::TestDb;

fn step(id: usize, sql: &str, level: RiskLevel, transactional: bool) -> Step {
    Step {
        id,
        object: ObjectId::Table {
            name: QualName::new("public", "t"),
        },
        action: Action::Alter,
        sql: sql.to_string(),
        risk: Risk {
            level,
            code: "SH000".into(),
            reason: "test".into(),
            mitigation: None,
            lock: None,
            rewrites_table: false,
            scans_table: false,
            data_loss: false,
        },
        transactional,
        commit_after: false,
        depends_on: vec![],
        phase: None,
    }
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        steps,
        unmodeled: vec![],
    }
}

fn table_exists(db: &TestDb, name: &str) -> bool {
    let mut c = db.client();
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

#[test]
fn batches_split_at_non_transactional_and_commit_after() {
    let mut s2 = step(2, "ALTER TYPE e ADD VALUE 'x'", RiskLevel::Low, true);
    s2.commit_after = true;
    let p = plan(vec![
        step(1, "a", RiskLevel::Low, true),
        s2,
        step(3, "b", RiskLevel::Low, true),
        step(
            4,
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            RiskLevel::Low,
            false,
        ),
        step(5, "c", RiskLevel::Low, true),
    ]);
    let ids: Vec<Vec<usize>> = batches(&p)
        .iter()
        .map(|b| b.iter().map(|s| s.id).collect())
        .collect();
    assert_eq!(ids, vec![vec![1, 2], vec![3], vec![4], vec![5]]);
}

#[test]
fn applies_in_one_transaction_and_concurrent_steps_alone() {
    let db = TestDb::new("apply_ok");
    let p = plan(vec![
        step(1, "CREATE TABLE t (a int)", RiskLevel::Low, true),
        step(
            2,
            "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)",
            RiskLevel::Low,
            false,
        ),
        step(3, "COMMENT ON TABLE t IS 'x'", RiskLevel::Low, true),
    ]);
    let report = apply(&mut db.client(), &p, &ApplyOptions::default()).unwrap();
    assert_eq!(report.committed, vec![1, 2, 3]);
    assert_eq!(report.batches, 3);
    assert!(table_exists(&db, "t_a_idx"));
}

#[test]
fn failure_rolls_back_the_transaction_and_says_what_was_committed() {
    let db = TestDb::new("apply_fail");
    let p = plan(vec![
        step(1, "CREATE TABLE t (a int)", RiskLevel::Low, true),
        step(
            2,
            "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)",
            RiskLevel::Low,
            false,
        ),
        step(3, "CREATE TABLE u (b int)", RiskLevel::Low, true),
        step(4, "ALTER TABLE u ADD COLUMN b int", RiskLevel::Low, true),
    ]);
    let err = apply(&mut db.client(), &p, &ApplyOptions::default()).unwrap_err();
    match &err {
        ApplyError::Failed {
            step,
            committed,
            rolled_back,
            ..
        } => {
            assert_eq!(*step, 4);
            assert_eq!(committed, &vec![1, 2]);
            assert_eq!(rolled_back, &vec![3, 4]);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("already exists"), "{text}");
    assert!(text.contains("steps 1, 2"), "{text}");
    assert!(table_exists(&db, "t"));
    assert!(
        !table_exists(&db, "u"),
        "the failed transaction must be rolled back"
    );
}

#[test]
fn risky_steps_are_refused_before_anything_runs() {
    let db = TestDb::new("apply_refuse");
    db.execute("CREATE TABLE t (a int, b int)");
    let p = plan(vec![
        step(1, "CREATE TABLE u (a int)", RiskLevel::Low, true),
        step(2, "ALTER TABLE t DROP COLUMN b", RiskLevel::High, true),
    ]);
    let err = apply(&mut db.client(), &p, &ApplyOptions::default()).unwrap_err();
    assert!(matches!(err, ApplyError::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("--allow high"), "{err}");
    assert!(
        !table_exists(&db, "u"),
        "nothing may run when a step is refused"
    );

    let opts = ApplyOptions {
        allow: RiskLevel::High,
        ..ApplyOptions::default()
    };
    apply(&mut db.client(), &p, &opts).unwrap();
    assert!(table_exists(&db, "u"));
}

#[test]
fn a_held_lock_times_out_cleanly_and_a_rerun_completes() {
    let db = TestDb::new("apply_lock");
    db.execute("CREATE TABLE t (a int)");
    let mut holder = db.client();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE t IN ACCESS SHARE MODE")
        .unwrap();

    let p = plan(vec![step(
        1,
        "ALTER TABLE t ADD COLUMN b int",
        RiskLevel::Low,
        true,
    )]);
    let opts = ApplyOptions {
        lock_timeout: Some("200ms".into()),
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    assert!(err.to_string().contains("lock timeout"), "{err}");
    assert!(err.to_string().contains("conflicting lock"), "{err}");
    tx.rollback().unwrap();

    apply(&mut db.client(), &p, &opts).unwrap();
    let mut c = db.client();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'b'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn invalid_lock_timeout_is_rejected() {
    let db = TestDb::new("apply_badtimeout");
    let p = plan(vec![step(
        1,
        "CREATE TABLE u (a int)",
        RiskLevel::Low,
        true,
    )]);
    let opts = ApplyOptions {
        lock_timeout: Some("5s'; DROP TABLE x; --".into()),
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    assert!(matches!(err, ApplyError::Invalid(_)));
    assert!(!table_exists(&db, "u"));
}

fn drop_column(id: usize, table: &str, column: &str) -> Step {
    let mut s = step(
        id,
        &format!(
            "ALTER TABLE {} DROP COLUMN {}",
            QualName::new("public", table),
            shale_model::quote_ident(column)
        ),
        RiskLevel::High,
        true,
    );
    s.object = ObjectId::Column {
        table: QualName::new("public", table),
        column: column.to_string(),
    };
    s.action = Action::Drop;
    s
}

fn has_column(db: &TestDb, table: &str, column: &str) -> bool {
    let mut c = db.client();
    c.query_one(
        "SELECT count(*) = 1 FROM pg_attribute WHERE attrelid = $1::text::regclass AND attname = $2::text AND NOT attisdropped",
        &[&table, &column],
    )
    .unwrap()
    .get(0)
}

#[test]
fn an_approved_drop_runs_only_when_every_risky_step_is_approved() {
    let db = TestDb::new("apply_approve");
    db.execute("CREATE TABLE t (a int, b int, \"Qty\" int); CREATE TABLE u (c int, d int)");
    let p = plan(vec![
        step(1, "CREATE TABLE v (a int)", RiskLevel::Low, true),
        drop_column(2, "t", "b"),
        drop_column(3, "u", "d"),
    ]);
    // Approving one of two drops: the other is refused, and nothing runs at all.
    let opts = ApplyOptions {
        approve: vec!["drop:public.t.b".into()],
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    match &err {
        ApplyError::Refused { steps, .. } => {
            assert_eq!(steps.len(), 1, "{err}");
            assert_eq!(steps[0].id, 3);
            assert_eq!(steps[0].key, "drop:public.u.d");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string().contains("--approve drop:public.u.d"),
        "{err}"
    );
    assert!(!table_exists(&db, "v"), "nothing may run");
    assert!(
        has_column(&db, "t", "b"),
        "the approved drop must not run alone"
    );

    // Approve only the first step's drop in a plan without the second: it runs.
    let p1 = plan(vec![
        step(1, "CREATE TABLE v (a int)", RiskLevel::Low, true),
        drop_column(2, "t", "b"),
    ]);
    apply(&mut db.client(), &p1, &opts).unwrap();
    assert!(table_exists(&db, "v"));
    assert!(!has_column(&db, "t", "b"));
    assert!(
        has_column(&db, "u", "d"),
        "the other drop was never approved"
    );

    // Quoted names: the key is exact.
    let p2 = plan(vec![drop_column(1, "t", "Qty")]);
    let opts = ApplyOptions {
        approve: vec!["drop:public.t.\"Qty\"".into()],
        ..ApplyOptions::default()
    };
    apply(&mut db.client(), &p2, &opts).unwrap();
    assert!(!has_column(&db, "t", "Qty"));
}

#[test]
fn unknown_approval_keys_are_refused_and_list_the_valid_ones() {
    let db = TestDb::new("apply_approve_typo");
    db.execute("CREATE TABLE t (a int, b int)");
    let p = plan(vec![
        step(1, "CREATE TABLE v (a int)", RiskLevel::Low, true),
        drop_column(2, "t", "b"),
    ]);
    let opts = ApplyOptions {
        approve: vec!["drop:public.t.bb".into()],
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    assert!(
        matches!(&err, ApplyError::UnknownApproval { unknown, valid, .. }
            if unknown == &vec!["drop:public.t.bb".to_string()]
            && valid == &vec!["drop:public.t.b".to_string()]),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("`drop:public.t.bb`"), "{text}");
    assert!(
        text.contains("drop:public.t.b\n") || text.ends_with("drop:public.t.b"),
        "{text}"
    );
    assert!(!table_exists(&db, "v"));

    // A key for a step that needs no approval (Low) is unused: also an error.
    let opts = ApplyOptions {
        approve: vec!["drop:public.t.b".into(), "alter:public.t".into()],
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    assert!(err.to_string().contains("`alter:public.t`"), "{err}");
    assert!(!table_exists(&db, "v"));

    // With --allow high nothing needs approval, so any key is unused.
    let opts = ApplyOptions {
        allow: RiskLevel::High,
        approve: vec!["drop:public.t.b".into()],
        ..ApplyOptions::default()
    };
    let err = apply(&mut db.client(), &p, &opts).unwrap_err();
    assert!(err.to_string().contains("nothing needs approval"), "{err}");
    assert!(has_column(&db, "t", "b"));
}

#[test]
fn shell_words_quote_what_a_shell_would_split() {
    use shale_apply::approve_flag;
    assert_eq!(
        approve_flag("drop:public.users.legacy"),
        "--approve drop:public.users.legacy"
    );
    assert_eq!(
        approve_flag("drop:public.\"Order Items\".\"Qty\""),
        "--approve 'drop:public.\"Order Items\".\"Qty\"'"
    );
    assert_eq!(
        approve_flag("drop:public.\"it's\""),
        "--approve 'drop:public.\"it'\\''s\"'"
    );
}
