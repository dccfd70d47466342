-- Records how a run ended, with its counts.
UPDATE pipeline_runs SET status = @status, finished_at = now(), counts = @counts, error = NULLIF(@error, '') WHERE run_id = @run_id
