-- Removes an endpoint: it takes no more events; its deliveries are kept.
UPDATE webhook_endpoints SET removed_at = $2, status = 'disabled', disabled_reason = 'removed'
WHERE endpoint_id = $1 AND removed_at IS NULL
