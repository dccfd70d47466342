-- Locks the closed windows of an account starting on a day (of one billing, or both when $3
-- is empty): reruns of one window queue behind each other.
SELECT billing FROM closed_windows WHERE account_id = $1 AND window_start = $2
AND ($3 = '' OR billing = $3) ORDER BY billing FOR UPDATE
