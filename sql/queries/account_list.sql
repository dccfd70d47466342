-- The accounts of $1, or every account when $1 is NULL, in id order.
SELECT account_id, name, country, currency, billing_day
FROM accounts
WHERE $1::text[] IS NULL OR account_id = ANY($1)
ORDER BY account_id
