-- An account's default card on file.
SELECT payment_method_id, account_id, gateway_token, brand, last4, expiry_month, expiry_year, holder_name,
       status, status_reason, is_default, created_at, updated_at
FROM payment_methods
WHERE account_id = $1 AND is_default AND removed_at IS NULL
