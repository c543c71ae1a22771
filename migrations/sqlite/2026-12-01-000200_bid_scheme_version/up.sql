-- Each bid records the version of its lot's scheme it was submitted against, so a scheme replaced
-- after bids came in is visible per bid. Bids stored before this column get their lot's current
-- version: what was in force when they were submitted is not known for them.
ALTER TABLE bids ADD COLUMN scheme_version INTEGER NOT NULL DEFAULT 0;
UPDATE bids SET scheme_version = COALESCE(
    (SELECT lots.scheme_version FROM lots WHERE lots.id = bids.lot_id), 0);
