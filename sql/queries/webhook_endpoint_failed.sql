-- Records a failed attempt to an endpoint at @at: the first failure since
-- its last success is when it began failing. Returns since when.
UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, @at)
WHERE endpoint_id = @endpoint_id
RETURNING failing_since
