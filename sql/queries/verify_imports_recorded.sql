-- §12.3: every order and usage event written by an import is in an import
-- recorded with its dates (ingest_batches), and within them: late records
-- are looked for only in recorded imports, so a record outside them could
-- wait unreported.
WITH written AS (
    SELECT 'usage' AS kind, ingest_xid AS xid, min((occurred_at AT TIME ZONE 'UTC')::date) AS first, max((occurred_at AT TIME ZONE 'UTC')::date) AS last, count(*) AS n
    FROM usage_events WHERE ingest_xid IS NOT NULL GROUP BY ingest_xid
    UNION ALL
    SELECT 'orders', ingest_xid, min(effective_date), max(effective_date), count(*)
    FROM orders WHERE ingest_xid IS NOT NULL GROUP BY ingest_xid
)
SELECT w.n || ' ' || w.kind || ' records of transaction ' || w.xid || ' dated ' || w.first || '..' || w.last
       || CASE WHEN b.xid IS NULL THEN ' are in no recorded import'
               ELSE ' reach beyond their import''s dates ' || b.first_activity || '..' || b.last_activity END
FROM written w
LEFT JOIN ingest_batches b ON (b.xid, b.kind) = (w.xid, w.kind)
WHERE b.xid IS NULL OR w.first < b.first_activity OR w.last > b.last_activity
ORDER BY 1
