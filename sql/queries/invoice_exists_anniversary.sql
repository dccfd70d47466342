-- Whether the account already has an anniversary invoice (the first is of type new, SPEC §6).
SELECT EXISTS (SELECT 1 FROM invoices WHERE account_id = $1 AND billing = 'anniversary')
