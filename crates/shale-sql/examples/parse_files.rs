//! Read SQL files as one schema each and print the process's peak memory: the SQL front
//! end on its own, for profiling it without the rest of shale (docs/PERFORMANCE.md).
//!
//! `cargo run --release -p shale-sql --example parse_files -- [--whole-tree] A.sql [B.sql …]`
//! (`cargo run --release -p shale-cli --example bench -- gen 10000 DIR` writes such files;
//! `--tables 10000` instead of files reads that size's two schemas, generated in memory).
//! `--whole-tree` only runs `pg_query::parse` on each file and keeps the trees, which is
//! what the front end held before it decoded one statement at a time: its peak is a
//! lower bound of the old front end's.

use shale_sql::{parse_sources, SourceFile};

// The bench's generator (std only): `--tables N` reads its current and desired schemas.
#[path = "../../shale-cli/examples/bench/gen.rs"]
#[allow(dead_code)]
mod gen;

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

fn main() {
    let mut total = 0;
    let mut catalogs = Vec::new();
    let mut trees = Vec::new();
    let mut whole = false;
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--whole-tree" => whole = true,
            "--tables" => {
                let n: usize = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--tables N");
                inputs.push(("current.sql".into(), gen::schema(n, false)));
                inputs.push(("desired.sql".into(), gen::schema(n, true)));
            }
            _ => {
                let text = std::fs::read_to_string(&a).expect("readable file");
                inputs.push((a, text));
            }
        }
    }
    for (path, text) in inputs {
        total += text.len();
        if whole {
            trees.push(pg_query::parse(&text, 0).expect("valid SQL"));
            continue;
        }
        let cat = parse_sources(&[SourceFile { path, text }]).unwrap_or_else(|e| panic!("{e}"));
        println!("{} tables", cat.tables.len());
        catalogs.push(cat);
    }
    // SAFETY: getrusage fills the struct it is given (Linux x86_64/aarch64 layout).
    let mut ru: Rusage = unsafe { std::mem::zeroed() };
    unsafe { getrusage(0, &mut ru) };
    let cpu = (ru.utime[0] + ru.stime[0]) as f64 + (ru.utime[1] + ru.stime[1]) as f64 / 1e6;
    println!(
        "{:.1} MiB SQL, {:.2} s CPU, peak {:.1} MiB ({:.1}x the SQL)",
        total as f64 / 1048576.0,
        cpu,
        ru.maxrss as f64 / 1024.0,
        ru.maxrss as f64 * 1024.0 / total as f64
    );
}
