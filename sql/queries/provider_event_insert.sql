-- A provider's event kept once by its id (§9.1); nothing when kept before.
INSERT INTO provider_events (gateway, event_id, type, payload) VALUES (@gateway, @event_id, @type, @payload::jsonb)
ON CONFLICT DO NOTHING
