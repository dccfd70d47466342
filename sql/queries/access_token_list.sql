-- Operator tokens and live sessions, newest first.
SELECT token_id, kind, role, coalesce(account_id, '') AS account_id, label, coalesce(parent_id, 0) AS parent_id, used_at IS NOT NULL AS used,
       created_at, expires_at, revoked_at
FROM access_tokens
WHERE kind = 'token' OR (kind = 'session' AND revoked_at IS NULL AND expires_at > $1)
ORDER BY token_id DESC
