#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers. With DATABASE_URL set, that server
# is used as it is. Otherwise 127.0.0.1:5432 is tried, then the machine's cluster is started;
# if there is none, the test harness itself starts a throwaway cluster with initdb/pg_ctl.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# PostGIS for the fixtures that declare `requires = postgis` (on a server without it they
# are reported as ignored): Debian's package for each installed server major.
for v in $(ls /etc/postgresql 2>/dev/null); do
  if [ ! -f "/usr/share/postgresql/$v/extension/postgis.control" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing PostGIS for PostgreSQL $v"
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq "postgresql-$v-postgis-3" >/dev/null; } \
      || echo "setup: could not install postgresql-$v-postgis-3; PostGIS fixtures will be ignored"
  fi
done

if [ -n "${DATABASE_URL:-}" ]; then exit 0; fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    echo "setup: starting PostgreSQL $v"
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done
fi
echo "setup: no PostgreSQL on 127.0.0.1:5432; the test harness will start a throwaway cluster"
