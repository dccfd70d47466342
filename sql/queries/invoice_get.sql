SELECT i.number, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end, i.issue_date,
       i.tax_rate::text AS tax_rate, i.subtotal::text AS subtotal, i.tax::text AS tax, i.total::text AS total, coalesce(i.adjusts, '') AS adjusts, i.due_date,
       (SELECT count(*) FROM invoice_lines l WHERE l.invoice_number = i.number) AS line_count,
       (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
        WHERE a.kind = 'allocation' AND a.invoice_number = i.number)::text AS allocated
FROM invoices i
WHERE i.number = $1
