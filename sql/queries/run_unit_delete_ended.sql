-- Forgets the units of every run not in progress: a run that ended has its
-- units' counts in its own, and a unit still queued for it does nothing.
DELETE FROM run_units u
WHERE NOT EXISTS (SELECT 1 FROM pipeline_runs r WHERE r.run_id = u.run_id AND r.status = 'running')
