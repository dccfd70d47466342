-- §12.2: each invoice's subtotal, tax and total equal the sums of its lines.
SELECT 'invoice ' || i.number || ': subtotal ' || i.subtotal || ', tax ' || i.tax || ', total ' || i.total
       || ' but its ' || coalesce(l.n, 0) || ' lines sum to ' || coalesce(l.amount, 0) || ', ' || coalesce(l.tax, 0) || ', ' || coalesce(l.total, 0)
FROM invoices i
LEFT JOIN (SELECT invoice_number, count(*) AS n, sum(amount) AS amount, sum(tax) AS tax, sum(total) AS total
           FROM invoice_lines GROUP BY invoice_number) l ON l.invoice_number = i.number
WHERE l.n IS NULL OR i.subtotal <> l.amount OR i.tax <> l.tax OR i.total <> l.total OR i.total <> i.subtotal + i.tax
UNION ALL
SELECT 'lines of invoice ' || l.invoice_number || ', which does not exist'
FROM (SELECT DISTINCT invoice_number FROM invoice_lines) l
WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.number = l.invoice_number)
ORDER BY 1
