-- Derives subscriptions from their orders (SPEC §2): the first new order
-- gives the customer, sku and start; the first cancel, the end.
INSERT INTO subscriptions AS s (subscription_id, customer_id, sku, start_date, end_date)
SELECT DISTINCT ON (n.subscription_id) n.subscription_id, n.customer_id, n.sku, n.effective_date,
       (SELECT min(c.effective_date) FROM orders c
        WHERE c.subscription_id = n.subscription_id AND c.action = 'cancel' AND c.effective_date >= n.effective_date)
FROM orders n
WHERE n.action = 'new'
ORDER BY n.subscription_id, n.effective_date, n.order_id
ON CONFLICT (subscription_id) DO UPDATE
    SET customer_id = EXCLUDED.customer_id, sku = EXCLUDED.sku, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date
    WHERE (s.customer_id, s.sku, s.start_date, s.end_date) IS DISTINCT FROM
          (EXCLUDED.customer_id, EXCLUDED.sku, EXCLUDED.start_date, EXCLUDED.end_date)
