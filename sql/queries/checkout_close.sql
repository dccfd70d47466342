-- A hosted page's end: complete (with the card it saved) or expired.
UPDATE checkouts SET status = @status, payment_method_id = @payment_method_id, completed_at = now()
WHERE checkout_id = @checkout_id AND status = 'open'
