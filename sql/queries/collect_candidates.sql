-- Invoices an auto-charge may take (§9): something due, on an account
-- whose default card is valid, with their auto-charge history. Only the
-- ledger's open items are read, however long the history. $1: only these
-- invoices, or all when NULL.
SELECT o.number, o.account_id, o.currency, o.issue_date, (o.total - o.allocated)::text AS due,
       m.payment_method_id, m.gateway_token, m.brand, m.last4,
       coalesce(h.attempts, 0) AS attempts, h.first_at, coalesce(h.last_status, '') AS last_status, coalesce(h.hard, false) AS hard
FROM (
    SELECT e.invoice_number AS number, e.account_id, e.currency, i.issue_date, e.amount AS total,
           (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
            WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number) AS allocated
    FROM ledger_open_items t
    JOIN ledger_entries e ON e.entry_id = t.entry_id
    JOIN invoices i ON i.number = e.invoice_number
    WHERE t.kind = 'invoice' AND ($1::text[] IS NULL OR e.invoice_number = ANY($1))
) o
JOIN payment_methods m ON m.account_id = o.account_id AND m.is_default AND m.removed_at IS NULL AND m.status = 'valid'
LEFT JOIN LATERAL (
    SELECT count(*) AS attempts, min(g.attempted_at) AS first_at,
           (array_agg(g.status ORDER BY g.attempt_no DESC))[1] AS last_status, bool_or(g.hard_decline) AS hard
    FROM gateway_attempts g
    WHERE g.purpose = 'auto_charge' AND g.invoice_number = o.number
) h ON true
WHERE o.allocated < o.total
ORDER BY o.account_id, o.issue_date, o.number
