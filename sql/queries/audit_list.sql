-- Audit log entries older than entry $1 (0: from the newest), newest first,
-- optionally of one account.
SELECT entry_id, at, actor, role, coalesce(account_id, '') AS account_id, remote_addr, action, object, outcome
FROM audit_log
WHERE ($1 = 0 OR entry_id < $1) AND ($2 = '' OR account_id = $2)
ORDER BY entry_id DESC
LIMIT $3
