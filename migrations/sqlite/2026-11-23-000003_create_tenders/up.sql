-- Tenders, lots, versioned schemes, bids and their commitments. Every row carries org_id and every
-- query filters on it. Decimals are exact TEXT; `version` columns back the ETag of mutable rows.
CREATE TABLE tenders (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL,
    external_id        TEXT,
    ocid               TEXT,
    title              TEXT NOT NULL,
    buyer              TEXT NOT NULL,
    authority_type     TEXT NOT NULL,
    framework          TEXT NOT NULL,
    measure_set        TEXT NOT NULL,
    currency           TEXT NOT NULL,
    value              TEXT,
    procurement_regime TEXT NOT NULL,
    version            INTEGER NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (org_id, external_id)
);
CREATE INDEX tenders_org ON tenders (org_id, id);

CREATE TABLE lots (
    id          TEXT PRIMARY KEY,
    tender_id   TEXT NOT NULL REFERENCES tenders (id),
    org_id      TEXT NOT NULL,
    external_id TEXT,
    title       TEXT NOT NULL,
    value       TEXT,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, external_id)
);
CREATE INDEX lots_tender ON lots (tender_id, id);

-- Each PUT of a lot's scheme is a new version; evaluations name the version they used.
CREATE TABLE schemes (
    lot_id     TEXT NOT NULL REFERENCES lots (id),
    version    INTEGER NOT NULL,
    org_id     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, version)
);

CREATE TABLE bids (
    id           TEXT PRIMARY KEY,
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    org_id       TEXT NOT NULL,
    external_id  TEXT,
    supplier     TEXT NOT NULL,
    price        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    UNIQUE (org_id, external_id)
);
CREATE INDEX bids_lot ON bids (lot_id, id);

-- A commitment names a measure, or is free text waiting for a person to confirm its measure.
CREATE TABLE commitments (
    bid_id       TEXT NOT NULL REFERENCES bids (id),
    position     INTEGER NOT NULL,
    measure      TEXT,
    quantity     TEXT,
    description  TEXT,
    unit         TEXT,
    confirmed_by TEXT,
    confirmed_at TIMESTAMP,
    PRIMARY KEY (bid_id, position)
);

-- The first response to each Idempotency-Key, replayed for retries with the same body.
CREATE TABLE idempotency_keys (
    org_id       TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    location     TEXT,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, key)
);
