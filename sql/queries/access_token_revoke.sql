-- Revokes a token or session (and with it the sessions it opened); false
-- when there is no such live token.
UPDATE access_tokens SET revoked_at = @now
WHERE token_id = @token_id AND kind IN ('token', 'session') AND revoked_at IS NULL
