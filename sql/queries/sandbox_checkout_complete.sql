-- An open hosted page completed: the card it saved or the charge it made.
UPDATE sandbox.checkouts
SET status = 'complete', token = $2, brand = $3, last4 = $4, expiry_month = $5, expiry_year = $6, holder_name = $7,
    charge_key = $8, label = $9
WHERE checkout_id = $1 AND status = 'open'
