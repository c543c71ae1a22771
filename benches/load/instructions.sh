#!/usr/bin/env bash
# Instructions per bid of the engine, counted by valgrind (repeatable on a shared machine, unlike
# time): `scoring::evaluate` of 1,000 bids × 20 criteria × 30 commitments, in the criterion
# benchmark's timed iterations (benches/engine.rs), divided by the calls and the bids.
#   benches/load/instructions.sh [ENGINE_BENCH_BINARY]
# Also run by compare.sh (EXTRAS=1) when valgrind is installed. Prints one markdown line.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary="${1:-}"
if [[ -z $binary ]]; then
  binary="$(cargo bench --bench engine --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable") and m["target"]["name"] == "engine"][0])')"
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" --bench evaluate --profile-time 1 >/dev/null 2>&1
callgrind_annotate --inclusive=yes --tree=caller "$out" 2>/dev/null | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
for i, line in enumerate(lines):
    if re.search(r"\*\s+\S*socval::scoring::evaluate \[", line):
        for caller in lines[max(0, i - 4):i]:
            m = re.match(r"\s*([\d,]+) .*Bencher<M>::iter \((\d+)x\)", caller)
            if m:
                per_call = int(m.group(1).replace(",", "")) / int(m.group(2))
                print(f"- engine, instructions (valgrind --tool=callgrind): {per_call / 1e6:.2f} M per evaluate of 1,000 bids, "
                      f"{per_call / 1000:,.0f} per bid ({m.group(2)} timed calls)")
                sys.exit(0)
sys.exit("scoring::evaluate not found in the profile")
'
