#!/usr/bin/env bash
# Builds a static release binary of shale (x86_64-unknown-linux-musl) when the toolchain
# allows it, and says plainly why not when it does not. Nothing is faked: the script never
# copies the ordinary (dynamically linked) binary in place of a static one.
#
# Needs: the musl target (`rustup target add x86_64-unknown-linux-musl`, which downloads
# it) and a musl C compiler (`apt-get install musl-tools`): pg_query compiles libpg_query
# and ring its crypto core in C. TLS is rustls, so no OpenSSL is linked.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
out=target/$target/release/shale

if ! command -v rustup >/dev/null 2>&1; then
  echo "build-static: rustup is not installed, so the $target target cannot be added; no static binary built." >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx "$target"; then
  echo "build-static: adding the $target target (downloads it)"
  if ! rustup target add "$target"; then
    echo "build-static: could not install the $target target (no network to the Rust toolchain server?); no static binary built." >&2
    echo "build-static: the ordinary build still works: cargo install --locked --path crates/shale-cli" >&2
    exit 1
  fi
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
  echo "build-static: musl-gcc not found; installing musl-tools"
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null; }; then
    echo "build-static: could not install musl-tools (musl-gcc); no static binary built." >&2
    exit 1
  fi
fi
export CC_x86_64_unknown_linux_musl=musl-gcc
# bindgen (pg_query) parses libpg_query's header with libclang for the musl target, where
# clang does not look in its own resource directory for stdbool.h and friends: name it.
clang_include=$(ls -d /usr/lib/llvm-*/lib/clang/*/include 2>/dev/null | sort -V | tail -1 || true)
if [ -n "$clang_include" ]; then
  export BINDGEN_EXTRA_CLANG_ARGS_x86_64_unknown_linux_musl="-I$clang_include"
fi
cargo build --locked --release --target "$target" -p shale-cli
if file "$out" | grep -q "statically linked\|static-pie linked"; then
  echo "build-static: $out ($(du -h "$out" | cut -f1), static)"
else
  echo "build-static: $out was built but is not static:" >&2
  file "$out" >&2
  exit 1
fi
