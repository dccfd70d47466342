-- Accounts whose id or name contains the text, by id, at most $2.
SELECT account_id, name, coalesce(email, '') AS email, currency
FROM accounts
WHERE $1 = '' OR account_id ILIKE '%' || $1 || '%' OR name ILIKE '%' || $1 || '%'
ORDER BY account_id
LIMIT $2
