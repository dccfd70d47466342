-- §12.1: two original invoices for one account, billing, window and currency.
SELECT 'duplicate invoices for account ' || account_id || ', ' || billing || ' window ' || window_start || ' in ' || currency
       || ': ' || string_agg(number, ', ' ORDER BY number)
FROM invoices WHERE adjusts IS NULL AND reason IS NULL
GROUP BY account_id, billing, window_start, currency HAVING count(*) > 1
ORDER BY 1
