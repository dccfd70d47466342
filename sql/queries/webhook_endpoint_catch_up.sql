-- What endpoint $1 missed while it was disabled, to send now: a delivery of
-- each event handed on since its last one that it takes (as the fan-out
-- would have made it), and its deliveries stopped by the disabling before
-- any attempt, pending again. Returns the deliveries to send.
WITH w AS (
    SELECT w.endpoint_id, w.event_types, w.account_id,
           greatest(w.after_seq, coalesce((SELECT max(d.event_seq) FROM webhook_deliveries d
                                           WHERE d.endpoint_id = w.endpoint_id AND d.reason = 'event'), 0)) AS from_seq
    FROM webhook_endpoints w WHERE w.endpoint_id = $1
), missed AS (
    INSERT INTO webhook_deliveries (endpoint_id, event_seq, reason)
    SELECT w.endpoint_id, e.seq, 'event'
    FROM w CROSS JOIN webhook_fanout f
    JOIN events e ON e.seq > w.from_seq AND e.seq <= f.through_seq
        AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
        AND (w.account_id IS NULL OR w.account_id = e.account_id)
    ORDER BY e.seq
    ON CONFLICT DO NOTHING
    RETURNING delivery_id
), stopped AS (
    UPDATE webhook_deliveries d SET status = 'pending', error = '', finished_at = NULL
    WHERE d.endpoint_id = $1 AND d.status = 'failed' AND d.attempts = 0
    RETURNING delivery_id
)
SELECT coalesce((SELECT array_agg(delivery_id ORDER BY delivery_id)
                 FROM (SELECT delivery_id FROM missed UNION ALL SELECT delivery_id FROM stopped) s), '{}') AS deliveries
