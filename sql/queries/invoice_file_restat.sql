-- Records the new size and time of files found unchanged by their SHA-256.
UPDATE invoice_files f SET size = s.size, modified_ns = s.modified_ns
FROM unnest(@invoice_numbers::text[], @kinds::text[], @sizes::bigint[], @modified_ns::bigint[]) AS s(invoice_number, kind, size, modified_ns)
WHERE f.invoice_number = s.invoice_number AND f.kind = s.kind
