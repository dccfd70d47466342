-- A request the sandbox gateway received; nothing when its key is already taken.
INSERT INTO sandbox.requests (idempotency_key, request, kind, amount, currency, status, decline_code, hard_decline, reference, answered)
VALUES (@idempotency_key, @request, @kind, @amount, @currency, @status, @decline_code, @hard_decline, @reference, @answered)
ON CONFLICT (idempotency_key) DO NOTHING
