"""Time from process start to the first `/readyz` 200, on a fresh SQLite file each run:

    python3 benches/load/startup.py SOCVAL_BINARY [runs=7]

Prints one line: `startup_ms median=… min=… max=… runs=…` (migrations are applied on every run)."""
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

binary = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
port = 18289
times = []
for _ in range(runs):
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, SOCVAL_BIND=f"127.0.0.1:{port}", DATABASE_URL=f"sqlite://{work}/socval.db")
        started = time.perf_counter()
        server = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
        try:
            while time.perf_counter() - started < 10:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.001)
            else:
                sys.exit("socval did not become ready within 10 s")
            times.append((time.perf_counter() - started) * 1000)
        finally:
            server.terminate()
            server.wait()
print(f"startup_ms median={statistics.median(times):.0f} min={min(times):.0f} max={max(times):.0f} runs={runs}")
