-- The invoices overdue on $1 (due before it, something still due) whose
-- contact has not had their invoice_overdue e-mail (§13).
SELECT i.account_id, i.number AS subject, i.currency, i.due_date,
       (e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                    WHERE a.kind = 'allocation' AND a.invoice_number = i.number))::text AS amount_due,
       '' AS brand, '' AS last4, 0 AS expiry_month, 0 AS expiry_year
FROM ledger_open_items o
JOIN ledger_entries e ON e.entry_id = o.entry_id
JOIN invoices i ON i.number = o.key
WHERE o.kind = 'invoice' AND i.due_date < $1
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.message_id = '<invoice_overdue-' || i.number || '@billing>')
ORDER BY i.due_date, i.number
