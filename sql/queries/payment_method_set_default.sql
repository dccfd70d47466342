-- Makes a card its account's default, and no other.
UPDATE payment_methods SET is_default = (payment_method_id = $1), updated_at = now()
WHERE account_id = $2 AND removed_at IS NULL AND (is_default OR payment_method_id = $1)
