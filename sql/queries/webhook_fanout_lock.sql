-- Holds the fan-out's mark for the rest of the transaction: a fan-out, an
-- endpoint's addition and its enabling take turns, so that a fan-out never
-- hands on events with a view of the endpoints older than its events.
SELECT through_seq FROM webhook_fanout FOR UPDATE
