-- Claims a window for closing; nothing is returned when it is already closed.
INSERT INTO closed_windows (account_id, billing, window_start, window_end, closes_on, run_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING
RETURNING window_start
