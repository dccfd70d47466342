-- The invoices overdue on $1 (due before it, something still due) that were
-- not found overdue before: each gets its invoice.overdue event (§13, §14).
INSERT INTO invoices_overdue (invoice_number, found_on)
SELECT number, $1 FROM invoices_owing WHERE due_date < $1
ORDER BY due_date, number
ON CONFLICT (invoice_number) DO NOTHING
