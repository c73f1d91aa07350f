#!/usr/bin/env bash
# The whole public-corpus measurement (see scripts/corpus/README.md):
#   PSD_REPO=… MIGRA_REPO=… [PGSCHEMA_REPO=…] [APPS="name=path …"] [TOOLS=shale-file,shale-db,…] scripts/corpus/corpus.sh
# Writes under $CORPUS_OUT (default target/corpus, ignored by git): cases/, runs/,
# results.jsonl, apps-roundtrip.jsonl, report.md.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${CORPUS_OUT:-$ROOT/target/corpus}"
TOOLS="${TOOLS:-shale-file,shale-db,pg-delta-file,pg-delta,migra}"
JOBS="${JOBS:-2}"
: "${PSD_REPO:?set PSD_REPO to a stripe/pg-schema-diff checkout or git dir}"
: "${MIGRA_REPO:?set MIGRA_REPO to a djrobstep/migra checkout or git dir}"

extra=()
if [ -n "${PGSCHEMA_REPO:-}" ]; then extra+=(--pgschema "$PGSCHEMA_REPO"); fi
python3 "$HERE/extract.py" --psd "$PSD_REPO" --migra "$MIGRA_REPO" "${extra[@]}" --out "$OUT/cases"
if [ -n "${APPS:-}" ]; then
    args=()
    for a in $APPS; do args+=(--app "$a"); done
    python3 "$HERE/apps.py" extract "${args[@]}" --versions "${APP_VERSIONS:-10}" --cases "$OUT/cases"
    python3 "$HERE/apps.py" roundtrip --cases "$OUT/cases" --out "$OUT"
fi
python3 "$HERE/run.py" --cases "$OUT/cases" --out "$OUT" --tools "$TOOLS" --jobs "$JOBS"
python3 "$HERE/report.py" "$OUT/results.jsonl" --failures >"$OUT/report.md"
echo "report: $OUT/report.md"
