//! Planning speed and memory on generated schemas.
//!
//! `cargo run --release -p shale-cli --example bench -- [offline] [TABLES…]` (default
//! 100 1000 10000) generates, for each size, a current and a desired schema (`gen.rs`:
//! two schemas, tables of mixed columns with identity keys, foreign keys, checks, indexes,
//! partitioned tables, views over tables and views, SQL and PL/pgSQL functions; about 5% of
//! the tables changed) and plans files → files, timing each phase: read and parse (the
//! SQL front end, expression normalization included), normalize (every expression of the
//! model normalized again on its own, as introspection does), diff, build and order (the
//! plan without its diff) and render. Each size runs in a child process so that its peak
//! memory (getrusage `ru_maxrss`) is its own.
//!
//! `… -- live [--explain DIR] [TABLES…]` (default 100 2000) loads the two schemas of each
//! size into the databases `shale_bench_live_N_cur` / `_des` on `$BENCH_SERVER` (default
//! `postgres://postgres@127.0.0.1:5432`; reused while their SQL is unchanged) and plans
//! database → database, both sides introspected at once: connect, the catalog queries
//! (counted, the slowest named), assembling the model (normalization, view and function
//! replay), diff, build and order, render, and the peak memory (`live.rs`). `--explain DIR`
//! also writes `EXPLAIN (ANALYZE, BUFFERS)` of every catalog query into DIR.
//!
//! Live timings beside pg-delta and migra (whole processes) are `scripts/bench/peers.sh`
//! (`just bench-peers`).
//!
//! `… -- gen TABLES DIR` writes DIR/current.sql and DIR/desired.sql (for profiling the
//! CLI); `… -- load TABLES` loads the live mode's two databases and prints their URLs (for
//! `scripts/bench/peers.sh`).
//!
//! Targets (issue 13): offline 2,000 tables ≤ 0.3 s CPU, 10,000 ≤ 1.5 s CPU, peak memory
//! ≤ 10× the SQL read, time linear in the input. See docs/PERFORMANCE.md.

mod gen;
mod live;

use shale_plan::PlanOptions;
use shale_sql::{parse_sources, SourceFile};
use std::time::Instant;

