-- A delivery with what it sends and where: its event (or a test's), its
-- endpoint's address and state.
SELECT d.delivery_id, d.endpoint_id, d.reason, d.status, d.attempts, w.url, w.status AS endpoint_status,
       w.removed_at IS NOT NULL AS endpoint_removed,
       coalesce(e.seq, 0) AS event_seq, coalesce(e.type, '') AS event_type, coalesce(e.account_id, '') AS event_account,
       coalesce(e.object_id, '') AS object_id, e.created AS event_created, e.facts AS event_facts, d.test_event
FROM webhook_deliveries d
JOIN webhook_endpoints w ON w.endpoint_id = d.endpoint_id
LEFT JOIN events e ON e.seq = d.event_seq
WHERE d.delivery_id = $1
