-- What the refunds of an invoice have paid back, or are paying back, to cards.
SELECT (coalesce((SELECT sum(b.amount) FROM ledger_entries b JOIN invoices r ON r.number = b.invoice_number
                  WHERE b.kind = 'payback' AND r.adjusts = $1), 0)
      + coalesce((SELECT sum(g.amount) FROM gateway_attempts g JOIN invoices r ON r.number = g.invoice_number
                  WHERE g.purpose = 'payback' AND g.status IN ('pending', 'unknown') AND r.adjusts = $1), 0))::text
