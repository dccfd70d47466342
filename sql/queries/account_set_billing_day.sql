-- An account's billing day from now on (its history is in billing_day_changes).
UPDATE accounts SET billing_day = $2 WHERE account_id = $1
