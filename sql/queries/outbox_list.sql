-- The outbox, newest first.
SELECT message_id, coalesce(account_id, '') AS account_id, recipient, subject, body, attempts, created_at,
       sent_at, next_attempt_at, last_error
FROM outbox
ORDER BY created_at DESC, message_id
LIMIT $1
