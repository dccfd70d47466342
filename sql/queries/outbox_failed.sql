-- An e-mail the mail server did not accept: tried again at $2.
UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE message_id = $1
