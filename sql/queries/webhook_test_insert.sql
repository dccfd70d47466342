-- A delivery of a webhook.test event to endpoint @endpoint_id.
INSERT INTO webhook_deliveries (endpoint_id, reason, test_event)
SELECT endpoint_id, 'test', @event::jsonb FROM webhook_endpoints WHERE endpoint_id = @endpoint_id AND removed_at IS NULL
RETURNING delivery_id
