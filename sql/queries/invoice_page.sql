-- One page of an account's invoices, newest first, filtered by payment
-- status (@status, as §9 defines it), currency (@currency) and issue year (@year);
-- each row carries the count of all that match.
WITH i AS (
    SELECT i.number, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end, i.issue_date,
           i.tax_rate::text AS tax_rate, i.subtotal::text AS subtotal, i.tax::text AS tax, i.total::text AS total,
           coalesce(i.adjusts, '') AS adjusts, i.due_date, 0 AS line_count, i.series, i.seq,
           (SELECT coalesce(sum(a.amount), 0) FROM ledger_entries a
            WHERE a.kind = 'allocation' AND a.invoice_number = i.number) AS allocated_sum, i.total AS total_sum
    FROM invoices i
    WHERE i.account_id = @account_id AND (@currency = '' OR i.currency = @currency)
      AND (@year = 0 OR (i.issue_date >= make_date(@year, 1, 1) AND i.issue_date < make_date(@year + 1, 1, 1)))
), s AS (
    SELECT i.*, CASE WHEN total_sum - allocated_sum <= 0 THEN 'paid'
                     WHEN allocated_sum > 0 THEN 'partially_paid' ELSE 'open' END AS status
    FROM i
)
SELECT number, account_id, type, billing, currency, window_start, window_end, issue_date, tax_rate, subtotal, tax, total,
       adjusts, due_date, line_count, allocated_sum::text AS allocated, count(*) OVER () AS matching
FROM s
WHERE @status = '' OR status = @status
ORDER BY issue_date DESC, series DESC, seq DESC
LIMIT @limit OFFSET @offset
