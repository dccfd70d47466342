-- An account's invoiced, paid and unbilled sums per currency.
WITH c AS (
    SELECT currency FROM invoices WHERE account_id = $1
    UNION SELECT currency FROM payments WHERE account_id = $1
    UNION SELECT currency FROM unbilled_charges WHERE account_id = $1)
SELECT c.currency,
    (SELECT coalesce(sum(total), 0) FROM invoices i WHERE i.account_id = $1 AND i.currency = c.currency)::text AS invoiced,
    (SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.account_id = $1 AND p.currency = c.currency)::text AS paid,
    (SELECT coalesce(sum(subtotal), 0) FROM unbilled_charges u WHERE u.account_id = $1 AND u.currency = c.currency)::text AS unbilled
FROM c ORDER BY c.currency
