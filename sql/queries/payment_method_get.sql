-- An account's card on file.
SELECT brand, last4, expiry_month, expiry_year, status FROM payment_methods WHERE account_id = $1
