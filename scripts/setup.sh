#!/usr/bin/env bash
# Installs what shale's build and tests need on a fresh Debian machine, and makes sure a
# PostgreSQL server is up for the tests. Safe to run again: it only acts on what is missing.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# pg_query builds libpg_query and runs bindgen, which needs libclang and clang's C headers.
if ! ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 && ! ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 \
   || ! ls -d /usr/lib/llvm-*/lib/clang/*/include >/dev/null 2>&1; then
  echo "setup: installing libclang (needed to build pg_query)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang1-14 libclang-common-14-dev >/dev/null \
    || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-dev >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is not installed; install Rust (https://rustup.rs) first" >&2
  exit 1
fi
