-- The card payments that paid an invoice, oldest first, with what each paid
-- of it and what is left of each to pay back (§9: a refund is paid
-- back to the card, never more than was paid).
SELECT p.payment_id, p.gateway_reference, p.method_label, sum(a.amount)::text AS paid,
       (p.amount
        - (SELECT coalesce(sum(b.amount), 0) FROM ledger_entries b WHERE b.kind = 'payback' AND b.payment_id = p.payment_id)
        - (SELECT coalesce(sum(g.amount), 0) FROM gateway_attempts g
           WHERE g.purpose = 'payback' AND g.payment_id = p.payment_id AND g.status IN ('pending', 'unknown')))::text AS left_to_pay_back
FROM ledger_entries a
JOIN payments p ON p.payment_id = a.payment_id
WHERE a.kind = 'allocation' AND a.invoice_number = $1 AND p.method IN ('card', 'card_on_file')
GROUP BY p.payment_id
ORDER BY min(a.entry_id)
