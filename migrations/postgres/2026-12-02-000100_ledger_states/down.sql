DROP TABLE audit_baselines;
ALTER TABLE audit_events DROP COLUMN change;
