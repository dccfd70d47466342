-- Runs still marked running other than $1: alive, or interrupted.
SELECT run_id FROM pipeline_runs WHERE status = 'running' AND run_id <> $1
