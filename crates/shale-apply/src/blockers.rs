//! Who blocks a step: while a step runs, a second connection asks the server which sessions
//! block the applying one (`pg_blocking_pids`), so that a lock timeout can name the session
//! holding the lock, its query and how long its transaction has been open. Once the
//! statement has failed the server no longer reports the wait, so the answer has to be
//! taken while it waits.

use postgres::Client;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Opens a new connection to the database being changed.
#[derive(Clone)]
pub struct Connector(pub Arc<dyn Fn() -> Result<Client, String> + Send + Sync>);

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connector")
    }
}

/// A session that blocked a step.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    pub pid: i32,
    /// `active`, `idle in transaction`, …
    pub state: String,
    /// Its current (or last) statement.
    pub query: String,
    /// How long its transaction (else its statement) has been running, in seconds.
    pub age_seconds: f64,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q: String = self.query.split_whitespace().collect::<Vec<_>>().join(" ");
        let q = if q.chars().count() > 200 {
            format!("{}…", q.chars().take(200).collect::<String>())
        } else {
            q
        };
        write!(
            f,
            "pid {} ({}, transaction open for {:.1}s): {}",
            self.pid, self.state, self.age_seconds, q
        )
    }
}

/// How often the watcher asks while a step runs. A step that ends sooner costs no query.
const POLL: Duration = Duration::from_millis(100);

/// Watches one backend (the applying session) on its own connection and thread.
pub struct Watcher {
    tx: mpsc::Sender<Option<i32>>,
    rx: mpsc::Receiver<Vec<Blocker>>,
    handle: Option<JoinHandle<()>>,
}

impl Watcher {
    /// Starts the watcher on a connection from `connect`; `None` when it cannot connect
    /// (a lock timeout then says less, nothing else changes).
    pub fn start(connect: &Connector) -> Option<Watcher> {
        let mut client = (connect.0)().ok()?;
        let _ = client.batch_execute("SET application_name = 'shale apply (watcher)'");
        let (tx, cmd) = mpsc::channel::<Option<i32>>();
        let (out, rx) = mpsc::channel::<Vec<Blocker>>();
        let handle = std::thread::spawn(move || {
            // Each command starts watching a pid; the next message stops it.
            while let Ok(Some(pid)) = cmd.recv() {
                let mut seen: Vec<Blocker> = Vec::new();
                while let Err(RecvTimeoutError::Timeout) = cmd.recv_timeout(POLL) {
                    let now = blockers_of(&mut client, pid);
                    if !now.is_empty() {
                        seen = now;
                    }
                }
                if out.send(seen).is_err() {
                    return;
                }
            }
        });
        Some(Watcher {
            tx,
            rx,
            handle: Some(handle),
        })
    }

    /// Starts watching `pid`.
    pub fn watch(&self, pid: i32) {
        let _ = self.tx.send(Some(pid));
    }

    /// Stops watching; the sessions last seen blocking it.
    pub fn stop(&self) -> Vec<Blocker> {
        if self.tx.send(None).is_err() {
            return Vec::new();
        }
        self.rx.recv().unwrap_or_default()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // Closing the channel ends the thread (after its current wait).
        let (tx, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// The sessions blocking `pid` now.
pub fn blockers_of(client: &mut Client, pid: i32) -> Vec<Blocker> {
    client
        .query(
            "SELECT a.pid, coalesce(a.state, ''), coalesce(a.query, ''), \
                    extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, a.backend_start))::float8 \
             FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1)) ORDER BY a.pid",
            &[&pid],
        )
        .map(|rows| {
            rows.iter()
                .map(|r| Blocker {
                    pid: r.get(0),
                    state: r.get(1),
                    query: r.get(2),
                    age_seconds: r.get(3),
                })
                .collect()
        })
        .unwrap_or_default()
}
