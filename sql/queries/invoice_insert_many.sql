-- Stores finalized invoices, one per position of the arrays, and each one's
-- entry in the ledger (§9), in the same statement.
WITH stored AS (
    INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end,
                          issue_date, tax_rate, subtotal, tax, total, adjusts, reason, run_id)
    SELECT number, series, seq, account_id, type, billing, currency, window_start, window_end,
           issue_date, tax_rate, subtotal, tax, total, NULLIF(adjusts, ''), NULLIF(reason, ''), $16
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[],
                $9::date[], $10::date[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[], $15::text[], $17::text[])
         AS i(number, series, seq, account_id, type, billing, currency, window_start, window_end,
              issue_date, tax_rate, subtotal, tax, total, adjusts, reason)
    RETURNING account_id, currency, total, number
)
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number)
SELECT account_id, currency, 'invoice', total, number FROM stored
