#!/usr/bin/env bash
# Compare shale with pg-delta and migra on shale's fixtures, by measurement.
#
#   scripts/peers/setup.sh                 # once: installs the peers outside the repo
#   scripts/peers/compare.sh [FIXTURE...]  # default: the set in DEFAULT_FIXTURES below
#
# For each fixture (fixtures/NNN_name/{current,desired}.sql; without current.sql, an
# empty database): load current.sql and desired.sql into two fresh databases; for each
# tool, compute the migration from the first to the second, apply it to a fresh copy of
# current (CREATE DATABASE ... TEMPLATE), and compare `pg_dump --schema-only --no-owner`
# of the result with that of desired (normalized by dumpnorm.py: banners dropped, column
# order and the order of an object's grants not compared; privileges ARE compared).
# Recorded per fixture and tool: converges (yes / no: dump differs / apply failed / diff
# failed), statements (sqlstats.py: transaction control and SET not counted), how many
# use CONCURRENTLY and NOT VALID, and the wall time of the diff.
#
# Tools:
#   shale-db    shale plan --from URL --to URL --format sql (both sides introspected)
#   shale-file  shale plan --from URL --to desired.sql --format sql (files read offline)
#   migra       migra --unsafe --with-privileges FROM TO          (applied in one transaction)
#   pg-delta    pgdelta plan + render --allow-drops, applied segment by segment as rendered
#
# Environment: PGBASE (server URL without database; default
# postgresql://postgres@127.0.0.1:5432), PEERS_DIR (default /tmp/shale-peers), SHALE (the
# shale binary; default target/release/shale, else target/debug/shale), OUT (results
# TSV; default $PEERS_DIR/results.tsv), TOOLS (default "shale-db shale-file migra pg-delta").
# Each tool's SQL and log are kept under $PEERS_DIR/runs/FIXTURE/.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-/tmp/shale-peers}"
PGBASE="${PGBASE:-postgresql://postgres@127.0.0.1:5432}"
OUT="${OUT:-$PEERS_DIR/results.tsv}"
TOOLS="${TOOLS:-shale-db shale-file migra pg-delta}"
if [ -z "${SHALE:-}" ]; then
    SHALE="$ROOT/target/release/shale"
    [ -x "$SHALE" ] || SHALE="$ROOT/target/debug/shale"
fi
PGDELTA="$PEERS_DIR/node_modules/.bin/pgdelta"
MIGRA="$PEERS_DIR/venv/bin/migra"
for bin in "$SHALE" "$PGDELTA" "$MIGRA"; do
    [ -x "$bin" ] || { echo "missing $bin (cargo build --release -p shale-cli; scripts/peers/setup.sh)" >&2; exit 1; }
done

# Every family of fixtures: tables and columns, constraints, indexes, enums, sequences,
# schemas, extensions, comments, quoting, views, materialized views, functions,
# procedures, triggers, domains, composite and range types, row-level security and
# policies, privileges, partitions, inheritance, table options, exclusion constraints.
DEFAULT_FIXTURES="
02_add_nullable_column 03_add_not_null_column_with_default 04_drop_column
06_change_column_types 07_not_null_changes 09_identity_columns 11_generated_columns
16_check_constraints 17_foreign_keys 19_not_valid_constraints 20_indexes_basic
22_index_redefined 23_enum_values 25_sequences 26_schemas 27_extensions 28_comments
29_quoted_identifiers 31_drops_in_dependency_order 34_mixed_changes
41_view_query_changed 45_column_type_change_under_view 48_materialized_view_changed
51_function_body_replaced 56_procedures 58_trigger_changed 72_domain_checks_changed
77_composite_attributes_changed 81_enum_labels_reordered 96_policy_alter_expressions
100_grants_on_tables 103_column_grants 111_partition_list_add_partition
114_partition_attach 122_inherit_added 125_storage_parameters 135_exclusion_constraints
"
FIXTURES=("$@")
[ ${#FIXTURES[@]} -gt 0 ] || read -r -a FIXTURES <<<"$(echo $DEFAULT_FIXTURES)"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$PGBASE/postgres" "$@"; }
fresh_db() { psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\" ${2:+TEMPLATE \"$2\"}" 2>/dev/null; }
drop_db() { psql_admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" 2>/dev/null; }
dump() { pg_dump --schema-only --no-owner "$PGBASE/$1" | python3 "$HERE/dumpnorm.py"; }
now_ms() { date +%s%3N; }

# diff TOOL CUR DES DIR FIXTURE_DIR -> writes DIR/TOOL.sql (or DIR/TOOL_*.sql for pg-delta)
diff_tool() {
    local tool=$1 cur=$2 des=$3 dir=$4 fx=$5 rc
    case $tool in
    shale-db)
        "$SHALE" plan --from "$PGBASE/$cur" --to "$PGBASE/$des" --format sql --no-rollback \
            >"$dir/$tool.sql" 2>"$dir/$tool.log" </dev/null
        rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ] ;;
    shale-file)
        "$SHALE" plan --from "$PGBASE/$cur" --to "$fx/desired.sql" --format sql --no-rollback \
            >"$dir/$tool.sql" 2>"$dir/$tool.log" </dev/null
        rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ] ;;
    migra)
        local u="${PGBASE/postgresql:\/\//postgresql+psycopg2://}"
        u="${u/postgres:\/\//postgresql+psycopg2://}"
        "$MIGRA" --unsafe --with-privileges "$u/$cur" "$u/$des" \
            >"$dir/$tool.sql" 2>"$dir/$tool.log" </dev/null
        rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ] ;;
    pg-delta)
        rm -f "$dir"/pg-delta*.sql "$dir/pg-delta.plan.json"
        "$PGDELTA" plan --source "$PGBASE/$cur" --desired "$PGBASE/$des" \
            --out "$dir/pg-delta.plan.json" >"$dir/$tool.log" 2>&1 </dev/null || return 1
        [ -f "$dir/pg-delta.plan.json" ] || return 0   # nothing to do
        # render exits non-zero when the plan has no actions ("changes":false).
        "$PGDELTA" render --plan "$dir/pg-delta.plan.json" --out "$dir/pg-delta.sql" \
            --allow-drops >>"$dir/$tool.log" 2>&1 </dev/null ||
            grep -q '"changes":false' "$dir/$tool.log" ;;
    esac
}

