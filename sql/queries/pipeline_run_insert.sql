-- Records a run as it starts; its status is running until it ends.
INSERT INTO pipeline_runs (as_of, stage, job) VALUES (@as_of, @stage, NULLIF(@job, '')) RETURNING run_id
