-- Revokes a token or session (and with it the sessions it opened); false
-- when there is no such live token.
UPDATE access_tokens SET revoked_at = $2
WHERE token_id = $1 AND kind IN ('token', 'session') AND revoked_at IS NULL
