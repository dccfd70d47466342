-- An e-mail to send, in the transaction of the change it tells of (SPEC §9).
INSERT INTO outbox (message_id, account_id, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (message_id) DO NOTHING
