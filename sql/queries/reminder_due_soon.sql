-- The invoices due from $1 to $1 + $2 days with something still due whose
-- contact has not had their invoice_due_soon e-mail (§13), on accounts
-- whose card on file is not charged for them (no valid card).
SELECT i.account_id, i.number AS subject, i.currency, i.due_date,
       (e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                    WHERE a.kind = 'allocation' AND a.invoice_number = i.number))::text AS amount_due,
       '' AS brand, '' AS last4, 0 AS expiry_month, 0 AS expiry_year
FROM ledger_open_items o
JOIN ledger_entries e ON e.entry_id = o.entry_id
JOIN invoices i ON i.number = o.key
WHERE o.kind = 'invoice' AND i.due_date BETWEEN $1 AND $1 + $2::int
  AND NOT EXISTS (SELECT 1 FROM payment_methods m WHERE m.account_id = i.account_id AND m.status = 'valid')
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.message_id = '<invoice_due_soon-' || i.number || '@billing>')
ORDER BY i.due_date, i.number
