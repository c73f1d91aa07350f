//! Planning speed on big schemas, no database needed.
//!
//! `cargo run --release -p shale-cli --example bench -- [TABLES]` (default 10000) generates
//! a schema of TABLES tables (each with a primary key, a foreign key, a check, an index and
//! an enum column), then times: reading the SQL, and for each of planning it from an
//! empty database, against itself (no changes) and a 1% change, the diff alone and the
//! whole plan (diff included). It prints wall time per stage and the peak resident memory
//! (`VmHWM`). Targets (the product's): 10,000 tables planned in well under a second.

use shale_plan::PlanOptions;
use shale_sql::{parse_sources, SourceFile};
use std::fmt::Write;
use std::time::Instant;

fn schema(tables: usize, changed: bool) -> String {
    let mut s = String::from("CREATE TYPE state AS ENUM ('new', 'open', 'closed');\n");
    for i in 0..tables {
        let _ = write!(
            s,
            "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent bigint{}, name text NOT NULL CHECK (char_length(name) > 0), st state NOT NULL DEFAULT 'new', created timestamptz NOT NULL DEFAULT now(){});\nCREATE INDEX ON t{i} (name);\n",
            if i > 0 { format!(" REFERENCES t{} (id)", i - 1) } else { String::new() },
            if changed && i % 100 == 0 { ", note text" } else { "" }
        );
    }
    s
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!(
        "{label:<40} {:>9.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    out
}

fn main() {
    let tables: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("TABLES is a number"))
        .unwrap_or(10_000);
    let opts = PlanOptions::default();
    let base = schema(tables, false);
    let changed = schema(tables, true);
    println!("{tables} tables, {} KiB of SQL", base.len() / 1024);
    let src = |text: &str| {
        vec![SourceFile {
            path: "bench.sql".into(),
            text: text.to_string(),
        }]
    };
    let cat = time("read SQL (pg_query, normalize)", || {
        parse_sources(&src(&base)).unwrap()
    });
    let cat2 = time("read changed SQL", || {
        parse_sources(&src(&changed)).unwrap()
    });
    let empty = shale_cli::source::empty_catalog();
    let d = time("diff from empty", || shale_diff::diff(&empty, &cat));
    println!("{:<40} {:>9}", "  changes", d.len());
    let p = time("plan from empty (diff included)", || {
        shale_plan::plan(&empty, &cat, &opts).unwrap()
    });
    println!("{:<40} {:>9}", "  steps", p.steps.len());
    let d = time("diff against itself", || shale_diff::diff(&cat, &cat));
    assert!(d.is_empty());
    let p = time("plan against itself (diff included)", || {
        shale_plan::plan(&cat, &cat, &opts).unwrap()
    });
    assert!(p.is_empty());
    let d = time("diff a 1% change", || shale_diff::diff(&cat, &cat2));
    println!("{:<40} {:>9}", "  changes", d.len());
    let p = time("plan a 1% change (diff included)", || {
        shale_plan::plan(&cat, &cat2, &opts).unwrap()
    });
    println!("{:<40} {:>9}", "  steps", p.steps.len());
    if let Some(mib) = peak_rss_mib() {
        println!("{:<40} {:>9.1} MiB", "peak resident memory", mib);
    }
}
