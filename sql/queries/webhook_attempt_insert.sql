-- Records an attempt of a delivery, and the delivery's state after it:
-- @status is 'pending' (to be retried), 'delivered' or 'failed'.
WITH attempt AS (
    INSERT INTO webhook_attempts (delivery_id, attempt_no, attempted_at, status_code, duration_ms, error, response)
    SELECT @delivery_id, attempts + 1, @attempted_at::timestamptz, @status_code::int, @duration_ms, @error, @response FROM webhook_deliveries WHERE delivery_id = @delivery_id
    RETURNING attempt_no
)
UPDATE webhook_deliveries d SET attempts = a.attempt_no, status = @status::text, error = @delivery_error,
       finished_at = CASE WHEN @status::text = 'pending' THEN NULL ELSE @attempted_at::timestamptz END
FROM attempt a
WHERE d.delivery_id = @delivery_id
