-- An account's invoices in one currency with something still due, oldest
-- first (SPEC §9: issue date, then number).
SELECT number, issue_date, total::text AS total, allocated::text AS allocated
FROM (
    SELECT i.number, i.issue_date, e.amount AS total,
           (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
            WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number) AS allocated
    FROM ledger_entries e
    JOIN invoices i ON i.number = e.invoice_number
    WHERE e.kind = 'invoice' AND e.account_id = $1 AND e.currency = $2 AND e.amount > 0
) o
WHERE allocated < total
ORDER BY issue_date, number
