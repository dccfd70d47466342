-- Allocations of payments and credits to invoices, one per position of the
-- arrays, of any accounts; the ledger's trigger refuses any that would
-- exceed an invoice's total, a payment's amount or a credit's value.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id, credit_number)
SELECT account_id, currency, 'allocation', amount, invoice_number, NULLIF(payment_id, ''), NULLIF(credit_number, '')
FROM unnest(@accounts::text[], @currencies::text[], @invoice_numbers::text[], @payment_ids::text[], @credit_numbers::text[], @amounts::numeric[])
     AS a(account_id, currency, invoice_number, payment_id, credit_number, amount)
