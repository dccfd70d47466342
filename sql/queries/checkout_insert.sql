-- A hosted page opened for an account (§9.1).
INSERT INTO checkouts (checkout_id, gateway, account_id, mode, idempotency_key, url, make_default, attempt_id)
VALUES (@checkout_id, @gateway, @account_id, @mode, @idempotency_key, @url, @make_default, @attempt_id)
ON CONFLICT DO NOTHING
