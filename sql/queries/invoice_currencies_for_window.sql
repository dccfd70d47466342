-- The currencies a window was invoiced in.
SELECT DISTINCT currency FROM invoices WHERE account_id = @account_id AND billing = @billing AND window_start = @window_start
