-- An account's payment terms for the invoices it is issued from now on (§13).
UPDATE accounts SET payment_terms_days = $2 WHERE account_id = $1
