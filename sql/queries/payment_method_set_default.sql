-- Makes a card its account's default, and no other.
UPDATE payment_methods SET is_default = (payment_method_id = @payment_method_id), updated_at = now()
WHERE account_id = @account_id AND removed_at IS NULL AND (is_default OR payment_method_id = @payment_method_id)
