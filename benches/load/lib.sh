# Shared pieces of the load scripts (compare.sh, db-failure.sh); sourced,
# not run. Every process a script starts is recorded and stopped on exit, with its temporary
# directory and any PostgreSQL schema it created.
#
# Settings (environment): SOCVAL_BENCH_DATABASE_URL (PostgreSQL for the PostgreSQL leg and
# pgbench; default postgres://postgres@127.0.0.1:5432/test), LOAD_THREADS (wrk threads, 2).

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
LOAD_DIR=benches/load
PG_URL="${SOCVAL_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
# A fixed secret (≥ 32 bytes) shared by the servers and `socval token`.
export SOCVAL_JWT_SECRET="load-test-secret-of-at-least-32-bytes!!"
export RUST_LOG="${RUST_LOG:-warn}"

work="$(mktemp -d)"
load_pids=()
load_schemas=()

load_cleanup() {
  local pid schema
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for schema in "${load_schemas[@]}"; do
    psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 \
      || echo "warning: could not drop schema $schema" >&2
  done
  rm -rf "$work"
}
trap load_cleanup EXIT

need() { # tool…
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
  done
}

# Release build of the server, the baseline and the engine table (a no-op when up to date); sets
# $bin, $baseline and $engine.
# LOAD_BIN_DIR=DIR uses the binaries in DIR instead (e.g. copies of an earlier build, to compare).
build_release() {
  local target="${LOAD_BIN_DIR:-}"
  if [[ -z $target ]]; then
    cargo build --release --quiet --bin socval --example load-baseline --example load-engine
    target="$(cargo metadata --format-version 1 --no-deps \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release"
  fi
  bin="$target/socval"
  baseline="$target/load-baseline"
  engine="$target/load-engine"
  [[ -x $baseline ]] || baseline="$target/examples/load-baseline"
  [[ -x $engine ]] || engine="$target/examples/load-engine"
}

# wait_ok URL [CURL_OPTION]: waits until URL answers 200 (any answer with -s instead of -sf),
# 10 s at most.
wait_ok() {
  local _
  for _ in $(seq 500); do curl "${2:--sf}" -o /dev/null "$1" && return 0; sleep 0.02; done
  echo "no answer from $1" >&2
  return 1
}

# start_socval PORT DATABASE_URL [VAR=value…]: a release server in the background; sets $pid.
start_socval() {
  local port="$1" url="$2"
  shift 2
  env SOCVAL_BIND="127.0.0.1:$port" DATABASE_URL="$url" "$@" "$bin" serve 2>>"$work/socval-$port.log" &
  pid=$!
  load_pids+=("$pid")
  wait_ok "http://127.0.0.1:$port/readyz"
}

# start_baseline PORT: the JSON echo yardstick in the background; sets $pid.
start_baseline() {
  BASELINE_BIND="127.0.0.1:$1" "$baseline" &
  pid=$!
  load_pids+=("$pid")
  wait_ok "http://127.0.0.1:$1/healthz" -s
}

# A fresh PostgreSQL schema, dropped on exit; sets $pg_url, the socval DATABASE_URL that uses it.
# (Not run in $(…): the schema must be recorded in this shell to be dropped.)
pg_schema() {
  local schema="socval_bench_$$_${#load_schemas[@]}"
  psql "$PG_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  load_schemas+=("$schema")
  pg_url="$PG_URL?options=-csearch_path%3D$schema"
}

# token ROLE [SUB]: a one-hour token of org `bench`.
token() { "$bin" token --role "$1" --org bench --sub "${2:-bench}" --ttl 1h; }

# drive NAME URL CONNECTIONS SECONDS [BODY_FILE] [TOKEN]: wrk GETs URL (POSTs BODY_FILE when
# given); prints "NAME rps=… p50_ms=… p99_ms=… max_ms=… non2xx=… errors=…".
drive() {
  local name="$1" url="$2" connections="$3" seconds="$4" body="${5:-}" bearer="${6:-}"
  BODY="$body" TOKEN="$bearer" wrk -t"${LOAD_THREADS:-2}" -c"$connections" -d"${seconds}s" \
    --timeout 10s -s "$LOAD_DIR/wrk.lua" "$url" | sed -n "s/^RESULT/$name/p"
}

# User + system CPU time a process has used, in clock ticks (getconf CLK_TCK a second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# VmRSS and VmHWM (peak) of a process, in MiB: "rss hwm".
rss_mib() {
  awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {printf "%.1f %.1f\n", r / 1024, h / 1024}' "/proc/$1/status"
}

# pgbench_insert CLIENTS SECONDS: sets $tps, pgbench's TPS of single-row inserts into a table of a
# fresh schema (not run in $(…), for the same reason as pg_schema).
pgbench_insert() {
  local schema="socval_pgbench_$$"
  psql "$PG_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  load_schemas+=("$schema")
  psql "$PG_URL" -qc "CREATE TABLE $schema.bids (id bigserial PRIMARY KEY, lot_id text, price text, supplier text, created_at timestamp)"
  echo "INSERT INTO $schema.bids (lot_id, price, supplier, created_at) VALUES ('lot', '98500', 'Bench Ltd', now());" >"$work/insert.sql"
  tps="$(pgbench -n -c "$1" -j 2 -T "$2" -f "$work/insert.sql" "$PG_URL" 2>/dev/null | awk '/^tps/ {print $3; exit}')"
}

machine() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/^Mem/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
