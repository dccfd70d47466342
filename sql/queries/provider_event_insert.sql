-- A provider's event kept once by its id (§9.1); nothing when kept before.
INSERT INTO provider_events (gateway, event_id, type, payload) VALUES ($1, $2, $3, $4::jsonb)
ON CONFLICT DO NOTHING
