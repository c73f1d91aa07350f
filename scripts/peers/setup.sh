#!/usr/bin/env bash
# Install the peer tools shale is compared with into a scratch directory outside the
# repository (never vendored): pg-delta (npm) and migra (PyPI).
#
#   scripts/peers/setup.sh [DIR]      # DIR defaults to $PEERS_DIR or /tmp/shale-peers
#
# Afterwards: DIR/node_modules/.bin/pgdelta and DIR/venv/bin/migra.
set -euo pipefail
DIR="${1:-${PEERS_DIR:-/tmp/shale-peers}}"
mkdir -p "$DIR"
cd "$DIR"

if [ ! -e node_modules/.bin/pgdelta ]; then
    [ -f package.json ] || echo '{"name":"shale-peers","private":true}' >package.json
    # `latest` on the registry is an empty 0.0.0 placeholder; the CLI is in the alphas.
    npm install --no-audit --no-fund "@supabase/pg-delta@${PG_DELTA_VERSION:-1.0.0-alpha.34}"
fi

if [ ! -x venv/bin/migra ]; then
    python3 -m venv venv
    venv/bin/pip install --quiet migra psycopg2-binary setuptools
fi

echo "pg-delta: $DIR/node_modules/.bin/pgdelta ($(node -p "require('./node_modules/@supabase/pg-delta/package.json').version"))"
echo "migra:    $DIR/venv/bin/migra ($(venv/bin/pip show migra | sed -n 's/^Version: //p'))"
