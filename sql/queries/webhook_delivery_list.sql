-- An endpoint's latest deliveries (at most @limit), newest first, each with its
-- last attempt; only those that failed when @failed_only.
SELECT d.delivery_id, d.reason, d.status, d.attempts, d.error, d.created_at,
       coalesce(e.seq, 0) AS event_seq, coalesce(e.type, 'webhook.test') AS event_type,
       coalesce(d.test_event ->> 'id', '') AS test_event_id,
       a.attempted_at, a.status_code, coalesce(a.duration_ms, 0) AS duration_ms,
       coalesce(a.error, '') AS attempt_error, coalesce(a.response, '') AS response
FROM webhook_deliveries d
LEFT JOIN events e ON e.seq = d.event_seq
LEFT JOIN LATERAL (SELECT * FROM webhook_attempts x WHERE x.delivery_id = d.delivery_id
                   ORDER BY x.attempt_no DESC LIMIT 1) a ON true
WHERE d.endpoint_id = @endpoint_id AND (NOT @failed_only OR d.status = 'failed')
ORDER BY d.delivery_id DESC
LIMIT @limit
