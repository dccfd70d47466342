-- A hosted page, by id or (id empty) by idempotency key, with the key of
-- its attempt.
SELECT c.checkout_id, c.gateway, c.account_id, c.mode, c.idempotency_key, c.url, c.make_default, c.attempt_id,
       c.payment_method_id, c.status
FROM checkouts c
WHERE c.checkout_id = @checkout_id OR (@checkout_id = '' AND c.idempotency_key = @idempotency_key)
