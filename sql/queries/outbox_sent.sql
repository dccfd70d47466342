-- An e-mail the mail server accepted.
UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = '' WHERE message_id = $1
