-- Events after $1 (a number; 0 for the first), oldest first: of one account
-- ($2; '' for all), of one type ($3; '' for all), at most $4 (§14).
SELECT seq, type, coalesce(account_id, '') AS account_id, object_id, created, facts
FROM events
WHERE seq > $1 AND ($2 = '' OR account_id = $2) AND ($3 = '' OR type = $3)
ORDER BY seq
LIMIT $4
