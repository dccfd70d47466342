-- The issue date of an account's last original anniversary invoice.
SELECT max(issue_date) FROM invoices WHERE account_id = $1 AND billing = 'anniversary' AND adjusts IS NULL
