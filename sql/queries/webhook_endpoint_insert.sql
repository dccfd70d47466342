-- A new webhook endpoint, taking the events committed after those already
-- written, and its first secret.
WITH endpoint AS (
    INSERT INTO webhook_endpoints (endpoint_id, url, event_types, account_id, description, after_seq, created_at)
    SELECT @endpoint_id, @url, @event_types::text[], NULLIF(@account_id, ''), @description, last, @created_at FROM event_counter
    RETURNING endpoint_id
)
INSERT INTO webhook_secrets (endpoint_id, secret, created_at)
SELECT endpoint_id, @secret, @created_at FROM endpoint
