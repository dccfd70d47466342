-- One invoice with what its files show in the header, and its recorded
-- files, for a download that heals a missing or altered file first.
SELECT i.number, i.type, i.billing, i.account_id, a.name AS account_name, i.currency,
       i.window_start, i.window_end, i.issue_date, i.tax_rate::text AS tax_rate,
       i.subtotal::text AS subtotal, i.tax::text AS tax, i.total::text AS total, coalesce(i.adjusts, '') AS adjusts, i.due_date, i.locale,
       (SELECT count(*) FROM invoice_lines l WHERE l.invoice_number = i.number) AS line_count
FROM invoices i
JOIN accounts a ON a.account_id = i.account_id
WHERE i.number = $1
