-- E-mails of the outbox due to be sent (never sent, next attempt passed), oldest first.
SELECT message_id, coalesce(account_id, '') AS account_id, recipient, subject, body, attempts, created_at
FROM outbox
WHERE sent_at IS NULL AND next_attempt_at <= @now
ORDER BY created_at, message_id
LIMIT @limit
