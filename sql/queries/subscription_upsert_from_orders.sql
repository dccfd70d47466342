-- Derives subscriptions from their orders (§2): the first new order
-- gives the customer, sku and start; the first cancel on or after it, the
-- end. Only the subscriptions with orders in the imports @xids are derived, or
-- every one when @everything is true; each from all its orders. One pass over the new
-- orders joined to the cancels.
WITH scope AS (
    SELECT DISTINCT subscription_id FROM orders WHERE @everything OR ingest_xid = ANY(@xids::xid8[])
)
INSERT INTO subscriptions AS s (subscription_id, customer_id, sku, start_date, end_date)
SELECT n.subscription_id, n.customer_id, n.sku, n.effective_date,
       min(c.effective_date) FILTER (WHERE c.effective_date >= n.effective_date)
FROM (SELECT DISTINCT ON (o.subscription_id) o.subscription_id, o.customer_id, o.sku, o.effective_date
      FROM orders o JOIN scope USING (subscription_id)
      WHERE o.action = 'new'
      ORDER BY o.subscription_id, o.effective_date, o.order_id) n
LEFT JOIN orders c ON c.subscription_id = n.subscription_id AND c.action = 'cancel'
GROUP BY n.subscription_id, n.customer_id, n.sku, n.effective_date
ON CONFLICT (subscription_id) DO UPDATE
    SET customer_id = EXCLUDED.customer_id, sku = EXCLUDED.sku, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date
    WHERE (s.customer_id, s.sku, s.start_date, s.end_date) IS DISTINCT FROM
          (EXCLUDED.customer_id, EXCLUDED.sku, EXCLUDED.start_date, EXCLUDED.end_date)
