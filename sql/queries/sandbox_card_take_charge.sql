-- A sandbox card, counting one more charge on it; returns the charges before this one.
UPDATE sandbox.cards SET charges = charges + 1 WHERE token = $1
RETURNING token, behaviour, expiry_month, expiry_year, charges - 1 AS charges
