-- The pipeline's invoices of a window in one currency: the original first,
-- then its adjustments (an operator's credits and refunds are not the
-- window's charges; §9).
SELECT number, tax_rate::text AS tax_rate, adjusts
FROM invoices
WHERE account_id = $1 AND billing = $2 AND window_start = $3 AND currency = $4 AND reason IS NULL
ORDER BY adjusts NULLS FIRST, series, seq
