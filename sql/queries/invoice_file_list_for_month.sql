-- The recorded files of an account's invoices issued in one month, by
-- invoice number and kind.
SELECT f.invoice_number, f.kind, f.path, f.sha256
FROM invoice_files f JOIN invoices i ON i.number = f.invoice_number
WHERE i.account_id = @account_id AND i.issue_date >= @first AND i.issue_date < @next
ORDER BY i.issue_date, i.series, i.seq, f.kind
