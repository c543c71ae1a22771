#!/usr/bin/env bash
# Every load figure of docs/performance.md in one run, side by side:
#   benches/load/compare.sh [seconds=10]
# Builds the release binaries when needed; starts socval on a fresh SQLite file and on a fresh
# PostgreSQL schema (dropped afterwards), then the JSON baseline (benches/load/baseline.rs), one
# at a time; seeds each socval through the API (benches/load/seed.py) and drives it with wrk on loopback for
# `seconds` per row: GET /healthz, POST /v1/evaluations/preview with 10 and 100 bids, GET of a
# lot's evaluation run (100 bids), single and batch (100) bid ingestion. Then, on PostgreSQL, bid
# ingestion into 16 lots, one lot and in batches (and over two replicas) against pgbench running
# the same SQL, 3 alternating runs each (benches/load/ingestion.sh); pgbench's
# simple-insert TPS on the same PostgreSQL, RSS idle and peak, binary size, start → /readyz on
# SQLite (median of 7), the engine's scaling table (benches/load/engine_scaling.rs) with its
# instructions per bid (benches/load/instructions.sh, when valgrind is installed) and the memory
# table (benches/load/memory.sh). Prints a markdown report; ratios are to the baseline's answer to
# the same request (POSTs: /echo of the same body, and for the 100-bid preview also the baseline
# serving that preview's own answer; /healthz: its /healthz; the evaluation: its GET of the same
# JSON document).
#
# Settings (environment): CONNECTIONS (64: reads and previews), WRITERS (16: ingestion
# connections, socval's pool size and pgbench clients), BACKENDS ("sqlite postgres"), ROWS (all:
# a subset of "healthz preview-10 preview-100 evaluation bid batch-100 ingestion"), EXTRAS (1: pgbench,
# startup and engine table; 0 skips them), plus those of lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$LOAD_DIR/ingestion.sh"
seconds="${1:-10}"
connections="${CONNECTIONS:-64}"
writers="${WRITERS:-16}"
backends="${BACKENDS:-sqlite postgres}"
rows="${ROWS:-healthz preview-10 preview-100 evaluation bid batch-100 ingestion}"
extras="${EXTRAS:-1}"
need wrk curl python3
[[ $backends == *postgres* || $extras == 1 ]] && need psql pgbench

build_release
python3 "$LOAD_DIR/bodies.py" "$work"
out="$work/results"
: >"$out"
wants() { [[ " $rows " == *" $1 "* ]]; }
# row BACKEND NAME URL CONNECTIONS [BODY] [TOKEN]: one wrk run against the server $pid, recorded
# as "BACKEND NAME rps=… … cpu_ticks=…" (the server's CPU time during the run).
row() {
  local before result
  before="$(cpu_ticks "$pid")"
  result="$(drive "$2" "$3" "$4" "$seconds" "${5:-}" "${6:-}")"
  echo "$1 $result cpu_ticks=$(($(cpu_ticks "$pid") - before))" | tee -a "$out" >&2
}
# fact KEY VALUE: a figure that is not a wrk run.
fact() { echo "fact $1 $2" | tee -a "$out" >&2; }
fact machine "$(machine | tr ' ' '_')"
fact seconds "$seconds"
fact connections "$connections"
fact writers "$writers"
fact clk_tck "$(getconf CLK_TCK)"

platform="$(token platform)"
export PLATFORM="$platform" COMMERCIAL="$(token commercial)" EVALUATOR="$(token evaluator solo)"
for backend in $backends; do
  echo "== socval on $backend" >&2
  case $backend in
    sqlite) url="sqlite://$work/socval.db" ;;
    postgres) pg_schema && url="$pg_url" ;;
  esac
  start_socval 18091 "$url" SOCVAL_DB_POOL_SIZE="$writers"
  sleep 1
  read -r idle _ <<<"$(rss_mib "$pid")"
  fact "idle_rss_$backend" "$idle"
  s=http://127.0.0.1:18091
  eval "$(python3 "$LOAD_DIR/seed.py" "$s" 100)" # sets $evaluation and $ingest
  wants healthz && row "$backend" healthz "$s/healthz" "$connections"
  for name in preview-10 preview-100; do
    wants "$name" && row "$backend" "$name" "$s/v1/evaluations/preview" "$connections" "$work/$name.json" "$platform"
  done
  curl -sf -H "Authorization: Bearer $platform" "$s$evaluation" >"$work/evaluation.json"
  curl -sf -H "Authorization: Bearer $platform" -H "Content-Type: application/json" \
    --data-binary "@$work/preview-100.json" "$s/v1/evaluations/preview" >"$work/preview-100.answer.json"
  wants evaluation && row "$backend" evaluation "$s$evaluation" "$connections" "" "$platform"
  wants bid && row "$backend" bid "$s$ingest/bids" "$writers" "$work/bid.json" "$platform"
  wants batch-100 && row "$backend" batch-100 "$s$ingest/bids/batch" "$writers" "$work/batch-100.json" "$platform"
  read -r _ peak <<<"$(rss_mib "$pid")"
  fact "peak_rss_$backend" "$peak"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done

if wants ingestion && [[ $backends == *postgres* ]]; then
  ingestion_comparison
fi

echo "== baseline" >&2
for document in evaluation preview-100.answer; do
  [[ -s $work/$document.json ]] || echo null >"$work/$document.json"
done
BASELINE_DOCUMENTS="evaluation=$work/evaluation.json preview-100-answer=$work/preview-100.answer.json" \
  start_baseline 18090
b=http://127.0.0.1:18090
wants healthz && row baseline healthz "$b/healthz" "$connections"
wants evaluation && row baseline evaluation "$b/documents/evaluation" "$connections"
for name in preview-10 preview-100; do
  wants "$name" && row baseline "$name" "$b/echo" "$connections" "$work/$name.json"
done
wants preview-100 && row baseline preview-100-answer "$b/documents/preview-100-answer" "$connections"
for name in bid batch-100; do
  wants "$name" && row baseline "$name" "$b/echo" "$writers" "$work/$name.json"
done
kill "$pid"

if [[ $extras == 1 ]]; then
  echo "== pgbench, start-up, engine" >&2
  pgbench_insert "$writers" "$seconds"
  fact pgbench_tps "$tps"
  fact pg_version "$(psql "$PG_URL" -Atc 'SHOW server_version' | cut -d' ' -f1)"
  fact binary_mb "$(stat -c %s "$bin" | awk '{printf "%.1f", $1 / 1e6}')"
  fact startup_ms "$(python3 "$LOAD_DIR/startup.py" "$bin" 7 | sed 's/^startup_ms //; s/ /,/g')"
  "$engine" >"$work/engine.md"
  if command -v valgrind >/dev/null; then
    { echo; "$LOAD_DIR/instructions.sh"; } >>"$work/engine.md"
  fi
  "$LOAD_DIR/memory.sh" 8 >"$work/memory.md"
fi
python3 "$LOAD_DIR/report.py" "$out" "$work/engine.md" "$work/memory.md"
