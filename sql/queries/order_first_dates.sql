-- Each account's first activity date per billing: its windows start there.
SELECT c.account_id, p.billing, min(o.effective_date) AS first_date
FROM orders o
JOIN customers c ON c.customer_id = o.customer_id
JOIN products p ON p.sku = o.sku
GROUP BY c.account_id, p.billing