fn cpu_and_maxrss() -> (f64, f64) {
    // SAFETY: getrusage fills the struct it is given.
    let mut ru: libc_rusage = unsafe { std::mem::zeroed() };
    unsafe { getrusage(0, &mut ru) };
    let t = |tv: Timeval| tv.sec as f64 + tv.usec as f64 / 1e6;
    (t(ru.utime) + t(ru.stime), ru.maxrss as f64 / 1024.0)
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` of Linux x86_64/aarch64: two timevals, then 14 longs.
#[repr(C)]
struct libc_rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut libc_rusage) -> i32;
}

struct Phase {
    name: &'static str,
    wall: f64,
    cpu: f64,
}

fn phase<T>(phases: &mut Vec<Phase>, name: &'static str, f: impl FnOnce() -> T) -> T {
    let (c0, _) = cpu_and_maxrss();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed().as_secs_f64();
    let (c1, _) = cpu_and_maxrss();
    phases.push(Phase {
        name,
        wall,
        cpu: c1 - c0,
    });
    out
}

/// One line per phase: wall and CPU time.
fn print_phases(ph: &[Phase]) {
    for p in ph {
        println!(
            "  {:<14} {:>8.1} ms wall {:>8.1} ms CPU",
            p.name,
            p.wall * 1000.0,
            p.cpu * 1000.0
        );
    }
}

fn src(text: &str) -> Vec<SourceFile> {
    vec![SourceFile {
        path: "bench.sql".into(),
        text: text.to_string(),
    }]
}

/// Every expression of the model normalized again (the work introspection does per
/// expression), to time normalization on its own.
fn renormalize(cat: &shale_model::Catalog) -> usize {
    let mut n = 0;
    for t in cat.tables.values() {
        let types: std::collections::HashMap<String, shale_model::TypeRef> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        let lookup = |name: &str| types.get(name).cloned();
        for c in &t.columns {
            if let Some(d) = &c.default {
                let ctx = shale_sql::ExprContext {
                    column_type: &lookup,
                    target_type: Some(&c.ty),
                    search_path: &[],
                };
                let _ = shale_sql::normalize_expr(&d.sql, &ctx);
                n += 1;
            }
        }
        for k in t.constraints.values() {
            if let shale_model::ConstraintKind::Check { expr, .. } = &k.kind {
                let ctx = shale_sql::ExprContext {
                    column_type: &lookup,
                    target_type: None,
                    search_path: &[],
                };
                let _ = shale_sql::normalize_expr(&expr.sql, &ctx);
                n += 1;
            }
        }
    }
    n
}

fn offline(tables: usize) {
    let base = gen::schema(tables, false);
    let changed = gen::schema(tables, true);
    let opts = PlanOptions::default();
    let mut ph = Vec::new();
    let (from, to) = phase(&mut ph, "read+parse", || {
        (
            parse_sources(&src(&base)).unwrap(),
            parse_sources(&src(&changed)).unwrap(),
        )
    });
    let exprs = phase(&mut ph, "normalize", || {
        shale_sql::with_deep_stack(|| renormalize(&from) + renormalize(&to))
    });
    let changes = phase(&mut ph, "diff", || shale_diff::diff(&from, &to).len());
    let plan = phase(&mut ph, "build+order", || {
        shale_plan::plan(&from, &to, &opts).unwrap()
    });
    // plan() diffs again: count only what follows the diff.
    let d = ph[2].cpu;
    let dw = ph[2].wall;
    ph[3].cpu = (ph[3].cpu - d).max(0.0);
    ph[3].wall = (ph[3].wall - dw).max(0.0);
    let text = phase(&mut ph, "render", || {
        shale_plan::render::text(&plan).len() + shale_plan::render::sql(&plan).len()
    });
    let (cpu, rss) = cpu_and_maxrss();
    let kib = (base.len() + changed.len()) / 2 / 1024;
    println!(
        "offline {tables} tables: {kib} KiB SQL per side, {} expressions, {changes} changes, {} steps, {} bytes rendered",
        exprs,
        plan.steps.len(),
        text
    );
    print_phases(&ph);
    println!(
        "  {:<14} {:>8.1} ms CPU, peak {:.1} MiB ({:.1}x the SQL read)",
        "process",
        cpu * 1000.0,
        rss,
        rss * 1024.0 / ((base.len() + changed.len()) as f64 / 1024.0)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, mut rest) = match args.first().map(String::as_str) {
        Some(m @ ("offline" | "gen" | "gen-flat" | "one" | "live" | "live-one" | "load")) => {
            (m.to_string(), &args[1..])
        }
        _ => ("offline".to_string(), &args[..]),
    };
    let mut explain = None;
    if rest.first().map(String::as_str) == Some("--explain") {
        explain = Some(rest.get(1).expect("--explain DIR").clone());
        rest = &rest[2..];
    }
    if mode == "gen" {
        let n: usize = rest[0].parse().expect("TABLES is a number");
        let dir = std::path::Path::new(&rest[1]);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("current.sql"), gen::schema(n, false)).unwrap();
        std::fs::write(dir.join("desired.sql"), gen::schema(n, true)).unwrap();
        return;
    }
    if mode == "gen-flat" {
        let mb: usize = rest[0].parse().expect("MB is a number");
        let dir = std::path::Path::new(&rest[1]);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("flat_{mb}mb.sql")), gen::flat(mb << 20)).unwrap();
        return;
    }
    let sizes: Vec<usize> = if rest.is_empty() && mode.starts_with("live") {
        vec![100, 2000]
    } else if rest.is_empty() {
        vec![100, 1000, 10000]
    } else {
        rest.iter()
            .map(|a| a.parse().expect("TABLES is a number"))
            .collect()
    };
    if mode == "one" {
        offline(sizes[0]);
        return;
    }
    if mode == "load" {
        let (cur, des) = live::load(sizes[0]);
        println!("{cur} {des}");
        return;
    }
    if mode == "live-one" {
        live::live(sizes[0], explain.as_deref());
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for n in sizes {
        let mut child = std::process::Command::new(&exe);
        if mode == "live" {
            child.arg("live-one");
            if let Some(dir) = &explain {
                child.args(["--explain", &format!("{dir}/{n}")]);
            }
        } else {
            child.arg("one");
        }
        let status = child.arg(n.to_string()).status().unwrap();
        assert!(status.success());
    }
}
