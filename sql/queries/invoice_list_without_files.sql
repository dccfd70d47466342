-- The invoices lacking a recorded file of one of the kinds $1: those the
-- emit stage has still to write (§8), found without reading any
-- invoice's header or lines.
SELECT i.number
FROM invoices i
CROSS JOIN unnest($1::text[]) AS k(kind)
WHERE NOT EXISTS (SELECT 1 FROM invoice_files f WHERE f.invoice_number = i.number AND f.kind = k.kind)
GROUP BY i.number
