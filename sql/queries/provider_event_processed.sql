-- A provider's event processed, with what it changed.
UPDATE provider_events SET processed_at = coalesce(processed_at, now()), outcome = @outcome WHERE gateway = @gateway AND event_id = @event_id
