-- A new secret for an endpoint from $3; the ones still active expire at $4.
WITH expired AS (
    UPDATE webhook_secrets SET expires_at = $4
    WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $4)
)
INSERT INTO webhook_secrets (endpoint_id, secret, created_at)
SELECT endpoint_id, $2, $3 FROM webhook_endpoints WHERE endpoint_id = $1 AND removed_at IS NULL
