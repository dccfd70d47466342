-- Stores finalized invoices, one per position of the arrays, and each one's
-- entry in the ledger (§9), in the same statement. An invoice with a total
-- above zero is due its account's payment terms after its issue date, or
-- @terms days (the setting payment_terms_days) for an account without (§13).
-- Its documents are in the account's locale of today, kept with it.
WITH stored AS (
    INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end,
                          issue_date, tax_rate, subtotal, tax, total, adjusts, reason, run_id, due_date, locale)
    SELECT i.number, i.series, i.seq, i.account_id, i.type, i.billing, i.currency, i.window_start, i.window_end,
           i.issue_date, i.tax_rate, i.subtotal, i.tax, i.total, NULLIF(i.adjusts, ''), NULLIF(i.reason, ''), @run_id,
           CASE WHEN i.total > 0 THEN i.issue_date + coalesce(a.payment_terms_days, @terms::int) END,
           coalesce(a.locale, 'en')
    FROM unnest(@numbers::text[], @series::text[], @seqs::bigint[], @accounts::text[], @types::text[], @billings::text[],
                @currencies::text[], @window_starts::date[], @window_ends::date[], @issue_dates::date[], @tax_rates::numeric[],
                @subtotals::numeric[], @taxes::numeric[], @totals::numeric[], @adjusts::text[], @reasons::text[])
         AS i(number, series, seq, account_id, type, billing, currency, window_start, window_end,
              issue_date, tax_rate, subtotal, tax, total, adjusts, reason)
    JOIN accounts a ON a.account_id = i.account_id
    RETURNING account_id, currency, total, number
)
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number)
SELECT account_id, currency, 'invoice', total, number FROM stored
