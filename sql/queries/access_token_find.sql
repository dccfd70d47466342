-- The live access token with this secret's hash: neither revoked nor
-- expired, and its parent (the token or link that opened a session) not
-- revoked either.
SELECT t.token_id, t.kind, t.role, coalesce(t.account_id, '') AS account_id, t.label,
       coalesce(t.parent_id, 0) AS parent_id, t.used_at IS NOT NULL AS used
FROM access_tokens t
LEFT JOIN access_tokens p ON p.token_id = t.parent_id
WHERE t.secret_hash = @secret_hash
  AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > @now)
  AND (p.token_id IS NULL OR p.revoked_at IS NULL)
