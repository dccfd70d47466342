-- Payments received, newest first, of one account or all ($1 empty), with
-- the invoices each paid.
SELECT p.payment_id, p.account_id, p.currency, p.amount::text AS amount, p.method, p.method_label, p.gateway_reference, p.paid_at,
       coalesce((SELECT string_agg(a.invoice_number || ' ' || a.amount::text, ', ' ORDER BY a.entry_id)
                 FROM ledger_entries a WHERE a.kind = 'allocation' AND a.payment_id = p.payment_id), '') AS paid_invoices
FROM payments p
WHERE $1 = '' OR p.account_id = $1
ORDER BY p.paid_at DESC, p.payment_id DESC
