DROP TRIGGER evaluations_immutable ON evaluations;
DROP FUNCTION evaluations_immutable();
DROP TABLE evaluations;
DROP TABLE moderated_marks;
DROP TABLE marks;
DROP TABLE conflict_declarations;
DROP TABLE evaluators;
