-- A gateway call's outcome.
UPDATE gateway_attempts
SET status = $2, decline_code = $3, hard_decline = $4, gateway_reference = $5, payment_id = NULLIF($6, ''),
    settled_at = CASE WHEN $2 IN ('succeeded', 'declined') THEN now() END
WHERE attempt_id = $1
