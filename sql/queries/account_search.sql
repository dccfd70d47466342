-- Accounts whose id or name contains the text, by id, at most @limit.
SELECT account_id, name, coalesce(email, '') AS email, currency
FROM accounts
WHERE @text = '' OR account_id ILIKE '%' || @text || '%' OR name ILIKE '%' || @text || '%'
ORDER BY account_id
LIMIT @limit
