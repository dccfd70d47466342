-- §12.3: every order of a licence or one-time subscription in a closed
-- window that the window's close saw is on an invoice line, unless it is
-- held (no new order on or before it, after the subscription's cancel, or
-- for another customer or sku than the subscription's).
SELECT 'order ' || o.order_id || ' (' || o.action || ' of ' || o.subscription_id || ' on ' || o.effective_date
       || ') of account ' || w.account_id || ' is on no invoice line of ' || w.billing || ' window ' || w.window_start
FROM closed_windows w
JOIN customers c ON c.account_id = w.account_id
JOIN orders o ON o.customer_id = c.customer_id AND o.effective_date BETWEEN w.window_start AND w.window_end
JOIN products p ON p.sku = o.sku AND p.billing = w.billing AND p.kind IN ('license', 'onetime')
JOIN subscriptions s ON s.subscription_id = o.subscription_id AND s.customer_id = o.customer_id AND s.sku = o.sku
WHERE w.orders_seen IS NOT NULL
  AND (o.ingest_xid IS NULL OR pg_visible_in_snapshot(o.ingest_xid, w.orders_seen))
  AND o.effective_date >= s.start_date AND (s.end_date IS NULL OR o.effective_date <= s.end_date)
  AND NOT (o.action = 'new' AND EXISTS (
      SELECT 1 FROM orders n WHERE n.subscription_id = o.subscription_id AND n.action = 'new' AND (n.effective_date, n.order_id) < (o.effective_date, o.order_id)))
  AND NOT EXISTS (SELECT 1 FROM orders x WHERE x.subscription_id = o.subscription_id
                  AND x.ingest_xid IS NOT NULL AND NOT pg_visible_in_snapshot(x.ingest_xid, w.orders_seen))
  AND NOT EXISTS (SELECT 1 FROM invoices i JOIN invoice_lines l ON l.invoice_number = i.number
                  WHERE i.account_id = w.account_id AND l.order_id = o.order_id)
ORDER BY 1
