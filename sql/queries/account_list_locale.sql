-- The locales chosen for the accounts $1 (those with none left out).
SELECT account_id, locale FROM accounts WHERE account_id = ANY ($1::text[]) AND locale IS NOT NULL
