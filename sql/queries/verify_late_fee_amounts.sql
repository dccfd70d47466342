-- §12.7: each assessment with its overdue invoice's currency and due date,
-- for billing verify to compute the fee again under the policies.
SELECT f.invoice_number, i.currency, i.due_date, f.amount_due::text AS amount_due, f.fee::text AS fee
FROM late_fees f JOIN invoices i ON i.number = f.invoice_number
WHERE i.due_date IS NOT NULL
ORDER BY f.invoice_number
