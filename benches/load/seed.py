"""Seeds a running socval through its API for the load benchmarks and prints two paths:

    PLATFORM=… COMMERCIAL=… EVALUATOR=… python3 benches/load/seed.py BASE_URL [bids=100] [open=1]

A tender with 1 + `open` lots on one scheme (price 60, quality 30, qualitative social value 10):
- lot 1 gets `bids` bids, closed, marked by one evaluator (whose token's sub is `solo`) and
  evaluated once: prints `evaluation=/v1/tenders/…/lots/…/evaluations/RUN` (what a GET reads);
- the others stay open for ingestion: prints `ingest=/v1/tenders/…/lots/…` (the first of them),
  `ingest_lots=PATH,PATH,…` (all of them), `tender_id=…` and `open_lot_ids="ID ID …"`.
The tokens are bearer tokens of roles platform, commercial and evaluator, all of one org."""
import json
import os
import sys
import urllib.request

base = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
open_lots = int(sys.argv[3]) if len(sys.argv) > 3 else 1
tokens = {role: os.environ[role.upper()] for role in ("platform", "commercial", "evaluator")}


def call(method, path, body=None, role="platform", expect=(200, 201)):
    request = urllib.request.Request(
        base + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {tokens[role]}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status in expect, (method, path, response.status)
        return json.load(response)


tender = call("POST", "/v1/tenders", {
    "title": "Load benchmark", "buyer": "Department for Benchmarks",
    "authority_type": "central_government", "procurement_regime": "procurement_act_2023",
    "value": "1200000",
    "lots": [{"title": "Evaluated"}] + [{"title": f"Ingestion {n}"} for n in range(1, open_lots + 1)]})
lots = [f"/v1/tenders/{tender['id']}/lots/{lot['id']}" for lot in tender["lots"]]
scheme = {"authority_type": "central_government", "criteria": [
    {"id": "price", "type": "price", "weight": 60},
    {"id": "q1", "type": "quality", "weight": 30, "scale": {"min": 0, "max": 100}},
    {"id": "sv", "type": "social_value", "weight": 10, "outcome": "PPN002:1a",
     "method": "qualitative", "scale": {"min": 0, "max": 100}}]}
for lot in lots:
    call("PUT", f"{lot}/scheme", scheme)
    call("POST", f"{lot}/open")

evaluated = lots[0]
bids = [{"supplier": {"name": f"Supplier {i}"}, "price": str(80_000 + (i * 7919) % 40_000),
         "submitted_at": "2026-03-01T10:00:00Z",
         "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": str(1 + i % 17)}]}
        for i in range(count)]
created = call("POST", f"{evaluated}/bids/batch", {"bids": bids})
ids = [bid["id"] for bid in created["items"]]
call("POST", f"{evaluated}/close")
call("POST", f"{evaluated}/evaluators", {"sub": "solo"}, role="commercial")
call("POST", f"{evaluated}/conflict-declarations", {"conflict": False, "details": "none"}, role="evaluator")
for i, bid in enumerate(ids):
    for criterion in ("q1", "sv"):
        call("PUT", f"{evaluated}/bids/{bid}/marks/{criterion}",
             {"score": 40 + (i * 13) % 61, "rationale": "evidence in section 3"}, role="evaluator")
run = call("POST", f"{evaluated}/evaluations")
print(f"evaluation={evaluated}/evaluations/{run['id']}")
print(f"ingest={lots[1]}")
print(f"ingest_lots={','.join(lots[1:])}")
print(f"tender_id={tender['id']}")
print(f"open_lot_ids=\"{' '.join(lot['id'] for lot in tender['lots'][1:])}\"")
