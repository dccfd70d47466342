-- Records a rerun of a closed window and the snapshot it read in: what it did not see
-- stays late for the window (§7).
UPDATE closed_windows SET rerun_at = now(), orders_seen = @seen::pg_snapshot, usage_seen = @seen::pg_snapshot
WHERE account_id = @account_id AND billing = @billing AND window_start = @window_start
