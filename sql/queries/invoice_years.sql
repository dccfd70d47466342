-- The years and currencies an account has invoices in, for the list's filters.
SELECT DISTINCT extract(year FROM issue_date)::int AS year, currency FROM invoices WHERE account_id = $1 ORDER BY 1 DESC, 2
