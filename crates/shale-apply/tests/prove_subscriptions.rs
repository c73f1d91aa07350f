//! The proof on a copy with subscriptions, on a real server: the copy's subscription has
//! the real one's slot name and connection, so the copy must never ask the publisher for
//! anything (here it does not exist: asking would fail the proof), and PostgreSQL, which
//! refuses to drop a database holding subscriptions, must still drop the copy.

use shale_apply::prove::{plan_on_copy, prove, scratch_name};
use shale_apply::ApplyOptions;
use shale_model::ObjectId;
use shale_plan::{Action, Plan, Risk, RiskLevel, Step, PLAN_FORMAT_VERSION};
use shale_testkit::{server_url, with_database};

const COPY: &str = "CREATE SUBSCRIPTION feed CONNECTION 'host=publisher.invalid dbname=app' \
    PUBLICATION p WITH (connect = false, slot_name = 'feed_slot');";

fn drop_feed() -> Plan {
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        steps: vec![Step {
            id: 1,
            object: ObjectId::Subscription {
                name: "feed".into(),
            },
            action: Action::Drop,
            sql: "DROP SUBSCRIPTION feed".into(),
            risk: Risk {
                level: RiskLevel::High,
                code: "SH266".into(),
                reason: "test".into(),
                mitigation: None,
                lock: None,
                rewrites_table: false,
                scans_table: false,
                data_loss: false,
            },
            transactional: false,
            commit_after: false,
            depends_on: vec![],
            phase: None,
        }],
        unmodeled: vec![],
    }
}

fn subscriptions(db: &str) -> i64 {
    let mut c = postgres::Client::connect(&with_database(&server_url(), db), postgres::NoTls)
        .expect("connect to the copy");
    c.query_one(
        "SELECT count(*) FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid \
         WHERE d.datname = current_database()",
        &[],
    )
    .unwrap()
    .get(0)
}

fn database_exists(admin: &mut postgres::Client, name: &str) -> bool {
    admin
        .query_one(
            "SELECT count(*) > 0 FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0)
}

fn run(plan: &Plan) -> (Result<shale_apply::prove::Proof, String>, bool) {
    let mut admin = postgres::Client::connect(&server_url(), postgres::NoTls).unwrap();
    let name = scratch_name();
    let mut connect = |db: &str| {
        postgres::Client::connect(&with_database(&server_url(), db), postgres::NoTls)
            .map_err(|e| e.to_string())
    };
    let mut verify = |db: &str| match subscriptions(db) {
        0 => Ok(()),
        n => Err(format!("{n} subscription(s) left")),
    };
    let r = prove(
        &mut admin,
        &name,
        &mut connect,
        COPY,
        plan,
        &ApplyOptions::default(),
        &mut verify,
    )
    .map_err(|e| e.to_string());
    let left = database_exists(&mut admin, &name);
    (r, left)
}

#[test]
fn a_subscription_with_a_slot_is_dropped_on_the_copy_without_its_publisher() {
    // As planned, the step would connect to the (missing) publisher to drop the slot.
    let copy = plan_on_copy(&drop_feed());
    assert!(copy.steps[0].sql.contains("SET (slot_name = NONE)"));
    assert!(copy.steps[0].transactional);
    let (r, left) = run(&drop_feed());
    r.unwrap_or_else(|e| panic!("{e}"));
    assert!(!left, "the copy was not dropped");
}

#[test]
fn a_copy_holding_a_subscription_is_dropped_after_the_proof() {
    // The plan leaves the subscription; the proof fails (verify), and the copy, which
    // PostgreSQL will not drop while it holds a subscription, is dropped all the same.
    let empty = Plan {
        steps: vec![],
        ..drop_feed()
    };
    let (r, left) = run(&empty);
    let e = r.expect_err("verify fails: the subscription is still there");
    assert!(e.contains("1 subscription(s) left"), "{e}");
    assert!(!e.contains("could not be dropped"), "{e}");
    assert!(!left, "the copy was not dropped");
}
