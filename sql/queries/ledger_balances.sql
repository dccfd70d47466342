-- An account's balance per currency from its ledger (SPEC §9: invoices −
-- payments received + money paid back), with what its invoices still owe
-- and how many of them are open.
WITH owed AS (
    SELECT e.currency, greatest(e.amount - (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
                                           WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number), 0) AS due
    FROM ledger_entries e
    WHERE e.account_id = $1 AND e.kind = 'invoice' AND e.amount > 0
)
SELECT b.currency, b.balance::text AS balance,
       coalesce((SELECT sum(due) FROM owed o WHERE o.currency = b.currency), 0)::text AS due,
       (SELECT count(*) FROM owed o WHERE o.currency = b.currency AND o.due > 0) AS open_invoices
FROM (
    SELECT currency, sum(CASE kind WHEN 'payment' THEN -amount ELSE amount END) AS balance
    FROM ledger_entries
    WHERE account_id = $1 AND kind <> 'allocation'
    GROUP BY currency
) b
ORDER BY b.currency
