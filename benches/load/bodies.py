"""Request bodies of the load benchmarks, written into DIR:

    python3 benches/load/bodies.py DIR

- preview-10.json, preview-100.json: preview requests on the worked example's scheme; every bid has
  marks for the scored criteria and three commitments; prices and marks vary so ranking has work;
- bid.json: one bid for `POST …/bids`; batch-100.json: a hundred of them for `POST …/bids/batch`."""
import json
import pathlib
import sys


def preview(example, count):
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
    return dict(example, bids=bids)


out = pathlib.Path(sys.argv[1])
example = json.loads((pathlib.Path(__file__).parents[2] / "tests/golden/worked_example.json").read_text())
for count in (10, 100):
    (out / f"preview-{count}.json").write_text(json.dumps(preview(example, count)))
bid = {"supplier": {"name": "Bench Ltd"}, "price": "98500", "submitted_at": "2026-03-01T10:00:00Z",
       "commitments": [{"measure": "SVS-CARBON-SAVED", "quantity": "12"},
                       {"description": "apprentices from the local area", "quantity": 4}]}
(out / "bid.json").write_text(json.dumps(bid))
(out / "batch-100.json").write_text(json.dumps({"bids": [bid] * 100}))
