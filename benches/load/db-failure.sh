#!/usr/bin/env bash
# Database failure recovery: socval on PostgreSQL (a fresh schema) under light load while the
# local PostgreSQL cluster is stopped for a few seconds and started again:
#   benches/load/db-failure.sh [outage_seconds=3]
# Reports the status codes during the outage (503 problem+json expected), the slowest answer
# against SOCVAL_DB_TIMEOUT_MS (set to 2000 here), whether the process survived, and the recovery
# time (benches/load/db_failure.py). PostgreSQL is started again on any exit: other work on this
# machine uses it, so keep the outage short.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
outage="${1:-3}"
timeout_ms=2000
need pg_ctlcluster pg_isready psql curl python3
cluster=(pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main)
restart_postgres() {
  pg_isready -h 127.0.0.1 -p 5432 -q || "${cluster[@]}" start || echo "warning: could not start PostgreSQL" >&2
  load_cleanup
}
trap restart_postgres EXIT

build_release
pg_schema
start_socval 18093 "$pg_url" SOCVAL_DB_TIMEOUT_MS="$timeout_ms"
export PLATFORM="$(token platform)" COMMERCIAL="$(token commercial)" EVALUATOR="$(token evaluator solo)"
eval "$(python3 "$LOAD_DIR/seed.py" http://127.0.0.1:18093 10)" # sets $evaluation and $ingest
python3 "$LOAD_DIR/db_failure.py" http://127.0.0.1:18093 "$PLATFORM" "$evaluation" "$ingest" "$pid" \
  "$timeout_ms" "$outage"
