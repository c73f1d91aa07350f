#!/usr/bin/env bash
# Live DB -> DB planning by shale beside pg-delta and migra, on the same databases.
#
#   scripts/bench/peers.sh [TABLES...]        # default: 2000
#
# Installs pg-delta (npm) and migra (PyPI) into $PEERS_DIR (default /tmp/shale-peers, outside
# the repository; scripts/peers/setup.sh), builds shale and the bench example (release, in
# $CARGO_TARGET_DIR or target/), loads the bench's generated current and desired schemas
# (crates/shale-cli/examples/bench/gen.rs) into `shale_bench_live_N_cur` / `_des` on
# $BENCH_SERVER (default postgres://postgres@127.0.0.1:5432; `bench load N`, which reuses
# them while they hold the same SQL, as `bench live` does; drop them by hand when done),
# and times the three tools side by side, $RUNS runs each (default 5, interleaved),
# reporting medians of wall time, CPU and peak memory (scripts/bench/peers.py).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-/tmp/shale-peers}"
SERVER="${BENCH_SERVER:-postgres://postgres@127.0.0.1:5432}"
RUNS="${RUNS:-5}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(2000)

bash "$ROOT/scripts/peers/setup.sh" "$PEERS_DIR" >&2
(cd "$ROOT" && cargo build --release --quiet -p shale-cli --bin shale --example bench)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
SHALE="$TARGET/release/shale"
BENCH="$TARGET/release/examples/bench"
export BENCH_SERVER="$SERVER"

for n in "${SIZES[@]}"; do
    read -r CUR DES < <("$BENCH" load "$n")
    echo "## $n tables, medians of $RUNS runs ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before)"
    echo
    python3 "$ROOT/scripts/bench/peers.py" --runs "$RUNS" --shale "$SHALE" \
        --pgdelta "$PEERS_DIR/node_modules/.bin/pgdelta" --migra "$PEERS_DIR/venv/bin/migra" \
        "$CUR" "$DES"
    echo "  (load average $(cut -d' ' -f1-3 /proc/loadavg) after)"
    echo
done
