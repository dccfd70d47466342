-- A hosted page the sandbox opened; nothing when its key opened one before.
INSERT INTO sandbox.checkouts (checkout_id, idempotency_key, request, mode, customer, amount, currency, paypal, return_url, cancel_url)
VALUES ($1, $2, $3, $4, $5, nullif($6, '')::numeric, nullif($7, ''), $8, $9, $10)
ON CONFLICT (idempotency_key) DO NOTHING
