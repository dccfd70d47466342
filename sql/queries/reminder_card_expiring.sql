-- The cards on file (not removed) whose expiry month ends from $1 to $1 + 30 days and
-- whose contact has not had their card_expiring e-mail (§13).
SELECT m.account_id, m.payment_method_id::text AS subject, '' AS currency, 0::text AS amount_due, NULL::date AS due_date,
       m.brand, m.last4, m.expiry_month, m.expiry_year
FROM payment_methods m
WHERE m.removed_at IS NULL AND m.status IN ('pending', 'valid')
  AND (make_date(m.expiry_year, m.expiry_month, 1) + interval '1 month' - interval '1 day')::date BETWEEN $1 AND $1 + 30
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.message_id = '<card_expiring-' || m.payment_method_id || '@billing>')
ORDER BY m.payment_method_id
