-- Disputes of an account's payments (all accounts when empty), newest first.
SELECT dispute_id, payment_id, account_id, currency, amount::text AS amount, reason, status, opened_at, closed_at
FROM disputes WHERE $1 = '' OR account_id = $1
ORDER BY opened_at DESC, dispute_id
