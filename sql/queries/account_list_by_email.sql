-- The accounts whose contact is this e-mail address (case does not matter).
SELECT account_id, name, coalesce(email, '') AS email, currency
FROM accounts
WHERE lower(email) = lower($1)
ORDER BY account_id
