-- An endpoint's secrets active at @at, newest first.
SELECT secret FROM webhook_secrets
WHERE endpoint_id = @endpoint_id AND created_at <= @at AND (expires_at IS NULL OR expires_at > @at)
ORDER BY created_at DESC, secret_id DESC
