-- An account's usage in a window, summed per subscription and UTC day in
-- SQL: Go sees at most one row per subscription and day (SPEC §3, §4).
SELECT u.subscription_id, (u.occurred_at AT TIME ZONE 'UTC')::date AS day,
       sum(u.quantity)::text AS quantity, count(*) AS events
FROM usage_events u
WHERE u.subscription_id = ANY($1)
  AND u.occurred_at >= $2 AND u.occurred_at < $3
GROUP BY u.subscription_id, day
ORDER BY u.subscription_id, day
