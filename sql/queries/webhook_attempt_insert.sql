-- Records an attempt of a delivery, and the delivery's state after it:
-- $8 is 'pending' (to be retried), 'delivered' or 'failed'.
WITH attempt AS (
    INSERT INTO webhook_attempts (delivery_id, attempt_no, attempted_at, status_code, duration_ms, error, response)
    SELECT $1, attempts + 1, $2::timestamptz, $3::int, $4, $5, $6 FROM webhook_deliveries WHERE delivery_id = $1
    RETURNING attempt_no
)
UPDATE webhook_deliveries d SET attempts = a.attempt_no, status = $8::text, error = $7,
       finished_at = CASE WHEN $8::text = 'pending' THEN NULL ELSE $2::timestamptz END
FROM attempt a
WHERE d.delivery_id = $1
