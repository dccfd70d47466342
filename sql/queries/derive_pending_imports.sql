-- The orders imports whose subscriptions are not derived yet (§2), and
-- whether every subscription is to be derived: none ever was.
SELECT coalesce(array_agg(b.xid::text ORDER BY b.xid), '{}') AS xids,
       NOT EXISTS (SELECT 1 FROM derived_imports) AS everything
FROM ingest_batches b
WHERE b.kind = 'orders' AND NOT EXISTS (SELECT 1 FROM derived_imports d WHERE d.xid = b.xid)
