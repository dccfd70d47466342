-- The webhook endpoints not removed, oldest first, or one ($1; '' for all).
SELECT endpoint_id, url, coalesce(event_types, '{}') AS event_types, coalesce(account_id, '') AS account_id,
       description, status, disabled_reason, failing_since, created_at
FROM webhook_endpoints
WHERE removed_at IS NULL AND ($1 = '' OR endpoint_id = $1)
ORDER BY created_at, endpoint_id
