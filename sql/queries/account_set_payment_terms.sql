-- An account's payment terms for the invoices it is issued from now on (§13).
UPDATE accounts SET payment_terms_days = @payment_terms_days WHERE account_id = @account_id
