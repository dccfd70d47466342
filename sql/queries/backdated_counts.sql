-- Orders and usage received since the run before $1 began whose activity is
-- dated more than a year before they were received: a warning in the run
-- report (§10), for a file that back-dates by mistake. Only the imports
-- of that time whose first activity date is that old are read: most runs
-- read no record at all.
WITH since AS (
    SELECT coalesce(max(started_at), '-infinity') AS t FROM pipeline_runs WHERE run_id < $1
), suspect AS (
    SELECT b.xid, b.kind, b.received_at
    FROM ingest_batches b, since
    WHERE b.received_at >= since.t AND b.first_activity <= ((b.received_at AT TIME ZONE 'UTC') - interval '1 year')::date
), recent AS (
    SELECT c.account_id, 'orders' AS kind, o.effective_date AS day
    FROM orders o JOIN customers c ON c.customer_id = o.customer_id, since
    WHERE o.ingest_xid IN (SELECT xid FROM suspect WHERE kind = 'orders')
      AND o.received_at >= since.t AND o.effective_date < ((o.received_at AT TIME ZONE 'UTC') - interval '1 year')::date
    UNION ALL
    SELECT coalesce(c.account_id, '(unknown subscription)'), 'usage events', (u.occurred_at AT TIME ZONE 'UTC')::date
    FROM usage_events u
    LEFT JOIN subscriptions s ON s.subscription_id = u.subscription_id
    LEFT JOIN customers c ON c.customer_id = s.customer_id, since
    WHERE u.received_at IN (SELECT received_at FROM suspect WHERE kind = 'usage')
      AND u.ingest_xid IN (SELECT xid FROM suspect WHERE kind = 'usage')
      AND u.received_at >= since.t AND u.occurred_at < u.received_at - interval '1 year'
)
SELECT account_id, kind, count(*) AS records, to_char(min(day), 'YYYY-MM-DD') AS oldest
FROM recent
GROUP BY account_id, kind
ORDER BY account_id, kind
