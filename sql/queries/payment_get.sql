-- A payment received.
SELECT payment_id, account_id, currency, amount::text AS amount, method, method_label, gateway_reference, paid_at
FROM payments WHERE payment_id = $1
