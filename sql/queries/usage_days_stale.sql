-- The usage_days tables (@prefix and a run id) of runs no longer running, other than run @run_id:
-- left by runs that died.
SELECT t.tablename FROM pg_tables t
WHERE t.schemaname = current_schema() AND t.tablename LIKE 'usage\_days\_r%'
AND NOT EXISTS (SELECT 1 FROM pipeline_runs r WHERE t.tablename = @prefix || r.run_id AND r.status = 'running' AND r.run_id <> @run_id)
