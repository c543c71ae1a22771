DROP TABLE award_steps;
CREATE TABLE awards_rebuilt (
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
INSERT INTO awards_rebuilt SELECT lot_id, tender_id, org_id, evaluation_id, winner_bid_id, note,
    decided_at, COALESCE(standstill_ends, ''), awarded_by FROM awards;
DROP TABLE awards;
ALTER TABLE awards_rebuilt RENAME TO awards;
