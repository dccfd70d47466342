-- The age at $1 of the oldest event not yet delivered: not yet handed to
-- the endpoints, or with a delivery pending; 0 when none waits.
SELECT coalesce(extract(epoch FROM $1::timestamptz - least(
           (SELECT min(e.created) FROM events e WHERE e.seq > (SELECT through_seq FROM webhook_fanout)
                AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.status = 'enabled')),
           (SELECT min(e.created) FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.status = 'pending'))), 0)::float8
