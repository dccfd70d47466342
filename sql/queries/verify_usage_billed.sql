-- §12.3: in every closed window, each usage subscription's net billed
-- quantity equals its events in the window and in the subscription's active
-- dates that the window's close (or last rerun) saw. Events it did not see
-- are late and reported as such; a subscription with an order the close did
-- not see is left to its rerun, as is one with no price (held).
WITH expected AS (
    SELECT w.account_id, w.billing, w.window_start, s.subscription_id, sum(u.quantity) AS qty
    FROM closed_windows w
    JOIN customers c ON c.account_id = w.account_id
    JOIN subscriptions s ON s.customer_id = c.customer_id
    JOIN products p ON p.sku = s.sku AND p.billing = w.billing AND p.kind = 'usage'
    JOIN usage_events u ON u.subscription_id = s.subscription_id
     AND u.occurred_at >= (greatest(w.window_start, s.start_date)::timestamp AT TIME ZONE 'UTC')
     AND u.occurred_at < (least(w.window_end + 1, coalesce(s.end_date, w.window_end + 1))::timestamp AT TIME ZONE 'UTC')
    WHERE w.usage_seen IS NOT NULL
      AND (u.ingest_xid IS NULL OR pg_visible_in_snapshot(u.ingest_xid, w.usage_seen))
    GROUP BY 1, 2, 3, 4
), billed AS (
    SELECT i.account_id, i.billing, i.window_start, l.subscription_id,
           sum(CASE WHEN l.reversal THEN -l.quantity ELSE l.quantity END) AS qty
    FROM invoices i JOIN invoice_lines l ON l.invoice_number = i.number
    WHERE l.charge_type = 'usage'
    GROUP BY 1, 2, 3, 4
), differing AS (
    SELECT account_id, billing, window_start, subscription_id, coalesce(b.qty, 0) AS billed, coalesce(e.qty, 0) AS used
    FROM expected e FULL JOIN billed b USING (account_id, billing, window_start, subscription_id)
    WHERE coalesce(e.qty, 0) <> coalesce(b.qty, 0)
)
SELECT 'account ' || d.account_id || ', ' || d.billing || ' window ' || d.window_start || ', subscription ' || d.subscription_id
       || ': ' || d.billed || ' units billed, ' || d.used || ' used'
FROM differing d
JOIN closed_windows w ON (w.account_id, w.billing, w.window_start) = (d.account_id, d.billing, d.window_start)
JOIN subscriptions s ON s.subscription_id = d.subscription_id
JOIN customers c ON c.customer_id = s.customer_id
JOIN accounts a ON a.account_id = w.account_id
WHERE w.usage_seen IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.subscription_id = s.subscription_id
                  AND o.ingest_xid IS NOT NULL AND NOT pg_visible_in_snapshot(o.ingest_xid, w.orders_seen))
  AND EXISTS (SELECT 1 FROM prices pr WHERE pr.sku = s.sku
              AND pr.currency = CASE w.billing WHEN 'anniversary' THEN a.currency ELSE c.currency END
              AND (pr.effective_from IS NULL OR pr.effective_from <= w.window_start))
ORDER BY 1
