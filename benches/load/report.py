"""The markdown report of compare.sh, from its results file (and the engine and memory tables):

    python3 benches/load/report.py RESULTS [ENGINE_TABLE [MEMORY_TABLE]]

RESULTS lines: `BACKEND ROW rps=… p50_ms=… p99_ms=… max_ms=… non2xx=… errors=… cpu_ticks=…` per
wrk run, `ingest CASE RUN WHO bids_per_s=… socval_cpu_us=… machine_cpu_us=… load=…` per
ingestion run (benches/load/ingestion.sh), `fact KEY VALUE` for the other figures."""
import pathlib
import statistics
import sys

# (socval's row, label, the baseline's row it is compared with, the ratio targeted)
LABELS = [
    ("healthz", "`GET /healthz`", "healthz", None),
    ("preview-10", "`POST /v1/evaluations/preview`, 10 bids (÷ echo of its body)", "preview-10", 0.60),
    ("preview-100", "`POST /v1/evaluations/preview`, 100 bids (÷ echo of its body)", "preview-100", None),
    ("preview-100", "the same (÷ the baseline serving its answer)", "preview-100-answer", 0.60),
    ("evaluation", "`GET …/evaluations/{run}` (100 bids, ÷ the same document)", "evaluation", 0.50),
    ("bid", "`POST …/bids` (one bid)", "bid", None),
    ("batch-100", "`POST …/bids/batch` (100 bids)", "batch-100", None),
]
BIDS_PER_REQUEST = {"bid": 1, "batch-100": 100}
BACKENDS = [("sqlite", "SQLite"), ("postgres", "PostgreSQL")]

runs, facts, ingest = {}, {}, {}
for line in pathlib.Path(sys.argv[1]).read_text().splitlines():
    parts = line.split()
    if parts[0] == "fact":
        facts[parts[1]] = " ".join(parts[2:])
    elif parts[0] == "ingest":
        values = dict(p.split("=") for p in parts[4:])
        ingest.setdefault((parts[1], parts[3]), {})[parts[2]] = values
    else:
        runs[(parts[0], parts[1])] = {k: float(v) for k, v in (p.split("=") for p in parts[2:])}

backends = [(key, name) for key, name in BACKENDS if any(b == key for b, _ in runs)]
seconds, tick = float(facts.get("seconds", 1)), 1 / float(facts.get("clk_tck", 100))
machine = facts.get("machine", "").replace("_", " ")
print(f"Machine: {machine}; wrk on loopback, {facts.get('seconds')} s per row, "
      f"{facts.get('connections')} connections (ingestion: {facts.get('writers')}, also socval's pool size). "
      "ratio: socval's req/s ÷ the baseline's; CPU: the server's CPU time per request, and the "
      "baseline's ÷ socval's (less sensitive than req/s to other work on the machine).\n")
print("| request | baseline req/s (p50 / p99 ms) | CPU µs/req |" + "".join(
    f" {name} req/s | p50 / p99 ms | ratio | CPU µs/req | CPU ratio |" for _, name in backends))
print("|---|---:|---:|" + "---:|---:|---:|---:|---:|" * len(backends))


def cpu_us(run):
    requests = run["rps"] * seconds
    return run["cpu_ticks"] * tick * 1e6 / requests if requests else float("nan")


def cell(run):
    bad = int(run["non2xx"] + run["errors"])
    note = f" ({bad} failed)" if bad else ""
    return f"{run['rps']:,.0f}{note}", f"{run['p50_ms']:.1f} / {run['p99_ms']:.1f}"


for row, label, base_row, target in LABELS:
    if not any(r == row for _, r in runs):
        continue
    base = runs.get(("baseline", base_row))
    line = f"| {label} | " + (f"{cell(base)[0]} ({cell(base)[1]}) | {cpu_us(base):,.0f}" if base else "— | —") + " |"
    for key, _ in backends:
        run = runs.get((key, row))
        if run is None:
            line += " — | — | — | — | — |"
            continue
        rps, latency = cell(run)
        ratio = f"{run['rps'] / base['rps']:.2f}" if base else "—"
        if base and target:
            ratio += f" (≥ {target:.2f} {'met' if run['rps'] / base['rps'] >= target else 'MISSED'})"
        cpu_ratio = f"{cpu_us(base) / cpu_us(run):.2f}" if base else "—"
        line += f" {rps} | {latency} | {ratio} | {cpu_us(run):,.0f} | {cpu_ratio} |"
    print(line)

