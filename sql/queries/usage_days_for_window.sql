-- An account's usage in a window from the session's usage_days.
SELECT subscription_id, day, quantity::text AS quantity, events
FROM usage_days
WHERE subscription_id = ANY($1) AND day >= $2::date AND day < $3::date
ORDER BY subscription_id, day
