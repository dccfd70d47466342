-- A gateway call by its idempotency key.
SELECT attempt_id, idempotency_key, request, purpose, account_id, currency, amount::text AS amount,
       coalesce(invoice_number, '') AS invoice_number, payment_method_id, method, method_label, attempt_no,
       attempted_at, status, decline_code, hard_decline, gateway_reference, coalesce(payment_id, '') AS payment_id
FROM gateway_attempts
WHERE idempotency_key = $1
