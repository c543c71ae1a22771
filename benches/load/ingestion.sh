# Bid ingestion on PostgreSQL against pgbench running the same SQL (issue 19); sourced by
# compare.sh, which has built the binaries and set $seconds, $writers, $out and the tokens.
#
# socval is seeded with 16 open lots of one org. Four cases, each run 3 times, alternating with
# pgbench running bid_sql.py's scripts on socval's own tables with as many clients:
#   lots     single bids spread over the 16 lots (pgbench: a script per lot, picked at random)
#   one      single bids into one lot
#   batch    batches of 100 bids spread over the lots (pgbench: 100-row transactions)
#   lots-2r  as lots, over two replicas sharing the schema (half the connections each)
# Every socval request carries its own Idempotency-Key, as the pgbench transaction does. Recorded
# per run as "ingest CASE RUN WHO bids_per_s=… socval_cpu_us=… machine_cpu_us=… load=…"; during
# socval's `lots` runs the active backends' wait events are sampled every 50 ms
# ("fact lock_waits_RUN LOCK/ACTIVE").

# Busy CPU ticks of the whole machine (user + nice + system + irq + softirq + steal).
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# wait_events FILE: samples the active client backends' wait event types every 50 ms over one
# connection, for one run's length; each line "TYPE COUNT" ("CPU" when not waiting).
wait_events() {
  local _
  for _ in $(seq $((seconds * 20))); do
    echo "SELECT coalesce(wait_event_type, 'CPU'), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1;"
    sleep 0.05
  done | psql "$PG_URL" -At -F ' ' >"$1" 2>/dev/null
}

# ingest_row CASE RUN WHO BIDS_PER_REQUEST COMMAND…: runs COMMAND (a wrk or pgbench run printing
# its rate on stdout) and records its bids/s with the CPU it took.
ingest_row() {
  local case="$1" run="$2" who="$3" per="$4" before_socval before_machine rate socval_ticks machine
  shift 4
  before_socval="$(socval_cpu)"
  before_machine="$(machine_ticks)"
  rate="$("$@")"
  socval_ticks=$(($(socval_cpu) - before_socval))
  machine=$(($(machine_ticks) - before_machine))
  awk -v c="$case" -v r="$run" -v w="$who" -v rate="$rate" -v per="$per" -v s="$socval_ticks" \
    -v m="$machine" -v secs="$seconds" -v hz="$(getconf CLK_TCK)" -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { bids = rate * per * secs;
             printf "ingest %s %s %s bids_per_s=%.1f socval_cpu_us=%.1f machine_cpu_us=%.1f load=%s\n",
               c, r, w, rate * per, s * 1e6 / hz / bids, m * 1e6 / hz / bids, loadavg }' | tee -a "$out" >&2
}

socval_cpu() {
  local total=0 p
  for p in "${ingest_pids[@]}"; do total=$((total + $(cpu_ticks "$p"))); done
  echo "$total"
}

# wrk_rate URL CONNECTIONS BODY LOTS RUN: requests/s of one wrk run over LOTS.
wrk_rate() {
  LOTS="$4" SUFFIX="$5" KEYED=1 RUN="$6" drive x "$1" "$2" "$seconds" "$3" "$platform" |
    sed -n 's/.*rps=\([0-9.]*\).*non2xx=\([0-9]*\) errors=\([0-9]*\).*/\1 \2 \3/p' |
    awk '{ if ($2 + $3 > 0) printf "%d failed requests\n", $2 + $3 > "/dev/stderr"; print $1 }'
}

# Two wrk runs at once, one per replica, half the connections each: their summed rate.
wrk_rate_two() {
  local a b
  wrk_rate "$1" $(($2 / 2)) "$3" "$4" "$5" "$6-a" >"$work/rate-a" &
  a=$!
  wrk_rate "$7" $(($2 / 2)) "$3" "$4" "$5" "$6-b" >"$work/rate-b"
  wait "$a"
  b="$(cat "$work/rate-b")"
  awk -v a="$(cat "$work/rate-a")" -v b="$b" 'BEGIN { print a + b }'
}

pgbench_rate() { # SCRIPT_DIR
  local scripts=() f
  for f in "$1"/bid-*.sql; do scripts+=(-f "$f"); done
  PGOPTIONS="-csearch_path=$ingest_schema" pgbench -n -c "$writers" -j 2 -T "$seconds" "${scripts[@]}" "$PG_URL" 2>/dev/null |
    awk '/^tps/ {tps = $3} END {print tps}'
}

ingestion_comparison() {
  echo "== ingestion against pgbench (PostgreSQL)" >&2
  pg_schema
  ingest_schema="${load_schemas[-1]}"
  local a=http://127.0.0.1:18094 b=http://127.0.0.1:18095 run first
  start_socval 18094 "$pg_url" SOCVAL_DB_POOL_SIZE="$writers"
  ingest_pids=("$pid")
  eval "$(python3 "$LOAD_DIR/seed.py" "$a" 10 16)" # ingest_lots, tender_id, open_lot_ids
  start_socval 18095 "$pg_url" SOCVAL_DB_POOL_SIZE="$writers"
  ingest_pids+=("$pid")
  first="${open_lot_ids%% *}"
  psql "$PG_URL" -qc "CREATE TABLE $ingest_schema.bench_pending (LIKE $ingest_schema.audit_pending INCLUDING ALL)"
  # shellcheck disable=SC2086 # the lot ids are words
  python3 "$LOAD_DIR/bid_sql.py" "$work/pgb-lots" bench "$tender_id" $open_lot_ids
  python3 "$LOAD_DIR/bid_sql.py" "$work/pgb-one" bench "$tender_id" "$first"
  # shellcheck disable=SC2086
  python3 "$LOAD_DIR/bid_sql.py" "$work/pgb-batch" bench "$tender_id" $open_lot_ids --batch 100
  local one_lot="${ingest_lots%%,*}"
  fact ingest_load_before "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
  for run in 1 2 3; do
    ingest_row lots "$run" pgbench 1 pgbench_rate "$work/pgb-lots"
    wait_events "$work/waits-$run" &
    local sampler=$!
    ingest_row lots "$run" socval 1 wrk_rate "$a/" "$writers" "$work/bid.json" "$ingest_lots" /bids "r$run-lots"
    wait "$sampler" || true
    fact "lock_waits_$run" "$(awk '$1 == "Lock" {l += $2} {t += $2} END {printf "%d/%d", l, t}' "$work/waits-$run")"
    fact "wait_types_$run" "$(awk '{n[$1] += $2} END {for (k in n) printf "%s:%d,", k, n[k]}' "$work/waits-$run")"
    ingest_row one "$run" pgbench 1 pgbench_rate "$work/pgb-one"
    ingest_row one "$run" socval 1 wrk_rate "$a/" "$writers" "$work/bid.json" "$one_lot" /bids "r$run-one"
    ingest_row batch "$run" pgbench 100 pgbench_rate "$work/pgb-batch"
    ingest_row batch "$run" socval 100 wrk_rate "$a/" "$writers" "$work/batch-100.json" "$ingest_lots" /bids/batch "r$run-batch"
    ingest_row lots-2r "$run" socval 1 wrk_rate_two "$a/" "$writers" "$work/bid.json" "$ingest_lots" /bids "r$run-2r" "$b/"
  done
  fact ingest_load_after "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
  kill "${ingest_pids[@]}"
}
