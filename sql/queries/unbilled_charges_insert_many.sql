-- Accounts' charges so far in their open windows, one row per position of
-- the arrays (§9's estimated next balance).
INSERT INTO unbilled_charges (account_id, billing, window_start, window_end, currency, lines, subtotal, as_of)
SELECT account_id, billing, window_start, window_end, currency, lines, subtotal, @as_of
FROM unnest(@accounts::text[], @billings::text[], @window_starts::date[], @window_ends::date[], @currencies::text[], @lines::int[], @subtotals::numeric[])
     AS u(account_id, billing, window_start, window_end, currency, lines, subtotal)
