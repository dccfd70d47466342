-- The units of a run's stage done or failed among those asked for, without
-- their results.
SELECT seq, counts, coalesce(error, '') AS error, worker, seconds
FROM run_units
WHERE run_id = $1 AND stage = $2 AND seq = ANY($3::int[])
