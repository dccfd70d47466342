INSERT INTO invoice_files (invoice_number, kind, path, sha256) VALUES ($1, $2, $3, $4)
ON CONFLICT (invoice_number, kind) DO UPDATE SET path = EXCLUDED.path, sha256 = EXCLUDED.sha256, written_at = now()
