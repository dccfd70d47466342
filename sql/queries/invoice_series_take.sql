-- Takes the next @n numbers of a series and returns the last of them, under
-- a row lock held until the transaction ends: a rollback gives the numbers
-- back, so numbers are gap-free (§6).
INSERT INTO invoice_series AS s (series, last_seq) VALUES (@series, @n)
ON CONFLICT (series) DO UPDATE SET last_seq = s.last_seq + @n
RETURNING last_seq
