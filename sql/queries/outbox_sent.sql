-- An e-mail the mail server accepted.
UPDATE outbox SET sent_at = @sent_at, attempts = attempts + 1, last_error = '' WHERE message_id = @message_id
