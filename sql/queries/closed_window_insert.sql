-- Claims windows for closing, one per position of the arrays, all closed as
-- of $6 (the moment the stage read its data: anything received later is late,
-- SPEC §7); returns the windows claimed, leaving out those already closed.
INSERT INTO closed_windows (account_id, billing, window_start, window_end, closes_on, run_id, closed_at)
SELECT account_id, billing, window_start, window_end, closes_on, $5, $6
FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $7::date[])
     AS w(account_id, billing, window_start, window_end, closes_on)
ON CONFLICT DO NOTHING
RETURNING account_id, billing, window_start
