-- A provider's event kept, with whether it was processed.
SELECT event_id, type, payload::text AS payload, processed_at IS NOT NULL AS processed, outcome
FROM provider_events WHERE gateway = @gateway AND event_id = @event_id
