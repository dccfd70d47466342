-- Stores finalized invoices, one per position of the arrays, and each one's
-- entry in the ledger (§9), in the same statement. An invoice with a total
-- above zero is due its account's payment terms after its issue date, or
-- $18 days (the setting payment_terms_days) for an account without (§13).
-- Its documents are in the account's locale of today, kept with it.
WITH stored AS (
    INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end,
                          issue_date, tax_rate, subtotal, tax, total, adjusts, reason, run_id, due_date, locale)
    SELECT i.number, i.series, i.seq, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end,
           i.issue_date, i.tax_rate, i.subtotal, i.tax, i.total, NULLIF(i.adjusts, ''), NULLIF(i.reason, ''), $16,
           CASE WHEN i.total > 0 THEN i.issue_date + coalesce(a.payment_terms_days, $18::int) END,
           coalesce(a.locale, 'en')
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[],
                $9::date[], $10::date[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[], $15::text[], $17::text[])
         AS i(number, series, seq, account_id, type, billing, currency, window_start, window_end,
              issue_date, tax_rate, subtotal, tax, total, adjusts, reason)
    JOIN accounts a ON a.account_id = i.account_id
    RETURNING account_id, currency, total, number
)
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number)
SELECT account_id, currency, 'invoice', total, number FROM stored
