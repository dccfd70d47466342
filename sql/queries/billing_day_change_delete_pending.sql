-- Removes an account's billing day changes not yet in effect: from @effective_from on.
DELETE FROM billing_day_changes WHERE account_id = @account_id AND effective_from >= @effective_from
