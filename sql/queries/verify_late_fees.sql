-- §12.7: a late fee only on an invoice that may have one (not a credit, a
-- refund or a late fee), assessed after its due date; each fee's invoice is
-- a onetime invoice adjusting the overdue one, of the fee, with one lateFee
-- line; no lateFee line outside such an invoice. At most one fee per invoice
-- is the primary key of late_fees.
SELECT 'invoice ' || i.number || ', a ' || i.type || ', was assessed a late fee'
FROM late_fees f JOIN invoices i ON i.number = f.invoice_number
WHERE i.type IN ('credit', 'refund') OR EXISTS (SELECT 1 FROM late_fees g WHERE g.fee_invoice = i.number)
UNION ALL
SELECT 'invoice ' || i.number || ' was assessed on ' || f.assessed_on || ', not after its due date ' || coalesce(i.due_date::text, '(none)')
FROM late_fees f JOIN invoices i ON i.number = f.invoice_number
WHERE i.due_date IS NULL OR f.assessed_on <= i.due_date
UNION ALL
SELECT 'late fee ' || f.fee_invoice || ' on ' || f.invoice_number || ' of ' || f.fee || ' ' || i.currency || ' is a ' || i.type
       || ' invoice of ' || i.total || ' adjusting ' || coalesce(i.adjusts, '(none)') || ' with '
       || (SELECT count(*) FROM invoice_lines l WHERE l.invoice_number = i.number) || ' lines'
FROM late_fees f JOIN invoices i ON i.number = f.fee_invoice
JOIN invoices o ON o.number = f.invoice_number
WHERE i.type <> 'onetime' OR i.total <> f.fee OR i.tax <> 0 OR i.adjusts IS DISTINCT FROM f.invoice_number
   OR i.currency <> o.currency OR i.account_id <> o.account_id OR i.issue_date <> f.assessed_on
   OR (SELECT count(*) FILTER (WHERE l.charge_type = 'lateFee') || '/' || count(*) FROM invoice_lines l WHERE l.invoice_number = i.number) <> '1/1'
UNION ALL
SELECT 'invoice ' || l.invoice_number || ' has a lateFee line but is no late fee'
FROM invoice_lines l
WHERE l.charge_type = 'lateFee' AND NOT EXISTS (SELECT 1 FROM late_fees f WHERE f.fee_invoice = l.invoice_number)
ORDER BY 1
