-- Records an attempt accepted by an endpoint: it is failing no more.
UPDATE webhook_endpoints SET failing_since = NULL WHERE endpoint_id = $1 AND failing_since IS NOT NULL
