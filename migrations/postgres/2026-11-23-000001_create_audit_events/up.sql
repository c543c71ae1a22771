-- The audit chain (architecture.md, "Audit chain"): one append-only chain per org.
-- hash = SHA-256(prev_hash || canonical event); the first event of an org has prev_hash = 64 zeros.
CREATE TABLE audit_events (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- Rows are never changed through the application; this refuses it at the database too.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
