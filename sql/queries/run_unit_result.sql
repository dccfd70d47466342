-- The result of a unit of a run's stage that is done.
SELECT result FROM run_units WHERE run_id = @run_id AND stage = @stage AND seq = @seq AND error IS NULL
