-- The payments and credits of accounts that still hold something to
-- allocate, each with what is left of it, in the order they arrived (§9),
-- from the ledger's open items.
-- What a refund is being paid back to a card is reserved for it until the
-- gateway has answered.
WITH source AS (
    SELECT e.entry_id, e.account_id, e.currency, e.payment_id, coalesce(e.invoice_number, '') AS credit_number,
           CASE WHEN e.kind = 'payment' THEN e.amount ELSE -e.amount END AS value
    FROM ledger_open_items t
    JOIN ledger_entries e ON e.entry_id = t.entry_id
    WHERE t.kind IN ('payment', 'credit') AND t.account_id = ANY($1)
), left_over AS (
    SELECT s.*, s.value - CASE WHEN s.payment_id IS NOT NULL THEN
            ledger_payment_used(s.payment_id)
        ELSE
            (SELECT coalesce(sum(u.amount), 0) FROM ledger_entries u
             WHERE (u.kind = 'allocation' AND u.credit_number = s.credit_number) OR (u.kind = 'payback' AND u.invoice_number = s.credit_number))
          + (SELECT coalesce(sum(g.amount), 0) FROM gateway_attempts g
             WHERE g.purpose = 'payback' AND g.invoice_number = s.credit_number AND g.status IN ('pending', 'unknown'))
        END AS available
    FROM source s
)
SELECT account_id, currency, coalesce(payment_id, '') AS payment_id, credit_number, available::text AS available
FROM left_over
WHERE available > 0
ORDER BY account_id, currency, entry_id
