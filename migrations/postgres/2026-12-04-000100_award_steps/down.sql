DROP TRIGGER award_steps_immutable ON award_steps;
DROP FUNCTION award_steps_immutable();
DROP TABLE award_steps;
UPDATE awards SET standstill_ends = '' WHERE standstill_ends IS NULL;
ALTER TABLE awards ALTER COLUMN standstill_ends SET NOT NULL;
