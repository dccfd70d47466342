-- Accounts' charges so far in their open windows, one row per position of
-- the arrays (§9's estimated next balance).
INSERT INTO unbilled_charges (account_id, billing, window_start, window_end, currency, lines, subtotal, as_of)
SELECT account_id, billing, window_start, window_end, currency, lines, subtotal, $8
FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::int[], $7::numeric[])
     AS u(account_id, billing, window_start, window_end, currency, lines, subtotal)
