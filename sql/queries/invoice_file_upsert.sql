-- Records written files, one per position of the arrays.
INSERT INTO invoice_files (invoice_number, kind, path, sha256, size, modified_ns)
SELECT * FROM unnest(@invoice_numbers::text[], @kinds::text[], @paths::text[], @sha256s::text[], @sizes::bigint[], @modified_ns::bigint[])
ON CONFLICT (invoice_number, kind) DO UPDATE
    SET path = EXCLUDED.path, sha256 = EXCLUDED.sha256, size = EXCLUDED.size, modified_ns = EXCLUDED.modified_ns, written_at = now()
