-- The invoices of a window in one currency: the original first, then its adjustments.
SELECT number, tax_rate::text AS tax_rate, adjusts
FROM invoices
WHERE account_id = $1 AND billing = $2 AND window_start = $3 AND currency = $4
ORDER BY adjusts NULLS FIRST, series, seq
