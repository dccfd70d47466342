-- The orders of an account's subscriptions of one billing, with what is
-- needed to rate them, in the order they apply (SPEC §4).
SELECT o.order_id, o.subscription_id, o.customer_id, o.sku, o.action, o.quantity::text AS quantity,
       o.effective_date, c.currency AS customer_currency, p.kind
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN products p ON p.sku = o.sku
WHERE c.account_id = $1 AND p.billing = $2
ORDER BY o.subscription_id, o.effective_date, o.order_id
