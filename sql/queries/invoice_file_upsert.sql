-- Records written files, one per position of the arrays.
INSERT INTO invoice_files (invoice_number, kind, path, sha256, size, modified_ns)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
ON CONFLICT (invoice_number, kind) DO UPDATE
    SET path = EXCLUDED.path, sha256 = EXCLUDED.sha256, size = EXCLUDED.size, modified_ns = EXCLUDED.modified_ns, written_at = now()
