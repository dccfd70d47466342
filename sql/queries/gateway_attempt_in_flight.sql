-- What an account's charges in one currency whose outcome is not known yet
-- may still collect: it is not asked for again meanwhile (§9).
SELECT coalesce(sum(amount), 0)::text FROM gateway_attempts
WHERE account_id = @account_id AND currency = @currency AND purpose IN ('auto_charge', 'payment') AND status IN ('pending', 'unknown')
