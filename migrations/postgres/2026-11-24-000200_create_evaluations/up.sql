-- The evaluation side: who evaluates a lot, their declarations of interest, their marks, the
-- moderated (consensus) marks, and the immutable record of every evaluation run.
CREATE TABLE evaluators (
    lot_id      TEXT NOT NULL REFERENCES lots (id),
    sub         TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, sub)
);

CREATE TABLE conflict_declarations (
    id            TEXT PRIMARY KEY,
    lot_id        TEXT NOT NULL REFERENCES lots (id),
    org_id        TEXT NOT NULL,
    evaluator_sub TEXT NOT NULL,
    conflict      BOOLEAN NOT NULL,
    bid_id        TEXT,
    details       TEXT NOT NULL,
    declared_at   TIMESTAMP NOT NULL
);
CREATE INDEX conflict_declarations_lot ON conflict_declarations (lot_id, evaluator_sub);

CREATE TABLE marks (
    lot_id        TEXT NOT NULL REFERENCES lots (id),
    bid_id        TEXT NOT NULL REFERENCES bids (id),
    criterion_id  TEXT NOT NULL,
    evaluator_sub TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    score         TEXT NOT NULL,
    rationale     TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, bid_id, criterion_id, evaluator_sub)
);

CREATE TABLE moderated_marks (
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    bid_id       TEXT NOT NULL REFERENCES bids (id),
    criterion_id TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    score        TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    moderated_by TEXT NOT NULL,
    moderated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, bid_id, criterion_id)
);

-- A run is never changed: its inputs (JSON), their hash, the engine version and the result.
CREATE TABLE evaluations (
    id             TEXT PRIMARY KEY,
    lot_id         TEXT NOT NULL REFERENCES lots (id),
    tender_id      TEXT NOT NULL REFERENCES tenders (id),
    org_id         TEXT NOT NULL,
    scheme_version INTEGER NOT NULL,
    inputs         TEXT NOT NULL,
    inputs_sha256  TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    result         TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_lot ON evaluations (lot_id, id);
CREATE FUNCTION evaluations_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evaluations are immutable';
END;
$$;
CREATE TRIGGER evaluations_immutable BEFORE UPDATE OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION evaluations_immutable();
