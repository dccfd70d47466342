-- One account.
SELECT account_id, name, country, currency, billing_day
FROM accounts
WHERE account_id = $1
