//! One apply at a time: a session advisory lock on the database, taken before the database
//! is read and held until the apply ends.
//!
//! The lock is taken on a connection of its own that does nothing else, so it lives exactly
//! as long as the apply's process: when shale exits, or is killed, the server ends that
//! session and releases the lock. Advisory locks are per database, so applies to different
//! databases of one server do not wait for each other.
//!
//! A second apply waits up to `--wait` (server-side, with `lock_timeout`, so it starts the
//! moment the first one ends), then gives up naming the session that holds the lock and
//! since when (`pg_locks` joined with `pg_stat_activity`).

use postgres::Client;
use std::time::Duration;

/// The advisory lock's key: two 32-bit halves, "shal" and "e ap" in ASCII, so that it is
/// recognisable in `pg_locks` (`classid` 1936220524, `objid` 1696620912).
pub const LOCK_KEY: (i32, i32) = (0x7368_616c, 0x6520_6170);

/// `application_name` of the session holding the lock.
pub const APPLICATION_NAME: &str = "shale apply";

/// The session holding the apply lock.
#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub pid: i32,
    pub application_name: String,
    pub client: String,
    /// When its session started (the apply took the lock right after connecting).
    pub since: String,
    pub seconds: f64,
}

/// Why the lock was not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum LockError {
    /// Another apply held it for the whole wait.
    Busy {
        waited: Duration,
        holder: Option<Holder>,
    },
    Server(String),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy { waited, holder } => {
                write!(
                    f,
                    "another shale apply is running on this database (waited {:.1}s for it with --wait)",
                    waited.as_secs_f64()
                )?;
                if let Some(h) = holder {
                    write!(
                        f,
                        ": session pid {} ({}{}), running since {} ({:.0}s ago)",
                        h.pid,
                        h.application_name,
                        if h.client.is_empty() {
                            String::new()
                        } else {
                            format!(" from {}", h.client)
                        },
                        h.since,
                        h.seconds
                    )?;
                }
                write!(
                    f,
                    "; nothing was read or changed. Run again when it has finished, or wait longer with --wait"
                )
            }
            LockError::Server(m) => write!(f, "cannot take the apply lock: {m}"),
        }
    }
}

impl std::error::Error for LockError {}

/// The apply lock, held while this value lives (the connection holds it).
pub struct ApplyLock {
    client: Client,
}

impl ApplyLock {
    /// Takes the lock on `client`'s database (a connection used for nothing else), waiting
    /// up to `wait`.
    pub fn acquire(mut client: Client, wait: Duration) -> Result<ApplyLock, LockError> {
        let server = |e: postgres::Error| LockError::Server(crate::db_error(e));
        client
            .batch_execute(&format!("SET application_name = '{APPLICATION_NAME}'"))
            .map_err(server)?;
        let got: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock($1, $2)",
                &[&LOCK_KEY.0, &LOCK_KEY.1],
            )
            .map_err(server)?
            .get(0);
        if got {
            return Ok(ApplyLock { client });
        }
        let ms = wait.as_millis().min(i32::MAX as u128);
        if ms > 0 {
            client
                .batch_execute(&format!("SET lock_timeout = '{ms}ms'"))
                .map_err(server)?;
            let r = client.execute(
                "SELECT pg_advisory_lock($1, $2)",
                &[&LOCK_KEY.0, &LOCK_KEY.1],
            );
            let _ = client.batch_execute("RESET lock_timeout");
            match r {
                Ok(_) => return Ok(ApplyLock { client }),
                Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {}
                Err(e) => return Err(server(e)),
            }
        }
        Err(LockError::Busy {
            waited: wait,
            holder: holder(&mut client),
        })
    }

    /// Releases the lock (dropping the value does too, by closing the session).
    pub fn release(mut self) {
        let _ = self.client.execute(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&LOCK_KEY.0, &LOCK_KEY.1],
        );
    }
}

/// The session holding the apply lock on `client`'s database, if any.
pub fn holder(client: &mut Client) -> Option<Holder> {
    let row = client
        .query_opt(
            "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), \
                    date_trunc('second', a.backend_start)::text, \
                    extract(epoch FROM now() - a.backend_start)::float8 \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted \
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2 \
             LIMIT 1",
            &[&LOCK_KEY.0, &LOCK_KEY.1],
        )
        .ok()??;
    Some(Holder {
        pid: row.get(0),
        application_name: row.get(1),
        client: row.get(2),
        since: row.get(3),
        seconds: row.get(4),
    })
}
