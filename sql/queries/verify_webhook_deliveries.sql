-- §12.8: every event handed on is delivered to every enabled endpoint that
-- takes it (one delivery each, accepted or pending or recorded failed), and
-- no endpoint has a delivery of an event it does not take: another type,
-- another account's, or from before it was added.
WITH handed AS (
    SELECT e.seq, e.type, e.account_id FROM events e, webhook_fanout f WHERE e.seq <= f.through_seq
)
SELECT 'event ' || h.seq || ' (' || h.type || ') was never delivered to endpoint ' || w.endpoint_id
FROM handed h
JOIN webhook_endpoints w ON w.status = 'enabled' AND w.removed_at IS NULL AND h.seq > w.after_seq
    AND (w.event_types IS NULL OR h.type = ANY (w.event_types)) AND (w.account_id IS NULL OR w.account_id = h.account_id)
WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.endpoint_id AND d.event_seq = h.seq AND d.reason = 'event')
UNION ALL
SELECT 'endpoint ' || w.endpoint_id || ' has a delivery of event ' || e.seq || ' (' || e.type || ' of '
       || coalesce(e.account_id, 'no account') || '), which it does not take'
FROM webhook_deliveries d
JOIN webhook_endpoints w ON w.endpoint_id = d.endpoint_id
JOIN events e ON e.seq = d.event_seq
WHERE (w.event_types IS NOT NULL AND NOT e.type = ANY (w.event_types))
   OR (w.account_id IS NOT NULL AND w.account_id IS DISTINCT FROM e.account_id)
   OR (d.reason = 'event' AND e.seq <= w.after_seq)
UNION ALL
SELECT 'delivery ' || d.delivery_id || ' is recorded delivered without an accepted attempt'
FROM webhook_deliveries d
WHERE d.status = 'delivered' AND NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.delivery_id = d.delivery_id
    AND a.status_code BETWEEN 200 AND 299 AND a.error = '')
ORDER BY 1
