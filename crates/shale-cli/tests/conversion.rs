//! Plain ↔ partitioned conversions on a real server (issue 12): `shale apply` refuses the
//! High conversion unless it is allowed or approved, and once approved keeps every row and
//! every value, continues identities and sequences, and leaves the dependents working.

use shale_cli::{ApplyArgs, Source};
use shale_lint::{Level, Policies};
use shale_plan::{PlanOptions, RiskLevel};
use shale_testkit::TestDb;

const PLAIN: &str = "
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    created date NOT NULL,
    kind text NOT NULL DEFAULT 'click',
    n serial,
    CONSTRAINT events_pkey PRIMARY KEY (id, created)
);
CREATE INDEX events_kind_idx ON events (kind);
CREATE TABLE clicks (
    id integer PRIMARY KEY,
    event_id bigint NOT NULL,
    event_created date NOT NULL,
    CONSTRAINT clicks_event_fkey FOREIGN KEY (event_id, event_created) REFERENCES events (id, created)
);
CREATE VIEW late AS SELECT id, kind FROM events WHERE created >= '2026-01-01';
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.kind := 'stamped'; RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION stamp();
";

const PARTITIONED: &str = "
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    created date NOT NULL,
    kind text NOT NULL DEFAULT 'click',
    n serial,
    CONSTRAINT events_pkey PRIMARY KEY (id, created)
) PARTITION BY RANGE (created);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_kind_idx ON events (kind);
CREATE TABLE clicks (
    id integer PRIMARY KEY,
    event_id bigint NOT NULL,
    event_created date NOT NULL,
    CONSTRAINT clicks_event_fkey FOREIGN KEY (event_id, event_created) REFERENCES events (id, created)
);
CREATE VIEW late AS SELECT id, kind FROM events WHERE created >= '2026-01-01';
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.kind := 'stamped'; RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION stamp();
";

/// 300 rows over two years, written with the trigger disabled (their kinds are not
/// 'stamped': a trigger firing on the copy would change them), with gaps in the ids and
/// the identity and serial counters past the last row.
const ROWS: &str = "
ALTER TABLE events DISABLE TRIGGER stamp;
INSERT INTO events (created, kind)
    SELECT date '2025-01-01' + (g * 2), CASE WHEN g % 3 = 0 THEN 'view' ELSE 'click' END
    FROM generate_series(1, 300) g;
ALTER TABLE events ENABLE TRIGGER stamp;
DELETE FROM events WHERE id % 7 = 0;
SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, 5);
SELECT nextval('events_n_seq') FROM generate_series(1, 5);
INSERT INTO clicks SELECT id, id, created FROM events WHERE id % 10 = 1;
";

fn desired_file(name: &str, sql: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("shale-conversion-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("desired.sql");
    std::fs::write(&file, sql).unwrap();
    (dir, file)
}

fn args(db: &TestDb, file: &std::path::Path, online: bool, allow: RiskLevel) -> ApplyArgs {
    ApplyArgs {
        db: db.url().to_string(),
        to: Source::Path(file.to_path_buf()),
        plan: PlanOptions {
            online,
            lock_timeout: Some("5s".into()),
            ..PlanOptions::default()
        },
        apply: shale_apply::ApplyOptions {
            allow,
            ..Default::default()
        },
        policies: Policies::all(Level::Off),
        dry_run: false,
        phase: None,
        load: Default::default(),
    }
}

/// Count and checksum of the rows of `events` and `clicks`, and the two counters.
fn state(db: &TestDb) -> (i64, String, i64, String) {
    let mut c = db.client();
    let e = c
        .query_one(
            "SELECT count(*), md5(string_agg(format('%s|%s|%s|%s', id, created, kind, n), ',' ORDER BY id)) FROM events",
            &[],
        )
        .unwrap();
    let k = c
        .query_one(
            "SELECT count(*), md5(string_agg(format('%s|%s|%s', id, event_id, event_created), ',' ORDER BY id)) FROM clicks",
            &[],
        )
        .unwrap();
    (e.get(0), e.get(1), k.get(0), k.get(1))
}

fn relkind(db: &TestDb) -> String {
    let k: i8 = db
        .client()
        .query_one(
            "SELECT relkind::\"char\" FROM pg_class WHERE oid = 'events'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    (k as u8 as char).to_string()
}

fn convert(name: &str, from: &str, to: &str, kind_after: &str, online: bool) {
    let label = format!("{name} (online: {online})");
    let db = TestDb::new(&format!("conv_{name}"));
    db.execute(from);
    db.execute(ROWS);
    let before = state(&db);
    assert!(
        before.0 > 200 && before.2 > 10,
        "{label}: rows loaded: {before:?}"
    );
    let (dir, file) = desired_file(&format!("{name}-{online}"), to);

    // Refused at the default risk level, naming the approval key; nothing runs.
    let refused = shale_cli::apply(&args(&db, &file, online, RiskLevel::Medium), &mut |_, _| {});
    let err = match refused {
        Ok(_) => panic!("{label}: the conversion ran without approval"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("rename:public.events"),
        "{label}: the refusal names the approval key: {err}"
    );
    assert_eq!(state(&db), before, "{label}: nothing ran");

    // Approved by its key: runs, keeps every row.
    let mut a = args(&db, &file, online, RiskLevel::Medium);
    a.apply.approve = vec!["rename:public.events".into()];
    let outcome = shale_cli::apply(&a, &mut |_, _| {}).unwrap_or_else(|e| panic!("{label}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let plan = shale_plan::render::text(&outcome.plan);
    assert!(
        outcome.plan.steps.iter().all(|s| !s.risk.data_loss),
        "{label}: a step claims to lose data:\n{plan}"
    );
    let report = outcome.report.expect("applied");
    assert_eq!(report.committed.len(), outcome.plan.steps.len(), "{label}");
    assert_eq!(relkind(&db), kind_after, "{label}: converted\n{plan}");
    assert_eq!(
        state(&db),
        before,
        "{label}: rows or values changed\n{plan}"
    );

    let mut c = db.client();
    // The old table is gone, and nothing is left aside.
    let left: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname LIKE '%shale_old%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "{label}: something left aside\n{plan}");
    // New rows continue both counters: no collision with the copied ones, and the
    // trigger is in force again.
    let r = c
        .query_one(
            "INSERT INTO events (created) VALUES ('2026-06-01') RETURNING id, n, kind",
            &[],
        )
        .unwrap();
    let (id, n, kind): (i64, i32, String) = (r.get(0), r.get(1), r.get(2));
    assert_eq!((id, n), (306, 306), "{label}: counters continue");
    assert_eq!(kind, "stamped", "{label}: the trigger fires on new rows");
    // The foreign key is enforced against the new table, and the view reads it.
    assert!(
        c.execute(
            "INSERT INTO clicks VALUES (100000, 99999, '2025-01-01')",
            &[]
        )
        .is_err(),
        "{label}: the foreign key is enforced"
    );
    let late: i64 = c
        .query_one("SELECT count(*) FROM late", &[])
        .unwrap()
        .get(0);
    assert!(late > 50, "{label}: the view reads the new table ({late})");
}

#[test]
fn plain_to_partitioned_keeps_rows() {
    convert("to_partitioned", PLAIN, PARTITIONED, "p", true);
    convert("to_partitioned", PLAIN, PARTITIONED, "p", false);
}

#[test]
fn partitioned_to_plain_keeps_rows() {
    convert("to_plain", PARTITIONED, PLAIN, "r", true);
    convert("to_plain", PARTITIONED, PLAIN, "r", false);
}
