-- Orders and usage of closed windows that the window's close (or its last
-- rerun) did not see, and usage it saw but could not bill as it now stands
-- (its subscription has an order the close did not see): late, waiting for
-- a rerun (§7, §12.3). A record is seen when the transaction that
-- wrote it is visible in the snapshot the window's records were read in:
-- commit order, never a clock.
--
-- A close sees an import whole or not at all, so late orders and usage are
-- looked for only in the imports some closed window did not see and whose
-- activity dates reach it (@usage usage imports, received at @usage_received, and @orders order
-- imports, from late_unseen_imports): the cost follows what arrived since the windows
-- closed, not the history kept. Windows closed before the snapshots were
-- kept, and records written before ingest_xid existed, fall back to
-- received_at: that reading of the whole history runs only while such
-- windows or records exist (@legacy).
WITH late_orders AS (
    -- An order the close did not see is late for its own window, and for
    -- every closed window after it: those windows renewed the subscription
    -- at the quantity they knew (or renewed one since cancelled).
    SELECT account_id, billing, window_start, sum(n) AS n
    FROM (
        SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
        FROM orders o
        JOIN customers c ON c.customer_id = o.customer_id
        JOIN products p ON p.sku = o.sku
        JOIN closed_windows cw ON cw.account_id = c.account_id AND cw.billing = p.billing AND o.effective_date <= cw.window_end
        WHERE cardinality(@orders::xid8[]) > 0 AND o.ingest_xid = ANY (@orders::xid8[])
          AND cw.orders_seen IS NOT NULL AND NOT pg_visible_in_snapshot(o.ingest_xid, cw.orders_seen)
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
        FROM closed_windows cw
        JOIN customers c ON c.account_id = cw.account_id
        JOIN orders o ON o.customer_id = c.customer_id AND o.effective_date <= cw.window_end
        JOIN products p ON p.sku = o.sku AND p.billing = cw.billing
        WHERE @legacy::boolean AND (cw.orders_seen IS NULL OR o.ingest_xid IS NULL)
          AND o.received_at > coalesce(cw.rerun_at, cw.closed_at) AND o.effective_date >= cw.window_start
        GROUP BY 1, 2, 3
    ) x
    GROUP BY 1, 2, 3
), late_usage AS (
    SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
    FROM usage_events u
    JOIN subscriptions s ON s.subscription_id = u.subscription_id
    JOIN customers c ON c.customer_id = s.customer_id
    JOIN products p ON p.sku = s.sku
    JOIN closed_windows cw ON cw.account_id = c.account_id AND cw.billing = p.billing
        AND u.occurred_at >= (cw.window_start::timestamp AT TIME ZONE 'UTC')
        AND u.occurred_at < ((cw.window_end + 1)::timestamp AT TIME ZONE 'UTC')
    WHERE cardinality(@usage::xid8[]) > 0 AND u.received_at = ANY (@usage_received::timestamptz[]) AND u.ingest_xid = ANY (@usage::xid8[])
      AND cw.usage_seen IS NOT NULL AND NOT pg_visible_in_snapshot(u.ingest_xid, cw.usage_seen)
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
    FROM closed_windows cw
    JOIN customers c ON c.account_id = cw.account_id
    JOIN subscriptions s ON s.customer_id = c.customer_id
    JOIN products p ON p.sku = s.sku AND p.billing = cw.billing
    JOIN usage_events u ON u.subscription_id = s.subscription_id
        AND u.occurred_at >= (cw.window_start::timestamp AT TIME ZONE 'UTC')
        AND u.occurred_at < ((cw.window_end + 1)::timestamp AT TIME ZONE 'UTC')
    WHERE @legacy::boolean AND (cw.usage_seen IS NULL OR u.ingest_xid IS NULL)
      AND u.received_at > coalesce(cw.rerun_at, cw.closed_at)
    GROUP BY 1, 2, 3
), changed_subscriptions AS (
    -- Usage subscriptions with an order the window's close did not see
    -- (dated in any window): the close could not bill their usage as it
    -- now stands (a usage event held for want of its new order, say).
    SELECT DISTINCT cw.account_id, cw.billing, cw.window_start, cw.window_end, o.subscription_id
    FROM closed_windows cw
    JOIN customers c ON c.account_id = cw.account_id
    JOIN orders o ON o.customer_id = c.customer_id
    JOIN products p ON p.sku = o.sku AND p.billing = cw.billing AND p.kind = 'usage'
    WHERE cw.orders_seen IS NOT NULL AND o.ingest_xid IS NOT NULL
      AND o.ingest_xid >= pg_snapshot_xmin(cw.orders_seen) AND NOT pg_visible_in_snapshot(o.ingest_xid, cw.orders_seen)
), usage_of_changed AS (
    -- Their usage in the window that the close saw (what it did not see is
    -- late_usage already).
    SELECT s.account_id, s.billing, s.window_start, count(*) AS n
    FROM changed_subscriptions s
    JOIN closed_windows cw ON (cw.account_id, cw.billing, cw.window_start) = (s.account_id, s.billing, s.window_start)
    JOIN usage_events u ON u.subscription_id = s.subscription_id
        AND u.occurred_at >= (s.window_start::timestamp AT TIME ZONE 'UTC')
        AND u.occurred_at < ((s.window_end + 1)::timestamp AT TIME ZONE 'UTC')
    WHERE u.ingest_xid IS NULL OR pg_visible_in_snapshot(u.ingest_xid, cw.usage_seen)
    GROUP BY 1, 2, 3
), all_usage AS (
    SELECT account_id, billing, window_start, sum(n) AS n
    FROM (SELECT * FROM late_usage UNION ALL SELECT * FROM usage_of_changed) x
    GROUP BY 1, 2, 3
)
SELECT account_id, billing, to_char(window_start, 'YYYY-MM-DD') AS window_start,
       coalesce(o.n, 0) AS orders, coalesce(u.n, 0) AS usage
FROM late_orders o FULL JOIN all_usage u USING (account_id, billing, window_start)
ORDER BY 1, 2, 3
