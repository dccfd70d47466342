-- Hands the next events (at most $1) to the endpoints that take them (§14):
-- one delivery per endpoint and event, for the enabled endpoints whose
-- types and account the event matches, and that were there before it. The
-- events are numbered in commit order, so the mark never passes one still
-- to commit. Returns the deliveries made and how far the mark went.
WITH mark AS (
    SELECT through_seq FROM webhook_fanout FOR UPDATE
), batch AS (
    SELECT e.seq, e.type, e.account_id FROM events e, mark
    WHERE e.seq > mark.through_seq ORDER BY e.seq LIMIT $1
), moved AS (
    UPDATE webhook_fanout SET through_seq = coalesce((SELECT max(seq) FROM batch), through_seq)
    RETURNING through_seq
), added AS (
    INSERT INTO webhook_deliveries (endpoint_id, event_seq, reason)
    SELECT w.endpoint_id, b.seq, 'event'
    FROM batch b
    JOIN webhook_endpoints w ON w.status = 'enabled' AND w.removed_at IS NULL AND b.seq > w.after_seq
        AND (w.event_types IS NULL OR b.type = ANY (w.event_types))
        AND (w.account_id IS NULL OR w.account_id = b.account_id)
    ORDER BY b.seq, w.endpoint_id
    ON CONFLICT DO NOTHING
    RETURNING delivery_id
)
SELECT coalesce((SELECT array_agg(delivery_id ORDER BY delivery_id) FROM added), '{}') AS deliveries,
       (SELECT through_seq FROM moved) AS through_seq
