-- Counts one try on an open hosted page and returns the count: each try of
-- a payment page is a charge under its own key.
UPDATE sandbox.checkouts SET tries = tries + 1 WHERE checkout_id = $1 AND status = 'open' RETURNING tries
