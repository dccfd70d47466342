-- Usage that no window will bill as things stand, by account, billing,
-- product kind and UTC day (§4: held with its reason, in the run
-- report): events of a subscription no new order has created (account_id
-- null), events of a licence or one-time subscription (only usage products
-- bill usage), and events dated before their account's first activity
-- (the caller keeps those before the first window). Of the usage that can
-- still matter: dated on or after @open_from (the open windows' usage) or imported
-- since the previous run (@xids, received at @received, from held_recent_imports). Usage held longer
-- was reported when it arrived and stays held (§4, §12.3); reading it
-- again every night would make each run cost what history holds.
SELECT c.account_id, coalesce(p.billing, '') AS billing, coalesce(p.kind, '') AS kind,
       (u.occurred_at AT TIME ZONE 'UTC')::date AS day, f.first_date, count(*) AS records
FROM usage_events u
LEFT JOIN subscriptions s ON s.subscription_id = u.subscription_id
LEFT JOIN products p ON p.sku = s.sku
LEFT JOIN customers c ON c.customer_id = s.customer_id
LEFT JOIN first_activity f ON f.account_id = c.account_id AND f.billing = p.billing
WHERE (u.occurred_at >= (@open_from::date::timestamp AT TIME ZONE 'UTC') OR (u.received_at = ANY (@received::timestamptz[]) AND u.ingest_xid = ANY (@xids::xid8[])))
  AND (s.subscription_id IS NULL OR p.kind <> 'usage'
       OR u.occurred_at < (f.first_date::timestamp AT TIME ZONE 'UTC'))
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4
