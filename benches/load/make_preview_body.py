"""Prints a preview request with N bids (argv[1]) on the worked example's scheme: every bid has
marks for the scored criteria and three commitments, prices and marks vary so ranking has work."""
import json
import pathlib
import sys

count = int(sys.argv[1])
example = json.loads((pathlib.Path(__file__).parents[2] / "tests/golden/worked_example.json").read_text())
template = example["bids"][0]
bids = []
for i in range(count):
    bid = json.loads(json.dumps(template))
    bid["id"] = f"bid-{i:05d}"
    bid["price"] = str(80_000 + (i * 7919) % 40_000)
    for key in bid.get("marks", {}):
        bid["marks"][key] = str(40 + (i * 13) % 61)
    for commitment in bid.get("commitments", []):
        commitment["quantity"] = str(1 + i % 17)
    bid["commitments"] = bid.get("commitments", []) * 3
    bids.append(bid)
example["bids"] = bids
json.dump(example, sys.stdout)
