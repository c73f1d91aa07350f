#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers. With DATABASE_URL set, that server
# is used as it is. Otherwise 127.0.0.1:5432 is tried, then the machine's cluster is started;
# if there is none, the test harness itself starts a throwaway cluster with initdb/pg_ctl.
set -euo pipefail
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
