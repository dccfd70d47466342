-- E-mails to accounts' contacts, one per position of the arrays, in the
-- transaction of their cause; an account without an e-mail address gets none.
-- Returns the ids of the e-mails written.
INSERT INTO outbox (message_id, account_id, recipient, subject, body)
SELECT x.id, x.account_id, a.email, x.subject, x.body
FROM unnest(@message_ids::text[], @accounts::text[], @subjects::text[], @bodies::text[]) AS x(id, account_id, subject, body)
JOIN accounts a ON a.account_id = x.account_id AND coalesce(a.email, '') <> ''
ON CONFLICT (message_id) DO NOTHING
RETURNING message_id
