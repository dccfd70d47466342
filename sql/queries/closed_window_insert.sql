-- Claims windows for closing, one per position of the arrays, with the
-- snapshots their orders ($6) and usage ($8) were read in: a record those
-- snapshots did not see is late (§7). Returns the windows claimed,
-- leaving out those already closed.
INSERT INTO closed_windows (account_id, billing, window_start, window_end, closes_on, run_id, orders_seen, usage_seen)
SELECT account_id, billing, window_start, window_end, closes_on, $5, $6::pg_snapshot, $8::pg_snapshot
FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $7::date[])
     AS w(account_id, billing, window_start, window_end, closes_on)
ON CONFLICT DO NOTHING
RETURNING account_id, billing, window_start
