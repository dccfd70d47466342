-- Records a failed attempt to an endpoint at $2: the first failure since
-- its last success is when it began failing. Returns since when.
UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2)
WHERE endpoint_id = $1
RETURNING failing_since
