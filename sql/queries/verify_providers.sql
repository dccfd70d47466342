-- §12.9: each dispute took its amount back once and, won, returned it
-- once (the ledger's unique index on a dispute's entries makes a second
-- one impossible; this checks that the entries match the dispute's state);
-- every hosted page recorded as complete has what it recorded: a card on
-- file, or a settled payment attempt.
SELECT 'dispute ' || d.dispute_id || ' (' || d.status || ') has ' || count(e.entry_id) FILTER (WHERE e.kind = 'dispute') || ' dispute entries and '
       || count(e.entry_id) FILTER (WHERE e.kind = 'dispute_reversal') || ' reversals'
FROM disputes d
LEFT JOIN ledger_entries e ON e.dispute_id = d.dispute_id AND e.kind IN ('dispute', 'dispute_reversal')
GROUP BY d.dispute_id, d.status
HAVING count(e.entry_id) FILTER (WHERE e.kind = 'dispute') <> 1
    OR count(e.entry_id) FILTER (WHERE e.kind = 'dispute_reversal') <> CASE WHEN d.status = 'won' THEN 1 ELSE 0 END
    OR bool_or(e.kind = 'dispute' AND e.amount <> d.amount)
UNION ALL
SELECT 'hosted page ' || c.checkout_id || ' of account ' || c.account_id || ' is complete without its card on file'
FROM checkouts c
WHERE c.status = 'complete' AND c.mode = 'setup' AND c.payment_method_id IS NULL
UNION ALL
SELECT 'hosted page ' || c.checkout_id || ' of account ' || c.account_id || ' is ' || c.status || ' but its payment is ' || g.status
FROM checkouts c JOIN gateway_attempts g ON g.attempt_id = c.attempt_id
WHERE c.status <> 'open' AND g.status IN ('pending', 'unknown')
ORDER BY 1
