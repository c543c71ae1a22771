#!/usr/bin/env bash
# Work memory under load, in one run (docs/performance.md, "Memory"):
#   benches/load/memory.sh [concurrent=8]
# One preview of 1,000, 2,500 and 5,000 bids × 20 criteria × 30 commitments (the documented limit),
# each on a fresh socval: peak RSS above idle beside the work memory it reserved; then `concurrent`
# at-limit previews at once, three rounds: peak RSS against SOCVAL_WORK_MEMORY_MIB (default 256)
# + 64 MiB, the answers (200, or 503 after the wait), and RSS after the burst. Bodies come from the
# engine benchmark's generator (`load-engine --body`). Also run by compare.sh (EXTRAS=1).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need curl python3
build_release
for size in 1000 2500 5000; do "$engine" --body "$size" >"$work/preview-$size.json"; done
python3 "$LOAD_DIR/memory.py" "$bin" "$work" "$(token platform)" "${1:-8}" 1000 2500 5000
