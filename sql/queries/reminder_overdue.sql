-- The invoices overdue on $1 (due before it, something still due) whose
-- contact has not had their invoice_overdue e-mail (§13), and whether a
-- late-fee policy covers their currency.
SELECT account_id, number AS subject, currency, due_date, amount_due::text AS amount_due,
       '' AS brand, '' AS last4, 0 AS expiry_month, 0 AS expiry_year,
       EXISTS (SELECT 1 FROM late_fee_policies p WHERE p.currency = i.currency) AS late_fee_policy
FROM invoices_owing i
WHERE due_date < $1
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.message_id = '<invoice_overdue-' || i.number || '@billing>')
ORDER BY due_date, number
