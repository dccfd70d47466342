-- §12.8: every change of §14's list has exactly one event, and no event
-- lacks its change. Each kind of change is counted per object against the
-- events of its type: an invoice finalized, paid (its open item gone, once
-- more for each time a dispute reopened it),
-- charged and declined, found overdue, given a late fee; a payment received
-- and paid back, or disputed; a run ended; a card on file (at least its addition).
WITH counts AS (
    SELECT type, object_id, count(*) AS n FROM events GROUP BY type, object_id
), changes (type, object_id, n) AS (
    SELECT 'invoice.finalized', number, 1 FROM invoices
    UNION ALL
    SELECT 'invoice.paid', i.number,
           (NOT EXISTS (SELECT 1 FROM ledger_open_items o WHERE o.kind = 'invoice' AND o.key = i.number))::int
           + (SELECT count(*) FROM ledger_reopened_items r WHERE r.entry_id = e.entry_id)
    FROM invoices i JOIN ledger_entries e ON e.kind = 'invoice' AND e.invoice_number = i.number
    WHERE i.total > 0
    UNION ALL
    SELECT 'invoice.payment_failed', invoice_number, count(*) FROM gateway_attempts
    WHERE purpose = 'auto_charge' AND status = 'declined' GROUP BY invoice_number
    UNION ALL
    SELECT 'invoice.overdue', invoice_number, 1 FROM invoices_overdue
    UNION ALL
    SELECT 'invoice.late_fee_assessed', fee_invoice, 1 FROM late_fees WHERE fee_invoice IS NOT NULL
    UNION ALL
    SELECT 'payment.succeeded', payment_id, 1 FROM payments
    UNION ALL
    SELECT 'payment.refunded', payment_id, count(*) FROM ledger_entries WHERE kind = 'payback' GROUP BY payment_id
    UNION ALL
    SELECT 'payment.disputed', payment_id, count(*) FROM ledger_entries WHERE kind = 'dispute' GROUP BY payment_id
    UNION ALL
    SELECT 'run.completed', run_id::text, 1 FROM pipeline_runs WHERE status <> 'running'
)
SELECT coalesce(c.type, e.type) || ' of ' || coalesce(c.object_id, e.object_id) || ': ' || coalesce(e.n, 0)
       || ' events for ' || coalesce(c.n, 0) || ' changes'
FROM changes c
FULL JOIN (SELECT * FROM counts WHERE type <> 'payment_method.updated') e ON e.type = c.type AND e.object_id = c.object_id
WHERE coalesce(c.n, 0) <> coalesce(e.n, 0)
UNION ALL
SELECT 'card ' || m.payment_method_id || ' has no payment_method.updated event'
FROM payment_methods m
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'payment_method.updated' AND e.object_id = m.payment_method_id::text)
UNION ALL
SELECT 'payment_method.updated of card ' || e.object_id || ', which does not exist'
FROM events e
WHERE e.type = 'payment_method.updated' AND NOT EXISTS (SELECT 1 FROM payment_methods m WHERE m.payment_method_id::text = e.object_id)
UNION ALL
SELECT 'event ' || e.local_no || ' (' || e.type || ' of ' || e.object_id || ') was committed without its number or facts'
FROM events e WHERE e.seq IS NULL OR e.facts IS NULL
ORDER BY 1
