-- The invoices overdue on $1 that the dunning stage weighs (§13): due
-- before $1, something still due, never assessed, in a currency with a
-- late-fee policy; neither a credit, a refund nor a late fee.
SELECT number, account_id, type, billing, currency, window_start, window_end, due_date, amount_due::text AS amount_due
FROM invoices_owing i
WHERE due_date < $1 AND type NOT IN ('credit', 'refund')
  AND NOT EXISTS (SELECT 1 FROM late_fees f WHERE f.invoice_number = i.number OR f.fee_invoice = i.number)
  AND EXISTS (SELECT 1 FROM late_fee_policies p WHERE p.currency = i.currency)
ORDER BY due_date, number
