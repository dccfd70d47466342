-- The billing day changes of the accounts of $1, or of every account when
-- $1 is NULL, by account and date (§7).
SELECT account_id, effective_from, previous_day, billing_day
FROM billing_day_changes
WHERE $1::text[] IS NULL OR account_id = ANY($1)
ORDER BY account_id, effective_from
