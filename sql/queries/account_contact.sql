-- An account's name and contact e-mail ('' when none).
SELECT name, coalesce(email, '') AS email FROM accounts WHERE account_id = $1
