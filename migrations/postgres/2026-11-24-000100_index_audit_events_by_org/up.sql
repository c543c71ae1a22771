-- An org's chain in seq order: appending reads its last event, verifying and listing page through
-- it. Without this index those walk the whole table (every org's events) on a large log.
CREATE INDEX audit_events_org_seq ON audit_events (org_id, seq);
