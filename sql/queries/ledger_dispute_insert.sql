-- A dispute's ledger entries: reversals of allocations, the dispute, its reversal.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id, reverses, dispute_id)
SELECT account_id, currency, kind, amount::numeric, nullif(invoice_number, ''), payment_id, nullif(reverses, 0), dispute_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
     AS e(account_id, currency, kind, amount, invoice_number, payment_id, reverses, dispute_id)
