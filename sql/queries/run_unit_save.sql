-- Records that a unit of a run's work is done (@error empty) or failed. A unit
-- done stays done: a second worker's row is not written, and its
-- transaction (when the unit writes more than this row) is rolled back. A
-- failed unit may be done again.
INSERT INTO run_units (run_id, stage, seq, result, counts, error, worker, seconds)
VALUES (@run_id, @stage, @seq, @result, @counts, NULLIF(@error, ''), @worker, @seconds)
ON CONFLICT (run_id, stage, seq) DO UPDATE
SET result = EXCLUDED.result, counts = EXCLUDED.counts, error = EXCLUDED.error, worker = EXCLUDED.worker,
    seconds = EXCLUDED.seconds, done_at = now()
WHERE run_units.error IS NOT NULL
RETURNING seq
