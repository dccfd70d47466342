-- Gateway calls about to be made, one per position of the arrays, committed
-- before they are made; a key already taken is left out of what is returned.
INSERT INTO gateway_attempts (idempotency_key, request, purpose, account_id, currency, amount, invoice_number,
                              payment_method_id, method, method_label, attempt_no, attempted_at)
SELECT k, r, 'auto_charge', a, c, amt, inv, pm, 'card_on_file', label, no, $10
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::bigint[], $8::text[], $9::int[])
     AS x(k, r, a, c, amt, inv, pm, label, no)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key, attempt_id
