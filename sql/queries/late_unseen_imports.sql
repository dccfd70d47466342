-- The imports late records can be in (§7): of usage, those some
-- closed window did not see whose activity dates overlap the window, with
-- the time they were received (their events' received_at, which the BRIN
-- index finds them by); of orders, those some closed window did not see
-- dated on or before its end (an order is late for its window and every
-- closed window after it). And whether windows closed before snapshots were
-- kept, or records written before ingest_xid existed, remain (they are
-- judged by received_at).
WITH unseen_usage AS (
    SELECT b.xid, b.received_at
    FROM ingest_batches b
    WHERE b.kind = 'usage' AND EXISTS (
        SELECT 1 FROM closed_windows cw
        WHERE cw.window_end >= b.first_activity AND cw.window_start <= b.last_activity
          AND cw.usage_seen IS NOT NULL AND NOT pg_visible_in_snapshot(b.xid, cw.usage_seen))
)
SELECT
    coalesce((SELECT array_agg(b.xid::text ORDER BY b.xid) FROM unseen_usage b), '{}') AS usage,
    coalesce((SELECT array_agg(b.received_at::text ORDER BY b.xid) FROM unseen_usage b), '{}') AS usage_received,
    coalesce((SELECT array_agg(b.xid::text ORDER BY b.xid) FROM ingest_batches b
              WHERE b.kind = 'orders' AND EXISTS (
                  SELECT 1 FROM closed_windows cw
                  WHERE cw.window_end >= b.first_activity
                    AND cw.orders_seen IS NOT NULL AND NOT pg_visible_in_snapshot(b.xid, cw.orders_seen))), '{}') AS orders,
    EXISTS (SELECT 1 FROM closed_windows WHERE orders_seen IS NULL OR usage_seen IS NULL)
        OR EXISTS (SELECT 1 FROM orders WHERE ingest_xid IS NULL)
        OR EXISTS (SELECT 1 FROM usage_events WHERE ingest_xid IS NULL) AS legacy
