SELECT window_start FROM closed_windows WHERE account_id = $1 AND billing = $2 ORDER BY window_start
