-- Invoices an auto-charge may take (§9): something due, on an account
-- whose default card is valid, with their auto-charge history. Only the
-- ledger's open items are read, however long the history. $1: only these
-- invoices, or all when NULL. An invoice a dispute reopened (§9.1) tells
-- whether that dispute is still open, or when it was lost and how many
-- auto-charges were made since.
SELECT o.number, o.account_id, o.currency, o.issue_date, (o.total - o.allocated)::text AS due,
       m.payment_method_id, m.gateway_token, m.brand, m.last4,
       coalesce((SELECT g.customer_id FROM gateway_customers g WHERE g.account_id = o.account_id
                 ORDER BY g.created_at DESC LIMIT 1), '') AS customer_id,
       coalesce(h.attempts, 0) AS attempts, h.first_at, coalesce(h.last_status, '') AS last_status, coalesce(h.hard, false) AS hard,
       coalesce(dsp.disputed, false) AS disputed, dsp.lost_at,
       coalesce(h.attempts_since, 0) AS attempts_since, coalesce(h.hard_since, false) AS hard_since
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
    SELECT bool_or(d.status = 'open') AS disputed, max(d.closed_at) FILTER (WHERE d.status = 'lost') AS lost_at
    FROM ledger_entries r JOIN disputes d ON d.dispute_id = r.dispute_id
    WHERE r.kind = 'allocation' AND r.amount < 0 AND r.invoice_number = o.number
) dsp ON true
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE g.attempted_at > dsp.lost_at) AS attempts_since,
           bool_or(g.hard_decline) FILTER (WHERE g.attempted_at > dsp.lost_at) AS hard_since,
           count(*) AS attempts, min(g.attempted_at) AS first_at,
           (array_agg(g.status ORDER BY g.attempt_no DESC))[1] AS last_status, bool_or(g.hard_decline) AS hard
    FROM gateway_attempts g
    WHERE g.purpose = 'auto_charge' AND g.invoice_number = o.number
) h ON true
WHERE o.allocated < o.total
ORDER BY o.account_id, o.issue_date, o.number
