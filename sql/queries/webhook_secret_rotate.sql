-- A new secret for an endpoint from @created_at; the ones still active expire at @expires_at.
WITH expired AS (
    UPDATE webhook_secrets SET expires_at = @expires_at
    WHERE endpoint_id = @endpoint_id AND (expires_at IS NULL OR expires_at > @expires_at)
)
INSERT INTO webhook_secrets (endpoint_id, secret, created_at)
SELECT endpoint_id, @secret, @created_at FROM webhook_endpoints WHERE endpoint_id = @endpoint_id AND removed_at IS NULL
