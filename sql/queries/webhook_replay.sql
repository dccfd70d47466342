-- Deliveries again to endpoint $1 of the events it takes: event $2, or
-- every one from $3 on ($2 = 0). Returns the deliveries made.
INSERT INTO webhook_deliveries (endpoint_id, event_seq, reason)
SELECT w.endpoint_id, e.seq, 'replay'
FROM webhook_endpoints w
JOIN events e ON (w.event_types IS NULL OR e.type = ANY (w.event_types))
    AND (w.account_id IS NULL OR w.account_id = e.account_id)
    AND CASE WHEN $2::bigint > 0 THEN e.seq = $2::bigint ELSE e.created >= $3::timestamptz END
WHERE w.endpoint_id = $1 AND w.removed_at IS NULL
ORDER BY e.seq
RETURNING delivery_id
