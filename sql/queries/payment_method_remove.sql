-- Removes a card of an account; it stays for the attempts that name it.
UPDATE payment_methods SET removed_at = now(), is_default = false, updated_at = now()
WHERE payment_method_id = $1 AND account_id = $2 AND removed_at IS NULL
