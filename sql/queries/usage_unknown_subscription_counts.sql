-- Usage for subscriptions no new order has created, by UTC month: held (SPEC §4).
SELECT to_char(date_trunc('month', u.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS window_start, count(*) AS records
FROM usage_events u
WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.subscription_id = u.subscription_id)
GROUP BY 1
ORDER BY 1
