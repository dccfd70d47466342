-- Records a pending delivery as failed without an attempt (its endpoint
-- disabled or removed).
UPDATE webhook_deliveries SET status = 'failed', error = @error, finished_at = @finished_at
WHERE delivery_id = @delivery_id AND status = 'pending'
