-- A request the sandbox gateway received; nothing when its key is already taken.
INSERT INTO sandbox.requests (idempotency_key, request, kind, amount, currency, status, decline_code, hard_decline, reference, answered)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (idempotency_key) DO NOTHING
