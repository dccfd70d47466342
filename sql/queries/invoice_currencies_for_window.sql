-- The currencies a window was invoiced in.
SELECT DISTINCT currency FROM invoices WHERE account_id = $1 AND billing = $2 AND window_start = $3
