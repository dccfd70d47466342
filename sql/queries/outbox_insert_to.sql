-- E-mails to addresses of their own (the operators'), one per position of
-- the arrays, in the transaction of their cause. Returns the ids written.
INSERT INTO outbox (message_id, recipient, subject, body)
SELECT x.id, x.recipient, x.subject, x.body
FROM unnest(@message_ids::text[], @recipients::text[], @subjects::text[], @bodies::text[]) AS x(id, recipient, subject, body)
ON CONFLICT (message_id) DO NOTHING
RETURNING message_id
