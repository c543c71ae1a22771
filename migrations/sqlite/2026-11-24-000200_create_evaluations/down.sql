DROP TRIGGER evaluations_no_delete;
DROP TRIGGER evaluations_no_update;
DROP TABLE evaluations;
DROP TABLE moderated_marks;
DROP TABLE marks;
DROP TABLE conflict_declarations;
DROP TABLE evaluators;
