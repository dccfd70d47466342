-- Usage subscriptions' events in their windows, summed per UTC day in SQL
-- (§3, §4): @subscriptions the subscriptions, @from_days and @to_days each one's window
-- [from, to); every row carries its request's position.
SELECT w.i AS request, (u.occurred_at AT TIME ZONE 'UTC')::date AS day,
       sum(u.quantity)::text AS quantity, count(*) AS events
FROM unnest(@subscriptions::text[], @from_days::date[], @to_days::date[]) WITH ORDINALITY AS w(subscription_id, from_day, to_day, i)
JOIN usage_events u ON u.subscription_id = w.subscription_id
 AND u.occurred_at >= (w.from_day::timestamp AT TIME ZONE 'UTC') AND u.occurred_at < (w.to_day::timestamp AT TIME ZONE 'UTC')
GROUP BY w.i, day
ORDER BY w.i, day
