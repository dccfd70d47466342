-- A request the sandbox gateway received; nothing when its key is already
-- taken. Its commit does not wait for the disk (set_config, local to the
-- transaction, the statement's own when it runs alone): the sandbox stands
-- for a processor's books, not the product's, and a request it loses in a
-- crash is one it never answered, which the product settles as not made.
INSERT INTO sandbox.requests (idempotency_key, request, kind, amount, currency, status, decline_code, hard_decline, reference, answered)
SELECT @idempotency_key, @request, @kind, @amount, @currency, @status, @decline_code, @hard_decline, @reference, @answered
FROM (SELECT set_config('synchronous_commit', 'off', true)) durability
ON CONFLICT (idempotency_key) DO NOTHING
