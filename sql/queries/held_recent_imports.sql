-- The usage imports received since the run before $1 began, with the time
-- they were received: their held usage is reported by run $1 whatever its
-- dates (§4).
SELECT coalesce(array_agg(b.xid::text ORDER BY b.xid), '{}') AS xids,
       coalesce(array_agg(b.received_at::text ORDER BY b.xid), '{}') AS received
FROM ingest_batches b
WHERE b.kind = 'usage'
  AND b.received_at >= (SELECT coalesce(max(started_at), '-infinity') FROM pipeline_runs WHERE run_id < $1)
