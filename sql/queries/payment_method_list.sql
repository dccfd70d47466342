-- The cards on file of one account, or of all ($1 empty), default first.
SELECT payment_method_id, account_id, gateway_token, brand, last4, expiry_month, expiry_year, holder_name,
       status, status_reason, is_default, created_at, updated_at
FROM payment_methods
WHERE removed_at IS NULL AND ($1 = '' OR account_id = $1)
ORDER BY account_id, is_default DESC, payment_method_id
