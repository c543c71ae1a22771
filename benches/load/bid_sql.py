"""pgbench scripts that run the SQL socval runs for one bid submission (captured with
`log_statement = all` from `POST …/bids` with an Idempotency-Key; issue 19), against socval's own
tables in the schema it was seeded into:

    python3 benches/load/bid_sql.py OUT_DIR ORG TENDER_ID LOT_ID… [--batch 100]

Writes one script per lot (`OUT_DIR/bid-N.sql`), for `pgbench -f OUT_DIR/bid-1.sql -f …` (pgbench
picks a script at random per transaction), or with `--batch N` one transaction of N bids per lot
in multi-row inserts. Each transaction: the idempotency key's advisory lock and lookup, the lot
read `FOR SHARE` and its tender, the external-id check, the bid and its commitment, the bid read
back for its audit state, the pending audit event, the recorded response. What socval does after
the commit (chaining the event) is not in it: that is socval's own overhead, and measured as such.
The event goes into `bench_pending`, a copy of `audit_pending` (`CREATE TABLE bench_pending (LIKE
audit_pending INCLUDING ALL)`), so that socval's sequencer does not chain pgbench's events.
"""
import pathlib
import sys

CHANGE = "x" * 800  # the length of a one-commitment bid's recorded state
BODY = "x" * 450  # the length of its recorded 201 answer


def script(org, tender, lot, batch):
    rows = batch or 1
    ids = f"(SELECT 'pgb-' || :n || '-' || g FROM generate_series(1, {rows}) g)"
    return f"""\\set n random(1, 1000000000000000)
BEGIN;
SELECT pg_advisory_xact_lock(hashtext('{org}:k' || :n));
SELECT org_id, key, request_hash, status, location, body, created_at FROM idempotency_keys WHERE org_id = '{org}' AND key = 'k' || :n LIMIT 1;
SELECT * FROM lots WHERE org_id = '{org}' AND tender_id = '{tender}' AND id = '{lot}' LIMIT 1 FOR SHARE;
SELECT * FROM tenders WHERE org_id = '{org}' AND id = '{tender}' LIMIT 1;
SELECT external_id FROM bids WHERE org_id = '{org}' AND external_id = ANY('{{}}');
INSERT INTO bids (id, lot_id, org_id, supplier, price, currency, submitted_at, status, created_at, scheme_version) SELECT 'pgb-' || :n || '-' || g, '{lot}', '{org}', '{{"id":null,"name":"Supplier"}}', '98500', 'GBP', '2026-03-01T10:00:00+00:00', 'submitted', now(), 1 FROM generate_series(1, {rows}) g;
INSERT INTO commitments (bid_id, position, measure, quantity) SELECT 'pgb-' || :n || '-' || g, 0, 'SVS-CARBON-SAVED', '12' FROM generate_series(1, {rows}) g;
SELECT * FROM bids WHERE org_id = '{org}' AND id IN {ids};
SELECT * FROM commitments WHERE bid_id IN {ids} ORDER BY bid_id, position;
INSERT INTO bench_pending (org_id, at, actor_sub, actor_role, action, entity, entity_id, payload_sha256, change) SELECT '{org}', now(), 'bench', 'platform', 'submit', 'bid', 'pgb-' || :n || '-' || g, '67e5a4af3d0316ec2997d76d128c0aa340fb680b685129c5989334ed0c597025', '{CHANGE}' FROM generate_series(1, {rows}) g;
INSERT INTO idempotency_keys (org_id, key, request_hash, status, location, body, created_at) VALUES ('{org}', 'k' || :n, '96bdfc60858b0ad826c7d0e2a53be2e887dd8540e494f2e619bb857ac002bec4', 201, '/v1/tenders/{tender}/lots/{lot}/bids/pgb', '{BODY}', now());
END;
"""


def main():
    args = sys.argv[1:]
    batch = 0
    if "--batch" in args:
        at = args.index("--batch")
        batch = int(args[at + 1])
        del args[at:at + 2]
    out, org, tender, *lots = args
    directory = pathlib.Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    for n, lot in enumerate(lots, 1):
        (directory / f"bid-{n}.sql").write_text(script(org, tender, lot, batch))


main()
