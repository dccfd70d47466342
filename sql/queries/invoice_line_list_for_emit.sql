-- Invoices' lines with the names their files show, by invoice and in invoice
-- order; a line is never left out, even if its customer or product were gone.
-- The names are read for the lines' customers only: a batch of invoices has
-- few customers next to all of them.
WITH l AS MATERIALIZED (
    SELECT * FROM invoice_lines WHERE invoice_number = ANY($1)
), c AS MATERIALIZED (
    SELECT customer_id, name, country FROM customers WHERE customer_id = ANY (ARRAY(SELECT DISTINCT customer_id FROM l))
)
SELECT l.invoice_number, l.customer_id, coalesce(c.name, '') AS customer_name, coalesce(c.country, '') AS customer_country,
       coalesce(l.order_id, '') AS order_id, coalesce(l.subscription_id, '') AS subscription_id,
       l.sku, coalesce(p.name, '') AS product_name, l.charge_type, l.charge_start, l.charge_end, l.activity_date,
       l.unit_price::text AS unit_price, l.effective_unit_price::text AS effective_unit_price,
       l.quantity::text AS quantity, l.amount::text AS amount, l.tax::text AS tax, l.total::text AS total,
       coalesce(l.days_charged, 0) AS days_charged, coalesce(l.term_days, 0) AS term_days,
       coalesce(l.detail, '') AS detail, l.reversal
FROM l
LEFT JOIN c ON c.customer_id = l.customer_id
LEFT JOIN products p ON p.sku = l.sku
ORDER BY l.invoice_number, l.line_no
