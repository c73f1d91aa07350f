# Recipes for developers who have `just`. Neither README command needs it.

# Plan the example schemas (no database needed).
plan-example:
    bash scripts/plan-example.sh

# The whole test suite, as CI runs it.
test:
    bash .ci/run

# Accept changed plan snapshots after reviewing them.
snapshots:
    INSTA_UPDATE=always cargo test -p shale-cli --test fixtures

lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Offline planning speed and memory by phase on generated schemas (default 100, 1,000
# and 10,000 tables); `just bench live [N…]` plans DB -> DB on $BENCH_SERVER (default
# 100 and 2,000 tables: phases, catalog queries, peak memory); docs/PERFORMANCE.md.
bench *tables:
    cargo run --release -p shale-cli --example bench -- {{tables}}

# Live DB -> DB planning by shale beside pg-delta and migra (installed into a scratch
# folder), on the same databases (default 2,000 tables); docs/PERFORMANCE.md.
bench-peers *tables:
    bash scripts/bench/peers.sh {{tables}}

# The DB test suites on several PostgreSQL majors (default 13 to 18), each on a throwaway
# cluster; binaries are fetched once into a cache. See docs/POSTGRES_VERSIONS.md.
pg-matrix *versions:
    bash scripts/pg-matrix.sh {{versions}}

# Convergence on public test suites and real application schemas, beside pg-delta and
# migra (scripts/corpus/README.md). Needs PSD_REPO and MIGRA_REPO (checkouts or git dirs);
# APPS="name=path …" adds applications' db/structure.sql history.
corpus:
    bash scripts/corpus/corpus.sh
