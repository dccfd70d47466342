-- A hosted page the sandbox opened; nothing when its key opened one before.
INSERT INTO sandbox.checkouts (checkout_id, idempotency_key, request, mode, customer, amount, currency, paypal, return_url, cancel_url)
VALUES (@checkout_id, @idempotency_key, @request, @mode, @customer, nullif(@amount, '')::numeric, nullif(@currency, ''), @paypal, @return_url, @cancel_url)
ON CONFLICT (idempotency_key) DO NOTHING
