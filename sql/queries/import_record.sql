-- One imported file, recorded with its digest when it added any record (§10).
INSERT INTO imports (kind, file_name, file_sha256, rows_read, rows_added) VALUES (@kind, @file_name, @file_sha256, @rows_read, @rows_added)
