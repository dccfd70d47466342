-- Removes a card of an account; it stays for the attempts that name it.
UPDATE payment_methods SET removed_at = now(), is_default = false, updated_at = now()
WHERE payment_method_id = @payment_method_id AND account_id = @account_id AND removed_at IS NULL
