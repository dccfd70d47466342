-- Provider events kept but not processed, oldest first: what a job lost in
-- a crash left, handed to the queue again.
SELECT event_id FROM provider_events WHERE gateway = @gateway AND processed_at IS NULL ORDER BY received_at LIMIT @limit
