-- A delivery of a webhook.test event to endpoint $1.
INSERT INTO webhook_deliveries (endpoint_id, reason, test_event)
SELECT endpoint_id, 'test', $2::jsonb FROM webhook_endpoints WHERE endpoint_id = $1 AND removed_at IS NULL
RETURNING delivery_id
