-- Gateway calls' outcomes, one per position of the arrays.
UPDATE gateway_attempts g
SET status = x.status, decline_code = x.code, hard_decline = x.hard, gateway_reference = x.ref, payment_id = NULLIF(x.payment, ''),
    settled_at = CASE WHEN x.status IN ('succeeded', 'declined') THEN now() END
FROM unnest(@attempt_ids::bigint[], @statuses::text[], @decline_codes::text[], @hard_declines::bool[], @gateway_references::text[], @payment_ids::text[]) AS x(id, status, code, hard, ref, payment)
WHERE g.attempt_id = x.id
