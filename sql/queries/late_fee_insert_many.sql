-- Records the assessments of a dunning stage (§13), one per position of the
-- arrays: the overdue invoice, its fee's invoice ('' for a fee of zero),
-- what was due, the fee. An invoice assessed before refuses the statement
-- (the primary key): at most one fee per invoice, ever (§12.7).
INSERT INTO late_fees (invoice_number, fee_invoice, amount_due, fee, assessed_on, run_id)
SELECT invoice_number, NULLIF(fee_invoice, ''), amount_due, fee, @assessed_on, @run_id
FROM unnest(@invoice_numbers::text[], @fee_invoices::text[], @amounts_due::numeric[], @fees::numeric[]) AS f(invoice_number, fee_invoice, amount_due, fee)
