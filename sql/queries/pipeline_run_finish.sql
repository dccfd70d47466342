-- Records how a run ended, with its counts.
UPDATE pipeline_runs SET status = $2, finished_at = now(), counts = $3, error = NULLIF($4, '') WHERE run_id = $1
