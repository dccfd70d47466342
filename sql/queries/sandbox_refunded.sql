-- How much of a sandbox charge has been refunded.
SELECT coalesce(sum(amount), 0)::text FROM sandbox.requests
WHERE kind = 'refund' AND status = 'succeeded' AND request LIKE 'refund of=' || $1 || ' %'
