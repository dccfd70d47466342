-- The invoices overdue on $1 that the dunning stage weighs (§13): due
-- before $1, something still due, never assessed, in a currency with a
-- late-fee policy; neither a credit, a refund nor a late fee. The open
-- items keep the read to what is still due, however long the history.
SELECT i.number, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end, i.due_date,
       (e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                    WHERE a.kind = 'allocation' AND a.invoice_number = i.number))::text AS amount_due
FROM ledger_open_items o
JOIN ledger_entries e ON e.entry_id = o.entry_id
JOIN invoices i ON i.number = o.key
WHERE o.kind = 'invoice' AND i.due_date < $1 AND i.type NOT IN ('credit', 'refund')
  AND NOT EXISTS (SELECT 1 FROM late_fees f WHERE f.invoice_number = i.number OR f.fee_invoice = i.number)
  AND EXISTS (SELECT 1 FROM late_fee_policies p WHERE p.currency = i.currency)
ORDER BY i.due_date, i.number
