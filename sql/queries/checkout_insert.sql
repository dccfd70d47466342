-- A hosted page opened for an account (§9.1).
INSERT INTO checkouts (checkout_id, gateway, account_id, mode, idempotency_key, url, make_default, attempt_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING
