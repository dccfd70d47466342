-- An account's ledger per currency (§9): finalized invoices' totals,
-- payments received, money paid back, money disputed (net of disputes
-- won), what its invoices still owe, and the
-- open windows' charges so far.
WITH c AS (
    SELECT currency FROM ledger_entries WHERE account_id = $1
    UNION SELECT currency FROM unbilled_charges WHERE account_id = $1)
SELECT c.currency,
    (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.account_id = $1 AND e.currency = c.currency AND e.kind = 'invoice')::text AS invoiced,
    (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.account_id = $1 AND e.currency = c.currency AND e.kind = 'payment')::text AS paid,
    (SELECT coalesce(sum(amount), 0) FROM ledger_entries e WHERE e.account_id = $1 AND e.currency = c.currency AND e.kind = 'payback')::text AS paid_back,
    (SELECT coalesce(sum(CASE WHEN e.kind = 'dispute' THEN amount ELSE -amount END), 0) FROM ledger_entries e
     WHERE e.account_id = $1 AND e.currency = c.currency AND e.kind IN ('dispute', 'dispute_reversal'))::text AS disputed,
    (SELECT coalesce(sum(greatest(e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                                             WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number), 0)), 0)
     FROM ledger_entries e WHERE e.account_id = $1 AND e.currency = c.currency AND e.kind = 'invoice' AND e.amount > 0)::text AS due,
    (SELECT coalesce(sum(subtotal), 0) FROM unbilled_charges u WHERE u.account_id = $1 AND u.currency = c.currency)::text AS unbilled
FROM c ORDER BY c.currency
