-- Accounts' invoices with something still due, by account and currency,
-- oldest first (§9: issue date, then number), from the ledger's open
-- items.
SELECT account_id, currency, number, issue_date, due_date, total::text AS total, allocated::text AS allocated
FROM (
    SELECT e.account_id, e.currency, i.number, i.issue_date, i.due_date, e.amount AS total,
           (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
            WHERE a.kind = 'allocation' AND a.invoice_number = e.invoice_number) AS allocated
    FROM ledger_open_items t
    JOIN ledger_entries e ON e.entry_id = t.entry_id
    JOIN invoices i ON i.number = e.invoice_number
    WHERE t.kind = 'invoice' AND t.account_id = ANY($1)
) o
WHERE allocated < total
ORDER BY account_id, currency, issue_date, number
