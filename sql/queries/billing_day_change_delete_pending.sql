-- Removes an account's billing day changes not yet in effect: from $2 on.
DELETE FROM billing_day_changes WHERE account_id = $1 AND effective_from >= $2
