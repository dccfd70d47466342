-- A dispute as the provider tells it now. A closed dispute stays closed:
-- an older event arriving later does not reopen it (§9.1, in any order).
-- Returns its status before (empty when new) and after.
WITH before AS (SELECT status FROM disputes WHERE dispute_id = @dispute_id FOR UPDATE)
INSERT INTO disputes AS d (dispute_id, payment_id, account_id, currency, amount, reason, status, closed_at)
VALUES (@dispute_id, @payment_id, @account_id, @currency, @amount::numeric, @reason, @status, CASE WHEN @status <> 'open' THEN now() END)
ON CONFLICT (dispute_id) DO UPDATE
SET status = CASE WHEN d.status = 'open' THEN excluded.status ELSE d.status END,
    reason = excluded.reason,
    closed_at = CASE WHEN d.status = 'open' AND excluded.status <> 'open' THEN now() ELSE d.closed_at END
RETURNING coalesce((SELECT status FROM before), '') AS before, status AS after
