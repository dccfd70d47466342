-- A payment received, and its entry in the ledger.
WITH paid AS (
    INSERT INTO payments (payment_id, account_id, currency, amount, method, method_label, gateway_reference, paid_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    RETURNING payment_id, account_id, currency, amount
)
INSERT INTO ledger_entries (account_id, currency, kind, amount, payment_id)
SELECT account_id, currency, 'payment', amount, payment_id FROM paid
