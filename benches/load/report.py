"""The markdown report of compare.sh, from its results file (and the engine table, if any):

    python3 benches/load/report.py RESULTS [ENGINE_TABLE]

RESULTS lines: `BACKEND ROW rps=… p50_ms=… p99_ms=… max_ms=… non2xx=… errors=… cpu_ticks=…` per
wrk run,
`fact KEY VALUE` for the other figures."""
import pathlib
import sys

LABELS = {
    "healthz": ("`GET /healthz`", "healthz"),
    "preview-10": ("`POST /v1/evaluations/preview`, 10 bids", "preview-10"),
    "preview-100": ("`POST /v1/evaluations/preview`, 100 bids", "preview-100"),
    "evaluation": ("`GET …/evaluations/{run}` (100 bids)", "evaluation"),
    "bid": ("`POST …/bids` (one bid)", "bid"),
    "batch-100": ("`POST …/bids/batch` (100 bids)", "batch-100"),
}
BIDS_PER_REQUEST = {"bid": 1, "batch-100": 100}
BACKENDS = [("sqlite", "SQLite"), ("postgres", "PostgreSQL")]

runs, facts = {}, {}
for line in pathlib.Path(sys.argv[1]).read_text().splitlines():
    parts = line.split()
    if parts[0] == "fact":
        facts[parts[1]] = " ".join(parts[2:])
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


for row, (label, base_row) in LABELS.items():
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
if len(sys.argv) > 2 and pathlib.Path(sys.argv[2]).exists():
    print("\nEngine scaling (20 criteria, 30 commitments a bid; median):\n")
    print(pathlib.Path(sys.argv[2]).read_text().rstrip())
