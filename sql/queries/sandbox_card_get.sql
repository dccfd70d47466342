-- A sandbox card.
SELECT token, behaviour, expiry_month, expiry_year, charges FROM sandbox.cards WHERE token = $1
