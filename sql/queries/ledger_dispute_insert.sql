-- A dispute's ledger entries: reversals of allocations, the dispute, its reversal.
INSERT INTO ledger_entries (account_id, currency, kind, amount, invoice_number, payment_id, reverses, dispute_id)
SELECT account_id, currency, kind, amount::numeric, nullif(invoice_number, ''), payment_id, nullif(reverses, 0), dispute_id
FROM unnest(@accounts::text[], @currencies::text[], @kinds::text[], @amounts::text[], @invoice_numbers::text[], @payment_ids::text[], @reverses::bigint[], @dispute_ids::text[])
     AS e(account_id, currency, kind, amount, invoice_number, payment_id, reverses, dispute_id)
