-- Which of the accounts already have an anniversary invoice (the first is of
-- type new, §6).
SELECT DISTINCT account_id FROM invoices WHERE billing = 'anniversary' AND account_id = ANY($1)
