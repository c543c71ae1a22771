DROP TABLE audit_baselines;
DROP TABLE audit_checkpoints;
ALTER TABLE audit_events DROP COLUMN signature;
ALTER TABLE audit_events DROP COLUMN key_id;
ALTER TABLE audit_events DROP COLUMN change;
