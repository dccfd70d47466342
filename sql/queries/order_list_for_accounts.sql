-- The orders of some accounts' subscriptions of one billing each (@accounts the
-- accounts, @billings the billing of each), with what is needed to rate them, by
-- account, billing and subscription, in the order they apply (§4).
SELECT c.account_id, p.billing, o.order_id, o.subscription_id, o.customer_id, o.sku, o.action,
       o.quantity::text AS quantity, o.effective_date, c.currency AS customer_currency, p.kind
FROM unnest(@accounts::text[], @billings::text[]) AS w(account_id, billing)
JOIN customers c ON c.account_id = w.account_id
JOIN orders o ON o.customer_id = c.customer_id
JOIN products p ON p.sku = o.sku AND p.billing = w.billing
ORDER BY c.account_id, p.billing, o.subscription_id, o.effective_date, o.order_id
