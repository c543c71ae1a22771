-- Ledger v2, part 3 (architecture.md, "Audit chain", "Sequencing"): a write no longer takes its
-- org's chain. It inserts its events here, in its own transaction and without a lock; the
-- org's sequencer moves them into audit_events in commit order, hashing and signing each, and
-- deletes them here in the same transaction. So every committed event is in exactly one of the
-- two tables, and audit_events stays append-only.
CREATE TABLE audit_pending (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         TEXT NOT NULL,
    at             TIMESTAMP NOT NULL,
    actor_sub      TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    change         TEXT NOT NULL
);
CREATE INDEX audit_pending_org ON audit_pending (org_id, id);
CREATE INDEX audit_pending_entity ON audit_pending (org_id, entity, entity_id);
