-- Every recorded file with what names its folder today (the invoice's
-- account, window and currency), for the emit stage's check on disk.
SELECT f.invoice_number, f.kind, f.path, f.sha256, f.size, f.modified_ns,
       i.account_id, i.window_start, i.currency
FROM invoice_files f
JOIN invoices i ON i.number = f.invoice_number
