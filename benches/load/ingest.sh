#!/usr/bin/env bash
# Bid ingestion on PostgreSQL beside pgbench's simple-insert TPS on the same server, in one run:
#   benches/load/ingest.sh [seconds=15] [clients=16]
# socval gets a private schema (dropped afterwards) and a pool as large as the client count;
# pgbench inserts single rows into a table of that schema with the same number of clients.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-15}"; clients="${2:-16}"
db="${SOCVAL_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
command -v wrk >/dev/null && command -v pgbench >/dev/null || { echo "needs wrk and pgbench" >&2; exit 1; }

cargo build --release --quiet --bin socval
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
schema="socval_bench_$$"
work="$(mktemp -d)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; psql "$db" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
psql "$db" -qc "CREATE SCHEMA $schema"

export SOCVAL_JWT_SECRET="load-test-secret-of-at-least-32-bytes!!"
SOCVAL_BIND=127.0.0.1:18092 SOCVAL_DB_POOL_SIZE="$clients" \
  DATABASE_URL="$db?options=-csearch_path%3D$schema" "$target_dir/release/socval" serve 2>"$work/socval.log" &
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18092/readyz && break; sleep 0.1; done
token="$("$target_dir/release/socval" token --role platform --org bench --ttl 1h)"
api() { curl -sf -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+--data "$3"} "http://127.0.0.1:18092$2"; }

ids="$(api POST /v1/tenders '{"title":"bench","buyer":"b","authority_type":"other","procurement_regime":"procurement_act_2023","lots":[{"title":"l"}]}' \
  | python3 -c 'import json,sys; t=json.load(sys.stdin); print(t["id"], t["lots"][0]["id"])')"
read -r tender lot <<<"$ids"
lot_path="/v1/tenders/$tender/lots/$lot"
api PUT "$lot_path/scheme" '{"authority_type":"other","criteria":[{"id":"p","type":"price","weight":90},{"id":"sv","type":"social_value","weight":10,"outcome":"PPN002:1a","method":"qualitative","scale":{"min":0,"max":10}}]}' >/dev/null
api POST "$lot_path/open" >/dev/null

python3 - "$work" <<'PY'
import json, sys
bid = {"supplier": {"name": "Bench Ltd"}, "price": "98500", "submitted_at": "2026-03-01T10:00:00Z",
       "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "12"},
                       {"description": "apprentices from the local area", "quantity": 4}]}
json.dump(bid, open(f"{sys.argv[1]}/bid.json", "w"))
json.dump({"bids": [bid] * 100}, open(f"{sys.argv[1]}/batch.json", "w"))
PY
run() { # name path body
  BODY="$3" TOKEN="$token" wrk -t2 -c"$clients" -d"${seconds}s" -s benches/load/post.lua "http://127.0.0.1:18092$2" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}
echo "machine: $(nproc) cores; PostgreSQL $(psql "$db" -Atc 'SHOW server_version'); $clients clients, ${seconds}s each"
single="$(run single-bid "$lot_path/bids" "$work/bid.json")"
batch="$(run batch-100 "$lot_path/bids/batch" "$work/batch.json")"

psql "$db" -qc "CREATE TABLE $schema.pgbench_bids (id bigserial PRIMARY KEY, lot_id text, price text, supplier text, created_at timestamp)"
echo "INSERT INTO $schema.pgbench_bids (lot_id, price, supplier, created_at) VALUES ('lot', '98500', 'Bench Ltd', now());" > "$work/insert.sql"
tps="$(pgbench -n -c "$clients" -j 2 -T "$seconds" -f "$work/insert.sql" "$db" 2>/dev/null | awk '/^tps/ {print $3; exit}')"
echo "$single"; echo "$batch"; echo "pgbench simple insert: tps=$tps"
python3 - "$single" "$batch" "$tps" <<'PY'
import sys
rps = lambda line: float(line.split("rps=")[1].split()[0])
single, batch, tps = rps(sys.argv[1]), rps(sys.argv[2]) * 100, float(sys.argv[3])
print(f"bids/s single {single:.0f} ({single / tps:.2f} of pgbench, target >= 0.50); batch {batch:.0f} ({batch / tps:.2f} of pgbench)")
PY
