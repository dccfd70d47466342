-- What a payment still pays of each invoice, newest allocation first (§9.1:
-- a dispute reopens them in this order), with the newest allocation entry
-- a reversal names; and what of the payment is unallocated.
SELECT a.invoice_number, sum(a.amount)::text AS allocated, max(a.entry_id) FILTER (WHERE a.amount > 0) AS newest
FROM ledger_entries a
WHERE a.kind = 'allocation' AND a.payment_id = $1
GROUP BY a.invoice_number
HAVING sum(a.amount) > 0
ORDER BY max(a.entry_id) FILTER (WHERE a.amount > 0) DESC
