-- Audit log entries older than entry @before (0: from the newest), newest first,
-- optionally of one account.
SELECT entry_id, at, actor, role, coalesce(account_id, '') AS account_id, remote_addr, action, object, outcome
FROM audit_log
WHERE (@before = 0 OR entry_id < @before) AND (@account_id = '' OR account_id = @account_id)
ORDER BY entry_id DESC
LIMIT @limit
