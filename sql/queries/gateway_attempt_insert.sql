-- A gateway call about to be made, committed before it is made; nothing
-- when its idempotency key is already taken.
INSERT INTO gateway_attempts (idempotency_key, request, purpose, account_id, currency, amount, invoice_number,
                              payment_method_id, method, method_label, attempt_no, attempted_at, payment_id)
VALUES (@idempotency_key, @request, @purpose, @account_id, @currency, @amount, NULLIF(@invoice_number, ''), @payment_method_id, @method, @method_label, @attempt_no, @attempted_at, NULLIF(@payment_id, ''))
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING attempt_id
