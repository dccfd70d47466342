-- Records a rerun of a closed window and the snapshot it read in: what it did not see
-- stays late for the window (§7).
UPDATE closed_windows SET rerun_at = now(), orders_seen = $4::pg_snapshot, usage_seen = $4::pg_snapshot
WHERE account_id = $1 AND billing = $2 AND window_start = $3
