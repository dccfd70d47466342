-- The payment a provider's reference names (§9.1: a dispute names it).
SELECT payment_id, account_id, currency, amount::text AS amount, method, method_label, gateway_reference, paid_at
FROM payments WHERE gateway_reference = $1 AND gateway_reference <> ''
ORDER BY paid_at LIMIT 1
