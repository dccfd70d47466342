INSERT INTO invoices (number, series, seq, account_id, type, billing, currency, window_start, window_end,
                      issue_date, tax_rate, subtotal, tax, total, adjusts, run_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
