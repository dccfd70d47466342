-- Disables an endpoint that is still enabled, with the reason; true when
-- this call disabled it.
UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2
WHERE endpoint_id = $1 AND status = 'enabled'
RETURNING true
