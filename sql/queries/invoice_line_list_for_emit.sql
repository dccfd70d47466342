-- An invoice's lines with the names its files show, in invoice order; a line
-- is never left out, even if its customer or product were gone.
SELECT l.customer_id, coalesce(c.name, '') AS customer_name, coalesce(c.country, '') AS customer_country,
       coalesce(l.order_id, '') AS order_id, coalesce(l.subscription_id, '') AS subscription_id,
       l.sku, coalesce(p.name, '') AS product_name, l.charge_type, l.charge_start, l.charge_end, l.activity_date,
       l.unit_price::text AS unit_price, l.effective_unit_price::text AS effective_unit_price,
       l.quantity::text AS quantity, l.amount::text AS amount, l.tax::text AS tax, l.total::text AS total,
       coalesce(l.days_charged, 0) AS days_charged, coalesce(l.term_days, 0) AS term_days,
       coalesce(l.detail, '') AS detail, l.reversal
FROM invoice_lines l
LEFT JOIN customers c ON c.customer_id = l.customer_id
LEFT JOIN products p ON p.sku = l.sku
WHERE l.invoice_number = $1
ORDER BY l.line_no
