ALTER TABLE lots DROP COLUMN latest_evaluation_id;
ALTER TABLE lots DROP COLUMN scheme_version;
