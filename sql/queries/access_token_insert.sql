-- A new access token, session or sign-in link (§11): only its secret's hash.
INSERT INTO access_tokens (kind, secret_hash, role, account_id, label, parent_id, expires_at)
VALUES (@kind, @secret_hash, @role, nullif(@account_id, ''), @label, @parent_id, @expires_at)
RETURNING token_id
