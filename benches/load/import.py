"""Times measure-set imports of N measures (CSV) against a running socval.

    python3 benches/load/import.py BASE_URL TOKEN [measures=10000] [runs=5]

Each run imports a new version of the same generated set (sets are immutable) and the script
prints every run's wall time, then the median. The token needs the `admin` role."""
import statistics
import sys
import time
import urllib.request
import uuid

base, token = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
outcomes = ["PPN06-20:MAC2.2;PPN002:1a", "PPN06-20:MAC3.1;PPN002:O3", "PPN06-20:MAC4.1;PPN002:O4"]
lines = ["code,name,unit,proxy_value,deadweight,attribution,displacement,outcomes,description"]
for i in range(count):
    lines.append(f'M{i:05d},"Measure {i}, generated",no. units,{100 + i % 997}.25,0.1,0,0.05,'
                 f'{outcomes[i % 3]},"Generated measure number {i} for the import benchmark"')
body = ("\r\n".join(lines) + "\r\n").encode()
print(f"{count} measures, {len(body)} bytes of CSV")
times = []
for run in range(runs):
    query = f"name=bench&version={uuid.uuid4().hex}&licence=CC0-1.0&source=bench&valid_from=2026-01-01"
    request = urllib.request.Request(f"{base}/v1/measure-sets?{query}", data=body, method="POST",
                                     headers={"Content-Type": "text/csv", "Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        assert response.status == 201, response.status
    times.append(time.perf_counter() - started)
    print(f"run {run + 1}: {times[-1] * 1000:.0f} ms")
print(f"median: {statistics.median(times) * 1000:.0f} ms (target < 2000 ms)")
