-- Money paid back to the card of a payment, from the credit of a refund invoice.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id)
VALUES ($1, $2, 'payback', $3, $4, $5)
