-- Records written files, one per position of the arrays.
INSERT INTO invoice_files (invoice_number, kind, path, sha256)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
ON CONFLICT (invoice_number, kind) DO UPDATE SET path = EXCLUDED.path, sha256 = EXCLUDED.sha256, written_at = now()
