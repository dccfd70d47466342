-- A gateway call about to be made, committed before it is made; nothing
-- when its idempotency key is already taken.
INSERT INTO gateway_attempts (idempotency_key, request, purpose, account_id, currency, amount, invoice_number,
                              payment_method_id, method, method_label, attempt_no, attempted_at, payment_id)
VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), $8, $9, $10, $11, $12, NULLIF($13, ''))
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING attempt_id
