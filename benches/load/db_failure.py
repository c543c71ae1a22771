"""Database failure under light load (run by db-failure.sh, which starts socval and restarts
PostgreSQL whatever happens):

    python3 benches/load/db_failure.py BASE_URL TOKEN EVALUATION_PATH INGEST_LOT_PATH SERVER_PID \\
        TIMEOUT_MS [outage_s=3] [before_s=3] [after_s=5]

Three client threads (two GET the evaluation run, one POSTs bids) run throughout; after
`before_s` PostgreSQL is stopped for `outage_s`, then started. Reports the status codes seen
during the outage, whether every error was 503 problem+json, the slowest answer against the
configured database timeout, whether the server survived, and the recovery time: from PostgreSQL
accepting connections again to the first 2xx of each kind. Exit status 1 when a check fails."""
import collections
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

base, token, evaluation, ingest, server_pid = sys.argv[1:6]
timeout_ms = int(sys.argv[6])
outage, before, after = (float(a) for a in (sys.argv[7:10] + ["3", "3", "5"][len(sys.argv[7:10]):]))
cluster = ["pg_ctlcluster", "--skip-systemctl-redirect", os.listdir("/etc/postgresql")[0], "main"]
bid = json.dumps({"supplier": {"name": "Outage Ltd"}, "price": "98500",
                  "submitted_at": "2026-03-01T10:00:00Z"}).encode()
log, lock, stop = [], threading.Lock(), threading.Event()


def client(kind):
    method, path, body = ("GET", evaluation, None) if kind == "read" else ("POST", f"{ingest}/bids", bid)
    while not stop.is_set():
        request = urllib.request.Request(base + path, data=body, method=method, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, kind_of = response.status, response.headers.get("Content-Type", "")
                response.read()
        except urllib.error.HTTPError as error:
            status, kind_of = error.code, error.headers.get("Content-Type", "")
            error.read()
        except OSError as error:  # connection refused or reset: the server is gone or hung up
            status, kind_of = 0, type(error).__name__
        ended = time.monotonic()
        with lock:
            log.append((kind, started, ended, status, kind_of))
        time.sleep(0.02)


def pg_ready():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def poll_postgres():
    """Whether PostgreSQL accepts connections, every 20 ms: when it went down and came back."""
    while not stop.is_set():
        ready = pg_ready()
        with lock:
            polls.append((time.monotonic(), ready))
        time.sleep(0.02)


polls = []
threads = [threading.Thread(target=client, args=(kind,)) for kind in ("read", "read", "write")]
threads.append(threading.Thread(target=poll_postgres))
for thread in threads:
    thread.start()
time.sleep(before)
stopped_at = time.monotonic()
subprocess.run(cluster + ["stop"], check=True)
time.sleep(outage)
start_at = time.monotonic()
subprocess.run(cluster + ["start"], check=True)
while not pg_ready():
    time.sleep(0.01)
time.sleep(after)
stop.set()
for thread in threads:
    thread.join()
down_at = min((t for t, ready in polls if t >= stopped_at and not ready), default=stopped_at)
up_at = min((t for t, ready in polls if t >= down_at and ready), default=time.monotonic())

alive = os.path.exists(f"/proc/{server_pid}")
failures = []
print(f"PostgreSQL stopped after {before:.0f} s of load; it refused connections for "
      f"{up_at - down_at:.2f} s (pg_isready every 20 ms; the restart command began "
      f"{start_at - down_at:.2f} s into that); SOCVAL_DB_TIMEOUT_MS={timeout_ms}")
during = [entry for entry in log if down_at <= entry[1] < up_at]
codes = collections.Counter(status for _, _, _, status, _ in during)
print(f"requests started while PostgreSQL was down: {len(during)}; status codes {dict(sorted(codes.items()))}")
bad = [e for e in during if not (200 <= e[3] < 300 or (e[3] == 503 and e[4].startswith("application/problem+json")))]
if bad:
    failures.append(f"{len(bad)} answers were neither 2xx nor 503 problem+json: "
                    f"{collections.Counter((e[3], e[4]) for e in bad)}")
waits = sorted((e[2] - e[1]) * 1000 for e in during if e[3] == 503)
if waits:
    print(f"503 answers: all application/problem+json: {'yes' if not bad else 'NO'}; latency min "
          f"{waits[0]:.0f} ms, median {waits[len(waits) // 2]:.0f} ms, max {waits[-1]:.0f} ms")
slowest = max((e[2] - e[1] for e in log), default=0) * 1000
print(f"slowest answer of the whole run: {slowest:.0f} ms (timeout {timeout_ms} ms)")
if slowest > timeout_ms * 1.5 + 500:
    failures.append(f"an answer took {slowest:.0f} ms, well past the {timeout_ms} ms timeout")
if not waits:
    failures.append("no 503 while PostgreSQL was down")
for kind in ("read", "write"):
    first_ok = min((e[2] for e in log if e[0] == kind and e[2] >= up_at and 200 <= e[3] < 300), default=None)
    if first_ok is None:
        failures.append(f"no {kind} succeeded within {after:.0f} s of PostgreSQL's return")
    else:
        print(f"recovery ({kind}s): first 2xx {(first_ok - up_at) * 1000:.0f} ms after PostgreSQL accepted connections")
print(f"server process alive at the end: {'yes' if alive else 'NO'}; {len(log)} requests in all")
if not alive:
    failures.append("the server died")
for failure in failures:
    print(f"FAILED: {failure}")
sys.exit(1 if failures else 0)
