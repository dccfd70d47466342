-- The invoices due from @from to @from + @days days with something still due whose
-- contact has not had their invoice_due_soon e-mail (§13), on accounts
-- whose card on file is not charged for them (no valid default card, as
-- the collect stage reads it: collect_candidates.sql).
SELECT account_id, number AS subject, currency, due_date, amount_due::text AS amount_due,
       '' AS brand, '' AS last4, 0 AS expiry_month, 0 AS expiry_year
FROM invoices_owing i
WHERE due_date BETWEEN @from AND @from + @days::int
  AND NOT EXISTS (SELECT 1 FROM payment_methods m
                  WHERE m.account_id = i.account_id AND m.is_default AND m.removed_at IS NULL AND m.status = 'valid')
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.message_id = '<invoice_due_soon-' || i.number || '@billing>')
ORDER BY due_date, number
