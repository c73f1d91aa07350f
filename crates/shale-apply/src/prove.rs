//! Proof on a copy: before the real database is touched, the plan runs on a temporary
//! database holding the current schema (built from the model with shale's own create
//! script, `shale_plan::create_script`), and the result must converge on the desired state.
//!
//! The copy has the schema and no rows, so the proof shows that the statements run, in this
//! order and batching, on this server version, and reach the desired schema; it does not
//! show how long they take on real data or that existing rows satisfy new constraints.
//! The temporary database is dropped afterwards, whatever happened.

use crate::{apply, ApplyOptions};
use postgres::Client;
use shale_plan::{Plan, RiskLevel};
use std::time::{Duration, Instant};

/// A successful proof.
#[derive(Debug, Clone)]
pub struct Proof {
    /// The temporary database's name (already dropped).
    pub database: String,
    pub steps: usize,
    /// From creating the copy to its verification.
    pub elapsed: Duration,
}

/// Why the proof failed; the real database was not touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProveError {
    /// The copy could not be made (no right to create databases, the create script failed).
    Setup(String),
    /// A step failed on the copy.
    Failed(String),
    /// The steps ran but the copy does not match the desired state.
    NotConverged(String),
}

impl std::fmt::Display for ProveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, m) = match self {
            ProveError::Setup(m) => ("could not build the copy of the current schema", m),
            ProveError::Failed(m) => ("the plan failed on the copy", m),
            ProveError::NotConverged(m) => (
                "the plan ran on the copy but did not reach the desired state",
                m,
            ),
        };
        write!(
            f,
            "proof on a copy: {what}; the real database was not touched:\n{m}\n(--no-prove skips the proof)"
        )
    }
}

impl std::error::Error for ProveError {}

/// Whether the role of `client` may create databases on its server.
pub fn can_create_databases(client: &mut Client) -> bool {
    client
        .query_one(
            "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .map(|r| r.get::<_, bool>(0))
        .unwrap_or(false)
}

/// A fresh name for a temporary database: `shale_prove_<pid>_<nanoseconds>`.
pub fn scratch_name() -> String {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("shale_prove_{}_{stamp}", std::process::id())
}

/// The plan as it runs on the copy: each `DROP SUBSCRIPTION` detached from its slot first
/// (`DISABLE`, `SET (slot_name = NONE)`, then `DROP`). The copy's subscription carries the
/// real one's slot name and connection: dropped as planned, it would drop the real
/// subscription's slot on the publisher, or fail (or wait) when that cannot be reached.
pub fn plan_on_copy(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for s in &mut p.steps {
        if let (shale_model::ObjectId::Subscription { name }, shale_plan::Action::Drop) =
            (&s.object, s.action)
        {
            s.sql = shale_model::Subscription::detached_drop_sql(name);
            s.transactional = true;
        }
    }
    p
}

/// `DROP DATABASE … WITH (FORCE)` of a temporary database; PostgreSQL refuses it while the
/// database holds subscriptions, so those are dropped first, detached from their slots
/// (nothing is asked of their publishers).
pub fn drop_scratch_database(
    admin: &mut Client,
    name: &str,
    connect_db: &mut dyn FnMut(&str) -> Result<Client, String>,
) -> Result<(), postgres::Error> {
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    match admin.batch_execute(&sql) {
        Err(e) if e.code() == Some(&postgres::error::SqlState::OBJECT_IN_USE) => {
            if let Ok(mut c) = connect_db(name) {
                let _ = c.batch_execute(shale_model::publications::DROP_SUBSCRIPTIONS_DETACHED);
            }
            admin.batch_execute(&sql)
        }
        r => r,
    }
}

/// Proves `plan` on a temporary database `name` made with `admin` (a connection to the scratch
/// server): runs `create_sql` there, then the plan with `opts` (its approvals were checked
/// already), then `verify` with the database's name, which must find the desired state.
/// `connect_db` opens a connection to a database of that server by name.
pub fn prove(
    admin: &mut Client,
    name: &str,
    connect_db: &mut dyn FnMut(&str) -> Result<Client, String>,
    create_sql: &str,
    plan: &Plan,
    opts: &ApplyOptions,
    verify: &mut dyn FnMut(&str) -> Result<(), String>,
) -> Result<Proof, ProveError> {
    let start = Instant::now();
    let name = name.to_string();
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
        .map_err(|e| ProveError::Setup(crate::db_error(e)))?;
    let result = (|| {
        let mut client = connect_db(&name).map_err(ProveError::Setup)?;
        client.batch_execute(create_sql).map_err(|e| {
            ProveError::Setup(format!(
                "the create script of the current schema failed: {}",
                crate::db_error(e)
            ))
        })?;
        let on_copy = ApplyOptions {
            allow: RiskLevel::High,
            approve: Vec::new(),
            progress: false,
            lock_retries: 0,
            watch: None,
            ..opts.clone()
        };
        apply(&mut client, &plan_on_copy(plan), &on_copy)
            .map_err(|e| ProveError::Failed(e.to_string()))?;
        drop(client);
        verify(&name).map_err(ProveError::NotConverged)
    })();
    let dropped = drop_scratch_database(admin, &name, connect_db);
    if let (Err(e), Err(d)) = (&result, &dropped) {
        let m = format!(
            "{}\n(and the temporary database {name} could not be dropped: {}; drop it with: DROP DATABASE {name} WITH (FORCE))",
            match e {
                ProveError::Setup(m) | ProveError::Failed(m) | ProveError::NotConverged(m) => m,
            },
            d
        );
        return Err(match e {
            ProveError::Setup(_) => ProveError::Setup(m),
            ProveError::Failed(_) => ProveError::Failed(m),
            ProveError::NotConverged(_) => ProveError::NotConverged(m),
        });
    }
    result?;
    if let Err(e) = dropped {
        return Err(ProveError::Setup(format!(
            "the temporary database {name} could not be dropped ({}); drop it with: DROP DATABASE {name} WITH (FORCE)",
            crate::db_error(e)
        )));
    }
    Ok(Proof {
        database: name,
        steps: plan.steps.len(),
        elapsed: start.elapsed(),
    })
}
