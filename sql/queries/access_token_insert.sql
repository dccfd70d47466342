-- A new access token, session or sign-in link (§11): only its secret's hash.
INSERT INTO access_tokens (kind, secret_hash, role, account_id, label, parent_id, expires_at)
VALUES ($1, $2, $3, nullif($4, ''), $5, $6, $7)
RETURNING token_id
