-- A card's new status; nothing when it already has it.
UPDATE payment_methods SET status = @status, status_reason = @status_reason, updated_at = now()
WHERE payment_method_id = @payment_method_id AND status <> @status AND removed_at IS NULL
