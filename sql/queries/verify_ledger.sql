-- §12.5: every invoice is one ledger entry of its total; no invoice is
-- allocated more than its total, no payment more than its amount, no credit
-- more than its value; no payment is paid back more than it was; each
-- payment comes from one succeeded gateway call; the open items are exactly
-- what the ledger's sums leave open; the ledger's triggers are on.
SELECT 'invoice ' || i.number || ' of ' || i.total || ' ' || i.currency || ' has ' || count(e.entry_id) || ' ledger entries'
       || coalesce(' of ' || string_agg(e.amount::text, ', '), '')
FROM invoices i
LEFT JOIN ledger_entries e ON e.kind = 'invoice' AND e.invoice_number = i.number
GROUP BY i.number, i.total, i.currency
HAVING count(e.entry_id) <> 1 OR bool_or(e.amount <> i.total OR e.account_id <> i.account_id OR e.currency <> i.currency)
UNION ALL
SELECT 'ledger entry ' || e.entry_id || ' is of invoice ' || e.invoice_number || ', which does not exist'
FROM ledger_entries e
WHERE e.kind IN ('invoice', 'allocation', 'payback') AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.number = e.invoice_number)
UNION ALL
SELECT 'invoice ' || i.number || ' of ' || i.total || ' ' || i.currency || ' is allocated ' || sum(a.amount)
FROM invoices i
JOIN ledger_entries a ON a.kind = 'allocation' AND a.invoice_number = i.number
GROUP BY i.number, i.total, i.currency
HAVING sum(a.amount) > greatest(i.total, 0)
UNION ALL
SELECT 'payment ' || p.payment_id || ' of ' || p.amount || ' ' || p.currency || ' is allocated and disputed ' || ledger_payment_used(p.payment_id)
FROM payments p
WHERE ledger_payment_used(p.payment_id) > p.amount
UNION ALL
SELECT 'invoice ' || a.invoice_number || ' has allocations reversed below zero (' || sum(a.amount) || ')'
FROM ledger_entries a WHERE a.kind = 'allocation'
GROUP BY a.invoice_number HAVING sum(a.amount) < 0
UNION ALL
SELECT 'payment ' || p.payment_id || ' of ' || p.amount || ' ' || p.currency || ' is paid back ' || sum(a.amount)
FROM payments p
JOIN ledger_entries a ON a.kind = 'payback' AND a.payment_id = p.payment_id
GROUP BY p.payment_id, p.amount, p.currency
HAVING sum(a.amount) > p.amount
UNION ALL
SELECT 'credit ' || i.number || ' of ' || -i.total || ' ' || i.currency || ' is used ' || sum(a.amount)
FROM invoices i
JOIN ledger_entries a ON (a.kind = 'allocation' AND a.credit_number = i.number) OR (a.kind = 'payback' AND a.invoice_number = i.number)
WHERE i.total < 0
GROUP BY i.number, i.total, i.currency
HAVING sum(a.amount) > -i.total
UNION ALL
SELECT 'payment ' || p.payment_id || ' has ' || count(e.entry_id) || ' ledger entries and ' || count(DISTINCT g.attempt_id) || ' succeeded gateway calls'
FROM payments p
LEFT JOIN ledger_entries e ON e.kind = 'payment' AND e.payment_id = p.payment_id AND e.amount = p.amount
LEFT JOIN gateway_attempts g ON g.payment_id = p.payment_id AND g.status = 'succeeded' AND g.purpose IN ('auto_charge', 'payment')
GROUP BY p.payment_id
HAVING count(DISTINCT e.entry_id) <> 1 OR count(DISTINCT g.attempt_id) <> 1
UNION ALL
SELECT CASE WHEN t.entry_id IS NULL THEN s.kind || ' ' || s.key || ' of account ' || s.account_id || ' has something open but is not an open item'
       ELSE t.kind || ' ' || t.key || ' of account ' || t.account_id || ' is an open item but has nothing open' END
FROM ledger_open_items t
FULL JOIN ledger_open_items_by_sums s
  ON (s.entry_id, s.account_id, s.currency, s.kind, s.key) = (t.entry_id, t.account_id, t.currency, t.kind, t.key)
WHERE t.entry_id IS NULL OR s.entry_id IS NULL
UNION ALL
SELECT (6 - count(*)) || ' of the 6 triggers that keep the ledger immutable, its allocations within bounds and its open items are disabled or missing'
FROM pg_trigger
WHERE tgname IN ('ledger_entries_are_final', 'ledger_entries_are_never_truncated', 'payments_are_final',
                 'payments_are_never_truncated', 'ledger_allocations_fit', 'ledger_open_items_follow') AND tgenabled <> 'D'
HAVING count(*) <> 6
ORDER BY 1
