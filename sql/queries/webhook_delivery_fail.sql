-- Records a pending delivery as failed without an attempt (its endpoint
-- disabled or removed).
UPDATE webhook_deliveries SET status = 'failed', error = $2, finished_at = $3
WHERE delivery_id = $1 AND status = 'pending'
