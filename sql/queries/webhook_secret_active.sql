-- An endpoint's secrets active at $2, newest first.
SELECT secret FROM webhook_secrets
WHERE endpoint_id = $1 AND created_at <= $2 AND (expires_at IS NULL OR expires_at > $2)
ORDER BY created_at DESC, secret_id DESC
