"""Work memory under load (docs/performance.md, "Memory"), called by memory.sh:

    python3 benches/load/memory.py BIN WORK_DIR TOKEN CONCURRENT SIZES…

For each size (bids × 20 criteria × 30 commitments, body WORK_DIR/preview-SIZE.json): a fresh
socval on SQLite answers one preview; the table gives its peak RSS above idle (VmHWM − VmRSS
before) beside the work memory it reserved (socval_work_memory_reservation_bytes). Then a burst:
CONCURRENT previews of the largest size at once, three rounds, RSS sampled every 10 ms, the
answers by status, and RSS 1 s and 5 s after the last round. Settings of the server come from the
environment (SOCVAL_WORK_MEMORY_MIB and the rest)."""
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

BIN, WORK, TOKEN, CONCURRENT = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
SIZES = [int(s) for s in sys.argv[5:]]
PORT = 18095
URL = f"http://127.0.0.1:{PORT}"
MIB = 1024 * 1024


def status_kib(pid, field):
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+)", text, re.M).group(1))


def start(name):
    db = WORK / f"memory-{name}.db"
    env = dict(os.environ, SOCVAL_BIND=f"127.0.0.1:{PORT}", DATABASE_URL=f"sqlite://{db}")
    log = open(WORK / f"memory-{name}.log", "w")
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=log, stdout=log)
    for _ in range(500):
        try:
            urllib.request.urlopen(f"{URL}/readyz", timeout=1)
            time.sleep(0.5)  # let start-up allocations settle
            return server
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"socval did not start; see {log.name}")


def preview(body):
    request = urllib.request.Request(f"{URL}/v1/evaluations/preview", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def reserved_bytes():
    text = urllib.request.urlopen(f"{URL}/metrics").read().decode()
    return float(re.search(r"^socval_work_memory_reservation_bytes_sum (\S+)", text, re.M).group(1))


def stop(server):
    server.terminate()
    server.wait(timeout=30)


budget = int(os.environ.get("SOCVAL_WORK_MEMORY_MIB", "256"))
print(f"Work memory budget {budget} MiB; RSS in MiB.\n")
print("| bids × 20 criteria | body MB | RSS idle | peak RSS above idle | reserved (estimate) | estimate ÷ peak |")
print("|---:|---:|---:|---:|---:|---:|")
bodies = {size: (WORK / f"preview-{size}.json").read_bytes() for size in SIZES}
for size in SIZES:
    server = start(f"one-{size}")
    idle = status_kib(server.pid, "VmRSS") / 1024
    status = preview(bodies[size])
    assert status == 200, f"{size} bids: {status}"
    peak = status_kib(server.pid, "VmHWM") / 1024 - idle
    estimate = reserved_bytes() / MIB
    print(f"| {size:,} | {len(bodies[size]) / 1e6:.1f} | {idle:.1f} | {peak:.1f} | {estimate:.1f} | {estimate / peak:.2f} |")
    stop(server)

largest = max(SIZES)
server = start("burst")
idle = status_kib(server.pid, "VmRSS") / 1024
samples, done = [], threading.Event()


def sample():
    while not done.is_set():
        samples.append(status_kib(server.pid, "VmRSS") / 1024)
        time.sleep(0.01)


sampler = threading.Thread(target=sample)
sampler.start()
statuses, started = [], time.monotonic()
with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
    for _ in range(3):
        statuses += pool.map(preview, [bodies[largest]] * CONCURRENT)
elapsed = time.monotonic() - started
done.set()
sampler.join()
time.sleep(1)
after_1s = status_kib(server.pid, "VmRSS") / 1024
time.sleep(4)
after_5s = status_kib(server.pid, "VmRSS") / 1024
counts = {s: statuses.count(s) for s in sorted(set(statuses))}
print(f"\nBurst: {CONCURRENT} concurrent previews of {largest:,} bids × 20 criteria, 3 rounds "
      f"({elapsed:.1f} s): answers {', '.join(f'{n} × {s}' for s, n in counts.items())}.\n")
print("| RSS idle | peak RSS (sampled every 10 ms) | VmHWM | budget + 64 MiB | 1 s after | 5 s after |")
print("|---:|---:|---:|---:|---:|---:|")
hwm = status_kib(server.pid, "VmHWM") / 1024
print(f"| {idle:.1f} | {max(samples):.1f} | {hwm:.1f} | {budget + 64} | {after_1s:.1f} | {after_5s:.1f} |")
stop(server)