tps = float(facts["pgbench_tps"]) if facts.get("pgbench_tps") else None
print()
for key, name in backends:
    for row, per in BIDS_PER_REQUEST.items():
        run = runs.get((key, row))
        if run:
            bids = run["rps"] * per
            versus = f", {bids / tps:.3f} of pgbench" if tps and key == "postgres" else ""
            print(f"- {name}, {row}: {bids:,.0f} bids/s{versus}")
if tps:
    print(f"- pgbench simple insert (PostgreSQL {facts.get('pg_version', '?')}, {facts.get('writers')} clients): {tps:,.0f} TPS")
for key, name in backends:
    if f"idle_rss_{key}" in facts:
        print(f"- RSS on {name}: idle {facts[f'idle_rss_{key}']} MiB, peak under load (VmHWM) {facts.get(f'peak_rss_{key}')} MiB")
if "binary_mb" in facts:
    print(f"- binary size: {facts['binary_mb']} MB")
if "startup_ms" in facts:
    print(f"- start → `/readyz` 200 on a fresh SQLite file (ms): {facts['startup_ms'].replace(',', ', ')}")
INGEST_CASES = [
    ("lots", "single bids over 16 open lots of one org", "lots", 0.50),
    ("one", "single bids into one lot", "one", 0.25),
    ("batch", "batches of 100 bids over the 16 lots (bids/s)", "batch", 0.80),
    ("lots-2r", "single bids over 16 lots, two replicas", "lots", None),
]
if ingest:
    print("\nBid ingestion on PostgreSQL against pgbench running the same SQL (benches/load/bid_sql.py), "
          f"{facts.get('writers')} clients each; median of 3 alternating runs (load average before "
          f"{facts.get('ingest_load_before', '?').replace(',', ' ')}, after "
          f"{facts.get('ingest_load_after', '?').replace(',', ' ')}). CPU per bid: socval's process(es), and the "
          "whole machine's (database and load generator included).\n")
    print("| case | pgbench bids/s | socval bids/s | ratio (target) | socval CPU µs/bid | machine CPU µs/bid: pgbench / socval |")
    print("|---|---:|---:|---:|---:|---:|")
    median = lambda rows, key: statistics.median(float(r[key]) for r in rows.values())
    for case, label, versus, target in INGEST_CASES:
        mine, theirs = ingest.get((case, "socval")), ingest.get((versus, "pgbench"))
        if not mine or not theirs:
            continue
        ratios = [float(mine[r]["bids_per_s"]) / float(theirs[r]["bids_per_s"]) for r in mine if r in theirs]
        ratio = statistics.median(ratios)
        goal = f" (≥ {target:.2f} {'met' if ratio >= target else 'MISSED'})" if target else ""
        print(f"| {label} | {median(theirs, 'bids_per_s'):,.0f} | {median(mine, 'bids_per_s'):,.0f} | "
              f"{ratio:.2f}{goal} | {median(mine, 'socval_cpu_us'):,.0f} | "
              f"{median(theirs, 'machine_cpu_us'):,.0f} / {median(mine, 'machine_cpu_us'):,.0f} |")
    waits = [facts[k] for k in sorted(facts) if k.startswith("lock_waits_")]
    if waits:
        print(f"\n- sampled active backends waiting on a heavyweight lock during socval's 16-lot runs "
              f"(every 50 ms; waiting/active): {', '.join(waits)}; all wait types: "
              + "; ".join(facts[k].rstrip(',') for k in sorted(facts) if k.startswith("wait_types_")))
if len(sys.argv) > 2 and pathlib.Path(sys.argv[2]).exists():
    print("\nEngine scaling (20 criteria, 30 commitments a bid; median):\n")
    print(pathlib.Path(sys.argv[2]).read_text().rstrip())
if len(sys.argv) > 3 and pathlib.Path(sys.argv[3]).exists():
    print("\nWork memory (benches/load/memory.sh):\n")
    print(pathlib.Path(sys.argv[3]).read_text().rstrip())
