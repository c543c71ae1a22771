-- The audit chain (architecture.md, "Audit chain"): one append-only chain per org.
-- hash = SHA-256(prev_hash || canonical event); the first event of an org has prev_hash = 64 zeros.
CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         TEXT NOT NULL,
    at             TIMESTAMP NOT NULL,
    actor_sub      TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    -- Two writers appending after the same event would fork the chain: the second one fails and retries.
    UNIQUE (org_id, prev_hash)
);
CREATE INDEX audit_events_org_entity ON audit_events (org_id, entity, entity_id);

-- Rows are never changed through the application; these refuse it at the database too.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
