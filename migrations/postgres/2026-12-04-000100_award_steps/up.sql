-- The award as the Procurement Act 2023 runs it (issue 22): after the decision come the
-- assessment summaries and the contract award notice, whose publication starts the standstill
-- (PCR 2015: the decision notices). Each step is a row, never edited: a mistaken step is
-- corrected by a later one of the same kind that gives its reason.
--
-- `standstill_ends` is now known only once the standstill starts, so it may be NULL. Awards
-- stored before keep the date they stored (counted from the decision), never recomputed.
ALTER TABLE awards ALTER COLUMN standstill_ends DROP NOT NULL;

CREATE TABLE award_steps (
    lot_id            TEXT NOT NULL REFERENCES awards (lot_id),
    seq               INTEGER NOT NULL,
    tender_id         TEXT NOT NULL REFERENCES tenders (id),
    org_id            TEXT NOT NULL,
    -- assessment_summaries_sent | notice_published | notices_sent
    step              TEXT NOT NULL,
    -- When it happened, as the buyer states it (UTC); the law counts its UK date.
    occurred_at       TIMESTAMP NOT NULL,
    -- The tender's regime when the step was taken, so a later edit cannot move a standstill.
    regime            TEXT NOT NULL,
    -- What the step says besides its time (JSON): the bids whose summaries were sent, whether
    -- notices went electronically, the notice's id, an exemption from standstill.
    details           TEXT NOT NULL,
    -- Set when the step corrects the earlier one of its kind.
    correction_reason TEXT,
    recorded_by       TEXT NOT NULL,
    recorded_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, seq)
);
CREATE INDEX award_steps_tender ON award_steps (org_id, tender_id);
CREATE FUNCTION award_steps_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'award steps are immutable';
END;
$$;
CREATE TRIGGER award_steps_immutable BEFORE UPDATE OR DELETE ON award_steps
    FOR EACH ROW EXECUTE FUNCTION award_steps_immutable();
