-- +goose Up
-- Each import of orders or usage, by its transaction (the ingest_xid of the
-- records it wrote), with the span of its records' UTC activity dates. A
-- window's close sees an import or not as a whole (SPEC §7), so counting
-- late records reads only the imports some closed window did not see and
-- whose dates reach it, instead of every record ever received: the nightly
-- count then costs what the new imports hold, not what history holds; the
-- same goes for the imports received since the previous run (held usage,
-- back-dated records).
CREATE TABLE ingest_batches (
    xid             xid8 NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('orders', 'usage')),
    first_activity  date NOT NULL,
    last_activity   date NOT NULL CHECK (last_activity >= first_activity),
    received_at     timestamptz NOT NULL DEFAULT now(), -- its records' received_at
    PRIMARY KEY (xid, kind)
);
INSERT INTO ingest_batches (xid, kind, first_activity, last_activity, received_at)
SELECT ingest_xid, 'usage', min((occurred_at AT TIME ZONE 'UTC')::date), max((occurred_at AT TIME ZONE 'UTC')::date), min(received_at)
FROM usage_events WHERE ingest_xid IS NOT NULL GROUP BY ingest_xid;
INSERT INTO ingest_batches (xid, kind, first_activity, last_activity, received_at)
SELECT ingest_xid, 'orders', min(effective_date), max(effective_date), min(received_at)
FROM orders WHERE ingest_xid IS NOT NULL GROUP BY ingest_xid;
-- An import's records, found by its transaction. An import's usage events
-- share one received_at and lie together in the table, so a BRIN index
-- finds them for almost nothing on import; orders, fewer, get a B-tree.
-- Records written before ingest_xid existed are judged by received_at: the
-- empty partial index says at once that there are none.
CREATE INDEX usage_events_received_at ON usage_events USING brin (received_at);
CREATE INDEX usage_events_before_ingest_xid ON usage_events (event_id) WHERE ingest_xid IS NULL;
CREATE INDEX orders_ingest_xid ON orders (ingest_xid);
-- The closed windows an import's dates reach.
CREATE INDEX closed_windows_window_end ON closed_windows (window_end);

-- +goose Down
DROP INDEX closed_windows_window_end;
DROP INDEX orders_ingest_xid;
DROP INDEX usage_events_before_ingest_xid;
DROP INDEX usage_events_received_at;
DROP TABLE ingest_batches;
