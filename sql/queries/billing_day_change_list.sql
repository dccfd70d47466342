-- Accounts' billing day changes ($1: one account, or '' for every account),
-- by account and date (SPEC §7).
SELECT account_id, effective_from, previous_day, billing_day
FROM billing_day_changes
WHERE $1 = '' OR account_id = $1
ORDER BY account_id, effective_from
