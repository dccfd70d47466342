-- Gateway calls about to be made, one per position of the arrays, committed
-- before they are made; a key already taken is left out of what is returned.
INSERT INTO gateway_attempts (idempotency_key, request, purpose, account_id, currency, amount, invoice_number,
                              payment_method_id, method, method_label, attempt_no, attempted_at)
SELECT k, r, 'auto_charge', a, c, amt, inv, pm, 'card_on_file', label, no, @attempted_at
FROM unnest(@idempotency_keys::text[], @requests::text[], @accounts::text[], @currencies::text[], @amounts::numeric[], @invoice_numbers::text[], @payment_method_ids::bigint[], @method_labels::text[], @attempt_nos::int[])
     AS x(k, r, a, c, amt, inv, pm, label, no)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key, attempt_id
