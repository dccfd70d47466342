-- A hosted page of the sandbox, by id, or (id empty) by idempotency key.
SELECT checkout_id, idempotency_key, request, mode, customer, coalesce(amount::text, '0') AS amount, coalesce(currency, '') AS currency,
       paypal, return_url, cancel_url, status, tries, token, brand, last4, expiry_month, expiry_year, holder_name, charge_key, label, created_at
FROM sandbox.checkouts
WHERE checkout_id = @checkout_id OR (@checkout_id = '' AND idempotency_key = @idempotency_key)
