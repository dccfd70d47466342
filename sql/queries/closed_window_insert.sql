-- Claims windows for closing, one per position of the arrays, with the
-- snapshots their orders and usage were read in: a record those snapshots
-- did not see is late (§7). Returns the windows claimed, leaving out those
-- already closed.
INSERT INTO closed_windows (account_id, billing, window_start, window_end, closes_on, run_id, orders_seen, usage_seen)
SELECT account_id, billing, window_start, window_end, closes_on, @run_id, @orders_seen::pg_snapshot, @usage_seen::pg_snapshot
FROM unnest(@accounts::text[], @billings::text[], @starts::date[], @ends::date[], @closes::date[])
     AS w(account_id, billing, window_start, window_end, closes_on)
ON CONFLICT DO NOTHING
RETURNING account_id, billing, window_start
