-- The award decision of a lot: which evaluation run it rests on, the winner, and when the
-- standstill period ends (8 working days, Procurement Act 2023).
CREATE TABLE awards (
    lot_id          TEXT PRIMARY KEY REFERENCES lots (id),
    tender_id       TEXT NOT NULL REFERENCES tenders (id),
    org_id          TEXT NOT NULL,
    evaluation_id   TEXT NOT NULL REFERENCES evaluations (id),
    winner_bid_id   TEXT NOT NULL REFERENCES bids (id),
    note            TEXT NOT NULL,
    decided_at      TIMESTAMP NOT NULL,
    standstill_ends TEXT NOT NULL,
    awarded_by      TEXT NOT NULL
);
