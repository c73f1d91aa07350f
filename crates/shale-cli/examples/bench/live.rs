//! Live mode: the generated current and desired schemas loaded into two databases, then
//! planned database → database as `shale plan --from DB --to DB` does (both introspected
//! at once, on two threads), phase by phase, with the catalog queries counted.

use crate::{cpu_and_maxrss, gen, phase, print_phases, Phase};
use shale_introspect::IntrospectStats;
use std::time::Instant;

/// `$BENCH_SERVER` (a server URL without a database), default the test server.
fn server() -> String {
    std::env::var("BENCH_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn db_url(db: &str) -> String {
    format!("{}/{db}", server().trim_end_matches('/'))
}

/// A fingerprint of the SQL a database was loaded from (FNV-1a), kept as the database's
/// comment so that a later run reuses it instead of loading it again.
fn fingerprint(sql: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in sql.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("shale bench {:016x} {}", h, sql.len())
}

/// The database `db` holding exactly `sql`: reused when its comment says it was loaded
/// from the same text, else (re)created and loaded.
fn ensure_loaded(db: &str, sql: &str) -> Result<(), String> {
    let mut admin = shale_connect::connect(&db_url("postgres")).map_err(|e| e.to_string())?;
    let want = fingerprint(sql);
    let have: Option<String> = admin
        .query_opt(
            "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database WHERE datname = $1",
            &[&db],
        )
        .map_err(|e| e.to_string())?
        .and_then(|r| r.get(0));
    if have.as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    eprintln!("loading {db} ({} KiB of SQL)…", sql.len() / 1024);
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db}"
        ))
        .map_err(|e| e.to_string())?;
    let mut client = shale_connect::connect(&db_url(db)).map_err(|e| e.to_string())?;
    // One simple query: one implicit transaction. VACUUM cannot run inside it.
    client
        .batch_execute(sql)
        .and_then(|()| client.batch_execute("VACUUM ANALYZE"))
        .map_err(|e| format!("loading {db}: {}", shale_connect::describe(&e)))?;
    admin
        .batch_execute(&format!(
            "COMMENT ON DATABASE {db} IS {}",
            shale_model::quote_literal(&want)
        ))
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn introspect(url: &str) -> (shale_model::Catalog, IntrospectStats, f64) {
    let start = Instant::now();
    let mut client = shale_connect::connect(url).expect("connect");
    let connect = start.elapsed().as_secs_f64();
    let (cat, stats) = shale_introspect::introspect_with_stats(&mut client).expect("introspect");
    (cat, stats, connect)
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of every catalog query, in the introspection's session
/// settings, each plan written to `dir/NN-kind.txt`; prints the execution times.
fn explain(url: &str, stats: &IntrospectStats, dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut client = shale_connect::connect(url).expect("connect");
    client
        .batch_execute("SET search_path = ''; SET TimeZone = 'UTC'")
        .unwrap();
    let mut times = Vec::new();
    for (i, q) in stats.queries.iter().enumerate() {
        let rows = client
            .query(&format!("EXPLAIN (ANALYZE, BUFFERS) {}", q.sql), &[])
            .unwrap_or_else(|e| panic!("EXPLAIN {}: {}", q.what, shale_connect::describe(&e)));
        let text: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        let exec = text
            .iter()
            .find_map(|l| l.strip_prefix("Execution Time: "))
            .and_then(|t| t.trim_end_matches(" ms").parse::<f64>().ok())
            .unwrap_or(0.0);
        let name = format!("{i:02}-{}.txt", q.what.replace([' ', '/'], "_"));
        std::fs::write(
            dir.join(name),
            format!("{}\n\n{}\n", q.sql, text.join("\n")),
        )
        .unwrap();
        times.push((exec, q.what, i));
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = times.iter().map(|t| t.0).sum();
    println!(
        "  EXPLAIN ANALYZE (plans in {}): {total:.1} ms executing in all",
        dir.display()
    );
    for (ms, what, i) in times.iter().take(12) {
        println!("    {ms:>8.1} ms  #{i:02} {what}");
    }
}

/// The URLs of the current and the desired database of `tables` tables, loaded from the
/// generator's SQL unless they already hold it.
pub fn load(tables: usize) -> (String, String) {
    let (cur, des) = (
        format!("shale_bench_live_{tables}_cur"),
        format!("shale_bench_live_{tables}_des"),
    );
    ensure_loaded(&cur, &gen::schema(tables, false)).unwrap_or_else(|e| panic!("{e}"));
    ensure_loaded(&des, &gen::schema(tables, true)).unwrap_or_else(|e| panic!("{e}"));
    (db_url(&cur), db_url(&des))
}

pub fn live(tables: usize, explain_dir: Option<&str>) {
    let (cur_url, des_url) = load(tables);
    let (c_cpu0, _) = cpu_and_maxrss();
    let opts = shale_plan::PlanOptions::default();
    let mut ph: Vec<Phase> = Vec::new();
    // Both sides at once, as `plan --from DB --to DB`.
    let ((from, from_stats, from_connect), (to, to_stats, to_connect)) =
        phase(&mut ph, "introspect", || {
            std::thread::scope(|s| {
                let a = s.spawn(|| introspect(&cur_url));
                let b = introspect(&des_url);
                (a.join().unwrap(), b)
            })
        });
    let changes = phase(&mut ph, "diff", || shale_diff::diff(&from, &to).len());
    let plan = phase(&mut ph, "build+order", || {
        shale_plan::plan(&from, &to, &opts).unwrap()
    });
    ph[2].cpu = (ph[2].cpu - ph[1].cpu).max(0.0);
    ph[2].wall = (ph[2].wall - ph[1].wall).max(0.0);
    let text = phase(&mut ph, "render", || {
        shale_plan::render::text(&plan).len() + shale_plan::render::sql(&plan).len()
    });
    let (cpu, rss) = cpu_and_maxrss();
    println!(
        "live {tables} tables: {} + {} tables introspected, {changes} changes, {} steps, {text} bytes rendered",
        from.tables.len(),
        to.tables.len(),
        plan.steps.len()
    );
    for (side, st, connect) in [
        ("current", &from_stats, from_connect),
        ("desired", &to_stats, to_connect),
    ] {
        let rows: usize = st.queries.iter().map(|q| q.rows).sum();
        println!(
            "  {side}: connect {:.1} ms, {} catalog queries ({rows} rows) {:.1} ms, assemble (normalize, replay) {:.1} ms",
            connect * 1000.0,
            st.queries.len(),
            st.read.as_secs_f64() * 1000.0,
            st.assemble.as_secs_f64() * 1000.0
        );
        let mut slow: Vec<_> = st.queries.iter().collect();
        slow.sort_by_key(|q| std::cmp::Reverse(q.elapsed));
        let top: Vec<String> = slow
            .iter()
            .take(5)
            .map(|q| format!("{} {:.1} ms", q.what, q.elapsed.as_secs_f64() * 1000.0))
            .collect();
        println!("    slowest: {}", top.join(", "));
    }
    print_phases(&ph);
    println!(
        "  {:<14} {:>8.1} ms CPU (after loading), peak {:.1} MiB",
        "process",
        (cpu - c_cpu0) * 1000.0,
        rss
    );
    if let Some(dir) = explain_dir {
        explain(&cur_url, &from_stats, std::path::Path::new(dir));
    }
}
