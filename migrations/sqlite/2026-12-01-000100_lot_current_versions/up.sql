-- The lot row names its current scheme version and its newest evaluation run, so the writes that
-- depend on them read them under the lot's row lock: a scheme PUT writes scheme_version + 1 (two
-- concurrent PUTs can never compute the same version), a run sets latest_evaluation_id, and an
-- award compares its run with it (an award can never rest on a run that a newer one superseded,
-- whatever the replicas' clocks say about the runs' ids).
ALTER TABLE lots ADD COLUMN scheme_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lots ADD COLUMN latest_evaluation_id TEXT;
UPDATE lots SET
    scheme_version = COALESCE((SELECT MAX(version) FROM schemes WHERE schemes.lot_id = lots.id), 0),
    latest_evaluation_id = (SELECT MAX(id) FROM evaluations WHERE evaluations.lot_id = lots.id);
