-- A provider's event processed, with what it changed.
UPDATE provider_events SET processed_at = coalesce(processed_at, now()), outcome = $3 WHERE gateway = $1 AND event_id = $2
