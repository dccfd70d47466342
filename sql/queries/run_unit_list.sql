-- The units of a run's stage done or failed among those asked for, without
-- their results.
SELECT seq, counts, coalesce(error, '') AS error, worker, seconds
FROM run_units
WHERE run_id = @run_id AND stage = @stage AND seq = ANY(@seqs::int[])
