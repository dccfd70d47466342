-- Locks the closed windows of an account starting on a day (of one billing, or both when @billing
-- is empty): reruns of one window queue behind each other.
SELECT billing FROM closed_windows WHERE account_id = @account_id AND window_start = @window_start
AND (@billing = '' OR billing = @billing) ORDER BY billing FOR UPDATE
