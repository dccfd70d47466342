-- An open hosted page completed: the card it saved or the charge it made.
UPDATE sandbox.checkouts
SET status = 'complete', token = @token, brand = @brand, last4 = @last4, expiry_month = @expiry_month, expiry_year = @expiry_year, holder_name = @holder_name,
    charge_key = @charge_key, label = @label
WHERE checkout_id = @checkout_id AND status = 'open'
