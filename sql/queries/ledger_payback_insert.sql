-- Money paid back to the card of a payment, from the credit of a refund invoice.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id)
VALUES (@account_id, @currency, 'payback', @amount, @invoice_number, @payment_id)
