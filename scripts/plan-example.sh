#!/usr/bin/env bash
# The main job: plan the example schemas in schemas/ from an empty database, no database needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build -q -p shale-cli
for s in schemas/sql schemas/yaml; do
  echo "== shale plan --from empty --to $s"
  # Exit code 2 means "changes planned" (see README).
  ./target/debug/shale plan --from empty --to "$s" || [ $? -eq 2 ]
done
