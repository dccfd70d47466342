-- What the refunds of an invoice have taken back so far (a positive sum),
-- and the lines they refunded ("refund of line N" in their detail).
SELECT coalesce(-sum(r.total), 0)::text AS refunded,
       coalesce((SELECT array_agg(substring(l.detail FROM '^refund of line ([0-9]+)')::int)
                 FROM invoice_lines l JOIN invoices r2 ON r2.number = l.invoice_number
                 WHERE r2.adjusts = $1 AND r2.type = 'refund' AND l.detail ~ '^refund of line [0-9]+'), '{}') AS lines
FROM invoices r
WHERE r.adjusts = $1 AND r.type = 'refund'
