-- Spends a sign-in link: true once, for a link neither used, revoked nor expired.
UPDATE access_tokens SET used_at = @now
WHERE secret_hash = @secret_hash AND kind = 'link' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now
RETURNING token_id, kind, role, coalesce(account_id, '') AS account_id, label, 0::bigint AS parent_id, true AS used
