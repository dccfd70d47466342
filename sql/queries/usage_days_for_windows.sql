-- Usage subscriptions' days in their windows, from the run's usage_days:
-- @subscriptions the subscriptions, @from_days and @to_days each one's window [from, to); every row
-- carries its request's position.
SELECT w.i AS request, u.day, u.quantity::text AS quantity, u.events
FROM unnest(@subscriptions::text[], @from_days::date[], @to_days::date[]) WITH ORDINALITY AS w(subscription_id, from_day, to_day, i)
JOIN usage_days u ON u.subscription_id = w.subscription_id AND u.day >= w.from_day AND u.day < w.to_day
ORDER BY w.i, u.day
