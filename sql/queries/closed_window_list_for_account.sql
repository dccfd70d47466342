SELECT window_start FROM closed_windows WHERE account_id = @account_id AND billing = @billing ORDER BY window_start
