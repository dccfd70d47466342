-- The latest $1 runs, newest first.
SELECT run_id, as_of, stage, started_at, finished_at, status, coalesce(error, '') AS error, counts
FROM pipeline_runs
ORDER BY run_id DESC
LIMIT $1
