-- Payments received, one per position of the arrays, and their ledger entries.
WITH paid AS (
    INSERT INTO payments (payment_id, account_id, currency, amount, method, method_label, gateway_reference, paid_at)
    SELECT id, a, c, amt, m, label, ref, @paid_at
    FROM unnest(@payment_ids::text[], @accounts::text[], @currencies::text[], @amounts::numeric[], @methods::text[], @method_labels::text[], @gateway_references::text[]) AS x(id, a, c, amt, m, label, ref)
    RETURNING payment_id, account_id, currency, amount
)
INSERT INTO ledger_entries (account_id, currency, kind, amount, payment_id)
SELECT account_id, currency, 'payment', amount, payment_id FROM paid
