-- An account's billing day from now on (its history is in billing_day_changes).
UPDATE accounts SET billing_day = @billing_day WHERE account_id = @account_id
