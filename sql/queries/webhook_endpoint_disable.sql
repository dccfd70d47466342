-- Disables an endpoint that is still enabled, with the reason; true when
-- this call disabled it.
UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = @reason
WHERE endpoint_id = @endpoint_id AND status = 'enabled'
RETURNING true
