-- One audit log entry (§11).
INSERT INTO audit_log (at, actor, role, account_id, remote_addr, action, object, outcome)
VALUES ($1, $2, $3, nullif($4, ''), $5, $6, $7, $8)
