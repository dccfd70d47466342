-- Which money movements of a dispute the ledger has: its dispute entry and its reversal.
SELECT coalesce(bool_or(kind = 'dispute'), false) AS taken, coalesce(bool_or(kind = 'dispute_reversal'), false) AS returned
FROM ledger_entries WHERE dispute_id = $1 AND kind IN ('dispute', 'dispute_reversal')
