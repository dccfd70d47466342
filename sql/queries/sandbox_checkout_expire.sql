-- An open hosted page closed: nothing can be paid or saved on it any more.
UPDATE sandbox.checkouts SET status = 'expired' WHERE checkout_id = $1 AND status = 'open'
