-- Records that a unit of a run's work is done ($6 empty) or failed. A unit
-- done stays done: a second worker's row is not written, and its
-- transaction (when the unit writes more than this row) is rolled back. A
-- failed unit may be done again.
INSERT INTO run_units (run_id, stage, seq, result, counts, error, worker, seconds)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8)
ON CONFLICT (run_id, stage, seq) DO UPDATE
SET result = EXCLUDED.result, counts = EXCLUDED.counts, error = EXCLUDED.error, worker = EXCLUDED.worker,
    seconds = EXCLUDED.seconds, done_at = now()
WHERE run_units.error IS NOT NULL
RETURNING seq
