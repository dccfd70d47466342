-- Lines @from to @through of an invoice, in invoice order.
SELECT invoice_number, customer_id, coalesce(subscription_id, '') AS subscription_id, coalesce(order_id, '') AS order_id,
       sku, charge_type, charge_start, charge_end, activity_date,
       unit_price::text AS unit_price, effective_unit_price::text AS effective_unit_price, quantity::text AS quantity,
       amount::text AS amount, tax::text AS tax, total::text AS total,
       coalesce(days_charged, 0) AS days_charged, coalesce(term_days, 0) AS term_days, coalesce(detail, '') AS detail, reversal
FROM invoice_lines
WHERE invoice_number = @invoice_number AND line_no BETWEEN @from AND @through
ORDER BY line_no
