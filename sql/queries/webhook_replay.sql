-- Deliveries again to endpoint @endpoint_id of the events it takes: event @seq, or
-- every one from @since on (@seq = 0). Returns the deliveries made.
INSERT INTO webhook_deliveries (endpoint_id, event_seq, reason)
SELECT w.endpoint_id, e.seq, 'replay'
FROM webhook_endpoints w
JOIN events e ON (w.event_types IS NULL OR e.type = ANY (w.event_types))
    AND (w.account_id IS NULL OR w.account_id = e.account_id)
    AND CASE WHEN @seq::bigint > 0 THEN e.seq = @seq::bigint ELSE e.created >= @since::timestamptz END
WHERE w.endpoint_id = @endpoint_id AND w.removed_at IS NULL
ORDER BY e.seq
RETURNING delivery_id
