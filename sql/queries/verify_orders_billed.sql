-- §12.3: every order of a licence or one-time subscription in a closed
-- window that the window's close saw is on an invoice line, unless it is
-- held (a second new order, before the subscription's start or after its
-- cancel, or for another customer or sku than the subscription's). The
-- orders on no line are found first, in bulk; only they meet the windows.
WITH billed AS MATERIALIZED (
    SELECT DISTINCT order_id FROM invoice_lines WHERE order_id IS NOT NULL
), on_no_line AS MATERIALIZED (
    SELECT * FROM orders o WHERE NOT EXISTS (SELECT 1 FROM billed b WHERE b.order_id = o.order_id)
), unbilled AS MATERIALIZED (
    SELECT o.order_id, o.subscription_id, o.action, o.effective_date, o.ingest_xid, p.billing,
           (SELECT c.account_id FROM customers c WHERE c.customer_id = o.customer_id) AS account_id
    FROM on_no_line o
    JOIN products p ON p.sku = o.sku AND p.kind IN ('license', 'onetime')
    JOIN subscriptions s ON s.subscription_id = o.subscription_id AND s.customer_id = o.customer_id AND s.sku = o.sku
    WHERE o.effective_date >= s.start_date AND (s.end_date IS NULL OR o.effective_date <= s.end_date)
      AND NOT (o.action = 'new' AND EXISTS (
          SELECT 1 FROM orders n WHERE n.subscription_id = o.subscription_id AND n.action = 'new' AND (n.effective_date, n.order_id) < (o.effective_date, o.order_id)))
)
SELECT 'order ' || o.order_id || ' (' || o.action || ' of ' || o.subscription_id || ' on ' || o.effective_date
       || ') of account ' || w.account_id || ' is on no invoice line of ' || w.billing || ' window ' || w.window_start
FROM unbilled o
JOIN closed_windows w ON w.account_id = o.account_id AND w.billing = o.billing
 AND o.effective_date BETWEEN w.window_start AND w.window_end
WHERE w.orders_seen IS NOT NULL
  AND (o.ingest_xid IS NULL OR pg_visible_in_snapshot(o.ingest_xid, w.orders_seen))
  AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.subscription_id = o.subscription_id
                  AND x.ingest_xid IS NOT NULL AND NOT pg_visible_in_snapshot(x.ingest_xid, w.orders_seen))
ORDER BY 1
