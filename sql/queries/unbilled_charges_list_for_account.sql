-- An account's charges so far in its open windows.
SELECT billing, window_start, window_end, currency, lines, subtotal::text AS subtotal, as_of
FROM unbilled_charges WHERE account_id = $1 ORDER BY billing, window_start, currency
