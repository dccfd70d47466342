-- The next number of a series, under a row lock held until the transaction
-- ends: a rollback gives the number back, so numbers are gap-free (SPEC §6).
INSERT INTO invoice_series AS s (series, last_seq) VALUES ($1, 1)
ON CONFLICT (series) DO UPDATE SET last_seq = s.last_seq + 1
RETURNING last_seq
