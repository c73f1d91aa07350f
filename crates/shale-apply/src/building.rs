//! Index builds in progress. An index that another session is still building with
//! `CREATE INDEX CONCURRENTLY` is INVALID in the catalog until the build ends, exactly like
//! one left behind by a failed build; a plan made meanwhile would drop it (and wait on the
//! builder). So `apply` looks at `pg_stat_progress_create_index` before it reads the
//! database: it waits for such builds up to `--wait`, and refuses, naming each build, if
//! they are still running then. A session killed mid-build (its client gone) keeps building
//! until it ends, and is waited for the same way.

use postgres::Client;
use std::time::{Duration, Instant};

/// A concurrent index build running in another session of the same database.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    pub pid: i32,
    pub index: String,
    pub table: String,
    /// The build's phase as the server names it (`waiting for old snapshots`, …).
    pub phase: String,
    /// Seconds since its statement started.
    pub seconds: f64,
}

impl std::fmt::Display for Build {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "index {} on {} is being built by pid {} ({}, for {:.1}s)",
            self.index, self.table, self.pid, self.phase, self.seconds
        )
    }
}

/// The concurrent index builds running now in other sessions of `client`'s database.
pub fn builds(client: &mut Client) -> Result<Vec<Build>, String> {
    let rows = client
        .query(
            "SELECT p.pid, p.index_relid::regclass::text, p.relid::regclass::text, p.phase, \
                    coalesce(extract(epoch FROM now() - a.query_start)::float8, 0) \
             FROM pg_stat_progress_create_index p \
             LEFT JOIN pg_stat_activity a ON a.pid = p.pid \
             WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND p.index_relid <> 0 AND p.pid <> pg_backend_pid() \
             ORDER BY p.pid",
            &[],
        )
        .map_err(crate::db_error)?;
    Ok(rows
        .iter()
        .map(|r| Build {
            pid: r.get(0),
            index: r.get(1),
            table: r.get(2),
            phase: r.get(3),
            seconds: r.get(4),
        })
        .collect())
}

/// Why `apply` did not start.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildsError {
    /// Still running after the wait.
    Running {
        waited: Duration,
        builds: Vec<Build>,
    },
    Server(String),
}

impl std::fmt::Display for BuildsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildsError::Running { waited, builds } => {
                writeln!(
                    f,
                    "refusing to apply while another session builds an index (waited {:.1}s with --wait); nothing was read or changed:",
                    waited.as_secs_f64()
                )?;
                for b in builds {
                    writeln!(f, "  {b}")?;
                }
                write!(
                    f,
                    "  the index is INVALID only until its build ends, not failed: run again when the build has finished (or wait longer with --wait); to stop the build instead: SELECT pg_cancel_backend(pid)"
                )
            }
            BuildsError::Server(m) => write!(f, "cannot check for index builds: {m}"),
        }
    }
}

impl std::error::Error for BuildsError {}

/// Waits up to `wait` until no other session of the database builds an index
/// concurrently. `waiting` is told of the builds once, when the wait begins.
pub fn wait_for_builds(
    client: &mut Client,
    wait: Duration,
    waiting: &mut dyn FnMut(&[Build]),
) -> Result<(), BuildsError> {
    let start = Instant::now();
    let mut told = false;
    loop {
        let now = builds(client).map_err(BuildsError::Server)?;
        if now.is_empty() {
            return Ok(());
        }
        if start.elapsed() >= wait {
            return Err(BuildsError::Running {
                waited: start.elapsed(),
                builds: now,
            });
        }
        if !told {
            waiting(&now);
            told = true;
        }
        std::thread::sleep(Duration::from_millis(200).min(wait.saturating_sub(start.elapsed())));
    }
}
