-- Payments received, newest first, of one account or all ($1 empty), with
-- the invoices each paid, what was paid back of it and its disputes.
SELECT payment_id, account_id, currency, amount, method, method_label, gateway_reference, paid_at, paid_invoices, refunded, disputed, disputes
FROM payment_records
WHERE $1 = '' OR account_id = $1
ORDER BY paid_at DESC, payment_id DESC
