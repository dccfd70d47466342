-- Orders and usage received for closed windows after they closed (or after
-- their last rerun): late, waiting for a rerun (SPEC §7).
WITH late_orders AS (
    SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
    FROM closed_windows cw
    JOIN customers c ON c.account_id = cw.account_id
    JOIN orders o ON o.customer_id = c.customer_id AND o.effective_date BETWEEN cw.window_start AND cw.window_end
    JOIN products p ON p.sku = o.sku AND p.billing = cw.billing
    WHERE o.received_at > coalesce(cw.rerun_at, cw.closed_at)
    GROUP BY 1, 2, 3
), late_usage AS (
    SELECT cw.account_id, cw.billing, cw.window_start, count(*) AS n
    FROM closed_windows cw
    JOIN customers c ON c.account_id = cw.account_id
    JOIN subscriptions s ON s.customer_id = c.customer_id
    JOIN products p ON p.sku = s.sku AND p.billing = cw.billing
    JOIN usage_events u ON u.subscription_id = s.subscription_id
        AND u.occurred_at >= (cw.window_start::timestamp AT TIME ZONE 'UTC')
        AND u.occurred_at < ((cw.window_end + 1)::timestamp AT TIME ZONE 'UTC')
    WHERE u.received_at > coalesce(cw.rerun_at, cw.closed_at)
    GROUP BY 1, 2, 3
)
SELECT account_id, billing, to_char(window_start, 'YYYY-MM-DD') AS window_start,
       coalesce(o.n, 0) AS orders, coalesce(u.n, 0) AS usage
FROM late_orders o FULL JOIN late_usage u USING (account_id, billing, window_start)
ORDER BY 1, 2, 3
