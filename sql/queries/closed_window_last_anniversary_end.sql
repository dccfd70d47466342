-- The end of an account's last closed anniversary window (null: none).
SELECT max(window_end) FROM closed_windows WHERE account_id = $1 AND billing = 'anniversary'
