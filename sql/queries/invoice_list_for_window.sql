-- The pipeline's invoices of a window in one currency: the original first,
-- then its adjustments (an operator's credits and refunds are not the
-- window's charges, §9, nor is a late fee, §13).
SELECT number, tax_rate::text AS tax_rate, adjusts
FROM invoices i
WHERE account_id = @account_id AND billing = @billing AND window_start = @window_start AND currency = @currency AND reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM late_fees f WHERE f.fee_invoice = i.number)
ORDER BY adjusts NULLS FIRST, series, seq
