-- The payments and credits of accounts that still hold something to
-- allocate, each with what is left of it, in the order they arrived (SPEC §9).
-- What a refund is being paid back to a card is reserved for it until the
-- gateway has answered.
WITH source AS (
    SELECT e.entry_id, e.account_id, e.currency, e.payment_id, ''::text AS credit_number, e.amount AS value
    FROM ledger_entries e
    WHERE e.kind = 'payment' AND e.account_id = ANY($1)
    UNION ALL
    SELECT e.entry_id, e.account_id, e.currency, NULL, e.invoice_number, -e.amount
    FROM ledger_entries e
    WHERE e.kind = 'invoice' AND e.amount < 0 AND e.account_id = ANY($1)
), left_over AS (
    SELECT s.*, s.value - CASE WHEN s.payment_id IS NOT NULL THEN
            (SELECT coalesce(sum(u.amount), 0) FROM ledger_entries u WHERE u.kind = 'allocation' AND u.payment_id = s.payment_id)
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
