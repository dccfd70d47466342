-- One e-mail of the outbox.
SELECT message_id, coalesce(account_id, '') AS account_id, recipient, subject, body, attempts, created_at,
       sent_at, next_attempt_at, last_error
FROM outbox
WHERE message_id = $1
