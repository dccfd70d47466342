-- A request the sandbox gateway received, by idempotency key or by reference.
SELECT idempotency_key, request, kind, amount::text AS amount, currency, status, decline_code, hard_decline, reference, answered
FROM sandbox.requests
WHERE idempotency_key = @idempotency_key OR (@idempotency_key = '' AND reference = @reference)
