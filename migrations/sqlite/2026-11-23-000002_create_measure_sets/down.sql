DROP TABLE measures;
DROP TABLE measure_sets;
