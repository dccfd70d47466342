-- Allocations of an account's payments and credits to its invoices, one
-- per position of the arrays; the ledger's trigger refuses any that would
-- exceed an invoice's total, a payment's amount or a credit's value.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id, credit_number)
SELECT $1, $2, 'allocation', amount, invoice_number, NULLIF(payment_id, ''), NULLIF(credit_number, '')
FROM unnest($3::text[], $4::text[], $5::text[], $6::numeric[]) AS a(invoice_number, payment_id, credit_number, amount)
