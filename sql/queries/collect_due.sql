-- What is due of each of some invoices, and for each one's account and
-- currency the balance and what unsettled charges may still collect
-- (§9), read under the accounts' payment locks.
WITH inv AS (
    SELECT e.invoice_number AS number, e.account_id, e.currency,
           greatest(e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                                WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number), 0) AS due
    FROM ledger_entries e
    WHERE e.kind = 'invoice' AND e.invoice_number = ANY($1)
), pair AS (
    SELECT DISTINCT account_id, currency FROM inv
)
SELECT i.number, i.account_id, i.currency, i.due::text AS due, b.balance::text AS balance, f.in_flight::text AS in_flight
FROM inv i
JOIN (
    SELECT p.account_id, p.currency,
           (SELECT coalesce(sum(CASE WHEN e.kind IN ('payment', 'dispute_reversal') THEN -e.amount ELSE e.amount END), 0) FROM ledger_entries e
            WHERE e.account_id = p.account_id AND e.currency = p.currency AND e.kind <> 'allocation') AS balance
    FROM pair p
) b ON (b.account_id, b.currency) = (i.account_id, i.currency)
JOIN (
    SELECT p.account_id, p.currency,
           (SELECT coalesce(sum(g.amount), 0) FROM gateway_attempts g
            WHERE g.account_id = p.account_id AND g.currency = p.currency AND g.purpose IN ('auto_charge', 'payment')
              AND g.status IN ('pending', 'unknown')) AS in_flight
    FROM pair p
) f ON (f.account_id, f.currency) = (i.account_id, i.currency)
