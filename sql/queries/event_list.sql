-- Events after @after (a number; 0 for the first), oldest first: of one account
-- (@account_id; '' for all), of one type (@type; '' for all), at most @limit (§14).
SELECT seq, type, coalesce(account_id, '') AS account_id, object_id, created, facts
FROM events
WHERE seq > @after AND (@account_id = '' OR account_id = @account_id) AND (@type = '' OR type = @type)
ORDER BY seq
LIMIT @limit
