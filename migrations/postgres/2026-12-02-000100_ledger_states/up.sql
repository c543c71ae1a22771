-- Ledger v2 (architecture.md, "Audit chain"): each event holds the change itself, the entity's
-- new state as canonical JSON, and its payload_sha256 is the SHA-256 of that text, so the chain's
-- hash covers it. Events written before this migration keep NULL: their payload is gone.
ALTER TABLE audit_events ADD COLUMN change TEXT;
-- The Ed25519 signature (hex) of the event's hash by the key `key_id` names (docs/audit.md);
-- NULL for events written before signing, which a signed baseline checkpoint covers instead.
ALTER TABLE audit_events ADD COLUMN key_id TEXT;
ALTER TABLE audit_events ADD COLUMN signature TEXT;

-- Signed statements of an org's head: `baseline` for the head an org's pre-v2 chain had when it
-- moved, `periodic` and `on_demand` after. Kept here for reference; the ones that prove anything
-- are the copies an auditor keeps outside socval.
CREATE TABLE audit_checkpoints (
    org_id     TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    head       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL,
    kind       TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_org_seq ON audit_checkpoints (org_id, seq);

-- One row per org whose data predates ledger v2. At its first start after this migration the
-- service verifies the org's old chain, records the result and the head here, then writes one
-- `baseline` event per live entity (status becomes `done`), so verification of old rows starts
-- from that snapshot.
CREATE TABLE audit_baselines (
    org_id                    TEXT PRIMARY KEY,
    status                    TEXT NOT NULL,
    old_chain_valid           BOOLEAN,
    old_events_checked        BIGINT,
    old_head                  TEXT,
    old_first_invalid_seq     BIGINT,
    old_first_invalid_reason  TEXT,
    baseline_events           BIGINT,
    migrated_at               TIMESTAMP
);
INSERT INTO audit_baselines (org_id, status)
SELECT org_id, 'pending' FROM (
    SELECT org_id FROM audit_events
    UNION SELECT org_id FROM tenders
    UNION SELECT owner_org FROM measure_sets
) AS orgs;
