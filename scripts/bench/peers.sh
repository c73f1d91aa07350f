#!/usr/bin/env bash
# Live DB -> DB planning by shale beside pg-delta and migra, on the same databases.
#
#   scripts/bench/peers.sh [TABLES...]        # default: 2000
#
# Installs pg-delta (npm) and migra (PyPI) into $PEERS_DIR (default /tmp/shale-peers, outside
# the repository; scripts/peers/setup.sh), builds shale and the bench example (release),
# generates the bench schemas (crates/shale-cli/examples/bench/gen.rs), loads the current
# and the desired one into two databases `shale_bench_cur` / `shale_bench_des` on
# $BENCH_SERVER (default postgres://postgres@127.0.0.1:5432), and times the three tools
# side by side, $RUNS runs each (default 5, interleaved), reporting medians of wall time,
# CPU and peak memory (scripts/bench/peers.py). The databases are dropped afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-/tmp/shale-peers}"
SERVER="${BENCH_SERVER:-postgres://postgres@127.0.0.1:5432}"
RUNS="${RUNS:-5}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(2000)

bash "$ROOT/scripts/peers/setup.sh" "$PEERS_DIR" >&2
(cd "$ROOT" && cargo build --release --quiet -p shale-cli --bin shale --example bench)
SHALE="$ROOT/target/release/shale"
BENCH="$ROOT/target/release/examples/bench"
WORK="$(mktemp -d)"
cleanup() {
    for db in shale_bench_cur shale_bench_des; do
        psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

for n in "${SIZES[@]}"; do
    "$BENCH" gen "$n" "$WORK/$n"
    for side in cur des; do
        psql -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS shale_bench_$side" >/dev/null
        psql -q "$SERVER/postgres" -c "CREATE DATABASE shale_bench_$side" >/dev/null
    done
    psql -q -v ON_ERROR_STOP=1 "$SERVER/shale_bench_cur" -f "$WORK/$n/current.sql" >/dev/null
    psql -q -v ON_ERROR_STOP=1 "$SERVER/shale_bench_des" -f "$WORK/$n/desired.sql" >/dev/null
    psql -q "$SERVER/shale_bench_cur" -c "VACUUM ANALYZE" >/dev/null
    psql -q "$SERVER/shale_bench_des" -c "VACUUM ANALYZE" >/dev/null
    echo "## $n tables ($(du -k "$WORK/$n/current.sql" | cut -f1) KiB of SQL per side), medians of $RUNS runs"
    echo
    python3 "$ROOT/scripts/bench/peers.py" --runs "$RUNS" --shale "$SHALE" \
        --pgdelta "$PEERS_DIR/node_modules/.bin/pgdelta" --migra "$PEERS_DIR/venv/bin/migra" \
        "$SERVER/shale_bench_cur" "$SERVER/shale_bench_des"
    echo
done
