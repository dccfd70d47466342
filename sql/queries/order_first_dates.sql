-- Each account's first activity date per billing: its windows start there
-- (kept as orders are added, see migration 00014).
SELECT account_id, billing, first_date FROM first_activity
