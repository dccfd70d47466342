-- Enables a disabled endpoint again (not a removed one); true when found.
UPDATE webhook_endpoints SET status = 'enabled', disabled_reason = '', failing_since = NULL
WHERE endpoint_id = $1 AND removed_at IS NULL
RETURNING true
