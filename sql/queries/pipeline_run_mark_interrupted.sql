-- Records as failed a run whose process is gone (its liveness lock is free).
UPDATE pipeline_runs SET status = 'failed', finished_at = now(),
    error = 'interrupted: the process stopped before the run finished'
WHERE run_id = $1 AND status = 'running'
