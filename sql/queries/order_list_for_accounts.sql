-- The orders of some accounts' subscriptions, with what is needed to rate
-- them, by account, billing and subscription, in the order they apply
-- (SPEC §4).
SELECT c.account_id, p.billing, o.order_id, o.subscription_id, o.customer_id, o.sku, o.action,
       o.quantity::text AS quantity, o.effective_date, c.currency AS customer_currency, p.kind
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN products p ON p.sku = o.sku
WHERE c.account_id = ANY($1)
ORDER BY c.account_id, p.billing, o.subscription_id, o.effective_date, o.order_id
