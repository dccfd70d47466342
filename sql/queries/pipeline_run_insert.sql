-- Records a run as it starts; its status is running until it ends.
INSERT INTO pipeline_runs (as_of, stage, job) VALUES ($1, $2, NULLIF($3, '')) RETURNING run_id
