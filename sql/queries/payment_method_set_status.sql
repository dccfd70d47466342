-- A card's new status; nothing when it already has it.
UPDATE payment_methods SET status = $2, status_reason = $3, updated_at = now()
WHERE payment_method_id = $1 AND status <> $2 AND removed_at IS NULL
