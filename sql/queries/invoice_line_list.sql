-- An invoice's lines in invoice order.
SELECT customer_id, subscription_id, order_id, sku, charge_type, charge_start, charge_end, activity_date,
       unit_price::text AS unit_price, effective_unit_price::text AS effective_unit_price, quantity::text AS quantity,
       amount::text AS amount, tax::text AS tax, total::text AS total, days_charged, term_days, detail, reversal
FROM invoice_lines
WHERE invoice_number = $1
ORDER BY line_no