# The SQL files a tool wrote, in the order they run.
tool_files() {
    local tool=$1 dir=$2
    if [ "$tool" = pg-delta ]; then
        ls "$dir"/pg-delta.sql 2>/dev/null
        ls "$dir"/pg-delta_*.sql 2>/dev/null | sort -t_ -k2 -n
    else
        echo "$dir/$tool.sql"
    fi
}

apply_tool() {
    local tool=$1 db=$2 dir=$3 f
    for f in $(tool_files "$tool" "$dir"); do
        case $tool in
        shale-*) # the script sets lock_timeout and runs CONCURRENTLY steps itself
            psql -X -q -v ON_ERROR_STOP=1 -f "$f" "$PGBASE/$db" >>"$dir/$tool.apply.log" 2>&1 || return 1 ;;
        *)
            if head -1 "$f" | grep -q 'transaction=false'; then
                psql -X -q -v ON_ERROR_STOP=1 -f "$f" "$PGBASE/$db" >>"$dir/$tool.apply.log" 2>&1 || return 1
            else
                psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$f" "$PGBASE/$db" >>"$dir/$tool.apply.log" 2>&1 || return 1
            fi ;;
        esac
    done
}

printf 'fixture\ttool\tconverges\tstatements\tconcurrently\tnot_valid\tdiff_ms\n' >"$OUT"
suffix=$$
for name in "${FIXTURES[@]}"; do
    fx="$ROOT/fixtures/$name"
    [ -f "$fx/desired.sql" ] || { echo "no fixture $name" >&2; continue; }
    current_sql="$fx/current.sql"   # a fixture without one starts from an empty database
    [ -f "$current_sql" ] || current_sql=/dev/null
    dir="$PEERS_DIR/runs/$name"; mkdir -p "$dir"; rm -f "$dir"/*.log
    cur="peer_cur_$suffix"; des="peer_des_$suffix"; tgt="peer_tgt_$suffix"
    fresh_db "$cur"; fresh_db "$des"
    if ! psql -X -q -v ON_ERROR_STOP=1 -f "$current_sql" "$PGBASE/$cur" >"$dir/load.log" 2>&1 ||
       ! psql -X -q -v ON_ERROR_STOP=1 -f "$fx/desired.sql" "$PGBASE/$des" >>"$dir/load.log" 2>&1; then
        echo "$name: the fixture does not load (see $dir/load.log)" >&2
        drop_db "$cur"; drop_db "$des"; continue
    fi
    want="$(dump "$des")"
    for tool in $TOOLS; do
        start=$(now_ms)
        if diff_tool "$tool" "$cur" "$des" "$dir" "$fx"; then
            ms=$(( $(now_ms) - start ))
            files=$(tool_files "$tool" "$dir")
            if [ -n "$files" ]; then
                read -r n conc nv <<<"$(python3 "$HERE/sqlstats.py" $files)"
            else
                n=0; conc=0; nv=0
            fi
            fresh_db "$tgt" "$cur"
            if apply_tool "$tool" "$tgt" "$dir"; then
                if [ "$(dump "$tgt")" = "$want" ]; then
                    verdict=yes
                else
                    verdict="no: dump differs"
                    diff <(echo "$want") <(dump "$tgt") >"$dir/$tool.dump.diff"
                fi
            else
                verdict="no: apply failed"
            fi
            drop_db "$tgt"
        else
            ms=$(( $(now_ms) - start )); n=-; conc=-; nv=-; verdict="no: diff failed"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tool" "$verdict" "$n" "$conc" "$nv" "$ms" | tee -a "$OUT"
    done
    drop_db "$cur"; drop_db "$des"
done

# Summary per tool.
python3 - "$OUT" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
tools = []
for r in rows:
    if r["tool"] not in tools:
        tools.append(r["tool"])
print("\ntool\tconverged\tstatements\tCONCURRENTLY\tNOT VALID\tmedian diff ms")
for t in tools:
    rs = [r for r in rows if r["tool"] == t]
    ok = sum(r["converges"] == "yes" for r in rs)
    num = lambda k: sum(int(r[k]) for r in rs if r[k].isdigit())
    ms = sorted(int(r["diff_ms"]) for r in rs)
    print(f"{t}\t{ok}/{len(rs)}\t{num('statements')}\t{num('concurrently')}\t{num('not_valid')}\t{ms[len(ms)//2] if ms else '-'}")
PY
