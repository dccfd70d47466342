-- Whether a run is still in progress: a unit of a run that ended is not worked.
SELECT EXISTS (SELECT 1 FROM pipeline_runs WHERE run_id = $1 AND status = 'running')
