-- One audit log entry (§11).
INSERT INTO audit_log (at, actor, role, account_id, remote_addr, action, object, outcome)
VALUES (@at, @actor, @role, nullif(@account_id, ''), @remote_addr, @action, @object, @outcome)
