-- Every account, in id order.
SELECT account_id, name, country, currency, billing_day
FROM accounts
ORDER BY account_id
