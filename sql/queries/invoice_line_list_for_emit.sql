-- An invoice's lines with the names its files show, in invoice order; a line
-- is never left out, even if its customer or product were gone. The names are
-- looked up per line by key (an invoice has few lines next to the customers).
SELECT l.customer_id,
       coalesce((SELECT c.name FROM customers c WHERE c.customer_id = l.customer_id), '') AS customer_name,
       coalesce((SELECT c.country FROM customers c WHERE c.customer_id = l.customer_id), '') AS customer_country,
       coalesce(l.order_id, '') AS order_id, coalesce(l.subscription_id, '') AS subscription_id,
       l.sku, coalesce((SELECT p.name FROM products p WHERE p.sku = l.sku), '') AS product_name,
       l.charge_type, l.charge_start, l.charge_end, l.activity_date,
       l.unit_price::text AS unit_price, l.effective_unit_price::text AS effective_unit_price,
       l.quantity::text AS quantity, l.amount::text AS amount, l.tax::text AS tax, l.total::text AS total,
       coalesce(l.days_charged, 0) AS days_charged, coalesce(l.term_days, 0) AS term_days,
       coalesce(l.detail, '') AS detail, l.reversal
FROM invoice_lines l
WHERE l.invoice_number = $1
ORDER BY l.line_no
