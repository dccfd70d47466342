-- Removes an endpoint: it takes no more events; its deliveries are kept.
UPDATE webhook_endpoints SET removed_at = @at, status = 'disabled', disabled_reason = 'removed'
WHERE endpoint_id = @endpoint_id AND removed_at IS NULL
