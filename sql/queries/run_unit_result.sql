-- The result of a unit of a run's stage that is done.
SELECT result FROM run_units WHERE run_id = $1 AND stage = $2 AND seq = $3 AND error IS NULL
