-- A hosted page's end: complete (with the card it saved) or expired.
UPDATE checkouts SET status = $2, payment_method_id = $3, completed_at = now()
WHERE checkout_id = $1 AND status = 'open'
