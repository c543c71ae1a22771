#!/usr/bin/env bash
# Preview throughput against the JSON echo baseline, in one run on this machine:
#   benches/load/preview.sh [bids=100] [seconds=20] [connections=64]
# Builds both release binaries, starts them on loopback (socval on a fresh SQLite file), drives
# each with wrk for the same time and connections, and prints requests/s, p50/p99 and the ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
bids="${1:-100}"; seconds="${2:-20}"; connections="${3:-64}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet --bin socval --example load-baseline
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 benches/load/make_preview_body.py "$bids" > "$work/preview.json"
export SOCVAL_JWT_SECRET="load-test-secret-of-at-least-32-bytes!!"
SOCVAL_BIND=127.0.0.1:18091 DATABASE_URL="sqlite://$work/socval.db" RUST_LOG=warn \
  "$target_dir/release/socval" serve 2>"$work/socval.log" &
BASELINE_BIND=127.0.0.1:18090 "$target_dir/release/examples/load-baseline" &
for port in 18090 18091; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
done
token="$("$target_dir/release/socval" token --role platform --org load --ttl 1h)"

run() { # name url token
  BODY="$work/preview.json" TOKEN="$3" wrk -t2 -c"$connections" -d"${seconds}s" -s benches/load/post.lua "$2" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "body: $bids bids, $(wc -c < "$work/preview.json") bytes; wrk -t2 -c$connections -d${seconds}s"
base="$(run baseline http://127.0.0.1:18090/echo "")"
prev="$(run preview http://127.0.0.1:18091/v1/evaluations/preview "$token")"
echo "$base"; echo "$prev"
python3 - "$base" "$prev" <<'PY'
import sys
rps = [float(line.split("rps=")[1].split()[0]) for line in sys.argv[1:]]
print(f"preview / baseline requests per second: {rps[1] / rps[0]:.2f} (target >= 0.60)")
PY
