-- An e-mail the mail server did not accept: tried again at @next_attempt_at.
UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @next_attempt_at, last_error = @last_error WHERE message_id = @message_id
